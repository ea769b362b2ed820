import {
    Address,
    beginCell,
    Cell,
    Contract,
    contractAddress,
    ContractProvider,
    Sender,
    SendMode,
    TupleBuilder,
} from '@ton/core';
import { Action, Mode, Op, Revocation } from './constants';
import { hashSet, metaMap, randomQueryId, textCell } from './common';

/** Job terms the protocol imposes (fractions in basis points, durations in seconds). */
export type JobParams = {
    /** Bond locked per job: max(bondFloor, budget * bondBps / 10000). */
    bondBps: number;
    bondFloor: bigint;
    minJobDuration: number;
    maxJobDuration: number;
    /** After a result is submitted, the client may dispute for this long. */
    challengeWindow: number;
    /** Governance must rule on a dispute within this time, else the default applies. */
    arbitrationPeriod: number;
    /** A closing session waits this long for the provider's final claim. */
    sessionGrace: number;
    protocolFeeBps: number;
    slashClientBps: number;
    slashReporterBps: number;
    equivocationSlashBps: number;
    disputeSlashCapBps: number;
    keeperReward: bigint;
    /** Reward pool and its epoch schedule; when absent, protocol fees go to the treasury. */
    rewards?: RewardTerms;
};

/** Where protocol fees go: a RewardPool (basechain) and its epoch schedule. */
export type RewardTerms = { pool: Address; epochGenesis: number; epochLength: number };

export const DEFAULT_JOB_PARAMS: JobParams = {
    bondBps: 2000,
    bondFloor: 1_000_000_000n,
    minJobDuration: 60,
    maxJobDuration: 7 * 24 * 3600,
    challengeWindow: 3600,
    arbitrationPeriod: 3 * 24 * 3600,
    sessionGrace: 3600,
    protocolFeeBps: 250,
    slashClientBps: 5000,
    slashReporterBps: 1000,
    equivocationSlashBps: 5000,
    disputeSlashCapBps: 5000,
    keeperReward: 10_000_000n,
};

export function jobParamsToCell(j: JobParams): Cell {
    return beginCell()
        .storeUint(j.bondBps, 16)
        .storeCoins(j.bondFloor)
        .storeUint(j.minJobDuration, 32)
        .storeUint(j.maxJobDuration, 32)
        .storeUint(j.challengeWindow, 32)
        .storeUint(j.arbitrationPeriod, 32)
        .storeUint(j.sessionGrace, 32)
        .storeUint(j.protocolFeeBps, 16)
        .storeUint(j.slashClientBps, 16)
        .storeUint(j.slashReporterBps, 16)
        .storeUint(j.equivocationSlashBps, 16)
        .storeUint(j.disputeSlashCapBps, 16)
        .storeCoins(j.keeperReward)
        .storeMaybeBuilder(
            j.rewards
                ? beginCell()
                      .storeBuffer(j.rewards.pool.hash)
                      .storeUint(j.rewards.epochGenesis, 32)
                      .storeUint(j.rewards.epochLength, 32)
                : null,
        )
        .endCell();
}

export function jobParamsFromCell(c: Cell): JobParams {
    const s = c.beginParse();
    const j = {
        bondBps: s.loadUint(16),
        bondFloor: s.loadCoins(),
        minJobDuration: s.loadUint(32),
        maxJobDuration: s.loadUint(32),
        challengeWindow: s.loadUint(32),
        arbitrationPeriod: s.loadUint(32),
        sessionGrace: s.loadUint(32),
        protocolFeeBps: s.loadUint(16),
        slashClientBps: s.loadUint(16),
        slashReporterBps: s.loadUint(16),
        equivocationSlashBps: s.loadUint(16),
        disputeSlashCapBps: s.loadUint(16),
        keeperReward: s.loadCoins(),
    } as JobParams;
    if (s.loadBit()) {
        j.rewards = {
            pool: new Address(0, s.loadBuffer(32)),
            epochGenesis: s.loadUint(32),
            epochLength: s.loadUint(32),
        };
    }
    s.endParse();
    return j;
}

export type RootParams = {
    /** Minimum stake of an active provider, nanoton. */
    minStake: bigint;
    /** Seconds between request_unbond and withdraw_stake. */
    unbondingPeriod: number;
    /** Longest lifetime (expires_at - issued_at) of an attestation statement, seconds. */
    attestationMaxAge: number;
    /** Delay of every timelocked change, seconds. */
    timelockDelay: number;
    /** Most models one provider may serve. */
    maxModels: number;
    /** Receives protocol fees, slashed treasury parts and root excess. */
    treasury: Address;
    /** Job terms; DEFAULT_JOB_PARAMS when omitted. */
    jobs?: JobParams;
};

/** Genesis state of a root. Later additions of trust go through the timelock. */
export type RootConfig = {
    governance: Address;
    guardian: Address;
    params: RootParams;
    providerCode: Cell;
    jobCode: Cell;
    policies?: Map<bigint, Cell>;
    models?: Map<bigint, Cell>;
    verifierKeys?: bigint[];
    /** Accepted attestation modes (bits of Mode); Mode.statement when omitted. */
    attestationModes?: number;
    /** The quote verifier register_quote_provider is accepted from; none when omitted. */
    quoteVerifier?: Address | null;
};

export type ProviderOffer = { pricePerUnit: bigint; endpoint: string };

export type RevocationSubject =
    | { kind: 'policy'; hash: bigint }
    | { kind: 'model'; hash: bigint }
    | { kind: 'verifierKey'; hash: bigint };

export function paramsToCell(p: RootParams): Cell {
    return beginCell()
        .storeCoins(p.minStake)
        .storeUint(p.unbondingPeriod, 32)
        .storeUint(p.attestationMaxAge, 32)
        .storeUint(p.timelockDelay, 32)
        .storeUint(p.maxModels, 8)
        .storeAddress(p.treasury)
        .storeRef(jobParamsToCell(p.jobs ?? DEFAULT_JOB_PARAMS))
        .endCell();
}

export function paramsFromCell(c: Cell): RootParams {
    const s = c.beginParse();
    const p = {
        minStake: s.loadCoins(),
        unbondingPeriod: s.loadUint(32),
        attestationMaxAge: s.loadUint(32),
        timelockDelay: s.loadUint(32),
        maxModels: s.loadUint(8),
        treasury: s.loadAddress(),
        jobs: jobParamsFromCell(s.loadRef()),
    };
    s.endParse();
    return p;
}

export function offerToCell(o: ProviderOffer): Cell {
    return beginCell().storeCoins(o.pricePerUnit).storeRef(textCell(o.endpoint)).endCell();
}

export function rootConfigToCell(c: RootConfig): Cell {
    const trust = beginCell()
        .storeDict(metaMap(c.policies ?? new Map()))
        .storeDict(metaMap(c.models ?? new Map()))
        .storeDict(hashSet(c.verifierKeys ?? []))
        .storeUint(c.attestationModes ?? Mode.statement, 8)
        .storeMaybeBuilder(c.quoteVerifier ? beginCell().storeAddress(c.quoteVerifier) : null)
        .endCell();
    const admin = beginCell()
        .storeBit(false) // no pending governance
        .storeUint(0, 32) // next_change_id
        .storeUint(0, 8) // pending_count
        .storeDict(null)
        .endCell();
    return beginCell()
        .storeUint(0, 32) // version
        .storeBit(false) // paused
        .storeAddress(c.governance)
        .storeAddress(c.guardian)
        .storeRef(paramsToCell(c.params))
        .storeRef(trust)
        .storeRef(admin)
        .storeRef(beginCell().storeRef(c.providerCode).storeRef(c.jobCode).endCell())
        .endCell();
}

/** Builders of timelock actions (TL-B TimelockAction). */
export const TimelockActions = {
    addPolicy: (policyHash: bigint, meta: Cell | string = '') =>
        beginCell()
            .storeUint(Action.addPolicy, 8)
            .storeUint(policyHash, 256)
            .storeRef(typeof meta === 'string' ? textCell(meta) : meta)
            .endCell(),
    addModel: (modelHash: bigint, meta: Cell | string = '') =>
        beginCell()
            .storeUint(Action.addModel, 8)
            .storeUint(modelHash, 256)
            .storeRef(typeof meta === 'string' ? textCell(meta) : meta)
            .endCell(),
    addVerifierKey: (key: bigint) => beginCell().storeUint(Action.addVerifierKey, 8).storeUint(key, 256).endCell(),
    setParams: (params: RootParams) =>
        beginCell().storeUint(Action.setParams, 8).storeRef(paramsToCell(params)).endCell(),
    upgradeRootCode: (code: Cell) => beginCell().storeUint(Action.upgradeRootCode, 8).storeRef(code).endCell(),
    setGuardian: (guardian: Address) => beginCell().storeUint(Action.setGuardian, 8).storeAddress(guardian).endCell(),
    /** Which registrations the root accepts: bits of Mode (statement, quote). */
    setAttestationModes: (modes: number) => beginCell().storeUint(Action.setAttestationModes, 8).storeUint(modes, 8).endCell(),
    /** The quote verifier contract (whose owner must be this root). */
    setQuoteVerifier: (verifier: Address) => beginCell().storeUint(Action.setQuoteVerifier, 8).storeAddress(verifier).endCell(),
    /** Registers a PCK key (P-256 point) in the quote verifier when executed. */
    addPckKey: (key: { x: bigint; y: bigint }) =>
        beginCell().storeUint(Action.addPckKey, 8).storeUint(key.x, 256).storeUint(key.y, 256).endCell(),
};

export type AttestationConfig = {
    /** Bits of Mode. */
    modes: number;
    quoteVerifier: Address | null;
};

export type QuoteRequiredValues = {
    /** register_by_quote sent to the quote verifier, on top of the stake (verification gas included). */
    registerByQuote: bigint;
    /** revoke_pck_key, and execute_change of an add_pck_key change. */
    pckOp: bigint;
};

export type RootData = {
    version: number;
    paused: boolean;
    governance: Address;
    guardian: Address;
    pendingGovernance: Address | null;
    nextChangeId: number;
    pendingCount: number;
};

export type RequiredValues = {
    /** register_provider, on top of the stake. */
    registerProvider: bigint;
    reattestProvider: bigint;
    updateProviderModels: bigint;
    checkProvider: bigint;
    governanceOp: bigint;
    resolveDispute: bigint;
};

export type JobRequiredValues = {
    /** create_job, on top of the budget. */
    createJob: bigint;
    submitResult: bigint;
    claimSession: bigint;
    /** confirm_result, settle_job, expire_job. */
    closeJob: bigint;
    /** cancel_job, dispute_job, close_session. */
    clientOp: bigint;
};

export class Root implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: { code: Cell; data: Cell },
    ) {}

    static createFromAddress(address: Address) {
        return new Root(address);
    }

    static createFromConfig(config: RootConfig, code: Cell, workchain = 0) {
        const data = rootConfigToCell(config);
        const init = { code, data };
        return new Root(contractAddress(workchain, init), init);
    }

    // ---- message bodies (TL-B InMsgBody constructors) ----

    static registerProviderMessage(opts: {
        stake: bigint;
        statement: Cell;
        offer: ProviderOffer;
        models: bigint[];
        queryId?: bigint;
    }): Cell {
        return beginCell()
            .storeUint(Op.registerProvider, 32)
            .storeUint(opts.queryId ?? 0n, 64)
            .storeCoins(opts.stake)
            .storeRef(opts.statement)
            .storeRef(offerToCell(opts.offer))
            .storeDict(hashSet(opts.models))
            .endCell();
    }

    static reattestProviderMessage(statement: Cell, queryId = 0n): Cell {
        return beginCell().storeUint(Op.reattestProvider, 32).storeUint(queryId, 64).storeRef(statement).endCell();
    }

    static updateProviderModelsMessage(models: bigint[], queryId = 0n): Cell {
        return beginCell()
            .storeUint(Op.updateProviderModels, 32)
            .storeUint(queryId, 64)
            .storeDict(hashSet(models))
            .endCell();
    }

    static checkProviderMessage(owner: Address, subject: RevocationSubject, queryId = 0n): Cell {
        return beginCell()
            .storeUint(Op.checkProvider, 32)
            .storeUint(queryId, 64)
            .storeAddress(owner)
            .storeUint(Revocation[subject.kind], 2)
            .storeUint(subject.hash, 256)
            .endCell();
    }

    static queueChangeMessage(action: Cell, queryId = 0n): Cell {
        return beginCell().storeUint(Op.queueChange, 32).storeUint(queryId, 64).storeRef(action).endCell();
    }

    static changeIdMessage(op: number, changeId: number, queryId = 0n): Cell {
        return beginCell().storeUint(op, 32).storeUint(queryId, 64).storeUint(changeId, 32).endCell();
    }

    static revokeMessage(op: number, hash: bigint, queryId = 0n): Cell {
        return beginCell().storeUint(op, 32).storeUint(queryId, 64).storeUint(hash, 256).endCell();
    }

    static revokePckKeyMessage(x: bigint, queryId = 0n): Cell {
        return beginCell().storeUint(Op.revokePckKey, 32).storeUint(queryId, 64).storeUint(x, 256).endCell();
    }

    static simpleMessage(op: number, queryId = 0n): Cell {
        return beginCell().storeUint(op, 32).storeUint(queryId, 64).endCell();
    }

    static resolveDisputeMessage(
        client: Address,
        nonce: bigint,
        forClient: boolean,
        slash: bigint,
        queryId = 0n,
    ): Cell {
        return beginCell()
            .storeUint(Op.resolveDispute, 32)
            .storeUint(queryId, 64)
            .storeAddress(client)
            .storeUint(nonce, 64)
            .storeBit(forClient)
            .storeCoins(slash)
            .endCell();
    }

    static proposeGovernanceMessage(newGovernance: Address, queryId = 0n): Cell {
        return beginCell()
            .storeUint(Op.proposeGovernance, 32)
            .storeUint(queryId, 64)
            .storeAddress(newGovernance)
            .endCell();
    }

    // ---- senders ----

    async sendDeploy(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: beginCell().endCell() });
    }

    async sendBody(provider: ContractProvider, via: Sender, value: bigint, body: Cell) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
    }

    async sendRegisterProvider(
        provider: ContractProvider,
        via: Sender,
        value: bigint,
        opts: { stake: bigint; statement: Cell; offer: ProviderOffer; models: bigint[]; queryId?: bigint },
    ) {
        await this.sendBody(provider, via, value, Root.registerProviderMessage({ queryId: randomQueryId(), ...opts }));
    }

    async sendReattestProvider(provider: ContractProvider, via: Sender, value: bigint, statement: Cell) {
        await this.sendBody(provider, via, value, Root.reattestProviderMessage(statement, randomQueryId()));
    }

    async sendUpdateProviderModels(provider: ContractProvider, via: Sender, value: bigint, models: bigint[]) {
        await this.sendBody(provider, via, value, Root.updateProviderModelsMessage(models, randomQueryId()));
    }

    async sendCheckProvider(
        provider: ContractProvider,
        via: Sender,
        value: bigint,
        owner: Address,
        subject: RevocationSubject,
    ) {
        await this.sendBody(provider, via, value, Root.checkProviderMessage(owner, subject, randomQueryId()));
    }

    async sendQueueChange(provider: ContractProvider, via: Sender, value: bigint, action: Cell) {
        await this.sendBody(provider, via, value, Root.queueChangeMessage(action, randomQueryId()));
    }

    async sendExecuteChange(provider: ContractProvider, via: Sender, value: bigint, changeId: number) {
        await this.sendBody(provider, via, value, Root.changeIdMessage(Op.executeChange, changeId, randomQueryId()));
    }

    async sendCancelChange(provider: ContractProvider, via: Sender, value: bigint, changeId: number) {
        await this.sendBody(provider, via, value, Root.changeIdMessage(Op.cancelChange, changeId, randomQueryId()));
    }

    async sendRevokePolicy(provider: ContractProvider, via: Sender, value: bigint, policyHash: bigint) {
        await this.sendBody(provider, via, value, Root.revokeMessage(Op.revokePolicy, policyHash, randomQueryId()));
    }

    async sendRevokeModel(provider: ContractProvider, via: Sender, value: bigint, modelHash: bigint) {
        await this.sendBody(provider, via, value, Root.revokeMessage(Op.revokeModel, modelHash, randomQueryId()));
    }

    async sendRevokeVerifierKey(provider: ContractProvider, via: Sender, value: bigint, key: bigint) {
        await this.sendBody(provider, via, value, Root.revokeMessage(Op.revokeVerifierKey, key, randomQueryId()));
    }

    /** Revokes a PCK key in the quote verifier at once (governance or guardian). */
    async sendRevokePckKey(provider: ContractProvider, via: Sender, value: bigint, x: bigint) {
        await this.sendBody(provider, via, value, Root.revokePckKeyMessage(x, randomQueryId()));
    }

    async sendPause(provider: ContractProvider, via: Sender, value: bigint) {
        await this.sendBody(provider, via, value, Root.simpleMessage(Op.pause, randomQueryId()));
    }

    async sendUnpause(provider: ContractProvider, via: Sender, value: bigint) {
        await this.sendBody(provider, via, value, Root.simpleMessage(Op.unpause, randomQueryId()));
    }

    async sendProposeGovernance(provider: ContractProvider, via: Sender, value: bigint, newGovernance: Address) {
        await this.sendBody(provider, via, value, Root.proposeGovernanceMessage(newGovernance, randomQueryId()));
    }

    async sendClaimGovernance(provider: ContractProvider, via: Sender, value: bigint) {
        await this.sendBody(provider, via, value, Root.simpleMessage(Op.claimGovernance, randomQueryId()));
    }

    /** Governance's verdict on a disputed job (client, nonce): for the client with `slash`, or for the provider. */
    async sendResolveDispute(
        provider: ContractProvider,
        via: Sender,
        value: bigint,
        opts: { client: Address; nonce: bigint; forClient: boolean; slash?: bigint },
    ) {
        await this.sendBody(
            provider,
            via,
            value,
            Root.resolveDisputeMessage(opts.client, opts.nonce, opts.forClient, opts.slash ?? 0n, randomQueryId()),
        );
    }

    async sendCollectRootExcess(provider: ContractProvider, via: Sender, value: bigint) {
        await this.sendBody(provider, via, value, Root.simpleMessage(Op.collectRootExcess, randomQueryId()));
    }

    // ---- getters ----

    async getRootData(provider: ContractProvider): Promise<RootData> {
        const r = (await provider.get('get_root_data', [])).stack;
        return {
            version: r.readNumber(),
            paused: r.readBoolean(),
            governance: r.readAddress(),
            guardian: r.readAddress(),
            pendingGovernance: r.readAddressOpt(),
            nextChangeId: r.readNumber(),
            pendingCount: r.readNumber(),
        };
    }

    async getParams(provider: ContractProvider): Promise<RootParams> {
        const r = (await provider.get('get_params', [])).stack;
        const params = {
            minStake: r.readBigNumber(),
            unbondingPeriod: r.readNumber(),
            attestationMaxAge: r.readNumber(),
            timelockDelay: r.readNumber(),
            maxModels: r.readNumber(),
            treasury: r.readAddress(),
        };
        return { ...params, jobs: await this.getJobParams(provider) };
    }

    async getJobParams(provider: ContractProvider): Promise<JobParams> {
        return jobParamsFromCell((await provider.get('get_job_params', [])).stack.readCell());
    }

    async getJobCode(provider: ContractProvider): Promise<Cell> {
        return (await provider.get('get_job_code', [])).stack.readCell();
    }

    async getJobAddress(provider: ContractProvider, client: Address, nonce: bigint): Promise<Address> {
        const args = new TupleBuilder();
        args.writeAddress(client);
        args.writeNumber(nonce);
        return (await provider.get('get_job_address', args.build())).stack.readAddress();
    }

    async getJobRequiredValues(provider: ContractProvider): Promise<JobRequiredValues> {
        const r = (await provider.get('get_job_required_values', [])).stack;
        return {
            createJob: r.readBigNumber(),
            submitResult: r.readBigNumber(),
            claimSession: r.readBigNumber(),
            closeJob: r.readBigNumber(),
            clientOp: r.readBigNumber(),
        };
    }

    async getVersion(provider: ContractProvider): Promise<number> {
        return (await provider.get('get_version', [])).stack.readNumber();
    }

    private async getByHash(provider: ContractProvider, method: string, hash: bigint) {
        const args = new TupleBuilder();
        args.writeNumber(hash);
        return (await provider.get(method, args.build())).stack;
    }

    async getPolicyAllowed(provider: ContractProvider, policyHash: bigint): Promise<boolean> {
        return (await this.getByHash(provider, 'is_policy_allowed', policyHash)).readBoolean();
    }

    async getModelAllowed(provider: ContractProvider, modelHash: bigint): Promise<boolean> {
        return (await this.getByHash(provider, 'is_model_allowed', modelHash)).readBoolean();
    }

    async getVerifierTrusted(provider: ContractProvider, key: bigint): Promise<boolean> {
        return (await this.getByHash(provider, 'is_verifier_trusted', key)).readBoolean();
    }

    async getPolicyMeta(provider: ContractProvider, policyHash: bigint): Promise<Cell | null> {
        return (await this.getByHash(provider, 'get_policy_meta', policyHash)).readCellOpt();
    }

    async getModelMeta(provider: ContractProvider, modelHash: bigint): Promise<Cell | null> {
        return (await this.getByHash(provider, 'get_model_meta', modelHash)).readCellOpt();
    }

    async getChange(
        provider: ContractProvider,
        changeId: number,
    ): Promise<{ eta: number; action: Cell } | null> {
        const args = new TupleBuilder();
        args.writeNumber(changeId);
        const r = (await provider.get('get_change', args.build())).stack;
        const found = r.readBoolean();
        const eta = r.readNumber();
        const action = r.readCellOpt();
        return found && action ? { eta, action } : null;
    }

    async getProviderAddress(provider: ContractProvider, owner: Address): Promise<Address> {
        const args = new TupleBuilder();
        args.writeAddress(owner);
        return (await provider.get('get_provider_address', args.build())).stack.readAddress();
    }

    async getProviderCode(provider: ContractProvider): Promise<Cell> {
        return (await provider.get('get_provider_code', [])).stack.readCell();
    }

    async getRequiredValues(provider: ContractProvider): Promise<RequiredValues> {
        const r = (await provider.get('get_required_values', [])).stack;
        return {
            registerProvider: r.readBigNumber(),
            reattestProvider: r.readBigNumber(),
            updateProviderModels: r.readBigNumber(),
            checkProvider: r.readBigNumber(),
            governanceOp: r.readBigNumber(),
            resolveDispute: r.readBigNumber(),
        };
    }

    async getAttestationConfig(provider: ContractProvider): Promise<AttestationConfig> {
        const r = (await provider.get('get_attestation_config', [])).stack;
        return { modes: r.readNumber(), quoteVerifier: r.readAddressOpt() };
    }

    async getQuoteRequiredValues(provider: ContractProvider): Promise<QuoteRequiredValues> {
        const r = (await provider.get('get_quote_required_values', [])).stack;
        return { registerByQuote: r.readBigNumber(), pckOp: r.readBigNumber() };
    }

    async getBalance(provider: ContractProvider): Promise<bigint> {
        return (await provider.getState()).balance;
    }
}

