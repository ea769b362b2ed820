/**
 * Attack: leaving before a slash lands, and racing a revocation.
 *
 * Unbonding cannot start while a job is open (accepted, submitted, disputed,
 * closing: 167), an unbonding provider accepts no job (161), and evidence of
 * equivocation still slashes an unbonding provider; only once it has exited is
 * there nothing left to take (152, documented).
 *
 * Races use the sandbox's message queues to interleave two chains at the
 * provider in both orders (what two messages in one block amount to): an
 * offer against an unbonding request, and an offer against the revocation the
 * root confirms for a keeper. Either order leaves a consistent provider: a
 * job accepted before the revocation stays open and slashable, the keeper's
 * reward never touches a bond, and locked equals the bonds of open jobs.
 */
import { Address, toNano } from '@ton/core';
import { BlockchainTransaction, internal, SandboxContract } from '@ton/sandbox';
import { executeFrom, executeTill } from '@ton/test-utils';
import '@ton/test-utils';
import { expectBounce } from '../properties/attack';
import { buildStage, Stage } from '../properties/stage';
import { expectNoFailure, HOUR, MODEL, POLICY, sha256n } from '../helpers/fixtures';
import { Job } from '../../wrappers/Job';
import { Provider } from '../../wrappers/Provider';
import { Errors, JobState, Op, ProviderState } from '../../wrappers/constants';

describe('Attack: unbonding to escape a pending slash', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const unbond = () => expectBounce(s.bc, { from: s.owner.address, to: s.provider.address, value: s.preq.ownerOp, body: Provider.simpleMessage(Op.requestUnbond) }, Errors.openJobs, [s.provider.address]);

    it('is refused (167) while a one-shot job is accepted, submitted or disputed; the slash then lands', async () => {
        const o = await s.openJob();
        await unbond();
        expectNoFailure((await o.job.sendSubmitResult(s.owner.getSender(), s.req.submitResult, s.resultFor(o, 10n))).transactions);
        await unbond();
        expectNoFailure((await o.job.sendDispute(s.client.getSender(), s.req.clientOp, sha256n('wrong'))).transactions);
        await unbond();
        const stake = (await s.provider.getProviderData()).stake;
        expectNoFailure((await s.p.root.sendResolveDispute(s.p.governance.getSender(), s.rreq.resolveDispute, { client: s.client.address, nonce: o.nonce, forClient: true, slash: toNano('1') })).transactions);
        expect((await s.provider.getProviderData()).stake).toBe(stake - toNano('1'));
        expectNoFailure((await s.provider.sendRequestUnbond(s.owner.getSender(), s.preq.ownerOp)).transactions);
    });

    it('is refused (167) while a session is open or closing', async () => {
        const o = await s.openJob({ session: true });
        await unbond();
        expectNoFailure((await o.job.sendCloseSession(s.client.getSender(), s.req.clientOp)).transactions);
        await unbond();
    });

    it('an unbonding provider accepts no job (161), and equivocation evidence still slashes it; after exit nothing is left to take (152)', async () => {
        const o = await s.openJob();
        const a = s.resultFor(o, 1n, { commitment: 1n });
        const b = s.resultFor(o, 1n, { commitment: 2n });
        expectNoFailure((await o.job.sendSubmitResult(s.owner.getSender(), s.req.submitResult, a)).transactions);
        expectNoFailure((await o.job.sendConfirm(s.client.getSender(), s.req.closeJob)).transactions);
        expectNoFailure((await s.provider.sendRequestUnbond(s.owner.getSender(), s.preq.ownerOp)).transactions);
        const refused = await (await import('../helpers/fixtures')).createJob(s.p, s.client, s.provider.address, { clientKeys: s.clientKeys, nonce: 6161n });
        expect(refused.result.transactions).toHaveTransaction({ from: s.provider.address, op: Op.jobRejected, body: (x) => x!.beginParse().skip(96).loadUint(16) === Errors.notEligible });
        const stake = (await s.provider.getProviderData()).stake;
        const rep = await s.provider.sendReportEquivocation(s.keeper.getSender(), s.preq.reportEquivocation, { client: s.client.address, nonce: o.nonce, first: a, second: b });
        expectNoFailure(rep.transactions);
        const after = await s.provider.getProviderData();
        expect(after.stake).toBe(stake - (stake * BigInt(s.jp.equivocationSlashBps)) / 10000n);
        expect(after.state).toBe(ProviderState.unbonding);
        s.bc.now = s.now() + s.p.params.unbondingPeriod;
        const w = await s.provider.sendWithdrawStake(s.owner.getSender(), s.preq.ownerOp);
        expect(w.transactions).toHaveTransaction({ from: s.provider.address, to: s.owner.address, op: Op.stakeWithdrawn, body: (x) => x!.beginParse().skip(96).loadCoins() === after.stake });
        await expectBounce(s.bc, { from: s.keeper.address, to: s.provider.address, value: s.preq.reportEquivocation, body: Provider.reportEquivocationMessage(s.client.address, o.nonce, b, a) }, Errors.wrongState, [s.provider.address]);
    });
});

describe('Attack: races between an offer and an unbonding request or a revocation', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    async function startJob(on: Address, nonce: bigint, budget = toNano('10')) {
        const job = s.bc.openContract(Job.createFromConfig({ root: s.p.root.address, client: s.client.address, nonce }, s.p.jobCode));
        const body = Job.createJobMessage({
            budget,
            deadline: s.now() + HOUR,
            session: false,
            clientKey: s.clientKeys.publicKey,
            provider: on,
            modelHash: MODEL,
            maxPrice: toNano('1'),
            requestCommitment: 0n,
        });
        const it = await s.bc.sendMessageIter(internal({ from: s.client.address, to: job.address, value: budget + s.req.createJob, body, stateInit: job.init }), { allowParallel: true });
        const head = await executeTill(it, { to: job.address, op: Op.createJob });
        return { job, it, head };
    }

    /** Invariant 8 and the stake/bond relation, from the provider and its jobs. */
    async function expectConsistent(on: typeof s.provider, jobs: SandboxContract<Job>[]) {
        let bonds = 0n;
        let open = 0;
        for (const j of jobs) {
            const st = (await j.getJobState()).state;
            if ([JobState.accepted, JobState.submitted, JobState.disputed, JobState.closing].includes(st as 2)) {
                bonds += (await j.getJobTerms()).bond;
                open += 1;
            }
        }
        const pj = await on.getProviderJobs();
        expect({ locked: pj.locked, open: pj.openJobs }).toEqual({ locked: bonds, open });
        expect((await on.getProviderData()).stake).toBeGreaterThanOrEqual(pj.locked);
    }

    for (const order of ['other first', 'offer first'] as const) {
        it(`offer vs request_unbond, ${order === 'offer first' ? 'offer' : 'unbond'} first at the provider: either the offer is refused (161) or the unbonding is (167)`, async () => {
            const { job, it } = await startJob(s.provider.address, 700n);
            let rest: BlockchainTransaction[];
            let unbondTxs: BlockchainTransaction[];
            if (order === 'offer first') {
                await executeTill(it, { to: s.provider.address, op: Op.offerJob });
                unbondTxs = (await s.provider.sendRequestUnbond(s.owner.getSender(), s.preq.ownerOp)).transactions;
                rest = (await executeFrom(it)) as BlockchainTransaction[];
                expect(unbondTxs).toHaveTransaction({ to: s.provider.address, success: false, exitCode: Errors.openJobs });
                expect((await job.getJobState()).state).toBe(JobState.accepted);
                expect((await s.provider.getProviderData()).state).toBe(ProviderState.active);
            } else {
                unbondTxs = (await s.provider.sendRequestUnbond(s.owner.getSender(), s.preq.ownerOp)).transactions;
                rest = (await executeFrom(it)) as BlockchainTransaction[];
                expect(unbondTxs).toHaveTransaction({ to: s.provider.address, success: true });
                expect(rest).toHaveTransaction({ from: s.provider.address, op: Op.jobRejected, body: (x) => x!.beginParse().skip(96).loadUint(16) === Errors.notEligible });
                expect((await job.getJobState()).state).toBe(JobState.cancelled);
                expect((await s.provider.getProviderData()).state).toBe(ProviderState.unbonding);
            }
            expectNoFailure(rest);
            await expectConsistent(s.provider, [job]);
        });

        it(`offer vs the revocation a keeper asks the root for, ${order === 'offer first' ? 'offer' : 'revocation'} first at the provider: a job accepted before stays open and slashable; the keeper's reward never touches a bond`, async () => {
            // The min-stake provider, and a budget whose bond (20%) is its whole stake.
            const on = s.minProvider;
            await s.p.root.sendRevokePolicy(s.p.guardian.getSender(), s.rreq.governanceOp, POLICY);
            const { job, it } = await startJob(on.address, 701n, toNano('500'));
            const check = () => s.p.root.sendCheckProvider(s.keeper.getSender(), s.rreq.checkProvider, s.minOwner.address, { kind: 'policy', hash: POLICY });
            const stake = (await on.getProviderData()).stake;
            let rest: BlockchainTransaction[];
            if (order === 'offer first') {
                await executeTill(it, { to: on.address, op: Op.offerJob });
                const c = await check();
                expectNoFailure(c.transactions);
                rest = (await executeFrom(it)) as BlockchainTransaction[];
                expect((await job.getJobState()).state).toBe(JobState.accepted);
                // The whole stake is bonded: the keeper is paid nothing from it (only its unused value back).
                expect((await on.getProviderData()).stake).toBe(stake);
                expect(await on.getProviderJobs()).toMatchObject({ locked: stake, openJobs: 1 });
                expect((await on.getProviderData()).revoked).toBe(true);
                // The job accepted before the revocation still ends as jobs end: here a timeout slash.
                s.bc.now = (await job.getJobState()).deadline + 1;
                expectNoFailure((await job.sendExpire(s.keeper.getSender(), s.req.closeJob)).transactions);
                expect(await on.getProviderJobs()).toMatchObject({ locked: 0n, openJobs: 0, failed: 1, slashed: stake });
            } else {
                const c = await check();
                expectNoFailure(c.transactions);
                rest = (await executeFrom(it)) as BlockchainTransaction[];
                expect(rest).toHaveTransaction({ from: on.address, op: Op.jobRejected, body: (x) => x!.beginParse().skip(96).loadUint(16) === Errors.notEligible });
                expect((await job.getJobState()).state).toBe(JobState.cancelled);
                expect((await on.getProviderData()).stake).toBe(stake - s.jp.keeperReward);
            }
            expectNoFailure(rest);
            await expectConsistent(on, [job]);
        });
    }
});

