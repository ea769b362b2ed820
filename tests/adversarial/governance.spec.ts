/**
 * Attack: governance actions by anyone but governance, the guardian beyond its
 * powers, and attempts to bypass the timelock. Every attempt is rejected with
 * the documented exit code, leaves the root (and any job it would address)
 * unchanged and bounces its value back minus fees.
 */
import { Address, beginCell, Cell, internal as coreInternal, SendMode, toNano } from '@ton/core';
import '@ton/test-utils';
import { internal } from '@ton/sandbox';
import { actor, compileRelay, expectBounce, stateOf, viewAccount } from '../properties/attack';
import { buildStage, Stage } from '../properties/stage';
import { expectNoFailure, POLICY, sha256n } from '../helpers/fixtures';
import { DEFAULT_JOB_PARAMS, JobParams, paramsToCell, Root, RootParams, TimelockActions } from '../../wrappers/Root';
import { Action, Errors, Op, ParamBounds } from '../../wrappers/constants';

describe('Attack: governance action by a non-governance address', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const V = toNano('0.2');

    it('queue / execute / unpause / propose / collect / resolve from a stranger, the treasury or a provider owner: 110', async () => {
        await s.p.root.sendQueueChange(s.p.governance.getSender(), V, TimelockActions.addPolicy(sha256n('p2')));
        s.bc.now = s.now() + s.p.params.timelockDelay;
        await s.p.root.sendPause(s.p.guardian.getSender(), V);
        const d = await s.disputed();
        const bodies: Cell[] = [
            Root.queueChangeMessage(TimelockActions.addVerifierKey(1n)),
            Root.changeIdMessage(Op.executeChange, 0),
            Root.simpleMessage(Op.unpause),
            Root.proposeGovernanceMessage(s.attacker.address),
            Root.simpleMessage(Op.collectRootExcess),
            Root.resolveDisputeMessage(s.client.address, d.nonce, true, toNano('100')),
        ];
        for (const from of [s.attacker.address, s.p.treasury.address, s.owner.address]) {
            for (const body of bodies) {
                await expectBounce(s.bc, { from, to: s.p.root.address, value: s.rreq.resolveDispute, body }, Errors.notGovernance, [s.p.root.address, d.job.address, s.provider.address]);
            }
        }
    });

    it('cancel / revoke / pause from a stranger: 111', async () => {
        await s.p.root.sendQueueChange(s.p.governance.getSender(), V, TimelockActions.addPolicy(sha256n('p2')));
        const bodies = [
            Root.changeIdMessage(Op.cancelChange, 0),
            Root.revokeMessage(Op.revokePolicy, POLICY),
            Root.revokeMessage(Op.revokeModel, (await s.provider.getModels())[0]),
            Root.revokeMessage(Op.revokeVerifierKey, BigInt('0x' + s.p.verifier.publicKey.toString('hex'))),
            Root.simpleMessage(Op.pause),
        ];
        for (const body of bodies) await expectBounce(s.bc, { from: s.attacker.address, to: s.p.root.address, value: V, body }, Errors.notGovernanceOrGuardian);
    });

    it('claim_governance: with nothing proposed (121), by anyone but the proposed address (112)', async () => {
        await expectBounce(s.bc, { from: s.attacker.address, to: s.p.root.address, value: V, body: Root.simpleMessage(Op.claimGovernance) }, Errors.noPendingGovernance);
        expectNoFailure((await s.p.root.sendProposeGovernance(s.p.governance.getSender(), V, actor('new multisig'))).transactions);
        for (const from of [s.attacker.address, s.p.guardian.address, s.p.governance.address]) {
            await expectBounce(s.bc, { from, to: s.p.root.address, value: V, body: Root.simpleMessage(Op.claimGovernance) }, Errors.notPendingGovernance);
        }
    });

    it('a proposal of a governance outside workchains 0 / -1 is refused (102)', async () => {
        const body = beginCell().storeUint(Op.proposeGovernance, 32).storeUint(0, 64).storeAddress(new Address(7, Buffer.alloc(32, 1))).endCell();
        await expectBounce(s.bc, { from: s.p.governance.address, to: s.p.root.address, value: V, body }, Errors.wrongWorkchain);
    });
});

describe('Attack: guardian beyond its powers', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const V = toNano('0.2');

    it('the guardian cannot queue, execute, unpause, propose, collect or resolve (110): it never adds trust or moves funds', async () => {
        await s.p.root.sendQueueChange(s.p.governance.getSender(), V, TimelockActions.addPolicy(sha256n('p2')));
        s.bc.now = s.now() + s.p.params.timelockDelay;
        await s.p.root.sendPause(s.p.guardian.getSender(), V);
        await s.bc.sendMessage(internal({ from: s.attacker.address, to: s.p.root.address, value: toNano('5'), bounce: false }));
        const d = await s.disputed();
        const bodies: [string, Cell][] = [
            ['queue add_verifier_key', Root.queueChangeMessage(TimelockActions.addVerifierKey(1n))],
            ['queue set_guardian', Root.queueChangeMessage(TimelockActions.setGuardian(s.p.guardian.address))],
            ['queue upgrade_root_code', Root.queueChangeMessage(TimelockActions.upgradeRootCode(Cell.EMPTY))],
            ['execute', Root.changeIdMessage(Op.executeChange, 0)],
            ['unpause', Root.simpleMessage(Op.unpause)],
            ['propose itself', Root.proposeGovernanceMessage(s.p.guardian.address)],
            ['collect the root excess', Root.simpleMessage(Op.collectRootExcess)],
            ['resolve a dispute', Root.resolveDisputeMessage(s.client.address, d.nonce, false, 0n)],
        ];
        for (const [, body] of bodies) {
            await expectBounce(s.bc, { from: s.p.guardian.address, to: s.p.root.address, value: s.rreq.resolveDispute, body }, Errors.notGovernance, [s.p.root.address, d.job.address]);
        }
        expect((await s.p.root.getRootData()).paused).toBe(true);
        expect(await s.p.root.getChange(0)).not.toBeNull();
    });
});

describe('Attack: timelock bypass', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const V = toNano('0.2');
    const NEW_KEY = sha256n('rogue verifier key');
    const execute = (id: number) => ({ from: s.p.governance.address, to: s.p.root.address, value: V, body: Root.changeIdMessage(Op.executeChange, id) });

    it('execute before eta is refused (114), one second before included; at eta it applies', async () => {
        expectNoFailure((await s.p.root.sendQueueChange(s.p.governance.getSender(), V, TimelockActions.addVerifierKey(NEW_KEY))).transactions);
        const eta = (await s.p.root.getChange(0))!.eta;
        await expectBounce(s.bc, execute(0), Errors.timelockNotReady);
        s.bc.now = eta - 1;
        await expectBounce(s.bc, execute(0), Errors.timelockNotReady);
        s.bc.now = eta;
        expectNoFailure((await s.p.root.sendExecuteChange(s.p.governance.getSender(), V, 0)).transactions);
        expect(await s.p.root.getVerifierTrusted(NEW_KEY)).toBe(true);
    });

    it('a cancelled change cannot be executed (115), an executed one cannot be re-executed (115), an expired one never (122)', async () => {
        await s.p.root.sendQueueChange(s.p.governance.getSender(), V, TimelockActions.addVerifierKey(NEW_KEY));
        await s.p.root.sendQueueChange(s.p.governance.getSender(), V, TimelockActions.addPolicy(sha256n('p2')));
        await s.p.root.sendQueueChange(s.p.governance.getSender(), V, TimelockActions.addPolicy(sha256n('p3')));
        expectNoFailure((await s.p.root.sendCancelChange(s.p.guardian.getSender(), V, 0)).transactions);
        s.bc.now = s.now() + s.p.params.timelockDelay;
        await expectBounce(s.bc, execute(0), Errors.changeNotFound);
        expect(await s.p.root.getVerifierTrusted(NEW_KEY)).toBe(false);
        expectNoFailure((await s.p.root.sendExecuteChange(s.p.governance.getSender(), V, 1)).transactions);
        await expectBounce(s.bc, execute(1), Errors.changeNotFound);
        s.bc.now = s.now() + ParamBounds.timelockGracePeriod + 1;
        await expectBounce(s.bc, execute(2), Errors.changeExpired);
        s.bc.now = s.now() + 365 * 86400;
        await expectBounce(s.bc, execute(2), Errors.changeExpired);
    });

    it('queue and execute in one transaction of the governance wallet: the execute is refused (114 when it follows, 115 when it precedes)', async () => {
        const msg = (body: Cell) => coreInternal({ to: s.p.root.address, value: V, body, bounce: true });
        const queue = Root.queueChangeMessage(TimelockActions.addVerifierKey(NEW_KEY));
        for (const [order, code] of [
            [[queue, Root.changeIdMessage(Op.executeChange, 0)], Errors.timelockNotReady],
            [[Root.changeIdMessage(Op.executeChange, 0), queue], Errors.changeNotFound],
        ] as const) {
            await s.restore();
            const before = await s.p.root.getRootData();
            const r = await s.p.governance.sendMessages(order.map(msg), SendMode.PAY_GAS_SEPARATELY);
            expect(r.transactions).toHaveTransaction({ from: s.p.governance.address, to: s.p.root.address, op: Op.executeChange, success: false, exitCode: code });
            expect(r.transactions).toHaveTransaction({ from: s.p.root.address, to: s.p.governance.address, inMessageBounced: true });
            expect(await s.p.root.getVerifierTrusted(NEW_KEY)).toBe(false);
            expect((await s.p.root.getRootData()).version).toBe(before.version);
            expect((await s.p.root.getChange(0))!.eta).toBe(s.now() + s.p.params.timelockDelay);
        }
    });

    it('upgrade_root_code is itself timelocked (114), and the guardian can cancel it before its eta', async () => {
        const code = await compileRelay(); // any other code: here, one that would obey anyone
        await s.p.root.sendQueueChange(s.p.governance.getSender(), V, TimelockActions.upgradeRootCode(code));
        const before = await viewAccount(s.bc, s.p.root.address);
        await expectBounce(s.bc, execute(0), Errors.timelockNotReady);
        expect(stateOf(await viewAccount(s.bc, s.p.root.address))).toBe(stateOf(before));
        expectNoFailure((await s.p.root.sendCancelChange(s.p.guardian.getSender(), V, 0)).transactions);
        s.bc.now = s.now() + s.p.params.timelockDelay;
        await expectBounce(s.bc, execute(0), Errors.changeNotFound);
        expect((await viewAccount(s.bc, s.p.root.address)).code).toBe(s.p.rootCode.hash().toString('hex'));
    });

    it('lowering timelock_delay is itself delayed and never shortens changes queued before it', async () => {
        const fast = { ...s.p.params, timelockDelay: ParamBounds.timelockDelayMin };
        await s.p.root.sendQueueChange(s.p.governance.getSender(), V, TimelockActions.setParams(fast));
        await expectBounce(s.bc, execute(0), Errors.timelockNotReady);
        s.bc.now = s.now() + 3600;
        await s.p.root.sendQueueChange(s.p.governance.getSender(), V, TimelockActions.addVerifierKey(NEW_KEY));
        const eta = (await s.p.root.getChange(1))!.eta;
        s.bc.now = (await s.p.root.getChange(0))!.eta;
        expectNoFailure((await s.p.root.sendExecuteChange(s.p.governance.getSender(), V, 0)).transactions);
        expect((await s.p.root.getParams()).timelockDelay).toBe(ParamBounds.timelockDelayMin);
        // Queued more than the new delay ago, it still waits for the eta fixed when it was queued.
        expect((await s.p.root.getChange(1))!.eta).toBe(eta);
        expect(eta).toBeGreaterThan(s.now());
        await expectBounce(s.bc, execute(1), Errors.timelockNotReady);
        expect(await s.p.root.getVerifierTrusted(NEW_KEY)).toBe(false);
    });

    describe('set_params out of bounds is refused at queue time (118)', () => {
        const P = (over: Partial<RootParams>) => (s2: Stage): RootParams => ({ ...s2.p.params, ...over });
        const J = (over: Partial<JobParams>) => (s2: Stage): RootParams => ({ ...s2.p.params, jobs: { ...DEFAULT_JOB_PARAMS, ...over } });
        const cases: [string, (s2: Stage) => RootParams][] = [
            ['min_stake below the floor', P({ minStake: ParamBounds.minStakeFloor - 1n })],
            ['min_stake above the ceiling', P({ minStake: ParamBounds.minStakeCeiling + 1n })],
            ['unbonding_period below 1 h', P({ unbondingPeriod: ParamBounds.unbondingPeriodMin - 1 })],
            ['unbonding_period above 90 days', P({ unbondingPeriod: ParamBounds.unbondingPeriodMax + 1 })],
            ['attestation_max_age below 1 h', P({ attestationMaxAge: ParamBounds.attestationMaxAgeMin - 1 })],
            ['attestation_max_age above 90 days', P({ attestationMaxAge: ParamBounds.attestationMaxAgeMax + 1 })],
            ['timelock_delay 0', P({ timelockDelay: 0 })],
            ['timelock_delay below 1 h', P({ timelockDelay: ParamBounds.timelockDelayMin - 1 })],
            ['timelock_delay above 30 days', P({ timelockDelay: ParamBounds.timelockDelayMax + 1 })],
            ['max_models 0', P({ maxModels: 0 })],
            ['max_models 33', P({ maxModels: 33 })],
            ['a masterchain treasury', P({ treasury: new Address(-1, Buffer.alloc(32, 9)) })],
            ['bond_bps above 100 %', J({ bondBps: 10001 })],
            ['no bond at all (bps and floor 0)', J({ bondBps: 0, bondFloor: 0n })],
            ['bond_floor above 1,000,000 TON', J({ bondFloor: ParamBounds.bondFloorMax + 1n })],
            ['min_job_duration below 60 s', J({ minJobDuration: 59 })],
            ['min_job_duration above max_job_duration', J({ minJobDuration: 7200, maxJobDuration: 3600 })],
            ['max_job_duration above 30 days', J({ maxJobDuration: ParamBounds.jobDurationMax + 1 })],
            ['challenge_window below 60 s', J({ challengeWindow: 59 })],
            ['challenge_window above 7 days', J({ challengeWindow: ParamBounds.challengeWindowMax + 1 })],
            ['arbitration_period below 1 h', J({ arbitrationPeriod: ParamBounds.arbitrationPeriodMin - 1 })],
            ['arbitration_period above 30 days', J({ arbitrationPeriod: ParamBounds.arbitrationPeriodMax + 1 })],
            ['session_grace below 60 s', J({ sessionGrace: 59 })],
            ['session_grace above 7 days', J({ sessionGrace: ParamBounds.sessionGraceMax + 1 })],
            ['protocol_fee_bps above 10 %', J({ protocolFeeBps: 1001 })],
            ['slash_reporter_bps above 20 %', J({ slashReporterBps: 2001 })],
            ['slash client + reporter above 100 %', J({ slashClientBps: 9000, slashReporterBps: 1001 })],
            ['equivocation_slash_bps 0', J({ equivocationSlashBps: 0 })],
            ['equivocation_slash_bps above 100 %', J({ equivocationSlashBps: 10001 })],
            ['dispute_slash_cap_bps above 100 %', J({ disputeSlashCapBps: 10001 })],
            ['keeper_reward above 1 TON', J({ keeperReward: ParamBounds.keeperRewardMax + 1n })],
        ];
        it.each(cases)('%s', async (_n, make) => {
            const body = Root.queueChangeMessage(TimelockActions.setParams(make(s)));
            await expectBounce(s.bc, { from: s.p.governance.address, to: s.p.root.address, value: V, body }, Errors.invalidParams);
        });

        it('params with trailing bits (118), and an unknown action tag (117)', async () => {
            const padded = beginCell().storeSlice(paramsToCell(s.p.params).beginParse()).storeBit(1).endCell();
            const action = beginCell().storeUint(Action.setParams, 8).storeRef(padded).endCell();
            await expectBounce(s.bc, { from: s.p.governance.address, to: s.p.root.address, value: V, body: Root.queueChangeMessage(action) }, Errors.invalidParams);
            await expectBounce(s.bc, { from: s.p.governance.address, to: s.p.root.address, value: V, body: Root.queueChangeMessage(beginCell().storeUint(0x0a, 8).endCell()) }, Errors.unknownAction);
        });
    });
});
