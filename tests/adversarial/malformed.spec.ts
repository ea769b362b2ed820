/**
 * Attack: truncated and over-long bodies for every op of every contract
 * (table-driven), and unknown ops. SPEC §5: "All bodies are parsed
 * exhaustively: trailing bits or refs are rejected with malformed_body (101),
 * a truncated body fails with TVM's cell underflow (9)." Each rejection
 * changes no state and bounces the value back minus fees.
 *
 * Messages that only contracts send are sent here from the legitimate sender's
 * address (the sandbox can do that; on chain only that contract could), so the
 * rejection is due to the body alone.
 */
import { Address, beginCell, Cell, toNano } from '@ton/core';
import '@ton/test-utils';
import { attestationCell, Bodies, expectBounce, expectKept, opOnly, providerParamsCell, truncated, withBit, withRef } from '../properties/attack';
import { buildStage, Stage } from '../properties/stage';
import { DEFAULT_OFFER, HOUR, makeStatement, MODEL, POLICY, registrationValue } from '../helpers/fixtures';
import { Job } from '../../wrappers/Job';
import { Provider } from '../../wrappers/Provider';
import { DEFAULT_JOB_PARAMS, jobParamsToCell, offerToCell, Root, TimelockActions } from '../../wrappers/Root';
import { bufferToBigint, hashSet } from '../../wrappers/common';
import { Errors, Op, Outcome, Slash } from '../../wrappers/constants';

type Row = {
    from: Address;
    to: Address;
    body: Cell;
    value: bigint;
    stateInit?: { code: Cell; data: Cell };
    watch: Address[];
};

type Entry = [name: string, setup: () => Promise<Row>];

describe('Attack: truncated and over-long bodies', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const root = () => s.p.root.address;
    const gov = () => s.p.governance.address;
    const V = toNano('1');
    const params = () => providerParamsCell(s.p.params.minStake, s.p.params.unbondingPeriod, 0, s.p.treasury.address, jobParamsToCell(DEFAULT_JOB_PARAMS));
    const att = () =>
        attestationCell({ policyHash: POLICY, operatorKey: bufferToBigint(s.operator.publicKey), encryptionKey: 1n, attestedAt: s.now() + 1, expiresAt: s.now() + 86400, verifierKey: bufferToBigint(s.p.verifier.publicKey) });
    const models = () => beginCell().storeDictDirect(hashSet([MODEL])).endCell();

    const rootRow = (from: () => Address, body: () => Cell, value?: () => Promise<bigint>): (() => Promise<Row>) => async () => ({ from: from(), to: root(), body: body(), value: value ? await value() : V, watch: [root()] });

    const entries: Entry[] = [
        // ---- root ----
        [
            'root register_provider',
            rootRow(
                () => s.newcomer.address,
                () => Root.registerProviderMessage({ stake: s.p.params.minStake, statement: makeStatement(s.p, { owner: s.newcomer.address }), offer: DEFAULT_OFFER, models: [MODEL] }),
                () => registrationValue(s.p, s.p.params.minStake),
            ),
        ],
        ['root reattest_provider', rootRow(() => s.owner.address, () => Root.reattestProviderMessage(makeStatement(s.p, { owner: s.owner.address })))],
        ['root update_provider_models', rootRow(() => s.owner.address, () => Root.updateProviderModelsMessage([MODEL]))],
        ['root check_provider', rootRow(() => s.keeper.address, () => Root.checkProviderMessage(s.owner.address, { kind: 'policy', hash: POLICY }))],
        ['root queue_change', rootRow(gov, () => Root.queueChangeMessage(TimelockActions.addModel(1n)))],
        ['root execute_change', rootRow(gov, () => Root.changeIdMessage(Op.executeChange, 0))],
        ['root cancel_change', rootRow(gov, () => Root.changeIdMessage(Op.cancelChange, 0))],
        ['root revoke_policy', rootRow(gov, () => Root.revokeMessage(Op.revokePolicy, POLICY))],
        ['root revoke_model', rootRow(gov, () => Root.revokeMessage(Op.revokeModel, MODEL))],
        ['root revoke_verifier_key', rootRow(gov, () => Root.revokeMessage(Op.revokeVerifierKey, bufferToBigint(s.p.verifier.publicKey)))],
        ['root pause', rootRow(gov, () => Root.simpleMessage(Op.pause))],
        ['root unpause', rootRow(gov, () => Root.simpleMessage(Op.unpause))],
        ['root propose_governance', rootRow(gov, () => Root.proposeGovernanceMessage(s.attacker.address))],
        ['root claim_governance', rootRow(() => s.attacker.address, () => Root.simpleMessage(Op.claimGovernance))],
        ['root collect_root_excess', rootRow(gov, () => Root.simpleMessage(Op.collectRootExcess))],
        ['root resolve_dispute', rootRow(gov, () => Root.resolveDisputeMessage(s.client.address, 1n, true, 0n))],
        // ---- provider: owner and anyone ----
        ['provider top_up', async () => ({ from: s.attacker.address, to: s.provider.address, body: Provider.topUpMessage(toNano('0.5')), value: V, watch: [s.provider.address] })],
        ['provider update_offer', async () => ({ from: s.owner.address, to: s.provider.address, body: Provider.updateOfferMessage(DEFAULT_OFFER), value: V, watch: [s.provider.address] })],
        ['provider request_unbond', async () => ({ from: s.owner.address, to: s.provider.address, body: Provider.simpleMessage(Op.requestUnbond), value: V, watch: [s.provider.address] })],
        ['provider withdraw_stake', async () => ({ from: s.owner.address, to: s.provider.address, body: Provider.simpleMessage(Op.withdrawStake), value: V, watch: [s.provider.address] })],
        [
            'provider report_equivocation',
            async () => {
                const o = await s.openJob();
                const body = Provider.reportEquivocationMessage(s.client.address, o.nonce, s.resultFor(o, 1n, { commitment: 1n }), s.resultFor(o, 1n, { commitment: 2n }));
                return { from: s.attacker.address, to: s.provider.address, body, value: V, watch: [s.provider.address, o.job.address] };
            },
        ],
        // ---- provider: from the root (sender spoofed) ----
        ['provider provider_init (from the root)', async () => ({ from: root(), to: s.provider.address, body: Bodies.providerInit(toNano('1'), att(), offerToCell(DEFAULT_OFFER), models(), params()), value: V, watch: [s.provider.address] })],
        ['provider provider_reattest (from the root)', async () => ({ from: root(), to: s.provider.address, body: Bodies.providerReattest(att(), params()), value: V, watch: [s.provider.address] })],
        ['provider provider_set_models (from the root)', async () => ({ from: root(), to: s.provider.address, body: Bodies.providerSetModels(models(), params()), value: V, watch: [s.provider.address] })],
        ['provider provider_revoke (from the root)', async () => ({ from: root(), to: s.provider.address, body: Bodies.providerRevoke(0, POLICY, s.keeper.address), value: V, watch: [s.provider.address] })],
        // ---- provider: from a job (sender spoofed as the derived job) ----
        [
            'provider offer_job (from the job)',
            async () => {
                const job = Job.createFromConfig({ root: root(), client: s.client.address, nonce: 31n }, s.p.jobCode);
                const body = Bodies.offerJob(s.client.address, 31n, { modelHash: MODEL, budget: toNano('1'), maxPrice: toNano('1'), deadline: s.now() + HOUR, createdAt: s.now(), session: false });
                return { from: job.address, to: s.provider.address, body, value: V, watch: [s.provider.address] };
            },
        ],
        [
            'provider job_closed (from the job)',
            async () => {
                const o = await s.openJob();
                return { from: o.job.address, to: s.provider.address, body: Bodies.jobClosed(s.client.address, o.nonce, toNano('2'), Outcome.completed), value: V, watch: [s.provider.address] };
            },
        ],
        [
            'provider slash_bond (from the job)',
            async () => {
                const o = await s.openJob();
                return { from: o.job.address, to: s.provider.address, body: Bodies.slashBond(s.client.address, o.nonce, toNano('2'), toNano('2'), Slash.timeout, s.keeper.address), value: V, watch: [s.provider.address] };
            },
        ],
        // ---- job: clients, workers, keepers ----
        [
            'job create_job',
            async () => {
                const job = s.bc.openContract(Job.createFromConfig({ root: root(), client: s.client.address, nonce: 32n }, s.p.jobCode));
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
                return { from: s.client.address, to: job.address, body, value: toNano('11'), stateInit: job.init, watch: [s.provider.address] };
            },
        ],
        ['job cancel_job', async () => jobRow(await s.openJob(), s.client.address, Job.simpleMessage(Op.cancelJob))],
        ['job submit_result', async () => { const o = await s.openJob(); return jobRow(o, s.owner.address, Job.submitResultMessage(s.resultFor(o, 1n))); }],
        ['job confirm_result', async () => jobRow(await s.submitted(), s.client.address, Job.simpleMessage(Op.confirmResult))],
        ['job dispute_job', async () => jobRow(await s.submitted(), s.client.address, Job.disputeMessage(5n))],
        ['job settle_job', async () => jobRow(await s.submitted(), s.keeper.address, Job.simpleMessage(Op.settleJob))],
        ['job expire_job', async () => jobRow(await s.openJob(), s.keeper.address, Job.simpleMessage(Op.expireJob))],
        ['job claim_session', async () => { const o = await s.openJob({ session: true }); return jobRow(o, s.owner.address, Job.claimSessionMessage(s.receiptFor(o, 1, 1n), false)); }],
        ['job close_session', async () => jobRow(await s.openJob({ session: true }), s.client.address, Job.simpleMessage(Op.closeSession))],
        // ---- job: from its provider and from the root (senders spoofed) ----
        [
            'job job_accepted (from the provider)',
            async () => {
                const o = await s.openJob();
                const terms = { price: 1n, bond: 1n, operatorKey: 1n, owner: s.owner.address, params: params() };
                return { ...jobRow(o, s.provider.address, Bodies.jobAccepted(terms)), watch: [o.job.address] };
            },
        ],
        ['job job_rejected (from the provider)', async () => ({ ...jobRow(await s.openJob(), s.provider.address, Bodies.jobRejected(Errors.notEligible)), watch: [] })],
        ['job dispute_verdict (from the root)', async () => ({ ...jobRow(await s.disputed(), root(), Bodies.disputeVerdict(true, 1n)), watch: [s.provider.address] })],
    ];

    function jobRow(o: { job: { address: Address } }, from: Address, body: Cell): Row {
        return { from, to: o.job.address, body, value: V, watch: [o.job.address, s.provider.address].filter((a) => !a.equals(from)) };
    }

    const send = async (row: Row, body: Cell, code: number) =>
        expectBounce(s.bc, { from: row.from, to: row.to, value: row.value, body, stateInit: row.stateInit }, code, [row.to, ...row.watch]);

    it.each(entries)('%s: without its last field fails with cell underflow (9)', async (_n, setup) => {
        const row = await setup();
        await send(row, truncated(row.body), Errors.cellUnderflow);
    });

    it.each(entries)('%s: with the op only (no query_id) fails with cell underflow (9)', async (_n, setup) => {
        const row = await setup();
        await send(row, opOnly(row.body), Errors.cellUnderflow);
    });

    // provider_init already carries four references: no room for a fifth.
    const roomForRef = entries.filter((e) => !e[0].includes('provider_init'));

    it.each(entries)('%s: one trailing bit is malformed (101)', async (_n, setup) => {
        const row = await setup();
        await send(row, withBit(row.body), Errors.malformedBody);
    });

    it.each(roomForRef)('%s: one trailing reference is malformed (101)', async (_n, setup) => {
        const row = await setup();
        await send(row, withRef(row.body), Errors.malformedBody);
    });
});

describe('Attack: unknown op', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const V = toNano('0.3');
    const unknown = (op: number) => beginCell().storeUint(op, 32).storeUint(0, 64).endCell();

    it('root: an op no one defines, and the gaps in the operator and governance ranges, are 0xffff for anyone', async () => {
        for (const op of [0x12345678, Op.registerQuoteProvider + 1, Op.cancelChange + 1, Op.resolveDispute - 1]) {
            for (const from of [s.attacker.address, s.p.governance.address]) {
                await expectBounce(s.bc, { from, to: s.p.root.address, value: V, body: unknown(op) }, Errors.unknownOp);
            }
        }
    });

    it('provider: 0xffff from the owner or the root, not_owner (151) from anyone else (SPEC §5.3)', async () => {
        await expectBounce(s.bc, { from: s.owner.address, to: s.provider.address, value: V, body: unknown(0x12345678) }, Errors.unknownOp);
        await expectBounce(s.bc, { from: s.p.root.address, to: s.provider.address, value: V, body: unknown(0x12345678) }, Errors.unknownOp);
        await expectBounce(s.bc, { from: s.attacker.address, to: s.provider.address, value: V, body: unknown(0x12345678) }, Errors.notOwner);
    });

    it('job: 0xffff for an unknown op and for an empty body', async () => {
        const o = await s.openJob();
        await expectBounce(s.bc, { from: s.client.address, to: o.job.address, value: V, body: unknown(0x12345678) }, Errors.unknownOp, [o.job.address, s.provider.address]);
        await expectBounce(s.bc, { from: s.attacker.address, to: o.job.address, value: V, body: Cell.EMPTY }, Errors.unknownOp, [o.job.address]);
    });

    it('root: a text comment is a plain transfer, kept (SPEC §5)', async () => {
        await expectKept(s.bc, { from: s.attacker.address, to: s.p.root.address, value: V, body: beginCell().storeUint(0, 32).storeStringTail('donation for storage').endCell() });
    });

    it('provider: an empty body from anyone is accepted into the balance, not the stake (SPEC §5)', async () => {
        const stake = (await s.provider.getProviderData()).stake;
        await expectKept(s.bc, { from: s.attacker.address, to: s.provider.address, value: V, body: Cell.EMPTY });
        expect((await s.provider.getProviderData()).stake).toBe(stake);
    });

    it('provider: a text comment from anyone is accepted like a plain transfer (SPEC §5)', async () => {
        const stake = (await s.provider.getProviderData()).stake;
        await expectKept(s.bc, { from: s.attacker.address, to: s.provider.address, value: V, body: beginCell().storeUint(0, 32).storeStringTail('thanks for the answer').endCell() });
        await expectKept(s.bc, { from: s.owner.address, to: s.provider.address, value: V, body: beginCell().storeUint(0, 32).endCell() });
        expect((await s.provider.getProviderData()).stake).toBe(stake);
    });

    it('provider: an owner without a registered provider gets every plain transfer and op bounced (154)', async () => {
        const fresh = Provider.createFromConfig({ root: s.p.root.address, owner: s.newcomer.address, jobCode: s.p.jobCode }, s.p.providerCode);
        await expectBounce(s.bc, { from: s.attacker.address, to: fresh.address, value: V, body: Cell.EMPTY, stateInit: fresh.init }, Errors.notRegistered);
        await expectBounce(s.bc, { from: s.newcomer.address, to: fresh.address, value: V, body: Provider.topUpMessage(1n) }, Errors.notRegistered);
    });
});
