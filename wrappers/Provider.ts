import { Address, beginCell, Cell, Contract, contractAddress, ContractProvider, Dictionary, Sender, SendMode } from '@ton/core';
import { Op, ProviderState } from './constants';
import { hashSetKeys, randomQueryId, readTextCell } from './common';
import { JobParams, jobParamsFromCell, offerToCell, ProviderOffer } from './Root';

export type ProviderConfig = { root: Address; owner: Address; jobCode: Cell };

/** The provider's state init data: (root, owner, state = uninit, job code hash and depth). Its address derives from it. */
export function providerConfigToCell(c: ProviderConfig): Cell {
    return beginCell()
        .storeAddress(c.root)
        .storeAddress(c.owner)
        .storeUint(ProviderState.uninit, 4)
        .storeBuffer(c.jobCode.hash())
        .storeUint(c.jobCode.depth(), 16)
        .endCell();
}

export type ProviderJobs = {
    /** Stake bonded to open jobs. */
    locked: bigint;
    openJobs: number;
    /** Slashed for equivocation: never eligible again. */
    tombstoned: boolean;
    completed: number;
    failed: number;
    /** Total slashed, nanoton. */
    slashed: bigint;
};

/** A provider's reward record for (pool, epoch) (TL-B RewardEntry). */
export type RewardEntry = {
    /** The pool's account hash with its low 32 bits zeroed (the key holds the epoch there). */
    poolPrefix: bigint;
    epoch: number;
    /** RewardEntryState: 0 pending, 1 reported, 2 counted. */
    state: number;
    /** Value settled (nanoton) in jobs stamped with this epoch. */
    work: bigint;
    /** Protocol fees held (pending) or forwarded with the report. */
    fees: bigint;
    /** The epoch's end (pending, reported) or when claims open (counted). */
    at: number;
};

export type ProviderRewards = { heldFees: bigint; entries: RewardEntry[] };

const rewardEntryValue = {
    serialize: (e: Omit<RewardEntry, 'poolPrefix' | 'epoch'>, b: import('@ton/core').Builder) => {
        b.storeUint(e.state, 2).storeCoins(e.work).storeCoins(e.fees).storeUint(e.at, 32);
    },
    parse: (s: import('@ton/core').Slice) => ({
        state: s.loadUint(2),
        work: s.loadCoins(),
        fees: s.loadCoins(),
        at: s.loadUint(32),
    }),
};

export type ProviderData = {
    state: number;
    stake: bigint;
    revoked: boolean;
    unbondAt: number;
    eligible: boolean;
    root: Address;
    owner: Address;
};

export type ProviderAttestation = {
    policyHash: bigint;
    operatorKey: bigint;
    encryptionKey: bigint;
    verifierKey: bigint;
    attestedAt: number;
    expiresAt: number;
};

export class Provider implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: { code: Cell; data: Cell },
    ) {}

    static createFromAddress(address: Address) {
        return new Provider(address);
    }

    /** The provider of `owner` under `root` (the same address the root derives). */
    static createFromConfig(config: ProviderConfig, code: Cell, workchain = 0) {
        const data = providerConfigToCell(config);
        const init = { code, data };
        return new Provider(contractAddress(workchain, init), init);
    }

    // ---- message bodies ----

    static topUpMessage(amount: bigint, queryId = 0n): Cell {
        return beginCell().storeUint(Op.topUp, 32).storeUint(queryId, 64).storeCoins(amount).endCell();
    }

    static updateOfferMessage(offer: ProviderOffer, queryId = 0n): Cell {
        return beginCell().storeUint(Op.updateOffer, 32).storeUint(queryId, 64).storeRef(offerToCell(offer)).endCell();
    }

    static simpleMessage(op: number, queryId = 0n): Cell {
        return beginCell().storeUint(op, 32).storeUint(queryId, 64).endCell();
    }

    /** Two different results signed by this provider's operator key for the same job and seq. */
    static reportEquivocationMessage(client: Address, nonce: bigint, first: Cell, second: Cell, queryId = 0n): Cell {
        return beginCell()
            .storeUint(Op.reportEquivocation, 32)
            .storeUint(queryId, 64)
            .storeAddress(client)
            .storeUint(nonce, 64)
            .storeRef(first)
            .storeRef(second)
            .endCell();
    }

    /** Anyone: report this provider's pending reward entries of `pool` whose epoch ended. */
    static reportRewardsMessage(pool: Address, queryId = 0n): Cell {
        return beginCell().storeUint(Op.reportRewards, 32).storeUint(queryId, 64).storeBuffer(pool.hash).endCell();
    }

    /** Owner: claim the counted reward entries of `pool` whose claims opened. */
    static claimRewardsMessage(pool: Address, queryId = 0n): Cell {
        return beginCell().storeUint(Op.claimRewards, 32).storeUint(queryId, 64).storeBuffer(pool.hash).endCell();
    }

    // ---- senders ----

    async sendBody(provider: ContractProvider, via: Sender, value: bigint, body: Cell) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
    }

    /** Adds `amount` to the stake; `value` must cover amount + fees. Anyone may top up. */
    async sendTopUp(provider: ContractProvider, via: Sender, value: bigint, amount: bigint) {
        await this.sendBody(provider, via, value, Provider.topUpMessage(amount, randomQueryId()));
    }

    async sendUpdateOffer(provider: ContractProvider, via: Sender, value: bigint, offer: ProviderOffer) {
        await this.sendBody(provider, via, value, Provider.updateOfferMessage(offer, randomQueryId()));
    }

    async sendRequestUnbond(provider: ContractProvider, via: Sender, value: bigint) {
        await this.sendBody(provider, via, value, Provider.simpleMessage(Op.requestUnbond, randomQueryId()));
    }

    async sendReportEquivocation(
        provider: ContractProvider,
        via: Sender,
        value: bigint,
        opts: { client: Address; nonce: bigint; first: Cell; second: Cell },
    ) {
        await this.sendBody(
            provider,
            via,
            value,
            Provider.reportEquivocationMessage(opts.client, opts.nonce, opts.first, opts.second, randomQueryId()),
        );
    }

    /** Reports finished epochs to `pool`; `value` ≥ getRewardRequiredValues().report, the rest comes back. */
    async sendReportRewards(provider: ContractProvider, via: Sender, value: bigint, pool: Address) {
        await this.sendBody(provider, via, value, Provider.reportRewardsMessage(pool, randomQueryId()));
    }

    /** Owner: claims counted epochs from `pool`; the pool pays the owner (reward_paid). */
    async sendClaimRewards(provider: ContractProvider, via: Sender, value: bigint, pool: Address) {
        await this.sendBody(provider, via, value, Provider.claimRewardsMessage(pool, randomQueryId()));
    }

    async sendWithdrawStake(provider: ContractProvider, via: Sender, value: bigint) {
        await this.sendBody(provider, via, value, Provider.simpleMessage(Op.withdrawStake, randomQueryId()));
    }

    // ---- getters ----

    /** Fees held for reward pools and every reward entry (pool prefix, epoch, state, work, fees, at). */
    async getRewards(provider: ContractProvider): Promise<ProviderRewards> {
        const r = (await provider.get('get_rewards', [])).stack;
        const heldFees = r.readBigNumber();
        const cell = r.readCellOpt();
        const entries: RewardEntry[] = [];
        if (cell) {
            const dict = Dictionary.loadDirect(Dictionary.Keys.BigUint(256), rewardEntryValue, cell);
            for (const [key, e] of dict) {
                entries.push({ poolPrefix: (key >> 32n) << 32n, epoch: Number(key & 0xffffffffn), ...e });
            }
        }
        return { heldFees, entries };
    }

    /** Minimum msg_value of report_rewards and claim_rewards. */
    async getRewardRequiredValues(provider: ContractProvider): Promise<{ report: bigint; claim: bigint }> {
        const r = (await provider.get('get_reward_required_values', [])).stack;
        return { report: r.readBigNumber(), claim: r.readBigNumber() };
    }

    async getProviderData(provider: ContractProvider): Promise<ProviderData> {
        const r = (await provider.get('get_provider_data', [])).stack;
        return {
            state: r.readNumber(),
            stake: r.readBigNumber(),
            revoked: r.readBoolean(),
            unbondAt: r.readNumber(),
            eligible: r.readBoolean(),
            root: r.readAddress(),
            owner: r.readAddress(),
        };
    }

    async getProviderJobs(provider: ContractProvider): Promise<ProviderJobs> {
        const r = (await provider.get('get_provider_jobs', [])).stack;
        return {
            locked: r.readBigNumber(),
            openJobs: r.readNumber(),
            tombstoned: r.readBoolean(),
            completed: r.readNumber(),
            failed: r.readNumber(),
            slashed: r.readBigNumber(),
        };
    }

    /** The JobParams snapshot the provider applies to the jobs it accepts. */
    async getJobParams(provider: ContractProvider): Promise<JobParams> {
        return jobParamsFromCell((await provider.get('get_job_params', [])).stack.readCell());
    }

    /** Minimum values of the owner entry points and of report_equivocation. */
    async getRequiredValues(
        provider: ContractProvider,
    ): Promise<{ ownerOp: bigint; topUp: bigint; reportEquivocation: bigint }> {
        const r = (await provider.get('get_required_values', [])).stack;
        return { ownerOp: r.readBigNumber(), topUp: r.readBigNumber(), reportEquivocation: r.readBigNumber() };
    }

    async getAttestation(provider: ContractProvider): Promise<ProviderAttestation> {
        const r = (await provider.get('get_attestation', [])).stack;
        return {
            policyHash: r.readBigNumber(),
            operatorKey: r.readBigNumber(),
            encryptionKey: r.readBigNumber(),
            verifierKey: r.readBigNumber(),
            attestedAt: r.readNumber(),
            expiresAt: r.readNumber(),
        };
    }

    async getOffer(provider: ContractProvider): Promise<ProviderOffer> {
        const r = (await provider.get('get_offer', [])).stack;
        return { pricePerUnit: r.readBigNumber(), endpoint: readTextCell(r.readCell()) };
    }

    async getModels(provider: ContractProvider): Promise<bigint[]> {
        return hashSetKeys((await provider.get('get_models', [])).stack.readCellOpt());
    }

    async getServesModel(provider: ContractProvider, modelHash: bigint): Promise<boolean> {
        return (await provider.get('serves_model', [{ type: 'int', value: modelHash }])).stack.readBoolean();
    }

    async getProviderParams(
        provider: ContractProvider,
    ): Promise<{ minStake: bigint; unbondingPeriod: number; rootVersion: number }> {
        const r = (await provider.get('get_provider_params', [])).stack;
        return { minStake: r.readBigNumber(), unbondingPeriod: r.readNumber(), rootVersion: r.readNumber() };
    }

    async getEligible(provider: ContractProvider): Promise<boolean> {
        return (await provider.get('is_eligible', [])).stack.readBoolean();
    }

    async getBalance(provider: ContractProvider): Promise<bigint> {
        return (await provider.getState()).balance;
    }
}
