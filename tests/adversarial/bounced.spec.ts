/**
 * Attack: bounced messages. Only the network sets the `bounced` flag (a
 * contract setting it has it cleared, see lookalike.spec.ts), so these are the
 * bounces of every kind of message the contracts send, built with the
 * sandbox's `internal({ bounced: true })` (body: 0xffffffff and the first 256
 * bits of the original, no refs), and real ones where a real chain produces
 * them. Each contract handles them as SPEC.md documents:
 *
 * - root: ignores every bounce and keeps its value (§9); governance sweeps it
 *   to the treasury with collect_root_excess;
 * - provider: ignores every bounce, changes no state (§9);
 * - job: a bounced offer_job cancels a created job and refunds the client; a
 *   bounced close-out (job_closed / slash_bond) refunds the client; the state
 *   of a final job does not change (§8.3).
 */
import { Address, beginCell, Cell, toNano } from '@ton/core';
import '@ton/test-utils';
import { burntOn, Bodies, expectKept, outMessagesOf, sendRaw, stateOf, storageFeesOn, viewAccount } from '../properties/attack';
import { buildStage, Stage } from '../properties/stage';
import { createJob, expectNoFailure, MODEL, valueOf } from '../helpers/fixtures';
import { Job } from '../../wrappers/Job';
import { Errors, JobState, Op, Outcome, Slash } from '../../wrappers/constants';

/** The body of the bounce of a message whose body was `original`. */
function bouncedBody(original: Cell): Cell {
    const s = original.beginParse();
    return beginCell().storeUint(0xffffffff, 32).storeBits(s.loadBits(Math.min(256, s.remainingBits))).endCell();
}

describe('Attack: bounced messages of every kind the contracts send', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const value = toNano('0.7');

    it('root: bounces of its provider_init / provider_reattest / provider_set_models / provider_revoke / dispute_verdict are kept, no state change; governance sweeps them to the treasury', async () => {
        const kinds: [string, Cell, Address][] = [
            ['provider_init', Bodies.simple(Op.providerInit, 1n), s.provider.address],
            ['provider_reattest', Bodies.simple(Op.providerReattest, 2n), s.provider.address],
            ['provider_set_models', Bodies.simple(Op.providerSetModels, 3n), s.provider.address],
            ['provider_revoke', Bodies.providerRevoke(0, 1n, s.keeper.address, 4n), s.provider.address],
            ['dispute_verdict', Bodies.disputeVerdict(true, toNano('1'), 5n), s.attacker.address],
            ['excesses (never bounceable)', Bodies.simple(Op.excesses, 6n), s.p.governance.address],
        ];
        let kept = 0n;
        for (const [, body, from] of kinds) {
            const out = await expectKept(s.bc, { from, to: s.p.root.address, value, body: bouncedBody(body), bounced: true, bounce: false });
            kept += value - out.txs[0].totalFees.coins;
        }
        // Where the value went: to the treasury, on governance's collect_root_excess.
        const r = await s.p.root.sendCollectRootExcess(s.p.governance.getSender(), s.rreq.governanceOp);
        expectNoFailure(r.transactions);
        const swept = valueOf(r.transactions, s.p.root.address, s.p.treasury.address, Op.excesses);
        expect(swept).toBeGreaterThan(kept);
    });

    it('root: a real bounce (a verdict for a job that is not disputed, 202 at the job) stays in the root until swept', async () => {
        const o = await s.openJob();
        const before = await viewAccount(s.bc, s.p.root.address);
        const jobBefore = await viewAccount(s.bc, o.job.address);
        const r = await s.p.root.sendResolveDispute(s.p.governance.getSender(), s.rreq.resolveDispute, { client: s.client.address, nonce: o.nonce, forClient: true, slash: toNano('1') });
        expect(r.transactions).toHaveTransaction({ from: s.p.root.address, to: o.job.address, success: false, exitCode: Errors.jobWrongState });
        expect(r.transactions).toHaveTransaction({ from: o.job.address, to: s.p.root.address, inMessageBounced: true, success: true });
        const after = await viewAccount(s.bc, s.p.root.address);
        expect(stateOf(after)).toBe(stateOf(before));
        expect(stateOf(await viewAccount(s.bc, o.job.address))).toBe(stateOf(jobBefore));
        // Governance's value, minus the fees of the three transactions, is now the root's.
        const burnt = burntOn(r.transactions, [s.p.root.address, o.job.address]);
        expect(after.balance - before.balance).toBe(s.rreq.resolveDispute - burnt - storageFeesOn(r.transactions, s.p.root.address));
        expect(after.balance - before.balance).toBeGreaterThan(0n);
    });

    it('provider: its job_accepted / job_rejected answers are non-bounceable, and a bounce of them is ignored (no state change, the bond stays locked)', async () => {
        // The network never bounces them (SPEC §5.4): an acceptance and a rejection, as sent.
        for (const modelHash of [MODEL, 0xdeadn]) {
            const created = await createJob(s.p, s.client, s.provider.address, { clientKeys: s.clientKeys, modelHash });
            const answers = created.result.transactions
                .filter((tx) => tx.inMessage?.info.dest instanceof Address && tx.inMessage.info.dest.equals(s.provider.address))
                .flatMap((tx) => outMessagesOf(tx))
                .filter((m) => m.op === Op.jobAccepted || m.op === Op.jobRejected);
            expect(answers.map((m) => [m.op, m.bounce])).toEqual([[modelHash === MODEL ? Op.jobAccepted : Op.jobRejected, false]]);
        }
        const o = await s.openJob();
        const jobs = await s.provider.getProviderJobs();
        const terms = { price: 1n, bond: jobs.locked, operatorKey: 0n, owner: s.owner.address, params: Cell.EMPTY };
        for (const body of [Bodies.jobAccepted(terms, 7n), Bodies.jobRejected(Errors.notEligible, 8n)]) {
            await expectKept(s.bc, { from: o.job.address, to: s.provider.address, value, body: bouncedBody(body), bounced: true, bounce: false });
        }
        expect(await s.provider.getProviderJobs()).toEqual(jobs);
    });

    it('provider: bounces of its non-bounceable notifications (excesses, request_refused, provider_registered, stake_withdrawn, keeper_reward, slash_share) are ignored', async () => {
        const bodies = [
            Bodies.simple(Op.excesses),
            beginCell().storeUint(Op.requestRefused, 32).storeUint(0, 64).storeUint(Errors.staleStatement, 16).endCell(),
            beginCell().storeUint(Op.providerRegistered, 32).storeUint(0, 64).storeCoins(toNano('100')).endCell(),
            beginCell().storeUint(Op.stakeWithdrawn, 32).storeUint(0, 64).storeCoins(toNano('100')).endCell(),
            Bodies.simple(Op.keeperReward),
            beginCell().storeUint(Op.slashShare, 32).storeUint(0, 64).storeUint(Slash.timeout, 2).endCell(),
        ];
        for (const body of bodies) {
            await expectKept(s.bc, { from: s.owner.address, to: s.provider.address, value, body: bouncedBody(body), bounced: true, bounce: false });
        }
    });

    it('job: a real bounce of its offer_job (no provider at the named address) cancels it and refunds the client everything but fees and the storage reserve', async () => {
        const nowhere = new Address(0, Buffer.alloc(32, 0xab));
        const c = await createJob(s.p, s.client, nowhere, { clientKeys: s.clientKeys, nonce: 31337n });
        const txs = c.result.transactions;
        expect(txs).toHaveTransaction({ from: c.job.address, to: nowhere, op: Op.offerJob, success: false });
        expect(txs).toHaveTransaction({ from: nowhere, to: c.job.address, inMessageBounced: true, success: true });
        expect((await c.job.getJobState()).state).toBe(JobState.cancelled);
        const value = c.setup.budget + c.required.createJob;
        const refund = valueOf(txs, c.job.address, s.client.address, Op.jobRefund);
        expect(refund).toBe(value - burntOn(txs, [c.job.address, nowhere]) - s.fees.jobStorageReserve);
        expect(await c.job.getBalance()).toBe(s.fees.jobStorageReserve);
    });

    it('job: a bounce of its job_closed (settled job) or slash_bond (expired job) goes to the client; the job stays final', async () => {
        const settled = await s.submitted();
        expectNoFailure((await settled.job.sendConfirm(s.client.getSender(), s.req.closeJob)).transactions);
        const expired = await s.openJob();
        s.bc.now = expired.deadline + 1;
        expectNoFailure((await expired.job.sendExpire(s.keeper.getSender(), s.req.closeJob)).transactions);
        const cases: [typeof settled, Cell, number][] = [
            [settled, Bodies.jobClosed(s.client.address, settled.nonce, toNano('2'), Outcome.completed), JobState.settled],
            [expired, Bodies.slashBond(s.client.address, expired.nonce, toNano('2'), toNano('2'), Slash.timeout, s.keeper.address), JobState.expired],
        ];
        for (const [o, body, state] of cases) {
            const before = await viewAccount(s.bc, o.job.address);
            const providerBefore = await viewAccount(s.bc, s.provider.address);
            const v = s.fees.providerClose;
            const txs = await sendRaw(s.bc, { from: s.provider.address, to: o.job.address, value: v, body: bouncedBody(body), bounced: true, bounce: false });
            expect(txs).toHaveTransaction({ from: s.provider.address, to: o.job.address, success: true });
            const after = await viewAccount(s.bc, o.job.address);
            expect(stateOf(after)).toBe(stateOf(before));
            expect((await o.job.getJobState()).state).toBe(state);
            expect(stateOf(await viewAccount(s.bc, s.provider.address))).toBe(stateOf(providerBefore));
            // Where the value went: all of it to the client, but the job's fees.
            const refund = outMessagesOf(txs[0]).filter((m) => m.to.equals(s.client.address) && m.op === Op.jobRefund);
            expect(refund).toHaveLength(1);
            // (The job first tops its storage reserve back up from it, after the storage fees it paid.)
            expect(refund[0].value).toBeGreaterThanOrEqual(v - burntOn(txs, [o.job.address]) - (s.fees.jobStorageReserve - before.balance + storageFeesOn(txs, o.job.address)));
            expect(refund[0].value).toBe(before.balance + v - txs[0].totalFees.coins - refund[0].forwardFee - after.balance);
            expect(after.balance).toBeLessThanOrEqual(s.fees.jobStorageReserve);
        }
    });

    it('job: a bounce of offer_job reaching a created job (offer in flight) cancels and refunds it; the provider never saw the offer', async () => {
        const nonce = 888n;
        const job = s.bc.openContract(Job.createFromConfig({ root: s.p.root.address, client: s.client.address, nonce }, s.p.jobCode));
        const body = Job.createJobMessage({
            budget: toNano('10'),
            deadline: s.now() + 3600,
            session: false,
            clientKey: s.clientKeys.publicKey,
            provider: s.provider.address,
            modelHash: MODEL,
            maxPrice: toNano('1'),
            requestCommitment: 0n,
        });
        const { executeTill } = await import('@ton/test-utils');
        const { internal } = await import('@ton/sandbox');
        const it = await s.bc.sendMessageIter(internal({ from: s.client.address, to: job.address, value: toNano('10') + s.req.createJob, body, stateInit: job.init }), { allowParallel: true });
        const first = await executeTill(it, { to: job.address, op: Op.createJob });
        const offer = outMessagesOf(first[0]).find((m) => m.op === Op.offerJob)!;
        const providerBefore = await viewAccount(s.bc, s.provider.address);
        // The offer's bounce (as if the provider had failed), instead of its delivery.
        const bounce = offer.value - toNano('0.001');
        const balance = await job.getBalance();
        const txs = await sendRaw(s.bc, { from: s.provider.address, to: job.address, value: bounce, body: bouncedBody(offer.body), bounced: true, bounce: false });
        expect((await job.getJobState()).state).toBe(JobState.cancelled);
        const refund = valueOf(txs, job.address, s.client.address, Op.jobRefund);
        expect(refund).toBe(balance + bounce - txs[0].totalFees.coins - outMessagesOf(txs[0])[0].forwardFee - s.fees.jobStorageReserve);
        expect(stateOf(await viewAccount(s.bc, s.provider.address))).toBe(stateOf(providerBefore));
    });
});

