/**
 * Attack: too little value for gas, at every entry point of every contract
 * (table-driven). One nanoton below the required value (the getters'
 * figure) is rejected with not_enough_value (100): no state change, the
 * value bounces back minus fees. Exactly the required value is accepted and
 * the whole chain it starts succeeds, so the figure is also sufficient; for
 * the operations that only answer the caller, the contract pays nothing of
 * the caller's gas (its balance moves by the storage fee only).
 *
 * Messages only contracts send (root -> provider, job -> provider, provider ->
 * job, root -> job) carry values fixed by their sender's code and are not
 * attacker entry points; they are covered by the bounce and forgery suites.
 */
import { Address, Cell, toNano } from '@ton/core';
import { BlockchainTransaction, internal } from '@ton/sandbox';
import { executeTill } from '@ton/test-utils';
import '@ton/test-utils';
import { actor, destOf, entryOf, expectBounce, exitCodeOf, sendRaw, storageFeesOn, succeeded, viewAccount } from '../properties/attack';
import { buildStage, Stage } from '../properties/stage';
import { DAY, HOUR, makeStatement, MODEL, MODEL_2, POLICY, sha256n, workerResult } from '../helpers/fixtures';
import { Job } from '../../wrappers/Job';
import { Provider } from '../../wrappers/Provider';
import { Root, TimelockActions } from '../../wrappers/Root';
import { bufferToBigint } from '../../wrappers/common';
import { Errors, Op } from '../../wrappers/constants';

type Case = {
    /** Sender, destination, body, the required value, and the accounts that must not change. */
    from: Address;
    to: Address;
    body: Cell;
    required: bigint;
    stateInit?: { code: Cell; data: Cell };
    watch: Address[];
    /** The contract answers the caller only: it must pay none of the caller's gas. */
    selfFunded?: boolean;
};

describe('Attack: too little value for gas', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const root = () => s.p.root.address;
    const gov = () => s.p.governance.address;
    const guardian = () => s.p.guardian.address;

    const table: [string, () => Promise<Case>][] = [
        // ---- root: operators and keepers ----
        [
            'root register_provider',
            async () => ({
                from: s.newcomer.address,
                to: root(),
                body: Root.registerProviderMessage({ stake: s.p.params.minStake, statement: makeStatement(s.p, { owner: s.newcomer.address }), offer: { pricePerUnit: 1n, endpoint: 'x' }, models: [MODEL] }),
                required: s.p.params.minStake + s.rreq.registerProvider,
                watch: [root()],
            }),
        ],
        [
            'root reattest_provider',
            async () => {
                s.bc.now = s.now() + 1;
                const stmt = makeStatement(s.p, { owner: s.owner.address, operatorKey: bufferToBigint(s.operator.publicKey), issuedAt: s.now(), expiresAt: s.now() + DAY });
                return { from: s.owner.address, to: root(), body: Root.reattestProviderMessage(stmt), required: s.rreq.reattestProvider, watch: [root(), s.provider.address], selfFunded: true };
            },
        ],
        ['root update_provider_models', async () => ({ from: s.owner.address, to: root(), body: Root.updateProviderModelsMessage([MODEL, MODEL_2]), required: s.rreq.updateProviderModels, watch: [root(), s.provider.address], selfFunded: true })],
        [
            'root check_provider',
            async () => {
                await s.p.root.sendRevokeModel(s.p.guardian.getSender(), s.rreq.governanceOp, MODEL_2);
                return { from: s.keeper.address, to: root(), body: Root.checkProviderMessage(s.owner.address, { kind: 'model', hash: MODEL_2 }), required: s.rreq.checkProvider, watch: [root(), s.provider.address], selfFunded: true };
            },
        ],
        // ---- root: governance and guardian ----
        ['root queue_change', async () => ({ from: gov(), to: root(), body: Root.queueChangeMessage(TimelockActions.addModel(sha256n('new model'))), required: s.rreq.governanceOp, watch: [root()], selfFunded: true })],
        [
            'root execute_change',
            async () => {
                await s.p.root.sendQueueChange(s.p.governance.getSender(), s.rreq.governanceOp, TimelockActions.addModel(sha256n('new model')));
                s.bc.now = s.now() + s.p.params.timelockDelay;
                return { from: gov(), to: root(), body: Root.changeIdMessage(Op.executeChange, 0), required: s.rreq.governanceOp, watch: [root()], selfFunded: true };
            },
        ],
        [
            'root cancel_change',
            async () => {
                await s.p.root.sendQueueChange(s.p.governance.getSender(), s.rreq.governanceOp, TimelockActions.addModel(sha256n('new model')));
                return { from: guardian(), to: root(), body: Root.changeIdMessage(Op.cancelChange, 0), required: s.rreq.governanceOp, watch: [root()], selfFunded: true };
            },
        ],
        ['root revoke_policy', async () => ({ from: guardian(), to: root(), body: Root.revokeMessage(Op.revokePolicy, POLICY), required: s.rreq.governanceOp, watch: [root()], selfFunded: true })],
        ['root revoke_model', async () => ({ from: guardian(), to: root(), body: Root.revokeMessage(Op.revokeModel, MODEL_2), required: s.rreq.governanceOp, watch: [root()], selfFunded: true })],
        [
            'root revoke_verifier_key',
            async () => ({ from: guardian(), to: root(), body: Root.revokeMessage(Op.revokeVerifierKey, bufferToBigint(s.p.verifier.publicKey)), required: s.rreq.governanceOp, watch: [root()], selfFunded: true }),
        ],
        ['root pause', async () => ({ from: guardian(), to: root(), body: Root.simpleMessage(Op.pause), required: s.rreq.governanceOp, watch: [root()], selfFunded: true })],
        [
            'root unpause',
            async () => {
                await s.p.root.sendPause(s.p.guardian.getSender(), s.rreq.governanceOp);
                return { from: gov(), to: root(), body: Root.simpleMessage(Op.unpause), required: s.rreq.governanceOp, watch: [root()], selfFunded: true };
            },
        ],
        ['root propose_governance', async () => ({ from: gov(), to: root(), body: Root.proposeGovernanceMessage(actor('next governance')), required: s.rreq.governanceOp, watch: [root()], selfFunded: true })],
        [
            'root claim_governance',
            async () => {
                await s.p.root.sendProposeGovernance(s.p.governance.getSender(), s.rreq.governanceOp, actor('next governance'));
                return { from: actor('next governance'), to: root(), body: Root.simpleMessage(Op.claimGovernance), required: s.rreq.governanceOp, watch: [root()], selfFunded: true };
            },
        ],
        [
            'root collect_root_excess',
            async () => {
                await sendRaw(s.bc, { from: s.attacker.address, to: root(), value: toNano('3'), bounce: false });
                return { from: gov(), to: root(), body: Root.simpleMessage(Op.collectRootExcess), required: s.rreq.governanceOp, watch: [root()] };
            },
        ],
        [
            'root resolve_dispute',
            async () => {
                const d = await s.disputed();
                return { from: gov(), to: root(), body: Root.resolveDisputeMessage(s.client.address, d.nonce, true, toNano('1')), required: s.rreq.resolveDispute, watch: [root(), d.job.address, s.provider.address] };
            },
        ],
        // ---- provider ----
        ['provider top_up', async () => ({ from: s.attacker.address, to: s.provider.address, body: Provider.topUpMessage(toNano('1')), required: toNano('1') + s.preq.topUp, watch: [s.provider.address] })],
        ['provider update_offer', async () => ({ from: s.owner.address, to: s.provider.address, body: Provider.updateOfferMessage({ pricePerUnit: 7n, endpoint: 'https://x' }), required: s.preq.ownerOp, watch: [s.provider.address], selfFunded: true })],
        ['provider request_unbond', async () => ({ from: s.owner.address, to: s.provider.address, body: Provider.simpleMessage(Op.requestUnbond), required: s.preq.ownerOp, watch: [s.provider.address], selfFunded: true })],
        [
            'provider withdraw_stake',
            async () => {
                await s.provider.sendRequestUnbond(s.owner.getSender(), s.preq.ownerOp);
                s.bc.now = s.now() + s.p.params.unbondingPeriod;
                return { from: s.owner.address, to: s.provider.address, body: Provider.simpleMessage(Op.withdrawStake), required: s.preq.ownerOp, watch: [s.provider.address] };
            },
        ],
        [
            'provider report_equivocation',
            async () => {
                const o = await s.openJob();
                const a = s.resultFor(o, 10n, { commitment: 1n });
                const b = s.resultFor(o, 10n, { commitment: 2n });
                return { from: s.attacker.address, to: s.provider.address, body: Provider.reportEquivocationMessage(s.client.address, o.nonce, a, b), required: s.preq.reportEquivocation, watch: [s.provider.address, o.job.address] };
            },
        ],
        // ---- job ----
        [
            'job create_job',
            async () => {
                const job = s.bc.openContract(Job.createFromConfig({ root: root(), client: s.client.address, nonce: 5555n }, s.p.jobCode));
                const budget = toNano('10');
                const body = Job.createJobMessage({
                    budget,
                    deadline: s.now() + HOUR,
                    session: false,
                    clientKey: s.clientKeys.publicKey,
                    provider: s.provider.address,
                    modelHash: MODEL,
                    maxPrice: toNano('1'),
                    requestCommitment: 0n,
                });
                return { from: s.client.address, to: job.address, body, required: budget + s.req.createJob, stateInit: job.init, watch: [s.provider.address] };
            },
        ],
        [
            'job cancel_job',
            async () => {
                const job = s.bc.openContract(Job.createFromConfig({ root: root(), client: s.client.address, nonce: 5556n }, s.p.jobCode));
                const body = Job.createJobMessage({
                    budget: toNano('10'),
                    deadline: s.now() + HOUR,
                    session: false,
                    clientKey: s.clientKeys.publicKey,
                    provider: s.provider.address,
                    modelHash: MODEL,
                    maxPrice: toNano('1'),
                    requestCommitment: 0n,
                });
                // The offer stays in flight (a parallel queue that is never drained): the job is `created`.
                const it = await s.bc.sendMessageIter(internal({ from: s.client.address, to: job.address, value: toNano('10') + s.req.createJob, body, stateInit: job.init }), { allowParallel: true });
                await executeTill(it, { to: job.address, op: Op.createJob });
                return { from: s.client.address, to: job.address, body: Job.simpleMessage(Op.cancelJob), required: s.req.clientOp, watch: [job.address] };
            },
        ],
        [
            'job submit_result',
            async () => {
                const o = await s.openJob();
                return { from: s.owner.address, to: o.job.address, body: Job.submitResultMessage(s.resultFor(o, 10n)), required: s.req.submitResult, watch: [o.job.address], selfFunded: true };
            },
        ],
        [
            'job confirm_result',
            async () => {
                const o = await s.submitted();
                return { from: s.client.address, to: o.job.address, body: Job.simpleMessage(Op.confirmResult), required: s.req.closeJob, watch: [o.job.address, s.provider.address] };
            },
        ],
        [
            'job dispute_job',
            async () => {
                const o = await s.submitted();
                return { from: s.client.address, to: o.job.address, body: Job.disputeMessage(1n), required: s.req.clientOp, watch: [o.job.address], selfFunded: true };
            },
        ],
        [
            'job settle_job',
            async () => {
                const o = await s.submitted();
                s.bc.now = s.now() + s.jp.challengeWindow;
                return { from: s.keeper.address, to: o.job.address, body: Job.simpleMessage(Op.settleJob), required: s.req.closeJob, watch: [o.job.address, s.provider.address] };
            },
        ],
        [
            'job expire_job',
            async () => {
                const o = await s.openJob();
                s.bc.now = o.deadline + 1;
                return { from: s.keeper.address, to: o.job.address, body: Job.simpleMessage(Op.expireJob), required: s.req.closeJob, watch: [o.job.address, s.provider.address] };
            },
        ],
        [
            'job claim_session',
            async () => {
                const o = await s.openJob({ session: true });
                return { from: s.keeper.address, to: o.job.address, body: Job.claimSessionMessage(s.receiptFor(o, 1, 100n), false), required: s.req.claimSession, watch: [o.job.address] };
            },
        ],
        [
            'job close_session',
            async () => {
                const o = await s.openJob({ session: true });
                return { from: s.client.address, to: o.job.address, body: Job.simpleMessage(Op.closeSession), required: s.req.clientOp, watch: [o.job.address], selfFunded: true };
            },
        ],
    ];

    it.each(table)('%s: one nanoton short is rejected (100), the value bounced back minus fees', async (_name, setup) => {
        const c = await setup();
        await expectBounce(s.bc, { from: c.from, to: c.to, value: c.required - 1n, body: c.body, stateInit: c.stateInit }, Errors.notEnoughValue, c.watch);
    });

    it.each(table)('%s: exactly the required value is accepted and its whole chain succeeds', async (_name, setup) => {
        const c = await setup();
        const before = await viewAccount(s.bc, c.to);
        const txs: BlockchainTransaction[] = await sendRaw(s.bc, { from: c.from, to: c.to, value: c.required, body: c.body, stateInit: c.stateInit });
        const entry = entryOf(txs, c.from, c.to);
        expect({ exitCode: exitCodeOf(entry), ok: succeeded(entry) }).toEqual({ exitCode: 0, ok: true });
        // Every protocol transaction of the chain succeeded (wallets receiving tiny notifications aside).
        const protocol = [root(), s.provider.address, s.minProvider.address, c.to, ...c.watch];
        for (const tx of txs) {
            const dest = destOf(tx);
            if (dest && protocol.some((a) => a.equals(dest))) expect({ on: dest.toString(), ok: succeeded(tx) }).toEqual({ on: dest.toString(), ok: true });
        }
        if (c.selfFunded) {
            const after = await viewAccount(s.bc, c.to);
            expect(after.balance - before.balance).toBeGreaterThanOrEqual(-storageFeesOn(txs, c.to));
        }
    });
});
