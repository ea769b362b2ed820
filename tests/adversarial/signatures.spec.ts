/**
 * Attack: a signature by the wrong key (statement, result, receipt,
 * equivocation evidence), and an expired or otherwise out-of-date statement.
 * Every attempt is rejected with the documented exit code, changes no state,
 * and bounces its value back minus fees.
 */
import { toNano } from '@ton/core';
import '@ton/test-utils';
import { burntOn, expectBounce, sendRaw, storageFeesOn, viewAccount, stateOf } from '../properties/attack';
import { buildStage, Stage } from '../properties/stage';
import { DAY, expectNoFailure, HOUR, keyFromLabel, makeStatement, registrationValue, signedStatement, statementCell, valueOf, workerResult } from '../helpers/fixtures';
import { Job } from '../../wrappers/Job';
import { Provider } from '../../wrappers/Provider';
import { Root } from '../../wrappers/Root';
import { bufferToBigint } from '../../wrappers/common';
import { Errors, JobState, Op } from '../../wrappers/constants';

describe('Attack: signature by the wrong key', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const rogue = keyFromLabel('rogue signer');

    it('statement: by an untrusted key naming itself (130), or naming the trusted verifier key (131)', async () => {
        const statement = statementCell({ root: s.p.root.address, owner: s.newcomer.address }, s.now());
        const value = await registrationValue(s.p, s.p.params.minStake);
        const reg = (stmt: ReturnType<typeof signedStatement>) =>
            Root.registerProviderMessage({ stake: s.p.params.minStake, statement: stmt, offer: { pricePerUnit: 1n, endpoint: 'x' }, models: [] });
        await expectBounce(s.bc, { from: s.newcomer.address, to: s.p.root.address, value, body: reg(signedStatement(statement, rogue)) }, Errors.untrustedVerifier);
        await expectBounce(s.bc, { from: s.newcomer.address, to: s.p.root.address, value, body: reg(signedStatement(statement, rogue, s.p.verifier.publicKey)) }, Errors.badSignature);
        // The provider's own operator key is no verifier either.
        const own = statementCell({ root: s.p.root.address, owner: s.owner.address, operatorKey: bufferToBigint(s.operator.publicKey) }, s.now());
        await expectBounce(s.bc, { from: s.owner.address, to: s.p.root.address, value: s.AMPLE, body: Root.reattestProviderMessage(signedStatement(own, s.operator)) }, Errors.untrustedVerifier, [s.p.root.address, s.provider.address]);
        await expectBounce(
            s.bc,
            { from: s.owner.address, to: s.p.root.address, value: s.AMPLE, body: Root.reattestProviderMessage(signedStatement(own, s.operator, s.p.verifier.publicKey)) },
            Errors.badSignature,
            [s.p.root.address, s.provider.address],
        );
    });

    it('result: signed by the client, by another provider\'s operator, or by a stranger (131)', async () => {
        const o = await s.openJob();
        for (const key of [s.clientKeys, s.minOperator, rogue]) {
            const body = Job.submitResultMessage(workerResult(key, o.job.address, o.createdAt, 10n));
            await expectBounce(s.bc, { from: s.owner.address, to: o.job.address, value: s.req.submitResult, body }, Errors.badSignature, [o.job.address, s.provider.address]);
        }
        expect((await o.job.getJobState()).state).toBe(JobState.accepted);
    });

    it('result: after the operator key is rotated, a job accepted later refuses the old key (131); one accepted before keeps the key in its terms', async () => {
        const before = await s.openJob();
        const rotated = keyFromLabel('rotated operator key');
        s.bc.now = s.now() + 1;
        const stmt = makeStatement(s.p, { owner: s.owner.address, operatorKey: bufferToBigint(rotated.publicKey), issuedAt: s.now(), expiresAt: s.now() + 20 * DAY });
        expectNoFailure((await s.p.root.sendReattestProvider(s.owner.getSender(), s.rreq.reattestProvider, stmt)).transactions);
        const after = await s.openJob();
        const old = Job.submitResultMessage(workerResult(s.operator, after.job.address, after.createdAt, 10n));
        await expectBounce(s.bc, { from: s.owner.address, to: after.job.address, value: s.req.submitResult, body: old }, Errors.badSignature, [after.job.address]);
        expectNoFailure((await after.job.sendSubmitResult(s.owner.getSender(), s.req.submitResult, workerResult(rotated, after.job.address, after.createdAt, 10n))).transactions);
        // Terms are fixed at acceptance (SPEC §4): the earlier job still expects the old key.
        await expectBounce(
            s.bc,
            { from: s.owner.address, to: before.job.address, value: s.req.submitResult, body: Job.submitResultMessage(workerResult(rotated, before.job.address, before.createdAt, 10n)) },
            Errors.badSignature,
            [before.job.address],
        );
        expectNoFailure((await before.job.sendSubmitResult(s.owner.getSender(), s.req.submitResult, workerResult(s.operator, before.job.address, before.createdAt, 10n))).transactions);
    });

    it('receipt: signed by the operator, by another client or by a stranger instead of the client key (131)', async () => {
        const o = await s.openJob({ session: true });
        for (const key of [s.operator, keyFromLabel('another client'), rogue]) {
            const body = Job.claimSessionMessage(s.receiptFor(o, 1, 100n, { key }), false);
            await expectBounce(s.bc, { from: s.owner.address, to: o.job.address, value: s.req.claimSession, body }, Errors.badSignature, [o.job.address, s.provider.address]);
        }
        expect((await o.job.getJobProgress()).paidUsage).toBe(0n);
    });

    it('equivocation evidence: one or both results signed by another key than the current operator key, a rotated-away key included (131)', async () => {
        const o = await s.openJob();
        const a = workerResult(s.operator, o.job.address, o.createdAt, 10n, { commitment: 1n });
        const b = workerResult(s.operator, o.job.address, o.createdAt, 10n, { commitment: 2n });
        const forgedB = workerResult(rogue, o.job.address, o.createdAt, 10n, { commitment: 2n });
        const forgedA = workerResult(rogue, o.job.address, o.createdAt, 10n, { commitment: 1n });
        const report = (first: typeof a, second: typeof a) => Provider.reportEquivocationMessage(s.client.address, o.nonce, first, second);
        const watch = [s.provider.address, o.job.address];
        await expectBounce(s.bc, { from: s.attacker.address, to: s.provider.address, value: s.preq.reportEquivocation, body: report(a, forgedB) }, Errors.badSignature, watch);
        await expectBounce(s.bc, { from: s.attacker.address, to: s.provider.address, value: s.preq.reportEquivocation, body: report(forgedA, forgedB) }, Errors.badSignature, watch);
        // SPEC §13: evidence is checked against the current key; after a rotation the old key's
        // (genuinely conflicting) results are no longer evidence.
        s.bc.now = s.now() + 1;
        const rotated = keyFromLabel('rotated operator key 2');
        const stmt = makeStatement(s.p, { owner: s.owner.address, operatorKey: bufferToBigint(rotated.publicKey), issuedAt: s.now(), expiresAt: s.now() + 20 * DAY });
        expectNoFailure((await s.p.root.sendReattestProvider(s.owner.getSender(), s.rreq.reattestProvider, stmt)).transactions);
        await expectBounce(s.bc, { from: s.attacker.address, to: s.provider.address, value: s.preq.reportEquivocation, body: report(a, b) }, Errors.badSignature, watch);
        expect(await s.provider.getProviderJobs()).toMatchObject({ tombstoned: false, slashed: 0n });
    });
});

describe('Attack: expired statement', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const register = async (issuedAt: number, expiresAt: number) =>
        Root.registerProviderMessage({
            stake: s.p.params.minStake,
            statement: makeStatement(s.p, { owner: s.newcomer.address, issuedAt, expiresAt }),
            offer: { pricePerUnit: 1n, endpoint: 'x' },
            models: [],
        });

    it('registration with a statement expiring now or earlier is rejected (135)', async () => {
        const value = await registrationValue(s.p, s.p.params.minStake);
        await expectBounce(s.bc, { from: s.newcomer.address, to: s.p.root.address, value, body: await register(s.now() - DAY, s.now()) }, Errors.statementExpired);
        await expectBounce(s.bc, { from: s.newcomer.address, to: s.p.root.address, value, body: await register(s.now() - 2 * DAY, s.now() - DAY) }, Errors.statementExpired);
    });

    it('re-attestation with an expired statement is rejected (135) and the provider keeps its attestation', async () => {
        const stmt = makeStatement(s.p, { owner: s.owner.address, issuedAt: s.now() - HOUR, expiresAt: s.now(), operatorKey: bufferToBigint(s.operator.publicKey) });
        await expectBounce(s.bc, { from: s.owner.address, to: s.p.root.address, value: s.rreq.reattestProvider, body: Root.reattestProviderMessage(stmt) }, Errors.statementExpired, [s.p.root.address, s.provider.address]);
    });

    it('a statement issued in the future (136) or living longer than attestation_max_age (137) is rejected', async () => {
        const value = await registrationValue(s.p, s.p.params.minStake);
        await expectBounce(s.bc, { from: s.newcomer.address, to: s.p.root.address, value, body: await register(s.now() + 1, s.now() + DAY) }, Errors.statementNotYetValid);
        await expectBounce(
            s.bc,
            { from: s.newcomer.address, to: s.p.root.address, value, body: await register(s.now(), s.now() + s.p.params.attestationMaxAge + 1) },
            Errors.statementLifetimeTooLong,
        );
    });

    it('once its attestation has expired, the provider refuses every job (161) and the client gets its budget back', async () => {
        const att = await s.provider.getAttestation();
        s.bc.now = att.expiresAt;
        const before = await viewAccount(s.bc, s.provider.address);
        const nonce = 999n;
        const job = s.bc.openContract(Job.createFromConfig({ root: s.p.root.address, client: s.client.address, nonce }, s.p.jobCode));
        const budget = toNano('10');
        const value = budget + s.req.createJob;
        const body = Job.createJobMessage({
            budget,
            deadline: s.now() + HOUR,
            session: false,
            clientKey: s.clientKeys.publicKey,
            provider: s.provider.address,
            modelHash: (await s.provider.getModels())[0],
            maxPrice: toNano('1'),
            requestCommitment: 0n,
        });
        const txs = await sendRaw(s.bc, { from: s.client.address, to: job.address, value, body, stateInit: job.init });
        expectNoFailure(txs);
        expect(txs).toHaveTransaction({
            from: s.provider.address,
            to: job.address,
            op: Op.jobRejected,
            body: (b) => b!.beginParse().skip(96).loadUint(16) === Errors.notEligible,
        });
        expect(stateOf(await viewAccount(s.bc, s.provider.address))).toBe(stateOf(before));
        expect((await viewAccount(s.bc, s.provider.address)).balance).toBe(before.balance - storageFeesOn(txs, s.provider.address));
        expect((await job.getJobState()).state).toBe(JobState.cancelled);
        // Where the value went: the client's refund is everything but the fees and the job's storage reserve.
        const refund = valueOf(txs, job.address, s.client.address, Op.jobRefund);
        expect(refund).toBe(value - burntOn(txs, [job.address, s.provider.address]) - s.fees.jobStorageReserve);
        expect(refund).toBeGreaterThan(budget);
        expect(await job.getBalance()).toBe(s.fees.jobStorageReserve);
    });
});
