/**
 * Attack: acting twice on one job or one piece of evidence — double confirm,
 * double settle, confirm after settle, double expire, a second slash by
 * verdict after a timeout slash, a second verdict, a second closing claim,
 * reused equivocation evidence. The second action is rejected with the
 * documented exit code, changes no state (job and provider), pays nothing and
 * bounces its value back minus fees; the provider is slashed at most once.
 */
import { toNano } from '@ton/core';
import '@ton/test-utils';
import { expectBounce, stateOf, viewAccount } from '../properties/attack';
import { buildStage, Stage } from '../properties/stage';
import { createJob, expectNoFailure, sha256n } from '../helpers/fixtures';
import { Job } from '../../wrappers/Job';
import { Provider } from '../../wrappers/Provider';
import { Errors, JobState, Op } from '../../wrappers/constants';

describe('Attack: double settlement, confirmation, slash, expiry and reused evidence', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const again = (o: { job: { address: import('@ton/core').Address } }, from: import('@ton/core').Address, body: import('@ton/core').Cell, value: bigint) =>
        expectBounce(s.bc, { from, to: o.job.address, value, body }, Errors.jobWrongState, [o.job.address, s.provider.address]);

    it('double confirm, and settle after confirm (202)', async () => {
        const o = await s.submitted();
        expectNoFailure((await o.job.sendConfirm(s.client.getSender(), s.req.closeJob)).transactions);
        const jobs = await s.provider.getProviderJobs();
        await again(o, s.client.address, Job.simpleMessage(Op.confirmResult), s.req.closeJob);
        s.bc.now = s.now() + s.jp.challengeWindow;
        await again(o, s.keeper.address, Job.simpleMessage(Op.settleJob), s.req.closeJob);
        expect(await s.provider.getProviderJobs()).toEqual(jobs);
        expect(jobs.completed).toBe(1);
    });

    it('double settle by two keepers, and confirm after settle (202)', async () => {
        const o = await s.submitted();
        s.bc.now = s.now() + s.jp.challengeWindow;
        expectNoFailure((await o.job.sendSettle(s.keeper.getSender(), s.req.closeJob)).transactions);
        await again(o, s.attacker.address, Job.simpleMessage(Op.settleJob), s.req.closeJob);
        await again(o, s.client.address, Job.simpleMessage(Op.confirmResult), s.req.closeJob);
        expect((await s.provider.getProviderJobs()).completed).toBe(1);
    });

    it('double expire (202): the bond is slashed once', async () => {
        const o = await s.openJob();
        s.bc.now = o.deadline + 1;
        expectNoFailure((await o.job.sendExpire(s.keeper.getSender(), s.req.closeJob)).transactions);
        const jobs = await s.provider.getProviderJobs();
        expect(jobs.failed).toBe(1);
        await again(o, s.attacker.address, Job.simpleMessage(Op.expireJob), s.req.closeJob);
        await again(o, s.client.address, Job.simpleMessage(Op.expireJob), s.req.closeJob);
        expect(await s.provider.getProviderJobs()).toEqual(jobs);
    });

    it('a verdict after a timeout slash, and a second verdict after a first, bounce at the job (202): slashed once', async () => {
        const d = await s.disputed();
        const r = await s.p.root.sendResolveDispute(s.p.governance.getSender(), s.rreq.resolveDispute, { client: s.client.address, nonce: d.nonce, forClient: true, slash: toNano('1') });
        expectNoFailure(r.transactions);
        const jobs = await s.provider.getProviderJobs();
        expect(jobs.slashed).toBe(toNano('1'));
        for (const forClient of [true, false]) {
            const jobBefore = await viewAccount(s.bc, d.job.address);
            const providerBefore = await viewAccount(s.bc, s.provider.address);
            const second = await s.p.root.sendResolveDispute(s.p.governance.getSender(), s.rreq.resolveDispute, { client: s.client.address, nonce: d.nonce, forClient, slash: toNano('1') });
            expect(second.transactions).toHaveTransaction({ from: s.p.root.address, to: d.job.address, success: false, exitCode: Errors.jobWrongState });
            expect(second.transactions).toHaveTransaction({ from: d.job.address, to: s.p.root.address, inMessageBounced: true });
            expect(second.transactions).not.toHaveTransaction({ to: s.provider.address });
            expect(stateOf(await viewAccount(s.bc, d.job.address))).toBe(stateOf(jobBefore));
            expect(stateOf(await viewAccount(s.bc, s.provider.address))).toBe(stateOf(providerBefore));
        }
        // An expired one-shot job can be neither disputed again nor ruled on.
        const e = await s.openJob();
        s.bc.now = e.deadline + 1;
        expectNoFailure((await e.job.sendExpire(s.keeper.getSender(), s.req.closeJob)).transactions);
        await again(e, s.client.address, Job.disputeMessage(1n), s.req.clientOp);
        const late = await s.p.root.sendResolveDispute(s.p.governance.getSender(), s.rreq.resolveDispute, { client: s.client.address, nonce: e.nonce, forClient: true, slash: toNano('1') });
        expect(late.transactions).toHaveTransaction({ from: s.p.root.address, to: e.job.address, success: false, exitCode: Errors.jobWrongState });
        expect((await s.provider.getProviderJobs()).failed).toBe(2);
        expect((await s.provider.getProviderJobs()).slashed).toBe(toNano('1') + (await e.job.getJobTerms()).bond);
    });

    it('a second closing claim, and a claim or settle after the close (202)', async () => {
        const o = await s.openJob({ session: true });
        expectNoFailure((await o.job.sendClaimSession(s.owner.getSender(), s.req.claimSession, s.receiptFor(o, 1, 10n), true)).transactions);
        expect((await o.job.getJobState()).state).toBe(JobState.settled);
        await again(o, s.owner.address, Job.claimSessionMessage(s.receiptFor(o, 2, 20n), true), s.req.claimSession);
        await again(o, s.keeper.address, Job.claimSessionMessage(s.receiptFor(o, 3, 30n), false), s.req.claimSession);
        s.bc.now = o.deadline + 1;
        await again(o, s.keeper.address, Job.simpleMessage(Op.settleJob), s.req.closeJob);
    });

    it('reused equivocation evidence, or new evidence once tombstoned, is refused (166): slashed once', async () => {
        const o = await s.openJob();
        const a = s.resultFor(o, 10n, { commitment: sha256n('a') });
        const b = s.resultFor(o, 10n, { commitment: sha256n('b') });
        const c = s.resultFor(o, 11n, { commitment: sha256n('c') });
        const first = await s.provider.sendReportEquivocation(s.keeper.getSender(), s.preq.reportEquivocation, { client: s.client.address, nonce: o.nonce, first: a, second: b });
        expectNoFailure(first.transactions);
        const jobs = await s.provider.getProviderJobs();
        expect(jobs.tombstoned).toBe(true);
        const report = (x: typeof a, y: typeof a) => Provider.reportEquivocationMessage(s.client.address, o.nonce, x, y);
        for (const [x, y] of [
            [a, b],
            [b, a],
            [a, c],
        ]) {
            await expectBounce(s.bc, { from: s.attacker.address, to: s.provider.address, value: s.preq.reportEquivocation, body: report(x, y) }, Errors.badEvidence, [s.provider.address, o.job.address]);
        }
        expect(await s.provider.getProviderJobs()).toEqual(jobs);
    });

    it('cancel after acceptance, and a second cancel (202)', async () => {
        const o = await s.openJob();
        await again(o, s.client.address, Job.simpleMessage(Op.cancelJob), s.req.clientOp);
        // A job the provider refused (price above the client's maximum) is cancelled already.
        const refused = await createJob(s.p, s.client, s.provider.address, { clientKeys: s.clientKeys, maxPrice: 1n, nonce: 9191n });
        expectNoFailure(refused.result.transactions);
        expect((await refused.job.getJobState()).state).toBe(JobState.cancelled);
        await again(refused, s.client.address, Job.simpleMessage(Op.cancelJob), s.req.clientOp);
    });
});
