/**
 * Root governance, as a specification: genesis state, the timelock for adding
 * trust, immediate removal, pause, the two-step governance transfer, sweeping
 * the root's excess, value checks, and how the root treats odd messages.
 *
 * Every rejection asserts three things: the documented exit code, that the
 * root's state (data and code) did not change, and that the value bounced
 * back to the sender.
 */
import { BlockchainSnapshot, SandboxContract, SendMessageResult, TreasuryContract, internal } from '@ton/sandbox';
import { Address, beginCell, Cell, toNano } from '@ton/core';
import { compileFunc } from '@ton-community/func-js';
import '@ton/test-utils';
import { Root, RootParams, TimelockActions } from '../wrappers/Root';
import { Provider } from '../wrappers/Provider';
import { Errors, Op, ParamBounds } from '../wrappers/constants';
import { bufferToBigint, readTextCell } from '../wrappers/common';
import {
    DAY,
    HOUR,
    MODEL,
    MODEL_2,
    POLICY,
    Protocol,
    START_TIME,
    deployProtocol,
    registerProvider,
    sha256n,
    snapshotState,
} from './helpers/fixtures';

/** Value attached to governance messages: comfortably above the required value. */
const GOV_VALUE = toNano('0.1');
/** What a rejected message may lose on the way back (compute + bounce forward fee). */
const BOUNCE_LOSS_MAX = toNano('0.02');

const NEW_POLICY = sha256n('policy: cocoon tdx image v2');
const NEW_MODEL = sha256n('model: mistral-7b');
const NEW_VERIFIER_KEY = sha256n('verifier key: second attestation service');
const UNLISTED = sha256n('never allowlisted');

const MARKER = 0xc0c0de;
/** A minimal contract to upgrade the root to: a marker getter and a getter reading the stored version. */
const UPGRADE_SOURCE = `
cell get_data() asm "c4 PUSH";
slice begin_parse(cell c) asm "CTOS";

() recv_internal() impure { }

int marker() method_id { return ${MARKER}; }

int stored_version() method_id { return get_data().begin_parse().preload_uint(32); }
`;

async function compileUpgradeCode(): Promise<Cell> {
    const r = await compileFunc({ targets: ['upgrade.fc'], sources: { 'upgrade.fc': UPGRADE_SOURCE } });
    if (r.status !== 'ok') throw new Error(r.message);
    return Cell.fromBoc(Buffer.from(r.codeBoc, 'base64'))[0];
}

function opOf(body: Cell): number | undefined {
    const s = body.beginParse();
    return s.remainingBits >= 32 ? s.preloadUint(32) : undefined;
}

function withTrailingBit(action: Cell): Cell {
    return beginCell().storeSlice(action.beginParse()).storeBit(1).endCell();
}

type Wallet = SandboxContract<TreasuryContract>;

describe('Root governance', () => {
    let p: Protocol;
    let stranger: Wallet;
    let genesis: BlockchainSnapshot;

    // One deployment; every test starts from a snapshot of it (same state, no re-deploy cost).
    beforeAll(async () => {
        p = await deployProtocol();
        stranger = await p.blockchain.treasury('stranger');
        genesis = p.blockchain.snapshot();
    });

    beforeEach(async () => {
        await p.blockchain.loadFrom(genesis);
    });

    // ---- helpers ----

    function send(from: Wallet, body: Cell, value = GOV_VALUE): Promise<SendMessageResult> {
        return p.root.sendBody(from.getSender(), value, body);
    }

    /** Asserts a rejection already sent: exit code, bounce back to the sender, unchanged state. */
    async function assertRejected(
        result: SendMessageResult,
        from: Address,
        exitCode: number,
        value: bigint,
        before: string,
        op?: number,
    ) {
        expect(result.transactions).toHaveTransaction({
            from,
            to: p.root.address,
            ...(op === undefined ? {} : { op }),
            success: false,
            aborted: true,
            exitCode,
        });
        expect(result.transactions).toHaveTransaction({
            from: p.root.address,
            to: from,
            inMessageBounced: true,
            value: (v) => v !== undefined && v > 0n && v <= value && value - v < BOUNCE_LOSS_MAX,
        });
        expect(await snapshotState(p, p.root.address)).toBe(before);
    }

    /** Sends `body` from `from` and asserts it is rejected with `exitCode`. */
    async function expectRejected(from: Wallet, body: Cell, exitCode: number, value = GOV_VALUE) {
        const before = await snapshotState(p, p.root.address);
        const result = await send(from, body, value);
        await assertRejected(result, from.address, exitCode, value, before, opOf(body));
        return result;
    }

    /** Sends `body` from `from` and asserts it is accepted and answered with excesses. */
    async function expectAccepted(from: Wallet, body: Cell, value = GOV_VALUE) {
        const result = await send(from, body, value);
        expect(result.transactions).toHaveTransaction({ from: from.address, to: p.root.address, success: true });
        expect(result.transactions).toHaveTransaction({
            from: p.root.address,
            to: from.address,
            op: Op.excesses,
            success: true,
        });
        return result;
    }

    const queueMsg = (action: Cell) => Root.queueChangeMessage(action);
    const executeMsg = (id: number) => Root.changeIdMessage(Op.executeChange, id);
    const cancelMsg = (id: number) => Root.changeIdMessage(Op.cancelChange, id);
    const pauseMsg = () => Root.simpleMessage(Op.pause);
    const unpauseMsg = () => Root.simpleMessage(Op.unpause);
    const claimMsg = () => Root.simpleMessage(Op.claimGovernance);
    const collectMsg = () => Root.simpleMessage(Op.collectRootExcess);

    /** Queues `action` as governance; returns its change id. */
    async function queue(action: Cell): Promise<number> {
        const { nextChangeId } = await p.root.getRootData();
        await expectAccepted(p.governance, queueMsg(action));
        return nextChangeId;
    }

    /** Queues `action`, waits for its eta and executes it. */
    async function queueAndExecute(action: Cell): Promise<number> {
        const id = await queue(action);
        const change = await p.root.getChange(id);
        p.blockchain.now = change!.eta;
        await expectAccepted(p.governance, executeMsg(id));
        return id;
    }

    const fullParams = (over: Partial<RootParams>): RootParams => ({ ...p.params, ...over });

    // ---- deploy ----

    describe('deploy', () => {
        it('exposes the genesis config through its getters', async () => {
            const data = await p.root.getRootData();
            expect(data.version).toBe(0);
            expect(data.paused).toBe(false);
            expect(data.governance).toEqualAddress(p.governance.address);
            expect(data.guardian).toEqualAddress(p.guardian.address);
            expect(data.pendingGovernance).toBeNull();
            expect(data.nextChangeId).toBe(0);
            expect(data.pendingCount).toBe(0);
            expect(await p.root.getVersion()).toBe(0);

            const params = await p.root.getParams();
            expect(params.minStake).toBe(p.params.minStake);
            expect(params.unbondingPeriod).toBe(p.params.unbondingPeriod);
            expect(params.attestationMaxAge).toBe(p.params.attestationMaxAge);
            expect(params.timelockDelay).toBe(p.params.timelockDelay);
            expect(params.maxModels).toBe(p.params.maxModels);
            expect(params.treasury).toEqualAddress(p.treasury.address);
        });

        it('exposes the genesis allowlists and verifier keys', async () => {
            expect(await p.root.getPolicyAllowed(POLICY)).toBe(true);
            expect(await p.root.getModelAllowed(MODEL)).toBe(true);
            expect(await p.root.getModelAllowed(MODEL_2)).toBe(true);
            expect(await p.root.getVerifierTrusted(bufferToBigint(p.verifier.publicKey))).toBe(true);
            expect(readTextCell((await p.root.getPolicyMeta(POLICY))!)).toBe('cocoon-tdx v1');
            expect(readTextCell((await p.root.getModelMeta(MODEL))!)).toBe('qwen3-8b');
            expect(readTextCell((await p.root.getModelMeta(MODEL_2))!)).toBe('llama-3.1-8b');

            expect(await p.root.getPolicyAllowed(UNLISTED)).toBe(false);
            expect(await p.root.getModelAllowed(UNLISTED)).toBe(false);
            expect(await p.root.getVerifierTrusted(UNLISTED)).toBe(false);
            expect(await p.root.getPolicyMeta(UNLISTED)).toBeNull();
            expect(await p.root.getModelMeta(UNLISTED)).toBeNull();
            expect(await p.root.getChange(0)).toBeNull();
        });

        it('derives provider addresses exactly as Provider.createFromConfig does', async () => {
            expect((await p.root.getProviderCode()).equals(p.providerCode)).toBe(true);
            const owners = [
                (await p.blockchain.treasury('operator-1')).address,
                (await p.blockchain.treasury('operator-2')).address,
                stranger.address,
            ];
            for (const owner of owners) {
                const expected = Provider.createFromConfig({ root: p.root.address, owner, jobCode: p.jobCode }, p.providerCode).address;
                expect(await p.root.getProviderAddress(owner)).toEqualAddress(expected);
            }
        });

        it('reports a positive required value for every entry point', async () => {
            const r = await p.root.getRequiredValues();
            expect(r.registerProvider).toBeGreaterThan(0n);
            expect(r.reattestProvider).toBeGreaterThan(0n);
            expect(r.updateProviderModels).toBeGreaterThan(0n);
            expect(r.checkProvider).toBeGreaterThan(0n);
            expect(r.governanceOp).toBeGreaterThan(0n);
            // Registration also funds the provider's storage reserve.
            expect(r.registerProvider).toBeGreaterThan(r.reattestProvider);
        });
    });

    // ---- timelock ----

    describe('timelock', () => {
        it('queues a change with eta = now + timelock delay without applying it', async () => {
            const action = TimelockActions.addPolicy(NEW_POLICY, 'cocoon-tdx v2');
            const id = await queue(action);
            const change = await p.root.getChange(id);
            expect(change).not.toBeNull();
            expect(change!.eta).toBe(START_TIME + p.params.timelockDelay);
            expect(change!.action.equals(action)).toBe(true);
            const data = await p.root.getRootData();
            expect(data.version).toBe(0);
            expect(data.pendingCount).toBe(1);
            expect(data.nextChangeId).toBe(1);
            expect(await p.root.getPolicyAllowed(NEW_POLICY)).toBe(false);
        });

        it('rejects executing a change before its eta', async () => {
            const id = await queue(TimelockActions.addPolicy(NEW_POLICY));
            const { eta } = (await p.root.getChange(id))!;
            p.blockchain.now = eta - 1;
            await expectRejected(p.governance, executeMsg(id), Errors.timelockNotReady);
            expect(await p.root.getChange(id)).not.toBeNull();
            expect(await p.root.getPolicyAllowed(NEW_POLICY)).toBe(false);
        });

        it('adds a policy only after the timelock delay', async () => {
            const id = await queue(TimelockActions.addPolicy(NEW_POLICY, 'cocoon-tdx v2'));
            const { eta } = (await p.root.getChange(id))!;
            p.blockchain.now = eta;
            await expectAccepted(p.governance, executeMsg(id));
            expect(await p.root.getPolicyAllowed(NEW_POLICY)).toBe(true);
            expect(readTextCell((await p.root.getPolicyMeta(NEW_POLICY))!)).toBe('cocoon-tdx v2');
            const data = await p.root.getRootData();
            expect(data.version).toBe(1);
            expect(data.pendingCount).toBe(0);
            expect(data.nextChangeId).toBe(1);
            expect(await p.root.getChange(id)).toBeNull();
            // Executed once: a second execution finds nothing.
            await expectRejected(p.governance, executeMsg(id), Errors.changeNotFound);
        });

        it('still executes a change at the last second of the grace period', async () => {
            const id = await queue(TimelockActions.addPolicy(NEW_POLICY));
            const { eta } = (await p.root.getChange(id))!;
            p.blockchain.now = eta + ParamBounds.timelockGracePeriod;
            await expectAccepted(p.governance, executeMsg(id));
            expect(await p.root.getPolicyAllowed(NEW_POLICY)).toBe(true);
        });

        it('rejects executing a change after eta + the 14-day grace period; it can then only be cancelled', async () => {
            expect(ParamBounds.timelockGracePeriod).toBe(14 * DAY);
            const id = await queue(TimelockActions.addPolicy(NEW_POLICY));
            const { eta } = (await p.root.getChange(id))!;
            p.blockchain.now = eta + ParamBounds.timelockGracePeriod + 1;
            await expectRejected(p.governance, executeMsg(id), Errors.changeExpired);
            expect(await p.root.getPolicyAllowed(NEW_POLICY)).toBe(false);
            expect((await p.root.getRootData()).pendingCount).toBe(1);
            await expectAccepted(p.governance, cancelMsg(id));
            expect((await p.root.getRootData()).pendingCount).toBe(0);
        });

        it('lets governance cancel a pending change', async () => {
            const id = await queue(TimelockActions.addPolicy(NEW_POLICY));
            await expectAccepted(p.governance, cancelMsg(id));
            expect(await p.root.getChange(id)).toBeNull();
            const data = await p.root.getRootData();
            expect(data.pendingCount).toBe(0);
            expect(data.version).toBe(0);
            p.blockchain.now = START_TIME + p.params.timelockDelay;
            await expectRejected(p.governance, executeMsg(id), Errors.changeNotFound);
            expect(await p.root.getPolicyAllowed(NEW_POLICY)).toBe(false);
        });

        it('lets the guardian cancel a pending change', async () => {
            const id = await queue(TimelockActions.addVerifierKey(NEW_VERIFIER_KEY));
            await expectAccepted(p.guardian, cancelMsg(id));
            expect(await p.root.getChange(id)).toBeNull();
            expect((await p.root.getRootData()).pendingCount).toBe(0);
        });

        it('rejects cancelling or executing an unknown change id', async () => {
            await expectRejected(p.governance, cancelMsg(0), Errors.changeNotFound);
            await expectRejected(p.guardian, cancelMsg(7), Errors.changeNotFound);
            await expectRejected(p.governance, executeMsg(0), Errors.changeNotFound);
            await queue(TimelockActions.addPolicy(NEW_POLICY));
            await expectRejected(p.governance, executeMsg(1), Errors.changeNotFound);
            await expectRejected(p.governance, cancelMsg(0xffffffff), Errors.changeNotFound);
        });

        it('accepts queue and execute only from governance', async () => {
            const action = TimelockActions.addPolicy(NEW_POLICY);
            await expectRejected(stranger, queueMsg(action), Errors.notGovernance);
            await expectRejected(p.guardian, queueMsg(action), Errors.notGovernance);
            const id = await queue(action);
            p.blockchain.now = (await p.root.getChange(id))!.eta;
            await expectRejected(stranger, executeMsg(id), Errors.notGovernance);
            await expectRejected(p.guardian, executeMsg(id), Errors.notGovernance);
            expect(await p.root.getPolicyAllowed(NEW_POLICY)).toBe(false);
        });

        it('rejects cancel from anyone but governance or guardian', async () => {
            const id = await queue(TimelockActions.addPolicy(NEW_POLICY));
            await expectRejected(stranger, cancelMsg(id), Errors.notGovernanceOrGuardian);
            expect(await p.root.getChange(id)).not.toBeNull();
        });

        it('holds at most 16 pending changes', async () => {
            expect(ParamBounds.maxPendingChanges).toBe(16);
            for (let i = 0; i < ParamBounds.maxPendingChanges; i++) {
                await queue(TimelockActions.addModel(sha256n(`model ${i}`)));
            }
            expect((await p.root.getRootData()).pendingCount).toBe(16);
            await expectRejected(p.governance, queueMsg(TimelockActions.addModel(NEW_MODEL)), Errors.tooManyChanges);
            // Cancelling one frees a slot.
            await expectAccepted(p.guardian, cancelMsg(3));
            expect(await queue(TimelockActions.addModel(NEW_MODEL))).toBe(16);
        });

        it('rejects an action with an unknown tag', async () => {
            for (const tag of [0x00, 0x0a, 0xff]) {
                const action = beginCell().storeUint(tag, 8).storeUint(NEW_POLICY, 256).endCell();
                await expectRejected(p.governance, queueMsg(action), Errors.unknownAction);
            }
        });

        it('rejects an action with trailing bits', async () => {
            const actions = [
                TimelockActions.addPolicy(NEW_POLICY),
                TimelockActions.addModel(NEW_MODEL),
                TimelockActions.addVerifierKey(NEW_VERIFIER_KEY),
                TimelockActions.setParams(p.params),
                TimelockActions.upgradeRootCode(p.rootCode),
                TimelockActions.setGuardian(stranger.address),
                TimelockActions.setAttestationModes(3),
                TimelockActions.setQuoteVerifier(stranger.address),
                // the P-256 generator: a valid curve point
                TimelockActions.addPckKey({
                    x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
                    y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
                }),
            ];
            for (const action of actions) {
                await expectRejected(p.governance, queueMsg(withTrailingBit(action)), Errors.malformedBody);
            }
            // A queue_change body with trailing bits is malformed too.
            const body = beginCell()
                .storeSlice(queueMsg(TimelockActions.addPolicy(NEW_POLICY)).beginParse())
                .storeBit(0)
                .endCell();
            await expectRejected(p.governance, body, Errors.malformedBody);
        });

        describe('set_params is bounds-checked at queue time', () => {
            const violations: [string, (p: RootParams) => Partial<RootParams>][] = [
                ['min_stake below the floor', () => ({ minStake: ParamBounds.minStakeFloor - 1n })],
                ['min_stake above the ceiling', () => ({ minStake: ParamBounds.minStakeCeiling + 1n })],
                ['unbonding period below the minimum', () => ({ unbondingPeriod: ParamBounds.unbondingPeriodMin - 1 })],
                ['unbonding period above the maximum', () => ({ unbondingPeriod: ParamBounds.unbondingPeriodMax + 1 })],
                ['attestation max age below the minimum', () => ({ attestationMaxAge: ParamBounds.attestationMaxAgeMin - 1 })],
                ['attestation max age above the maximum', () => ({ attestationMaxAge: ParamBounds.attestationMaxAgeMax + 1 })],
                ['timelock delay below the minimum', () => ({ timelockDelay: ParamBounds.timelockDelayMin - 1 })],
                ['timelock delay above the maximum', () => ({ timelockDelay: ParamBounds.timelockDelayMax + 1 })],
                ['max_models = 0', () => ({ maxModels: 0 })],
                ['max_models = 33', () => ({ maxModels: ParamBounds.maxModelsCeiling + 1 })],
                ['a masterchain treasury', () => ({ treasury: new Address(-1, Buffer.alloc(32, 7)) })],
            ];

            it.each(violations)('rejects %s with invalidParams', async (_name, over) => {
                const action = TimelockActions.setParams(fullParams(over(p.params)));
                await expectRejected(p.governance, queueMsg(action), Errors.invalidParams);
                expect((await p.root.getRootData()).pendingCount).toBe(0);
            });

            it('accepts params exactly at every bound', async () => {
                await queue(
                    TimelockActions.setParams(
                        fullParams({
                            minStake: ParamBounds.minStakeFloor,
                            unbondingPeriod: ParamBounds.unbondingPeriodMin,
                            attestationMaxAge: ParamBounds.attestationMaxAgeMin,
                            timelockDelay: ParamBounds.timelockDelayMin,
                            maxModels: 1,
                        }),
                    ),
                );
                await queue(
                    TimelockActions.setParams(
                        fullParams({
                            minStake: ParamBounds.minStakeCeiling,
                            unbondingPeriod: ParamBounds.unbondingPeriodMax,
                            attestationMaxAge: ParamBounds.attestationMaxAgeMax,
                            timelockDelay: ParamBounds.timelockDelayMax,
                            maxModels: ParamBounds.maxModelsCeiling,
                        }),
                    ),
                );
                expect((await p.root.getRootData()).pendingCount).toBe(2);
            });
        });
    });

    // ---- each action kind, applied ----

    describe('applying each action kind', () => {
        it('add_policy allowlists the policy with its metadata', async () => {
            await queueAndExecute(TimelockActions.addPolicy(NEW_POLICY, 'cocoon-tdx v2'));
            expect(await p.root.getPolicyAllowed(NEW_POLICY)).toBe(true);
            expect(readTextCell((await p.root.getPolicyMeta(NEW_POLICY))!)).toBe('cocoon-tdx v2');
            expect(await p.root.getPolicyAllowed(POLICY)).toBe(true);
            expect(await p.root.getVersion()).toBe(1);
        });

        it('add_model allowlists the model with its metadata', async () => {
            await queueAndExecute(TimelockActions.addModel(NEW_MODEL, 'mistral-7b'));
            expect(await p.root.getModelAllowed(NEW_MODEL)).toBe(true);
            expect(readTextCell((await p.root.getModelMeta(NEW_MODEL))!)).toBe('mistral-7b');
            expect(await p.root.getVersion()).toBe(1);
        });

        it('add_verifier_key trusts the key', async () => {
            await queueAndExecute(TimelockActions.addVerifierKey(NEW_VERIFIER_KEY));
            expect(await p.root.getVerifierTrusted(NEW_VERIFIER_KEY)).toBe(true);
            expect(await p.root.getVerifierTrusted(bufferToBigint(p.verifier.publicKey))).toBe(true);
            expect(await p.root.getVersion()).toBe(1);
        });

        it('set_params replaces the params, and the new timelock delay applies to changes queued afterwards', async () => {
            const newTreasury = await p.blockchain.treasury('treasury-2');
            const next: RootParams = {
                minStake: toNano('250'),
                unbondingPeriod: 3 * DAY,
                attestationMaxAge: 10 * DAY,
                timelockDelay: 6 * HOUR,
                maxModels: 4,
                treasury: newTreasury.address,
            };
            // Queued before: keeps the old delay.
            const before = await queue(TimelockActions.addModel(NEW_MODEL));
            await queueAndExecute(TimelockActions.setParams(next));
            const params = await p.root.getParams();
            expect(params.minStake).toBe(next.minStake);
            expect(params.unbondingPeriod).toBe(next.unbondingPeriod);
            expect(params.attestationMaxAge).toBe(next.attestationMaxAge);
            expect(params.timelockDelay).toBe(next.timelockDelay);
            expect(params.maxModels).toBe(next.maxModels);
            expect(params.treasury).toEqualAddress(newTreasury.address);
            expect(await p.root.getVersion()).toBe(1);
            expect((await p.root.getChange(before))!.eta).toBe(START_TIME + p.params.timelockDelay);

            const now = p.blockchain.now!;
            const after = await queue(TimelockActions.addPolicy(NEW_POLICY));
            expect((await p.root.getChange(after))!.eta).toBe(now + 6 * HOUR);
            p.blockchain.now = now + 6 * HOUR - 1;
            await expectRejected(p.governance, executeMsg(after), Errors.timelockNotReady);
            p.blockchain.now = now + 6 * HOUR;
            await expectAccepted(p.governance, executeMsg(after));
            expect(await p.root.getPolicyAllowed(NEW_POLICY)).toBe(true);
        });

        it('set_guardian hands the guardian role over: the new guardian can pause, the old cannot', async () => {
            const newGuardian = await p.blockchain.treasury('guardian-2');
            await queueAndExecute(TimelockActions.setGuardian(newGuardian.address));
            const data = await p.root.getRootData();
            expect(data.guardian).toEqualAddress(newGuardian.address);
            expect(data.version).toBe(1);
            await expectRejected(p.guardian, pauseMsg(), Errors.notGovernanceOrGuardian);
            await expectRejected(p.guardian, cancelMsg(0), Errors.notGovernanceOrGuardian);
            await expectAccepted(newGuardian, pauseMsg());
            expect((await p.root.getRootData()).paused).toBe(true);
        });

        it('upgrade_root_code replaces the root code and keeps its data', async () => {
            const code = await compileUpgradeCode();
            await queueAndExecute(TimelockActions.upgradeRootCode(code));
            expect(await snapshotState(p, p.root.address)).toContain(code.hash().toString('hex'));
            const marker = await p.blockchain.runGetMethod(p.root.address, 'marker');
            expect(marker.stackReader.readNumber()).toBe(MARKER);
            // The data written in the upgrading transaction (version bumped) survives.
            const version = await p.blockchain.runGetMethod(p.root.address, 'stored_version');
            expect(version.stackReader.readNumber()).toBe(1);
        });
    });

    // ---- immediate removal ----

    describe('immediate removal', () => {
        type Kind = 'policy' | 'model' | 'verifier key';
        const revokeOp: Record<Kind, number> = {
            policy: Op.revokePolicy,
            model: Op.revokeModel,
            'verifier key': Op.revokeVerifierKey,
        };
        const listed = (kind: Kind): bigint =>
            kind === 'policy' ? POLICY : kind === 'model' ? MODEL : bufferToBigint(p.verifier.publicKey);
        const isListed = (kind: Kind, hash: bigint): Promise<boolean> =>
            kind === 'policy'
                ? p.root.getPolicyAllowed(hash)
                : kind === 'model'
                  ? p.root.getModelAllowed(hash)
                  : p.root.getVerifierTrusted(hash);
        const cases: [Kind, 'governance' | 'guardian'][] = [
            ['policy', 'governance'],
            ['policy', 'guardian'],
            ['model', 'governance'],
            ['model', 'guardian'],
            ['verifier key', 'governance'],
            ['verifier key', 'guardian'],
        ];

        it.each(cases)('revokes a %s at once when sent by the %s', async (kind, who) => {
            const hash = listed(kind);
            expect(await isListed(kind, hash)).toBe(true);
            await expectAccepted(p[who], Root.revokeMessage(revokeOp[kind], hash));
            expect(await isListed(kind, hash)).toBe(false);
            expect(await p.root.getVersion()).toBe(1);
            if (kind === 'model') expect(await p.root.getModelAllowed(MODEL_2)).toBe(true);
        });

        it.each(['policy', 'model', 'verifier key'] as Kind[])('rejects revoking a %s from a stranger', async (kind) => {
            await expectRejected(stranger, Root.revokeMessage(revokeOp[kind], listed(kind)), Errors.notGovernanceOrGuardian);
            expect(await isListed(kind, listed(kind))).toBe(true);
        });

        it.each(['policy', 'model', 'verifier key'] as Kind[])('rejects revoking a %s that is not listed', async (kind) => {
            await expectRejected(p.governance, Root.revokeMessage(revokeOp[kind], UNLISTED), Errors.notListed);
            // Revoking twice: the second one finds nothing.
            await expectAccepted(p.guardian, Root.revokeMessage(revokeOp[kind], listed(kind)));
            await expectRejected(p.guardian, Root.revokeMessage(revokeOp[kind], listed(kind)), Errors.notListed);
        });

        it('does not confuse the three allowlists', async () => {
            // A policy hash is not a model: revoking it as a model is rejected.
            await expectRejected(p.governance, Root.revokeMessage(Op.revokeModel, POLICY), Errors.notListed);
            await expectRejected(p.governance, Root.revokeMessage(Op.revokePolicy, MODEL), Errors.notListed);
        });
    });

    // ---- pause ----

    describe('pause', () => {
        it('lets the guardian pause', async () => {
            await expectAccepted(p.guardian, pauseMsg());
            const data = await p.root.getRootData();
            expect(data.paused).toBe(true);
            expect(data.version).toBe(0);
        });

        it('lets governance pause', async () => {
            await expectAccepted(p.governance, pauseMsg());
            expect((await p.root.getRootData()).paused).toBe(true);
        });

        it('rejects pausing twice', async () => {
            await expectAccepted(p.guardian, pauseMsg());
            await expectRejected(p.governance, pauseMsg(), Errors.paused);
            await expectRejected(p.guardian, pauseMsg(), Errors.paused);
        });

        it('rejects a pause from a stranger', async () => {
            await expectRejected(stranger, pauseMsg(), Errors.notGovernanceOrGuardian);
        });

        it('does not let the guardian unpause; governance can', async () => {
            await expectAccepted(p.guardian, pauseMsg());
            await expectRejected(p.guardian, unpauseMsg(), Errors.notGovernance);
            await expectRejected(stranger, unpauseMsg(), Errors.notGovernance);
            await expectAccepted(p.governance, unpauseMsg());
            expect((await p.root.getRootData()).paused).toBe(false);
        });

        it('rejects unpausing when not paused', async () => {
            await expectRejected(p.governance, unpauseMsg(), Errors.notPaused);
        });

        it('rejects register_provider while paused, and accepts it again after unpause', async () => {
            await expectAccepted(p.guardian, pauseMsg());
            const owner = await p.blockchain.treasury('operator-1');
            const before = await snapshotState(p, p.root.address);
            const { result, provider, value } = await registerProvider(p, owner);
            await assertRejected(result, owner.address, Errors.paused, value, before, Op.registerProvider);
            expect(result.transactions).not.toHaveTransaction({ to: provider.address });
            expect((await p.blockchain.getContract(provider.address)).accountState?.type).not.toBe('active');

            await expectAccepted(p.governance, unpauseMsg());
            const again = await registerProvider(p, owner);
            expect(again.result.transactions).toHaveTransaction({ from: p.root.address, to: provider.address, deploy: true, success: true });
        });

        it('keeps governance ops working while paused', async () => {
            await expectAccepted(p.guardian, pauseMsg());
            await queueAndExecute(TimelockActions.addPolicy(NEW_POLICY));
            expect(await p.root.getPolicyAllowed(NEW_POLICY)).toBe(true);
            const cancelled = await queue(TimelockActions.addModel(NEW_MODEL));
            await expectAccepted(p.guardian, cancelMsg(cancelled));
            await expectAccepted(p.guardian, Root.revokeMessage(Op.revokeModel, MODEL_2));
            const newGov = await p.blockchain.treasury('governance-2');
            await expectAccepted(p.governance, Root.proposeGovernanceMessage(newGov.address));
            await expectAccepted(newGov, claimMsg());
            const data = await p.root.getRootData();
            expect(data.paused).toBe(true);
            expect(data.governance).toEqualAddress(newGov.address);
            expect(data.version).toBe(3);
            await expectAccepted(newGov, unpauseMsg());
            expect((await p.root.getRootData()).paused).toBe(false);
        });
    });

    // ---- two-step governance transfer ----

    describe('two-step governance transfer', () => {
        let newGov: Wallet;
        beforeEach(async () => {
            newGov = await p.blockchain.treasury('governance-2');
        });

        it('rejects a proposal from anyone but governance', async () => {
            await expectRejected(stranger, Root.proposeGovernanceMessage(stranger.address), Errors.notGovernance);
            await expectRejected(p.guardian, Root.proposeGovernanceMessage(p.guardian.address), Errors.notGovernance);
            expect((await p.root.getRootData()).pendingGovernance).toBeNull();
        });

        it('rejects a claim when nothing is pending', async () => {
            await expectRejected(newGov, claimMsg(), Errors.noPendingGovernance);
            await expectRejected(p.governance, claimMsg(), Errors.noPendingGovernance);
        });

        it('rejects a claim from anyone but the proposed address', async () => {
            await expectAccepted(p.governance, Root.proposeGovernanceMessage(newGov.address));
            await expectRejected(stranger, claimMsg(), Errors.notPendingGovernance);
            await expectRejected(p.governance, claimMsg(), Errors.notPendingGovernance);
            await expectRejected(p.guardian, claimMsg(), Errors.notPendingGovernance);
        });

        it('moves governance on propose + claim: the old governance can no longer queue, the new can', async () => {
            await expectAccepted(p.governance, Root.proposeGovernanceMessage(newGov.address));
            let data = await p.root.getRootData();
            expect(data.pendingGovernance).toEqualAddress(newGov.address);
            expect(data.governance).toEqualAddress(p.governance.address);
            expect(data.version).toBe(0);

            await expectAccepted(newGov, claimMsg());
            data = await p.root.getRootData();
            expect(data.governance).toEqualAddress(newGov.address);
            expect(data.pendingGovernance).toBeNull();
            expect(data.version).toBe(1);

            await expectRejected(p.governance, queueMsg(TimelockActions.addPolicy(NEW_POLICY)), Errors.notGovernance);
            await expectAccepted(newGov, queueMsg(TimelockActions.addPolicy(NEW_POLICY)));
            expect((await p.root.getRootData()).pendingCount).toBe(1);
            // The claim is spent.
            await expectRejected(newGov, claimMsg(), Errors.noPendingGovernance);
        });

        it('lets a later proposal replace an earlier one', async () => {
            await expectAccepted(p.governance, Root.proposeGovernanceMessage(stranger.address));
            await expectAccepted(p.governance, Root.proposeGovernanceMessage(newGov.address));
            await expectRejected(stranger, claimMsg(), Errors.notPendingGovernance);
            await expectAccepted(newGov, claimMsg());
            expect((await p.root.getRootData()).governance).toEqualAddress(newGov.address);
        });
    });

    // ---- collect_root_excess ----

    describe('collect_root_excess', () => {
        it('rejects a collection from anyone but governance', async () => {
            await expectRejected(stranger, collectMsg(), Errors.notGovernance);
            await expectRejected(p.guardian, collectMsg(), Errors.notGovernance);
        });

        it('sweeps extra TON to the treasury and keeps a storage reserve', async () => {
            await stranger.send({ to: p.root.address, value: toNano('10'), bounce: false });
            const before = await p.root.getBalance();
            expect(before).toBeGreaterThan(toNano('10'));
            const state = await snapshotState(p, p.root.address);

            const result = await send(p.governance, collectMsg());
            expect(result.transactions).toHaveTransaction({ from: p.governance.address, to: p.root.address, success: true });
            expect(result.transactions).toHaveTransaction({
                from: p.root.address,
                to: p.treasury.address,
                op: Op.excesses,
                value: (v) => v !== undefined && v > toNano('10'),
            });
            const after = await p.root.getBalance();
            expect(after).toBeGreaterThan(0n);
            expect(after).toBeLessThan(before);
            expect(after).toBeLessThan(toNano('1'));
            expect(await snapshotState(p, p.root.address)).toBe(state);
        });
    });

    // ---- value checks ----

    describe('value checks', () => {
        const ops: [string, () => Cell][] = [
            ['queue_change', () => queueMsg(TimelockActions.addPolicy(NEW_POLICY))],
            ['execute_change', () => executeMsg(0)],
            ['cancel_change', () => cancelMsg(0)],
            ['revoke_policy', () => Root.revokeMessage(Op.revokePolicy, POLICY)],
            ['revoke_model', () => Root.revokeMessage(Op.revokeModel, MODEL)],
            ['revoke_verifier_key', () => Root.revokeMessage(Op.revokeVerifierKey, bufferToBigint(p.verifier.publicKey))],
            ['pause', () => pauseMsg()],
            ['unpause', () => unpauseMsg()],
            ['propose_governance', () => Root.proposeGovernanceMessage(stranger.address)],
            ['claim_governance', () => claimMsg()],
            ['collect_root_excess', () => collectMsg()],
        ];

        it.each(ops)('rejects %s carrying less than the required value', async (_name, body) => {
            const required = (await p.root.getRequiredValues()).governanceOp;
            // Sent by governance; the value is checked before anything else.
            await expectRejected(p.governance, body(), Errors.notEnoughValue, required - 1n);
        });

        // The value floor is checked before the root loads its storage (~4.7k gas), so even
        // a value too small to pay for that load is rejected with notEnoughValue and bounced.
        it('rejects every governance op carrying only 0.001 TON with notEnoughValue, bouncing the value', async () => {
            for (const [, body] of ops) {
                await expectRejected(p.governance, body(), Errors.notEnoughValue, toNano('0.001'));
            }
        });

        it('accepts a governance op carrying exactly the required value', async () => {
            const required = (await p.root.getRequiredValues()).governanceOp;
            await expectAccepted(p.guardian, pauseMsg(), required);
            expect((await p.root.getRootData()).paused).toBe(true);
        });
    });

    // ---- message handling ----

    describe('message handling', () => {
        it.each([
            ['an op no one defines', 0x12345678],
            ['an unused op in the governance range', 0xc0c01013],
            ['a provider op', Op.providerInit],
        ])('rejects %s with 0xffff', async (_name, op) => {
            await expectRejected(p.governance, Root.simpleMessage(op), Errors.unknownOp);
        });

        it('rejects a truncated body (op only, no query_id) with exit code 9', async () => {
            const body = beginCell().storeUint(Op.pause, 32).endCell();
            await expectRejected(p.guardian, body, Errors.cellUnderflow);
            const partialQueryId = beginCell().storeUint(Op.pause, 32).storeUint(0, 40).endCell();
            await expectRejected(p.guardian, partialQueryId, Errors.cellUnderflow);
        });

        it('rejects an over-long governance body with malformedBody', async () => {
            const id = await queue(TimelockActions.addPolicy(NEW_POLICY));
            const bodies = [
                executeMsg(id),
                cancelMsg(id),
                Root.revokeMessage(Op.revokePolicy, POLICY),
                Root.revokeMessage(Op.revokeModel, MODEL),
                Root.revokeMessage(Op.revokeVerifierKey, bufferToBigint(p.verifier.publicKey)),
                Root.proposeGovernanceMessage(stranger.address),
            ];
            p.blockchain.now = START_TIME + p.params.timelockDelay;
            for (const body of bodies) {
                await expectRejected(p.governance, withTrailingBit(body), Errors.malformedBody);
            }
        });

        // Ops without fields reject any trailing bit with malformed_body (not TVM's 9).
        it('rejects an over-long body of an op without fields (pause, unpause, claim, collect) with malformedBody', async () => {
            await expectAccepted(p.guardian, pauseMsg()); // so that unpause gets past its state check
            for (const body of [pauseMsg(), unpauseMsg(), claimMsg(), collectMsg()]) {
                await expectRejected(p.governance, withTrailingBit(body), Errors.malformedBody);
            }
        });

        it('accepts a plain transfer with an empty body and changes no state', async () => {
            const state = await snapshotState(p, p.root.address);
            const balance = await p.root.getBalance();
            const result = await stranger.send({ to: p.root.address, value: toNano('2'), bounce: true });
            expect(result.transactions).toHaveTransaction({
                from: stranger.address,
                to: p.root.address,
                success: true,
                outMessagesCount: 0,
            });
            expect(await snapshotState(p, p.root.address)).toBe(state);
            expect(await p.root.getBalance()).toBeGreaterThan(balance + toNano('1.9'));
        });

        it('accepts a text comment and changes no state', async () => {
            const state = await snapshotState(p, p.root.address);
            const body = beginCell().storeUint(0, 32).storeStringTail('hello, cocoon').endCell();
            const result = await send(stranger, body, toNano('1'));
            expect(result.transactions).toHaveTransaction({
                from: stranger.address,
                to: p.root.address,
                success: true,
                outMessagesCount: 0,
            });
            expect(await snapshotState(p, p.root.address)).toBe(state);
        });

        it('accepts a bounced message without acting on it', async () => {
            const state = await snapshotState(p, p.root.address);
            // A pause from the guardian would pause the root; with the bounced flag it is ignored.
            const bodies = [
                pauseMsg(),
                beginCell()
                    .storeUint(0xffffffff, 32)
                    .storeSlice(beginCell().storeUint(Op.providerInit, 32).storeUint(1, 64).endCell().beginParse())
                    .endCell(),
            ];
            for (const body of bodies) {
                const result = await p.blockchain.sendMessage(
                    internal({ from: p.guardian.address, to: p.root.address, value: toNano('0.5'), body, bounce: false, bounced: true }),
                );
                expect(result.transactions).toHaveTransaction({
                    from: p.guardian.address,
                    to: p.root.address,
                    inMessageBounced: true,
                    success: true,
                    outMessagesCount: 0,
                });
            }
            expect(await snapshotState(p, p.root.address)).toBe(state);
            expect((await p.root.getRootData()).paused).toBe(false);
        });
    });

    // ---- excess handling ----

    describe('excess handling', () => {
        const cases: [string, 'governance' | 'guardian', () => Cell][] = [
            ['queue_change', 'governance', () => Root.queueChangeMessage(TimelockActions.addPolicy(NEW_POLICY), 0x1234n)],
            ['revoke_model', 'guardian', () => Root.revokeMessage(Op.revokeModel, MODEL, 0x1234n)],
            ['pause', 'guardian', () => Root.simpleMessage(Op.pause, 0x1234n)],
            ['propose_governance', 'governance', () => Root.proposeGovernanceMessage(stranger.address, 0x1234n)],
        ];

        it.each(cases)('returns the rest of the value of %s to the sender as excesses', async (_name, who, body) => {
            const sender = p[who];
            const balance = await p.root.getBalance();
            const result = await send(sender, body(), toNano('1'));
            const tx = result.transactions.find(
                (t) => t.inMessage?.info.dest?.toString() === p.root.address.toString(),
            )!;
            expect(tx).toBeDefined();
            const d = tx.description;
            if (d.type !== 'generic' || d.computePhase.type !== 'vm') throw new Error('no compute phase');
            const computeFee = d.computePhase.gasFees;

            expect(result.transactions).toHaveTransaction({
                from: p.root.address,
                to: sender.address,
                op: Op.excesses,
                body: beginCell().storeUint(Op.excesses, 32).storeUint(0x1234n, 64).endCell(),
                inMessageBounceable: false,
                value: (v) => v !== undefined && v > toNano('1') - toNano('0.02'),
            });
            const after = await p.root.getBalance();
            expect(after - balance).toBeLessThanOrEqual(computeFee);
        });
    });
});
