/**
 * Conformance between the three encodings of every Cocoon message and
 * storage layout: the hand-written wrappers (wrappers/Root.ts,
 * wrappers/Provider.ts), the contracts (what they really send and store) and
 * the codecs generated from contracts/schema.tlb (wrappers/generated/schema.ts).
 *
 * 1. Every body a wrapper builds decodes with the generated `loadInMsgBody` to
 *    the expected constructor with the same field values, and re-encodes with
 *    `storeInMsgBody` to the same cell (hash). Likewise for storage and nested
 *    cells (RootStorage, Params, ProviderStorageUninit, SignedStatement).
 * 2. Every body the contracts send during a realistic flow decodes exactly
 *    (bounces excepted), with the fields the root forwarded; the final
 *    provider and root storage decode with fields equal to the getters.
 * 3. The 64-bit caveat of the generated codec (fields of <= 64 bits are JS
 *    numbers), documented by assertions.
 *
 * Needs build/ and wrappers/generated/ (`npx ts-node tools/build.ts`).
 */
import { Address, beginCell, Cell, toNano } from '@ton/core';
import { BlockchainTransaction, SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import {
    InMsgBody,
    loadAttestationStatement,
    loadInMsgBody,
    loadParams,
    loadProviderStorage,
    loadProviderStorageUninit,
    loadRootStorage,
    loadSignedStatement,
    Params,
    ProviderAttestation as TlbProviderAttestation,
    ProviderParams as TlbProviderParams,
    RevocationSubject as TlbRevocationSubject,
    storeAttestationStatement,
    storeInMsgBody,
    storeParams,
    storeJobParams,
    storeProviderStorage,
    storeProviderStorageUninit,
    storeRootStorage,
    storeSignedStatement,
    TimelockAction,
} from '../wrappers/generated/schema';
import {
    DEFAULT_JOB_PARAMS,
    jobParamsFromCell,
    paramsFromCell,
    paramsToCell,
    ProviderOffer,
    RevocationSubject,
    Root,
    RootParams,
    rootConfigToCell,
    TimelockActions,
} from '../wrappers/Root';
import { Provider, providerConfigToCell } from '../wrappers/Provider';
import { Errors, Op, ProviderState } from '../wrappers/constants';
import { bufferToBigint, readTextCell, textCell } from '../wrappers/common';
import {
    asKind,
    bitsHex,
    bitsToBigint,
    bufHex,
    decodeBody,
    decodeExact,
    dictKeys,
    encode,
    expectAddress,
    hex,
    isBounceBody,
    isEmptyBody,
    opOf,
    queryIdOf,
    sortedBigints,
} from './helpers/codec';
import {
    DAY,
    DEFAULT_OFFER,
    deployProtocol,
    HOUR,
    keyFromLabel,
    loadCode,
    makeStatement,
    MODEL,
    MODEL_2,
    POLICY,
    Protocol,
    registerProvider,
    registrationValue,
    sha256n,
    signedStatement,
    START_TIME,
    statementCell,
} from './helpers/fixtures';

// ---------------------------------------------------------------------------
// Shared values
// ---------------------------------------------------------------------------

const addr = (wc: number, byte: number) => new Address(wc, Buffer.alloc(32, byte));
const OWNER = addr(0, 0x11);
const ROOT = addr(0, 0x22);
const GOVERNANCE = addr(0, 0x33);
const GUARDIAN = addr(-1, 0x44); // a masterchain guardian is allowed
const TREASURY = addr(0, 0x55);
const NEW_GOVERNANCE = addr(0, 0x66);

/** Query ids below 2^53 (the generated codec's limit, see the last section). */
const QID = 0x1234_5678_9abcn;
const MAX_SAFE_QID = BigInt(Number.MAX_SAFE_INTEGER);

const PARAMS: RootParams & { jobs: NonNullable<RootParams['jobs']> } = {
    minStake: toNano('123.456789'),
    unbondingPeriod: 5 * DAY + 17,
    attestationMaxAge: 29 * DAY,
    timelockDelay: 3 * DAY,
    maxModels: 11,
    treasury: TREASURY,
    jobs: { ...DEFAULT_JOB_PARAMS, bondBps: 1234, keeperReward: 7n },
};

const VERIFIER = keyFromLabel('codec spec verifier');
const OPERATOR_KEY = sha256n('codec operator key');
const ENCRYPTION_KEY = sha256n('codec encryption key');

function sampleStatement(now = START_TIME) {
    const cell = statementCell(
        {
            root: ROOT,
            owner: OWNER,
            policyHash: POLICY,
            operatorKey: OPERATOR_KEY,
            encryptionKey: ENCRYPTION_KEY,
            issuedAt: now - 60,
            expiresAt: now + 6 * DAY,
        },
        now,
    );
    return { cell, signed: signedStatement(cell, VERIFIER), issuedAt: now - 60, expiresAt: now + 6 * DAY };
}

// ---------------------------------------------------------------------------
// Field comparisons (generated representation vs wrapper representation)
// ---------------------------------------------------------------------------

function expectParams(decoded: Params, expected: RootParams, label: string) {
    expect({ label, ...decodedParams(decoded) }).toEqual({ label, ...expected, treasury: expected.treasury.toString() });
    expectAddress(decoded.treasury, expected.treasury, `${label}.treasury`);
}

function decodedParams(d: Params) {
    return {
        minStake: d.min_stake.grams,
        unbondingPeriod: d.unbonding_period,
        attestationMaxAge: d.attestation_max_age,
        timelockDelay: d.timelock_delay,
        maxModels: d.max_models,
        treasury: d.treasury.toString(),
        jobs: jobParamsFromCell(encode(storeJobParams, d.jobs)),
    };
}

function expectOffer(decoded: { price_per_unit: { grams: bigint }; endpoint: Cell }, expected: ProviderOffer) {
    expect(decoded.price_per_unit.grams).toBe(expected.pricePerUnit);
    expect(readTextCell(decoded.endpoint)).toBe(expected.endpoint);
}

function expectSubject(decoded: TlbRevocationSubject, expected: RevocationSubject) {
    const view =
        decoded.kind === 'RevocationSubject_revoked_policy'
            ? { kind: 'policy', hash: bitsHex(decoded.policy_hash) }
            : decoded.kind === 'RevocationSubject_revoked_model'
              ? { kind: 'model', hash: bitsHex(decoded.model_hash) }
              : { kind: 'verifierKey', hash: bitsHex(decoded.key) };
    expect(view).toEqual({ kind: expected.kind, hash: hex(expected.hash) });
}

function attestationView(a: TlbProviderAttestation) {
    return {
        policyHash: bitsToBigint(a.policy_hash),
        operatorKey: bitsToBigint(a.operator_key),
        encryptionKey: bitsToBigint(a.encryption_key),
        verifierKey: bitsToBigint(a.verifier.key),
        attestedAt: a.attested_at,
        expiresAt: a.expires_at,
    };
}

function providerParamsView(pp: TlbProviderParams) {
    return { minStake: pp.min_stake.grams, unbondingPeriod: pp.unbonding_period, rootVersion: pp.root_version };
}

function actionView(a: TimelockAction) {
    switch (a.kind) {
        case 'TimelockAction_add_policy':
            return { kind: a.kind, hash: bitsHex(a.policy_hash), meta: a.meta.hash().toString('hex') };
        case 'TimelockAction_add_model':
            return { kind: a.kind, hash: bitsHex(a.model_hash), meta: a.meta.hash().toString('hex') };
        case 'TimelockAction_add_verifier_key':
            return { kind: a.kind, hash: bitsHex(a.key) };
        case 'TimelockAction_set_params':
            return { kind: a.kind, params: decodedParams(a.params) };
        case 'TimelockAction_upgrade_root_code':
            return { kind: a.kind, code: a.code.hash().toString('hex') };
        case 'TimelockAction_set_guardian':
            return { kind: a.kind, guardian: a.guardian.toString() };
    }
}

// ---------------------------------------------------------------------------
// 1. Wrapper bodies -> generated codec
// ---------------------------------------------------------------------------

describe('wrapper message builders decode with the generated codec', () => {
    it('register_provider: stake, signed statement, offer and model set', () => {
        const st = sampleStatement();
        const offer: ProviderOffer = { pricePerUnit: 987_654_321n, endpoint: 'https://gpu-7.example:8443/v1/chat' };
        const body = Root.registerProviderMessage({
            stake: toNano('250.5'),
            statement: st.signed,
            offer,
            models: [MODEL, MODEL_2],
            queryId: QID,
        });
        const d = asKind(decodeBody(body, 'register_provider'), 'InMsgBody_register_provider');
        expect(d.query_id).toBe(QID);
        expect(d.stake.grams).toBe(toNano('250.5'));
        expect(bitsHex(d.statement.verifier_key)).toBe(bufHex(VERIFIER.publicKey));
        expect(bitsHex(d.statement.signature)).toBe(bufHex(st.signed.beginParse().skip(256).loadBuffer(64)));
        expect(d.statement.statement.issued_at).toBe(st.issuedAt);
        expect(d.statement.statement.expires_at).toBe(st.expiresAt);
        expect(bitsHex(d.statement.statement.policy_hash)).toBe(hex(POLICY));
        expect(bitsHex(d.statement.statement.operator_key)).toBe(hex(OPERATOR_KEY));
        expect(bitsHex(d.statement.statement.encryption_key)).toBe(hex(ENCRYPTION_KEY));
        expectAddress(d.statement.statement.subject.root, ROOT, 'statement.subject.root');
        expectAddress(d.statement.statement.subject.owner, OWNER, 'statement.subject.owner');
        expectOffer(d.offer, offer);
        expect(dictKeys(d.models)).toEqual(sortedBigints([MODEL, MODEL_2]));
    });

    it('reattest_provider: the signed statement', () => {
        const st = sampleStatement(START_TIME + DAY);
        const d = asKind(decodeBody(Root.reattestProviderMessage(st.signed, QID), 'reattest_provider'), 'InMsgBody_reattest_provider');
        expect(d.query_id).toBe(QID);
        expect(encode(storeSignedStatement, d.statement).equals(st.signed)).toBe(true);
        expect(d.statement.statement.issued_at).toBe(st.issuedAt);
    });

    it('update_provider_models: the model set (and an empty set)', () => {
        const d = asKind(
            decodeBody(Root.updateProviderModelsMessage([MODEL_2, MODEL], QID), 'update_provider_models'),
            'InMsgBody_update_provider_models',
        );
        expect(d.query_id).toBe(QID);
        expect(dictKeys(d.models)).toEqual(sortedBigints([MODEL, MODEL_2]));
        const empty = asKind(decodeBody(Root.updateProviderModelsMessage([]), 'empty models'), 'InMsgBody_update_provider_models');
        expect(empty.models.size).toBe(0);
    });

    it.each<RevocationSubject>([
        { kind: 'policy', hash: POLICY },
        { kind: 'model', hash: MODEL },
        { kind: 'verifierKey', hash: bufferToBigint(VERIFIER.publicKey) },
    ])('check_provider: revocation subject $kind', (subject) => {
        const d = asKind(decodeBody(Root.checkProviderMessage(OWNER, subject, QID), 'check_provider'), 'InMsgBody_check_provider');
        expect(d.query_id).toBe(QID);
        expectAddress(d.owner, OWNER, 'check_provider.owner');
        expectSubject(d.subject, subject);
    });

    const newCode = beginCell().storeUint(0xdeadbeef, 32).storeRef(beginCell().storeUint(1, 1).endCell()).endCell();
    const meta = beginCell().storeStringTail('policy meta: tdx v2').storeRef(beginCell().storeUint(7, 8).endCell()).endCell();
    const actionCases: [string, Cell, ReturnType<typeof actionView>][] = [
        ['addPolicy (text meta)', TimelockActions.addPolicy(POLICY, 'cocoon tdx v2'), { kind: 'TimelockAction_add_policy', hash: hex(POLICY), meta: textCell('cocoon tdx v2').hash().toString('hex') }],
        ['addPolicy (cell meta)', TimelockActions.addPolicy(POLICY, meta), { kind: 'TimelockAction_add_policy', hash: hex(POLICY), meta: meta.hash().toString('hex') }],
        ['addModel (default meta)', TimelockActions.addModel(MODEL_2), { kind: 'TimelockAction_add_model', hash: hex(MODEL_2), meta: textCell('').hash().toString('hex') }],
        ['addVerifierKey', TimelockActions.addVerifierKey(sha256n('k')), { kind: 'TimelockAction_add_verifier_key', hash: hex(sha256n('k')) }],
        ['setParams', TimelockActions.setParams(PARAMS), { kind: 'TimelockAction_set_params', params: { ...PARAMS, treasury: TREASURY.toString() } }],
        ['upgradeRootCode', TimelockActions.upgradeRootCode(newCode), { kind: 'TimelockAction_upgrade_root_code', code: newCode.hash().toString('hex') }],
        ['setGuardian (masterchain)', TimelockActions.setGuardian(GUARDIAN), { kind: 'TimelockAction_set_guardian', guardian: GUARDIAN.toString() }],
    ];
    it.each(actionCases)('queue_change: TimelockActions.%s', (_name, action, expected) => {
        const d = asKind(decodeBody(Root.queueChangeMessage(action, QID), 'queue_change'), 'InMsgBody_queue_change');
        expect(d.query_id).toBe(QID);
        expect(actionView(d.action)).toEqual(expected);
        if (d.action.kind === 'TimelockAction_set_guardian') expectAddress(d.action.guardian, GUARDIAN, 'set_guardian');
        if (d.action.kind === 'TimelockAction_set_params') expectParams(d.action.params, PARAMS, 'set_params');
    });

    it.each([
        ['execute_change', Op.executeChange, 'InMsgBody_execute_change'],
        ['cancel_change', Op.cancelChange, 'InMsgBody_cancel_change'],
    ] as const)('changeIdMessage: %s', (_name, op, kind) => {
        const d = asKind(decodeBody(Root.changeIdMessage(op, 0xfffffffe, QID), kind), kind);
        expect(d.query_id).toBe(QID);
        expect(d.change_id).toBe(0xfffffffe);
    });

    it.each([
        ['revoke_policy', Op.revokePolicy, POLICY],
        ['revoke_model', Op.revokeModel, MODEL],
        ['revoke_verifier_key', Op.revokeVerifierKey, bufferToBigint(VERIFIER.publicKey)],
    ] as const)('revokeMessage: %s', (name, op, hash) => {
        const d = decodeBody(Root.revokeMessage(op, hash, QID), name);
        expect(d.kind).toBe(`InMsgBody_${name}`);
        const field =
            d.kind === 'InMsgBody_revoke_policy'
                ? d.policy_hash
                : d.kind === 'InMsgBody_revoke_model'
                  ? d.model_hash
                  : asKind(d, 'InMsgBody_revoke_verifier_key').key;
        expect(bitsHex(field)).toBe(hex(hash));
        expect((d as { query_id: bigint }).query_id).toBe(QID);
    });

    it.each([
        ['pause', Op.pause],
        ['unpause', Op.unpause],
        ['claim_governance', Op.claimGovernance],
        ['collect_root_excess', Op.collectRootExcess],
    ] as const)('Root.simpleMessage: %s', (name, op) => {
        for (const qid of [0n, QID, MAX_SAFE_QID]) {
            const d = decodeBody(Root.simpleMessage(op, qid), name);
            expect(d).toEqual({ kind: `InMsgBody_${name}`, query_id: qid });
        }
    });

    it('propose_governance: the new governance address', () => {
        const d = asKind(
            decodeBody(Root.proposeGovernanceMessage(NEW_GOVERNANCE, QID), 'propose_governance'),
            'InMsgBody_propose_governance',
        );
        expect(d.query_id).toBe(QID);
        expectAddress(d.new_governance, NEW_GOVERNANCE, 'propose_governance.new_governance');
    });

    it('Provider.topUpMessage: the amount (also zero and a large one)', () => {
        for (const amount of [0n, 1n, toNano('12.5'), 2n ** 120n - 1n]) {
            const d = asKind(decodeBody(Provider.topUpMessage(amount, QID), 'top_up'), 'InMsgBody_top_up');
            expect(d.query_id).toBe(QID);
            expect(d.amount.grams).toBe(amount);
        }
    });

    it('Provider.updateOfferMessage: price and endpoint', () => {
        const offer: ProviderOffer = { pricePerUnit: 42n, endpoint: 'x'.repeat(127) };
        const d = asKind(decodeBody(Provider.updateOfferMessage(offer, QID), 'update_offer'), 'InMsgBody_update_offer');
        expect(d.query_id).toBe(QID);
        expectOffer(d.offer, offer);
    });

    it.each([
        ['request_unbond', Op.requestUnbond],
        ['withdraw_stake', Op.withdrawStake],
    ] as const)('Provider.simpleMessage: %s', (name, op) => {
        const d = decodeBody(Provider.simpleMessage(op, QID), name);
        expect(d).toEqual({ kind: `InMsgBody_${name}`, query_id: QID });
    });
});

describe('wrapper storage and nested cells decode with the generated codec', () => {
    const providerCode = loadCode('Provider');
    const jobCode = loadCode('Job');
    const policyMeta = textCell('cocoon-tdx v1');
    const modelMeta = textCell('qwen3-8b');

    it('rootConfigToCell parses with loadRootStorage (every field)', () => {
        const keys = [bufferToBigint(VERIFIER.publicKey), sha256n('second verifier')];
        const data = rootConfigToCell({
            governance: GOVERNANCE,
            guardian: GUARDIAN,
            params: PARAMS,
            providerCode,
            jobCode,
            policies: new Map([[POLICY, policyMeta]]),
            models: new Map([
                [MODEL, modelMeta],
                [MODEL_2, textCell('llama')],
            ]),
            verifierKeys: keys,
        });
        const d = decodeExact(data, loadRootStorage, storeRootStorage, 'RootStorage');
        expect(d.version).toBe(0);
        expect(d.paused).toBe(false);
        expectAddress(d.governance, GOVERNANCE, 'governance');
        expectAddress(d.guardian, GUARDIAN, 'guardian');
        expectParams(d.params, PARAMS, 'params');
        expect(dictKeys(d.trust.policies)).toEqual([POLICY]);
        expect(d.trust.policies.get(POLICY)!.equals(policyMeta)).toBe(true);
        expect(dictKeys(d.trust.models)).toEqual(sortedBigints([MODEL, MODEL_2]));
        expect(d.trust.models.get(MODEL)!.equals(modelMeta)).toBe(true);
        expect(dictKeys(d.trust.verifier_keys)).toEqual(sortedBigints(keys));
        expect(d.admin.pending_governance).toEqual({ kind: 'Maybe_nothing' });
        expect(d.admin.next_change_id).toBe(0);
        expect(d.admin.pending_count).toBe(0);
        expect(d.admin.changes.size).toBe(0);
        expect(d.codes.provider_code.equals(providerCode)).toBe(true);
        expect(d.codes.job_code.equals(jobCode)).toBe(true);
    });

    it('an empty genesis (no allowlists) parses too', () => {
        const d = decodeExact(
            rootConfigToCell({ governance: GOVERNANCE, guardian: GUARDIAN, params: PARAMS, providerCode, jobCode }),
            loadRootStorage,
            storeRootStorage,
            'empty RootStorage',
        );
        expect([d.trust.policies.size, d.trust.models.size, d.trust.verifier_keys.size]).toEqual([0, 0, 0]);
    });

    it('paramsToCell parses with loadParams, and paramsFromCell reads what storeParams writes', () => {
        const d = decodeExact(paramsToCell(PARAMS), loadParams, storeParams, 'Params');
        expectParams(d, PARAMS, 'Params');
        const back = paramsFromCell(encode(storeParams, d));
        expect({ ...back, treasury: back.treasury.toString() }).toEqual({ ...PARAMS, treasury: TREASURY.toString() });
    });

    it('providerConfigToCell parses with loadProviderStorageUninit (state = uninit)', () => {
        const d = decodeExact(
            providerConfigToCell({ root: ROOT, owner: OWNER, jobCode }),
            loadProviderStorageUninit,
            storeProviderStorageUninit,
            'ProviderStorageUninit',
        );
        expectAddress(d.root, ROOT, 'root');
        expectAddress(d.owner, OWNER, 'owner');
        expect(d.state).toBe(ProviderState.uninit);
        // The schema's constraint { state = 0 } is enforced by the generated loader.
        const active = beginCell()
            .storeAddress(ROOT)
            .storeAddress(OWNER)
            .storeUint(ProviderState.active, 4)
            .storeBuffer(jobCode.hash())
            .storeUint(jobCode.depth(), 16)
            .endCell();
        expect(() => loadProviderStorageUninit(active.beginParse())).toThrow(/state == 0/);
    });

    it("fixtures' statementCell / signedStatement parse with loadAttestationStatement / loadSignedStatement", () => {
        const st = sampleStatement();
        const a = decodeExact(st.cell, loadAttestationStatement, storeAttestationStatement, 'AttestationStatement');
        expect([a.issued_at, a.expires_at]).toEqual([st.issuedAt, st.expiresAt]);
        expect([bitsHex(a.policy_hash), bitsHex(a.operator_key), bitsHex(a.encryption_key)]).toEqual([
            hex(POLICY),
            hex(OPERATOR_KEY),
            hex(ENCRYPTION_KEY),
        ]);
        expectAddress(a.subject.root, ROOT, 'subject.root');
        expectAddress(a.subject.owner, OWNER, 'subject.owner');

        const s = decodeExact(st.signed, loadSignedStatement, storeSignedStatement, 'SignedStatement');
        expect(bitsHex(s.verifier_key)).toBe(bufHex(VERIFIER.publicKey));
        expect(s.signature.length).toBe(512);
        expect(encode(storeAttestationStatement, s.statement).hash().equals(st.cell.hash())).toBe(true);

        // A statement with another tag is not an AttestationStatement.
        const wrongTag = statementCell({ root: ROOT, owner: OWNER, tag: 0x12345678 }, START_TIME);
        expect(() => loadAttestationStatement(wrongTag.beginParse())).toThrow(/AttestationStatement/);
    });
});

// ---------------------------------------------------------------------------
// 2. What the contracts send and store -> generated codec
// ---------------------------------------------------------------------------

type Sent = { step: string; from: Address; to: Address; body: Cell; bounced: boolean };
type Decoded = { step: string; from: Address; to: Address; body: InMsgBody; cell: Cell };

describe('bodies and storage of the contracts decode with the generated codec', () => {
    let p: Protocol;
    let owner: SandboxContract<TreasuryContract>;
    let keeper: SandboxContract<TreasuryContract>;
    let stranger: SandboxContract<TreasuryContract>;
    let newGovernance: SandboxContract<TreasuryContract>;
    let provider: SandboxContract<Provider>;
    const sent: Sent[] = [];
    let externalOut = 0;
    const decoded: Decoded[] = [];
    const byKind = (kind: InMsgBody['kind'], step?: string) =>
        decoded.filter((d) => d.body.kind === kind && (step === undefined || d.step === step));

    // What the flow sends, to compare with what the root forwards.
    const stake = toNano('150');
    const topUp = toNano('7');
    const offer2: ProviderOffer = { pricePerUnit: toNano('0.000003'), endpoint: 'https://gpu-2.example/v2' };
    const rotatedKey = sha256n('rotated operator key');
    const rotatedEnc = sha256n('rotated encryption key');
    const queuedKey = sha256n('queued verifier key');
    let registeredAt = 0;
    let reattestedAt = 0;
    let versionAtRegistration = -1;
    let versionAtModels = -1;
    let providerStorageMidFlow: Cell | undefined;
    let providerGettersMidFlow: Awaited<ReturnType<typeof providerGetters>> | undefined;

    function collect(step: string, txs: BlockchainTransaction[]) {
        for (const tx of txs) {
            for (const msg of tx.outMessages.values()) {
                if (msg.info.type !== 'internal') {
                    externalOut++;
                    continue;
                }
                sent.push({ step, from: msg.info.src, to: msg.info.dest, body: msg.body, bounced: msg.info.bounced });
            }
        }
    }

    async function providerGetters() {
        return {
            data: await provider.getProviderData(),
            attestation: await provider.getAttestation(),
            offer: await provider.getOffer(),
            models: sortedBigints(await provider.getModels()),
            params: await provider.getProviderParams(),
        };
    }

    async function dataOf(address: Address): Promise<Cell> {
        const state = (await p.blockchain.getContract(address)).accountState;
        if (!state || state.type !== 'active' || !state.state.data) throw new Error(`no active state at ${address}`);
        return state.state.data;
    }

    beforeAll(async () => {
        p = await deployProtocol();
        owner = await p.blockchain.treasury('codec operator');
        keeper = await p.blockchain.treasury('codec keeper');
        stranger = await p.blockchain.treasury('codec stranger');
        newGovernance = await p.blockchain.treasury('codec new governance');
        const required = await p.root.getRequiredValues();
        const margin = toNano('0.05');
        const gov = p.governance.getSender();
        const rootSend = async (step: string, from: SandboxContract<TreasuryContract>, value: bigint, body: Cell) =>
            collect(step, (await p.root.sendBody(from.getSender(), value, body)).transactions);

        // Registration.
        registeredAt = p.blockchain.now!;
        versionAtRegistration = (await p.root.getRootData()).version;
        await rootSend(
            'register',
            owner,
            await registrationValue(p, stake),
            Root.registerProviderMessage({
                stake,
                statement: makeStatement(p, { owner: owner.address }),
                offer: DEFAULT_OFFER,
                models: [MODEL],
                queryId: 101n,
            }),
        );
        provider = p.blockchain.openContract(Provider.createFromConfig({ root: p.root.address, owner: owner.address, jobCode: p.jobCode }, p.providerCode));
        expect((await provider.getProviderData()).state).toBe(ProviderState.active);

        // Owner operations on the provider.
        collect('top_up', (await provider.sendBody(owner.getSender(), topUp + margin, Provider.topUpMessage(topUp, 102n))).transactions);
        collect('update_offer', (await provider.sendBody(owner.getSender(), margin, Provider.updateOfferMessage(offer2, 103n))).transactions);

        // Through the root.
        p.blockchain.now! += HOUR;
        reattestedAt = p.blockchain.now!;
        await rootSend(
            'reattest',
            owner,
            required.reattestProvider + margin,
            Root.reattestProviderMessage(
                makeStatement(p, { owner: owner.address, operatorKey: rotatedKey, encryptionKey: rotatedEnc }),
                104n,
            ),
        );
        versionAtModels = (await p.root.getRootData()).version;
        await rootSend('update_models', owner, required.updateProviderModels + margin, Root.updateProviderModelsMessage([MODEL, MODEL_2], 105n));
        await rootSend(
            'duplicate_register',
            owner,
            await registrationValue(p, stake),
            Root.registerProviderMessage({
                stake,
                statement: makeStatement(p, { owner: owner.address }),
                offer: DEFAULT_OFFER,
                models: [MODEL],
                queryId: 106n,
            }),
        );

        // Governance (each answers with excesses), then a revocation check.
        collect('revoke_model', (await p.root.sendBody(gov, required.governanceOp + margin, Root.revokeMessage(Op.revokeModel, MODEL_2, 107n))).transactions);
        await rootSend('check_provider', keeper, required.checkProvider + margin, Root.checkProviderMessage(owner.address, { kind: 'model', hash: MODEL_2 }, 108n));
        await rootSend(
            'check_unregistered',
            keeper,
            required.checkProvider + margin,
            Root.checkProviderMessage(stranger.address, { kind: 'model', hash: MODEL_2 }, 109n),
        );
        await rootSend('pause_by_stranger', stranger, required.governanceOp + margin, Root.simpleMessage(Op.pause, 110n)); // bounces
        collect('queue_change', (await p.root.sendBody(gov, required.governanceOp + margin, Root.queueChangeMessage(TimelockActions.addVerifierKey(queuedKey), 111n))).transactions);
        collect('propose_governance', (await p.root.sendBody(gov, required.governanceOp + margin, Root.proposeGovernanceMessage(newGovernance.address, 112n))).transactions);
        collect('collect_root_excess', (await p.root.sendBody(gov, required.governanceOp + margin, Root.simpleMessage(Op.collectRootExcess, 113n))).transactions);

        providerStorageMidFlow = await dataOf(provider.address);
        providerGettersMidFlow = await providerGetters();

        // Unbond and withdraw.
        collect('request_unbond', (await provider.sendBody(owner.getSender(), margin, Provider.simpleMessage(Op.requestUnbond, 114n))).transactions);
        p.blockchain.now! += p.params.unbondingPeriod;
        collect('withdraw_stake', (await provider.sendBody(owner.getSender(), margin, Provider.simpleMessage(Op.withdrawStake, 115n))).transactions);
        expect((await provider.getProviderData()).state).toBe(ProviderState.exited);

        // Decode every body (the checks below report failures with the step).
        for (const m of sent) {
            if (m.bounced || isBounceBody(m.body) || isEmptyBody(m.body)) continue;
            try {
                decoded.push({ step: m.step, from: m.from, to: m.to, body: loadInMsgBody(m.body.beginParse()), cell: m.body });
            } catch {
                // reported by the test 'every outbound body ...'
            }
        }
    });

    it('every outbound internal body decodes with loadInMsgBody and is consumed whole (bounces excepted)', () => {
        const failures: string[] = [];
        let checked = 0;
        for (const m of sent) {
            const where = `step ${m.step}: ${m.from} -> ${m.to}, op 0x${(opOf(m.body) ?? 0).toString(16)}`;
            if (m.bounced || isBounceBody(m.body)) {
                if (!(m.bounced && isBounceBody(m.body))) failures.push(`${where}: bounced flag and 0xffffffff prefix disagree`);
                continue;
            }
            if (isEmptyBody(m.body)) {
                // A plain transfer; only wallets send those, never the protocol's contracts.
                if (m.from.equals(p.root.address) || m.from.equals(provider.address)) failures.push(`${where}: empty body from a contract`);
                continue;
            }
            try {
                decodeBody(m.body, where);
                checked++;
            } catch (e) {
                failures.push((e as Error).message); // decodeBody prefixes it with `where`
            }
        }
        expect(failures).toEqual([]);
        expect(externalOut).toBe(0);
        expect(checked).toBeGreaterThanOrEqual(30);
        // The flow really exercised the bounce exception.
        expect(sent.filter((m) => m.bounced && m.step === 'pause_by_stranger')).toHaveLength(1);
    });

    it('the flow produced every notification and root -> provider message kind', () => {
        const kinds = new Set(decoded.map((d) => d.body.kind));
        for (const k of [
            'InMsgBody_register_provider',
            'InMsgBody_provider_init',
            'InMsgBody_provider_registered',
            'InMsgBody_top_up',
            'InMsgBody_update_offer',
            'InMsgBody_reattest_provider',
            'InMsgBody_provider_reattest',
            'InMsgBody_update_provider_models',
            'InMsgBody_provider_set_models',
            'InMsgBody_request_refused',
            'InMsgBody_revoke_model',
            'InMsgBody_check_provider',
            'InMsgBody_provider_revoke',
            'InMsgBody_queue_change',
            'InMsgBody_propose_governance',
            'InMsgBody_collect_root_excess',
            'InMsgBody_excesses',
            'InMsgBody_request_unbond',
            'InMsgBody_withdraw_stake',
            'InMsgBody_stake_withdrawn',
        ] as const) {
            expect({ kind: k, seen: kinds.has(k) }).toEqual({ kind: k, seen: true });
        }
        // Direction: what the root and the provider send.
        const rootSends = new Set(decoded.filter((d) => d.from.equals(p.root.address)).map((d) => d.body.kind));
        const providerSends = new Set(decoded.filter((d) => d.from.equals(provider.address)).map((d) => d.body.kind));
        expect([...rootSends].sort()).toEqual(
            ['InMsgBody_excesses', 'InMsgBody_provider_init', 'InMsgBody_provider_reattest', 'InMsgBody_provider_revoke', 'InMsgBody_provider_set_models'].sort(),
        );
        expect([...providerSends].sort()).toEqual(
            ['InMsgBody_excesses', 'InMsgBody_keeper_reward', 'InMsgBody_provider_registered', 'InMsgBody_request_refused', 'InMsgBody_stake_withdrawn'].sort(),
        );
        // Every notification echoes the query id of the request that caused it.
        const qidOfStep: Record<string, bigint> = {
            register: 101n, top_up: 102n, update_offer: 103n, reattest: 104n, update_models: 105n, duplicate_register: 106n,
            revoke_model: 107n, check_provider: 108n, check_unregistered: 109n, pause_by_stranger: 110n, queue_change: 111n, propose_governance: 112n,
            collect_root_excess: 113n, request_unbond: 114n, withdraw_stake: 115n,
        };
        for (const d of decoded) {
            expect({ step: d.step, kind: d.body.kind, query_id: (d.body as { query_id: bigint }).query_id }).toEqual({
                step: d.step,
                kind: d.body.kind,
                query_id: qidOfStep[d.step],
            });
        }
    });

    it('provider_init carries the stake, the checked attestation, offer, models and the params snapshot', () => {
        const [m] = byKind('InMsgBody_provider_init', 'register');
        const d = asKind(m.body, 'InMsgBody_provider_init');
        expect(d.stake.grams).toBe(stake);
        expect(attestationView(d.attestation)).toEqual({
            policyHash: POLICY,
            operatorKey: sha256n('operator key'),
            encryptionKey: sha256n('encryption key'),
            verifierKey: bufferToBigint(p.verifier.publicKey),
            attestedAt: registeredAt,
            expiresAt: registeredAt + 7 * DAY,
        });
        expectOffer(d.offer, DEFAULT_OFFER);
        expect(dictKeys(d.models)).toEqual([MODEL]);
        expect(providerParamsView(d.params)).toEqual({
            minStake: p.params.minStake,
            unbondingPeriod: p.params.unbondingPeriod,
            rootVersion: versionAtRegistration,
        });
        const [reg] = byKind('InMsgBody_provider_registered', 'register');
        expect(asKind(reg.body, 'InMsgBody_provider_registered').stake.grams).toBe(stake);
        expectAddress(reg.to, owner.address, 'provider_registered.to');
    });

    it('provider_reattest carries the new keys and the params snapshot', () => {
        const [m] = byKind('InMsgBody_provider_reattest', 'reattest');
        const d = asKind(m.body, 'InMsgBody_provider_reattest');
        expect(attestationView(d.attestation)).toEqual({
            policyHash: POLICY,
            operatorKey: rotatedKey,
            encryptionKey: rotatedEnc,
            verifierKey: bufferToBigint(p.verifier.publicKey),
            attestedAt: reattestedAt,
            expiresAt: reattestedAt + 7 * DAY,
        });
        expect(providerParamsView(d.params)).toEqual({
            minStake: p.params.minStake,
            unbondingPeriod: p.params.unbondingPeriod,
            rootVersion: versionAtRegistration,
        });
    });

    it('provider_set_models carries the model set and the params snapshot', () => {
        const [m] = byKind('InMsgBody_provider_set_models', 'update_models');
        const d = asKind(m.body, 'InMsgBody_provider_set_models');
        expect(dictKeys(d.models)).toEqual(sortedBigints([MODEL, MODEL_2]));
        expect(providerParamsView(d.params)).toEqual({
            minStake: p.params.minStake,
            unbondingPeriod: p.params.unbondingPeriod,
            rootVersion: versionAtModels,
        });
    });

    it('provider_revoke carries the subject and the keeper; refusals carry the error code', () => {
        const [m] = byKind('InMsgBody_provider_revoke', 'check_provider');
        const d = asKind(m.body, 'InMsgBody_provider_revoke');
        expectSubject(d.subject, { kind: 'model', hash: MODEL_2 });
        expectAddress(d.keeper, keeper.address, 'provider_revoke.keeper');
        expectAddress(m.to, provider.address, 'provider_revoke.to');
        const [ex] = byKind('InMsgBody_keeper_reward', 'check_provider');
        expectAddress(ex.to, keeper.address, 'check_provider keeper_reward.to');

        const [dup] = byKind('InMsgBody_request_refused', 'duplicate_register');
        expect(asKind(dup.body, 'InMsgBody_request_refused').error).toBe(Errors.alreadyRegistered);
        expectAddress(dup.to, owner.address, 'duplicate refusal.to');
        const [unreg] = byKind('InMsgBody_request_refused', 'check_unregistered');
        expect(asKind(unreg.body, 'InMsgBody_request_refused').error).toBe(Errors.notRegistered);
        expectAddress(unreg.to, keeper.address, 'unregistered refusal.to');

        const [w] = byKind('InMsgBody_stake_withdrawn', 'withdraw_stake');
        // The revocation check paid the keeper keeper_reward out of the stake.
        expect(asKind(w.body, 'InMsgBody_stake_withdrawn').amount.grams).toBe(stake + topUp - DEFAULT_JOB_PARAMS.keeperReward);
        const [sweep] = byKind('InMsgBody_excesses', 'collect_root_excess');
        expectAddress(sweep.to, p.treasury.address, 'collect_root_excess.to');
    });

    function expectProviderStorage(data: Cell, g: Awaited<ReturnType<typeof providerGetters>>, label: string) {
        const s = decodeExact(data, loadProviderStorage, storeProviderStorage, label);
        expectAddress(s.root, g.data.root, `${label}.root`);
        expectAddress(s.owner, g.data.owner, `${label}.owner`);
        expect({ label, state: s.state, stake: s.stake.grams, revoked: s.revoked, unbondAt: s.unbond_at }).toEqual({
            label,
            state: g.data.state,
            stake: g.data.stake,
            revoked: g.data.revoked,
            unbondAt: g.data.unbondAt,
        });
        expect(attestationView(s.attestation)).toEqual(g.attestation);
        expect({ pricePerUnit: s.book.offer.price_per_unit.grams, endpoint: readTextCell(s.book.offer.endpoint) }).toEqual(g.offer);
        expect(dictKeys(s.models)).toEqual(g.models);
        expect(providerParamsView(s.params)).toEqual(g.params);
        return s;
    }

    it('provider storage (active, mid-flow) decodes with loadProviderStorage, equal to the getters', () => {
        const s = expectProviderStorage(providerStorageMidFlow!, providerGettersMidFlow!, 'provider storage (active)');
        expect(s.state).toBe(ProviderState.active);
        expect(s.stake.grams).toBe(stake + topUp - DEFAULT_JOB_PARAMS.keeperReward);
        expect(dictKeys(s.models)).toEqual([MODEL]); // MODEL_2 removed by the revocation
        expect(bitsToBigint(s.attestation.operator_key)).toBe(rotatedKey);
        expect(readTextCell(s.book.offer.endpoint)).toBe(offer2.endpoint);
    });

    it('provider storage (exited, final) decodes with loadProviderStorage, equal to the getters', async () => {
        const s = expectProviderStorage(await dataOf(provider.address), await providerGetters(), 'provider storage (exited)');
        expect(s.state).toBe(ProviderState.exited);
        expect(s.stake.grams).toBe(0n);
    });

    it('root storage decodes with loadRootStorage, equal to the getters', async () => {
        const r = decodeExact(await dataOf(p.root.address), loadRootStorage, storeRootStorage, 'root storage');
        const data = await p.root.getRootData();
        expect({ version: r.version, paused: r.paused, next: r.admin.next_change_id, pending: r.admin.pending_count }).toEqual({
            version: data.version,
            paused: data.paused,
            next: data.nextChangeId,
            pending: data.pendingCount,
        });
        expect(data.version).toBe(versionAtModels + 1); // revoke_model bumped it
        expectAddress(r.governance, data.governance, 'governance');
        expectAddress(r.guardian, data.guardian, 'guardian');
        expect(r.admin.pending_governance.kind).toBe('Maybe_just');
        if (r.admin.pending_governance.kind === 'Maybe_just') {
            expectAddress(r.admin.pending_governance.value, data.pendingGovernance!, 'pending_governance');
            expectAddress(r.admin.pending_governance.value, newGovernance.address, 'pending_governance');
        }
        expectParams(r.params, await p.root.getParams(), 'root params');

        for (const k of dictKeys(r.trust.policies)) expect({ policy: hex(k), allowed: await p.root.getPolicyAllowed(k) }).toEqual({ policy: hex(k), allowed: true });
        expect(dictKeys(r.trust.policies)).toEqual([POLICY]);
        expect(r.trust.policies.get(POLICY)!.equals((await p.root.getPolicyMeta(POLICY))!)).toBe(true);
        expect(dictKeys(r.trust.models)).toEqual([MODEL]);
        expect(await p.root.getModelAllowed(MODEL_2)).toBe(false);
        expect(r.trust.models.get(MODEL)!.equals((await p.root.getModelMeta(MODEL))!)).toBe(true);
        expect(dictKeys(r.trust.verifier_keys)).toEqual([bufferToBigint(p.verifier.publicKey)]);
        expect(await p.root.getVerifierTrusted(bufferToBigint(p.verifier.publicKey))).toBe(true);

        expect(dictKeys(r.admin.changes)).toEqual([0]);
        const change = r.admin.changes.get(0)!;
        const viaGetter = (await p.root.getChange(0))!;
        expect(change.eta).toBe(viaGetter.eta);
        expect(actionView(change.action)).toEqual({ kind: 'TimelockAction_add_verifier_key', hash: hex(queuedKey) });
        expect(encode((a: TimelockAction) => (b) => storeInMsgBody({ kind: 'InMsgBody_queue_change', query_id: 0n, action: a })(b), change.action).refs[0].equals(viaGetter.action)).toBe(true);

        expect(r.codes.provider_code.equals(await p.root.getProviderCode())).toBe(true);
        expect(r.codes.provider_code.equals(p.providerCode)).toBe(true);
        expect(r.codes.job_code.equals(p.jobCode)).toBe(true);
    });
});

// ---------------------------------------------------------------------------
// 3. 64-bit fields
// ---------------------------------------------------------------------------

/*
 * tlb-codegen types every field of <= 64 bits as a JS number, which cannot
 * hold a uint64 above 2^53 (@ton/core's Slice.loadUint throws there).
 * tools/build.ts therefore widens every field that is uint64 throughout the
 * schema (query_id included) to bigint, read with loadUintBig(64). These
 * tests pin that: the generated codec, the wrappers and the contracts all
 * carry a query id over the whole uint64 range exactly.
 */
describe('64-bit fields in the generated codec (query_id:uint64 is a bigint)', () => {
    const EDGE = [0n, 1n, 2n ** 32n + 7n, MAX_SAFE_QID, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n + 12345n, 2n ** 64n - 1n];

    it('decodes every query id over the uint64 range exactly', () => {
        for (const qid of EDGE) {
            const body = Root.simpleMessage(Op.pause, qid);
            const d = decodeBody(body, `query_id ${qid}`);
            expect((d as { query_id: bigint }).query_id).toBe(qid);
        }
    });

    it('encodes every query id over the uint64 range exactly', () => {
        for (const qid of EDGE) {
            const cell = encode(storeInMsgBody, { kind: 'InMsgBody_pause', query_id: qid } as InMsgBody);
            expect(queryIdOf(cell)).toBe(qid);
            expect(cell.equals(Root.simpleMessage(Op.pause, qid))).toBe(true);
        }
    });

    it("the wrappers' bigint query_id path is exact over the whole uint64 range", () => {
        const st = sampleStatement();
        const q = 2n ** 64n - 1n;
        const bodies: [string, Cell][] = [
            ['register_provider', Root.registerProviderMessage({ stake: 1n, statement: st.signed, offer: DEFAULT_OFFER, models: [MODEL], queryId: q })],
            ['reattest_provider', Root.reattestProviderMessage(st.signed, q)],
            ['update_provider_models', Root.updateProviderModelsMessage([MODEL], q)],
            ['check_provider', Root.checkProviderMessage(OWNER, { kind: 'policy', hash: POLICY }, q)],
            ['queue_change', Root.queueChangeMessage(TimelockActions.addVerifierKey(1n), q)],
            ['execute_change', Root.changeIdMessage(Op.executeChange, 1, q)],
            ['revoke_policy', Root.revokeMessage(Op.revokePolicy, POLICY, q)],
            ['pause', Root.simpleMessage(Op.pause, q)],
            ['propose_governance', Root.proposeGovernanceMessage(NEW_GOVERNANCE, q)],
            ['top_up', Provider.topUpMessage(1n, q)],
            ['update_offer', Provider.updateOfferMessage(DEFAULT_OFFER, q)],
            ['withdraw_stake', Provider.simpleMessage(Op.withdrawStake, q)],
        ];
        for (const [name, body] of bodies) expect({ name, qid: queryIdOf(body) }).toEqual({ name, qid: q });
    });

    it('the contracts echo a full 64-bit query id exactly (read with loadUintBig)', async () => {
        const p = await deployProtocol();
        const owner = await p.blockchain.treasury('codec big qid operator');
        const { provider } = await registerProvider(p, owner);
        const q1 = 2n ** 64n - 2n;
        const amount = toNano('1');
        const r1 = await provider.sendBody(owner.getSender(), amount + toNano('0.05'), Provider.topUpMessage(amount, q1));
        expect(r1.transactions).toHaveTransaction({
            from: provider.address,
            to: owner.address,
            op: Op.excesses,
            body: (b) => queryIdOf(b!) === q1,
        });
        const q2 = 2n ** 63n + 3n;
        const r2 = await p.root.sendBody(p.guardian.getSender(), toNano('0.1'), Root.simpleMessage(Op.pause, q2));
        expect(r2.transactions).toHaveTransaction({
            from: p.root.address,
            to: p.guardian.address,
            op: Op.excesses,
            body: (b) => queryIdOf(b!) === q2,
        });
        // ...and the generated codec reads these notifications exactly.
        const excess = r2.transactions.flatMap((t) => [...t.outMessages.values()]).find((m) => m.info.src?.toString() === p.root.address.toString())!;
        expect((loadInMsgBody(excess.body.beginParse()) as { query_id: bigint }).query_id).toBe(queryIdOf(excess.body));
    });
});

