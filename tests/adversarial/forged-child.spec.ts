/**
 * Attack: forged child address. A provider trusts a job only at the address it
 * derives from (job code hash, root, client, nonce); a job trusts its provider
 * only at the address the client named and the root only at the address in
 * its data; a provider trusts the root only at the address in its data.
 * Every forged message is rejected with the documented exit code, changes no
 * state, and its value bounces back to the attacker minus fees.
 */
import { Address, beginCell, toNano } from '@ton/core';
import { executeFrom, executeTill } from '@ton/test-utils';
import { internal } from '@ton/sandbox';
import '@ton/test-utils';
import { Bodies, expectBounce, viewAccount, attestationCell, providerParamsCell, exitCodeOf, entryOf, sendRaw } from '../properties/attack';
import { buildStage, Stage } from '../properties/stage';
import { DEFAULT_OFFER, expectNoFailure, MODEL, POLICY, registerWorkingProvider, sha256n } from '../helpers/fixtures';
import { Job } from '../../wrappers/Job';
import { Provider } from '../../wrappers/Provider';
import { offerToCell, jobParamsToCell, DEFAULT_JOB_PARAMS } from '../../wrappers/Root';
import { hashSet, bufferToBigint } from '../../wrappers/common';
import { Errors, JobState, Op, Outcome, Slash } from '../../wrappers/constants';
import { Dictionary } from '@ton/core';

describe('Attack: forged child address', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const value = toNano('0.5');

    it('offer_job from an address that is not the derived job is thrown out (160)', async () => {
        const offer = { modelHash: MODEL, budget: toNano('1000'), maxPrice: toNano('1'), deadline: s.now() + 3600, createdAt: s.now(), session: false };
        const out = await expectBounce(
            s.bc,
            { from: s.attacker.address, to: s.provider.address, value, body: Bodies.offerJob(s.client.address, 1n, offer) },
            Errors.notJob,
            [s.provider.address],
        );
        expect(out.returned).toBeLessThan(value);
        expect(await s.provider.getProviderJobs()).toMatchObject({ locked: 0n, openJobs: 0 });
    });

    it('job_closed and slash_bond naming a real open job, from anyone but that job, are thrown out (160)', async () => {
        const o = await s.openJob();
        const bond = (await o.job.getJobTerms()).bond;
        const jobs = await s.provider.getProviderJobs();
        const stake = (await s.provider.getProviderData()).stake;
        // Release the bond early (the provider could then unbond with the job open) ...
        await expectBounce(s.bc, { from: s.attacker.address, to: s.provider.address, value, body: Bodies.jobClosed(s.client.address, o.nonce, bond, Outcome.completed) }, Errors.notJob, [s.provider.address, o.job.address]);
        // ... or slash the provider with the attacker as the reporter.
        await expectBounce(
            s.bc,
            { from: s.attacker.address, to: s.provider.address, value, body: Bodies.slashBond(s.client.address, o.nonce, bond, bond, Slash.timeout, s.attacker.address) },
            Errors.notJob,
            [s.provider.address, o.job.address],
        );
        // The client itself cannot do it either.
        await expectBounce(s.bc, { from: s.client.address, to: s.provider.address, value, body: Bodies.jobClosed(s.client.address, o.nonce, bond, Outcome.cancelled) }, Errors.notJob, [s.provider.address]);
        expect(await s.provider.getProviderJobs()).toEqual(jobs);
        expect((await s.provider.getProviderData()).stake).toBe(stake);
    });

    it("a real job's address naming another job's (client, nonce), or the job's hash in the masterchain, is thrown out (160)", async () => {
        const a = await s.openJob();
        const b = await s.openJob();
        const bond = (await a.job.getJobTerms()).bond;
        // Job b's address (a spoofed sender the sandbox can produce) claiming to be job a.
        await expectBounce(s.bc, { from: b.job.address, to: s.provider.address, value, body: Bodies.jobClosed(s.client.address, a.nonce, bond, Outcome.completed) }, Errors.notJob, [s.provider.address]);
        // The derived hash of job a, but in the masterchain.
        const masterTwin = new Address(-1, a.job.address.hash);
        await expectBounce(s.bc, { from: masterTwin, to: s.provider.address, value, body: Bodies.jobClosed(s.client.address, a.nonce, bond, Outcome.completed) }, Errors.notJob, [s.provider.address]);
        expect(await s.provider.getProviderJobs()).toMatchObject({ locked: 2n * bond, openJobs: 2 });
    });

    it('job_accepted / job_rejected from anyone but the named provider are thrown out (201), while the offer is in flight', async () => {
        const nonce = 4242n;
        const job = s.bc.openContract(Job.createFromConfig({ root: s.p.root.address, client: s.client.address, nonce }, s.p.jobCode));
        const body = Job.createJobMessage({
            budget: toNano('10'),
            deadline: s.now() + 3600,
            session: false,
            clientKey: s.clientKeys.publicKey,
            provider: s.provider.address,
            modelHash: MODEL,
            maxPrice: DEFAULT_OFFER.pricePerUnit,
            requestCommitment: sha256n('request'),
        });
        const it = await s.bc.sendMessageIter(
            internal({ from: s.client.address, to: job.address, value: toNano('10') + s.req.createJob, body, stateInit: job.init }),
            { allowParallel: true },
        );
        await executeTill(it, { to: job.address, op: Op.createJob });
        expect((await job.getJobState()).state).toBe(JobState.created);
        // Terms that would make the attacker the owner paid for the work, with no bond.
        const terms = { price: 1n, bond: 0n, operatorKey: bufferToBigint(s.operator.publicKey), owner: s.attacker.address, params: providerParamsCell(0n, 0, 0, s.attacker.address, jobParamsToCell(DEFAULT_JOB_PARAMS)) };
        await expectBounce(s.bc, { from: s.attacker.address, to: job.address, value, body: Bodies.jobAccepted(terms) }, Errors.notProvider, [job.address]);
        await expectBounce(s.bc, { from: s.attacker.address, to: job.address, value, body: Bodies.jobRejected(Errors.notEligible) }, Errors.notProvider, [job.address]);
        // Another registered provider is not the one named either.
        await expectBounce(s.bc, { from: s.minProvider.address, to: job.address, value, body: Bodies.jobAccepted(terms) }, Errors.notProvider, [job.address]);
        // The real answer then lands as usual.
        expectNoFailure((await executeFrom(it)) as never);
        expect((await job.getJobState()).state).toBe(JobState.accepted);
        expect((await job.getJobTerms()).owner!.equals(s.owner.address)).toBe(true);
    });

    it('dispute_verdict from anyone but the root is thrown out (150)', async () => {
        const d = await s.disputed();
        for (const from of [s.attacker.address, s.client.address, s.provider.address, s.p.governance.address]) {
            const watch = [d.job.address, s.provider.address, s.p.root.address].filter((a) => !a.equals(from));
            await expectBounce(s.bc, { from, to: d.job.address, value, body: Bodies.disputeVerdict(true, toNano('100')) }, Errors.notRoot, watch);
        }
        expect((await d.job.getJobState()).state).toBe(JobState.disputed);
    });

    it('provider_init-like messages from anyone but the root are owner ops: 151 from a stranger, 0xffff from the owner', async () => {
        const data = await s.provider.getProviderData();
        const att = attestationCell({ policyHash: POLICY, operatorKey: 1n, encryptionKey: 2n, attestedAt: s.now() + 1, expiresAt: s.now() + 86400, verifierKey: bufferToBigint(s.p.verifier.publicKey) });
        const params = providerParamsCell(1n, 3600, 0, s.attacker.address, jobParamsToCell(DEFAULT_JOB_PARAMS));
        const models = beginCell().storeDictDirect(hashSet([MODEL])).endCell();
        const forged = [
            Bodies.providerInit(toNano('1000000'), att, offerToCell(DEFAULT_OFFER), models, params),
            Bodies.providerReattest(att, params),
            Bodies.providerSetModels(models, params),
            Bodies.providerRevoke(0, POLICY, s.attacker.address),
        ];
        for (const body of forged) {
            await expectBounce(s.bc, { from: s.attacker.address, to: s.provider.address, value, body }, Errors.notOwner, [s.provider.address, s.p.root.address]);
            await expectBounce(s.bc, { from: s.owner.address, to: s.provider.address, value, body }, Errors.unknownOp, [s.provider.address]);
        }
        const after = await s.provider.getProviderData();
        expect([after.state, after.stake, after.revoked, after.unbondAt]).toEqual([data.state, data.stake, data.revoked, data.unbondAt]);
    });

    it('provider_init sent with the state init to an unregistered owner\'s address deploys nothing usable (154) and does not block the real registration', async () => {
        const fresh = s.bc.openContract(Provider.createFromConfig({ root: s.p.root.address, owner: s.newcomer.address, jobCode: s.p.jobCode }, s.p.providerCode));
        const att = attestationCell({ policyHash: POLICY, operatorKey: 1n, encryptionKey: 2n, attestedAt: s.now(), expiresAt: s.now() + 86400, verifierKey: bufferToBigint(s.p.verifier.publicKey) });
        const params = providerParamsCell(1n, 3600, 0, s.attacker.address, jobParamsToCell(DEFAULT_JOB_PARAMS));
        const body = Bodies.providerInit(toNano('1'), att, offerToCell(DEFAULT_OFFER), beginCell().storeDictDirect(hashSet([MODEL])).endCell(), params);
        const v = toNano('5');
        const txs = await sendRaw(s.bc, { from: s.attacker.address, to: fresh.address, value: v, body, stateInit: fresh.init });
        const entry = entryOf(txs, s.attacker.address, fresh.address);
        expect(exitCodeOf(entry)).toBe(Errors.notRegistered);
        expect(txs).toHaveTransaction({ from: fresh.address, to: s.attacker.address, inMessageBounced: true });
        // TON applies the state init even though the compute phase failed: the account now holds
        // exactly the code and data its address commits to (state uninit), and none of the value.
        const view = await viewAccount(s.bc, fresh.address);
        expect(view).toEqual({ status: 'active', code: s.p.providerCode.hash().toString('hex'), data: fresh.init!.data.hash().toString('hex'), balance: 0n });
        expect((await fresh.getProviderData()).state).toBe(0);
        // The owner's real registration goes through the root as usual.
        const reg = await registerWorkingProvider(s.p, s.newcomer);
        expectNoFailure(reg.result.transactions);
        expect((await fresh.getProviderData()).state).toBe(1);
        expect((await fresh.getProviderData()).root.equals(s.p.root.address)).toBe(true);
    });

    it('provider_revoke forged by a keeper (skipping the root) is refused (151): only the root confirms a revocation', async () => {
        await expectBounce(s.bc, { from: s.keeper.address, to: s.provider.address, value, body: Bodies.providerRevoke(0, POLICY, s.keeper.address) }, Errors.notOwner, [s.provider.address]);
        expect((await s.provider.getProviderData()).revoked).toBe(false);
    });
});
