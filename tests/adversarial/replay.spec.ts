/**
 * Attack: replay of signed payloads. Attestation statements are bound to one
 * root and one owner and ordered per provider by issued_at; job results and
 * usage receipts are bound to one job address and its created_at (a job
 * re-created at the same address after its account was deleted has a new
 * created_at), receipts are ordered by seq. Every replay is rejected with the
 * documented exit code (or refused by the provider with request_refused),
 * changes no state, and the value goes back minus fees.
 */
import { toNano } from '@ton/core';
import { createEmptyShardAccount } from '@ton/sandbox';
import '@ton/test-utils';
import { expectBounce, expectRefund, viewAccount } from '../properties/attack';
import { buildStage, Stage } from '../properties/stage';
import { createJob, DAY, expectNoFailure, HOUR, makeStatement, registerProvider, registrationValue } from '../helpers/fixtures';
import { Job } from '../../wrappers/Job';
import { Root } from '../../wrappers/Root';
import { bufferToBigint } from '../../wrappers/common';
import { Errors, JobState, Op, ProviderState } from '../../wrappers/constants';

describe('Attack: replayed attestation statement', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const operatorKey = () => bufferToBigint(s.operator.publicKey);

    it('on the same root: replayed as a re-attestation (156) or as a second registration (155), refused with all value back', async () => {
        const stmt = makeStatement(s.p, { owner: s.newcomer.address });
        const reg = await registerProvider(s.p, s.newcomer, { statement: stmt });
        expectNoFailure(reg.result.transactions);
        const att = await reg.provider.getAttestation();
        const watch = [s.p.root.address, reg.provider.address];
        const v = s.rreq.reattestProvider + toNano('0.01');
        const out = await expectRefund(s.bc, { from: s.newcomer.address, to: s.p.root.address, value: v, body: Root.reattestProviderMessage(stmt) }, s.newcomer.address, watch, {
            op: Op.requestRefused,
            error: Errors.staleStatement,
            from: reg.provider.address,
        });
        expect(out.returned).toBeGreaterThan(0n);
        const value = await registrationValue(s.p, s.p.params.minStake);
        const body = Root.registerProviderMessage({ stake: s.p.params.minStake, statement: stmt, offer: { pricePerUnit: 1n, endpoint: 'x' }, models: [(await reg.provider.getModels())[0]] });
        const again = await expectRefund(s.bc, { from: s.newcomer.address, to: s.p.root.address, value, body }, s.newcomer.address, watch, {
            op: Op.requestRefused,
            error: Errors.alreadyRegistered,
            from: reg.provider.address,
        });
        // The stake came back too: only fees were burnt.
        expect(again.returned).toBeGreaterThan(s.p.params.minStake);
        expect(await reg.provider.getAttestation()).toEqual(att);
    });

    it('on another root (another deployment trusting the same verifier) is rejected (133)', async () => {
        const other = s.bc.openContract(
            Root.createFromConfig(
                {
                    governance: s.p.governance.address,
                    guardian: s.attacker.address,
                    params: s.p.params,
                    providerCode: s.p.providerCode,
                    jobCode: s.p.jobCode,
                    policies: new Map([[(await s.provider.getAttestation()).policyHash, (await import('../../wrappers/common')).textCell('p')]]),
                    models: new Map(),
                    verifierKeys: [bufferToBigint(s.p.verifier.publicKey)],
                },
                s.p.rootCode,
            ),
        );
        expectNoFailure((await other.sendDeploy(s.p.governance.getSender(), toNano('1'))).transactions);
        const stmt = makeStatement(s.p, { owner: s.newcomer.address }); // signed for the first root
        const value = await registrationValue(s.p, s.p.params.minStake);
        const body = Root.registerProviderMessage({ stake: s.p.params.minStake, statement: stmt, offer: { pricePerUnit: 1n, endpoint: 'x' }, models: [] });
        await expectBounce(s.bc, { from: s.newcomer.address, to: other.address, value, body }, Errors.wrongRoot, [other.address]);
    });

    it("by another owner is rejected (134), as a registration and as a re-attestation", async () => {
        const stmt = makeStatement(s.p, { owner: s.owner.address, issuedAt: s.now(), operatorKey: operatorKey() });
        const value = await registrationValue(s.p, s.p.params.minStake);
        const body = Root.registerProviderMessage({ stake: s.p.params.minStake, statement: stmt, offer: { pricePerUnit: 1n, endpoint: 'x' }, models: [] });
        await expectBounce(s.bc, { from: s.attacker.address, to: s.p.root.address, value, body }, Errors.wrongOwner, [s.p.root.address]);
        await expectBounce(s.bc, { from: s.minOwner.address, to: s.p.root.address, value: s.AMPLE, body: Root.reattestProviderMessage(stmt) }, Errors.wrongOwner, [s.p.root.address, s.minProvider.address]);
    });

    it('after a re-attestation, the older statement and the current one are both refused (156)', async () => {
        const first = makeStatement(s.p, { owner: s.owner.address, issuedAt: s.now(), expiresAt: s.now() + 20 * DAY, operatorKey: operatorKey() });
        s.bc.now = s.now() + HOUR;
        const second = makeStatement(s.p, { owner: s.owner.address, issuedAt: s.now(), expiresAt: s.now() + 20 * DAY, operatorKey: operatorKey() });
        const r = await s.p.root.sendReattestProvider(s.owner.getSender(), s.rreq.reattestProvider, second);
        expectNoFailure(r.transactions);
        const attestedAt = (await s.provider.getAttestation()).attestedAt;
        expect(attestedAt).toBe(s.now());
        for (const stmt of [first, second]) {
            await expectRefund(
                s.bc,
                { from: s.owner.address, to: s.p.root.address, value: s.rreq.reattestProvider, body: Root.reattestProviderMessage(stmt) },
                s.owner.address,
                [s.p.root.address, s.provider.address],
                { op: Op.requestRefused, error: Errors.staleStatement, from: s.provider.address },
            );
        }
        expect((await s.provider.getAttestation()).attestedAt).toBe(attestedAt);
    });

    // SPEC §12 invariant 4: "A provider's attested_at never decreases; a statement is used at
    // most once per provider": provider_init on an exited provider checks it like a re-attestation.
    it('after the provider exits, re-registering with its older (still valid) statement is refused (156)', async () => {
        const first = makeStatement(s.p, { owner: s.newcomer.address, issuedAt: s.now(), expiresAt: s.now() + 30 * DAY });
        const reg = await registerProvider(s.p, s.newcomer, { statement: first });
        expectNoFailure(reg.result.transactions);
        s.bc.now = s.now() + HOUR;
        const second = makeStatement(s.p, { owner: s.newcomer.address, issuedAt: s.now(), expiresAt: s.now() + 30 * DAY });
        expectNoFailure((await s.p.root.sendReattestProvider(s.newcomer.getSender(), s.rreq.reattestProvider, second)).transactions);
        expectNoFailure((await reg.provider.sendRequestUnbond(s.newcomer.getSender(), s.preq.ownerOp)).transactions);
        s.bc.now = s.now() + 7 * DAY;
        expectNoFailure((await reg.provider.sendWithdrawStake(s.newcomer.getSender(), s.preq.ownerOp)).transactions);
        expect((await reg.provider.getProviderData()).state).toBe(ProviderState.exited);
        const attestedAt = (await reg.provider.getAttestation()).attestedAt;

        const value = await registrationValue(s.p, s.p.params.minStake);
        const body = Root.registerProviderMessage({ stake: s.p.params.minStake, statement: first, offer: { pricePerUnit: 1n, endpoint: 'x' }, models: [(await reg.provider.getModels())[0]] });
        await expectRefund(s.bc, { from: s.newcomer.address, to: s.p.root.address, value, body }, s.newcomer.address, [s.p.root.address, reg.provider.address], {
            op: Op.requestRefused,
            error: Errors.staleStatement,
        });
        expect((await reg.provider.getAttestation()).attestedAt).toBe(attestedAt);
    });
});

describe('Attack: replayed signed result', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    it('submitted twice to the same job: the second is refused (202)', async () => {
        const o = await s.openJob();
        const result = s.resultFor(o, 10n);
        expectNoFailure((await o.job.sendSubmitResult(s.owner.getSender(), s.req.submitResult, result)).transactions);
        await expectBounce(s.bc, { from: s.attacker.address, to: o.job.address, value: s.req.submitResult, body: Job.submitResultMessage(result) }, Errors.jobWrongState, [o.job.address, s.provider.address]);
    });

    it('onto another job of the same provider and client is refused (207)', async () => {
        const a = await s.openJob();
        const b = await s.openJob();
        const result = s.resultFor(a, 10n);
        await expectBounce(s.bc, { from: s.attacker.address, to: b.job.address, value: s.req.submitResult, body: Job.submitResultMessage(result) }, Errors.wrongJob, [b.job.address, a.job.address]);
        expect((await b.job.getJobState()).state).toBe(JobState.accepted);
    });

    it('onto a job re-created at the same address with a different created_at is refused (207)', async () => {
        const o = await s.openJob({ nonce: 77n });
        const result = s.resultFor(o, 10n);
        expectNoFailure((await o.job.sendSubmitResult(s.owner.getSender(), s.req.submitResult, result)).transactions);
        expectNoFailure((await o.job.sendConfirm(s.client.getSender(), s.req.closeJob)).transactions);
        expect((await o.job.getJobState()).state).toBe(JobState.settled);
        // The network deletes the closed job once its storage reserve (JOB_RESERVE_PERIOD) is spent.
        s.bc.now = s.now() + 40 * DAY;
        await s.bc.setShardAccount(o.job.address, createEmptyShardAccount(o.job.address));
        await s.reattest();
        const again = await createJob(s.p, s.client, s.provider.address, { nonce: 77n, clientKeys: s.clientKeys, deadline: s.now() + HOUR });
        expectNoFailure(again.result.transactions);
        expect(again.job.address.equals(o.job.address)).toBe(true);
        const st = await again.job.getJobState();
        expect(st.state).toBe(JobState.accepted);
        expect(st.createdAt).not.toBe(o.createdAt);
        await expectBounce(s.bc, { from: s.attacker.address, to: o.job.address, value: s.req.submitResult, body: Job.submitResultMessage(result) }, Errors.wrongJob, [o.job.address, s.provider.address]);
        expect((await again.job.getJobState()).state).toBe(JobState.accepted);
    });
});

describe('Attack: replayed usage receipt', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    it('claimed twice on the same session, or with a lower seq, is refused as stale (208)', async () => {
        const o = await s.openJob({ session: true });
        const r2 = s.receiptFor(o, 2, 20n);
        expectNoFailure((await o.job.sendClaimSession(s.owner.getSender(), s.req.claimSession, r2)).transactions);
        const watch = [o.job.address, s.provider.address];
        await expectBounce(s.bc, { from: s.owner.address, to: o.job.address, value: s.req.claimSession, body: Job.claimSessionMessage(r2, false) }, Errors.staleReceipt, watch);
        await expectBounce(s.bc, { from: s.owner.address, to: o.job.address, value: s.req.claimSession, body: Job.claimSessionMessage(s.receiptFor(o, 1, 30n), false) }, Errors.staleReceipt, watch);
        // A newer seq cannot lower the cumulative usage below what was paid either (209).
        await expectBounce(s.bc, { from: s.owner.address, to: o.job.address, value: s.req.claimSession, body: Job.claimSessionMessage(s.receiptFor(o, 3, 19n), false) }, Errors.badUsage, watch);
        expect((await o.job.getJobProgress()).paidUsage).toBe(20n);
    });

    it('claimed on another session of the same client (same client key) is refused (207)', async () => {
        const a = await s.openJob({ session: true });
        const b = await s.openJob({ session: true });
        await expectBounce(s.bc, { from: s.owner.address, to: b.job.address, value: s.req.claimSession, body: Job.claimSessionMessage(s.receiptFor(a, 1, 50n), false) }, Errors.wrongJob, [b.job.address, a.job.address]);
    });

    it('claimed on a session re-created at the same address with a different created_at is refused (207)', async () => {
        const o = await s.openJob({ session: true, nonce: 78n });
        const old = s.receiptFor(o, 1, 5n);
        expectNoFailure((await o.job.sendClaimSession(s.owner.getSender(), s.req.claimSession, old, true)).transactions);
        expect((await o.job.getJobState()).state).toBe(JobState.settled);
        s.bc.now = s.now() + 40 * DAY;
        await s.bc.setShardAccount(o.job.address, createEmptyShardAccount(o.job.address));
        await s.reattest();
        const again = await createJob(s.p, s.client, s.provider.address, { nonce: 78n, session: true, clientKeys: s.clientKeys, deadline: s.now() + HOUR });
        expectNoFailure(again.result.transactions);
        expect((await viewAccount(s.bc, o.job.address)).status).toBe('active');
        await expectBounce(s.bc, { from: s.owner.address, to: o.job.address, value: s.req.claimSession, body: Job.claimSessionMessage(old, false) }, Errors.wrongJob, [o.job.address, s.provider.address]);
        // A receipt with a higher seq but the old created_at is no better.
        await expectBounce(
            s.bc,
            { from: s.owner.address, to: o.job.address, value: s.req.claimSession, body: Job.claimSessionMessage(s.receiptFor(o, 9, 50n), false) },
            Errors.wrongJob,
            [o.job.address, s.provider.address],
        );
    });
});
