import {
    Address,
    beginCell,
    Builder,
    Cell,
    Contract,
    contractAddress,
    ContractProvider,
    Dictionary,
    Sender,
    SendMode,
    Slice,
} from '@ton/core';
import { Op } from './constants';
import { randomQueryId } from './common';

/**
 * A reward pool's fixed configuration (TL-B RewardPoolConfig): the root and
 * the provider/job codes whose providers it pays, and its epoch schedule.
 * The pool's address derives from it, so a new schedule is a new pool.
 */
export type RewardPoolConfig = {
    root: Address;
    providerCode: Cell;
    jobCode: Cell;
    /** Start of epoch 0 (unix time). */
    genesis: number;
    /** Epoch length, seconds (the root accepts 1 hour .. 90 days in JobParams.rewards). */
    epochLength: number;
    /** Reports of epoch e are counted until its end + reportGrace; claims open then. */
    reportGrace: number;
    /** Claims of epoch e are paid until claims open + claimWindow; then its rest rolls forward. */
    claimWindow: number;
};

export type EpochTotals = {
    work: bigint;
    funded: bigint;
    paid: bigint;
    endsAt: number;
    claimAt: number;
    claimUntil: number;
};

export function rewardPoolConfigToCell(c: RewardPoolConfig): Cell {
    return beginCell()
        .storeAddress(c.root)
        .storeBuffer(c.providerCode.hash())
        .storeUint(c.providerCode.depth(), 16)
        .storeBuffer(c.jobCode.hash())
        .storeUint(c.jobCode.depth(), 16)
        .storeUint(c.genesis, 32)
        .storeUint(c.epochLength, 32)
        .storeUint(c.reportGrace, 32)
        .storeUint(c.claimWindow, 32)
        .endCell();
}

/** Initial storage: the config, no epochs, nothing owed. */
export function rewardPoolDataToCell(c: RewardPoolConfig): Cell {
    return beginCell().storeRef(rewardPoolConfigToCell(c)).storeDict(null).storeCoins(0).endCell();
}

/** Epoch e covers [genesis + e * length, genesis + (e + 1) * length). */
export function epochAt(genesis: number, length: number, t: number): number {
    return t < genesis ? 0 : Math.floor((t - genesis) / length);
}

export const coinsValue = {
    serialize: (v: bigint, b: Builder) => {
        b.storeCoins(v);
    },
    parse: (s: Slice) => s.loadCoins(),
};

/**
 * What a not-yet-counted entry (work, fees) would be paid if it were counted now in an epoch
 * with `totals`: its fees join the epoch's funding and its work the epoch's total, and the
 * share is floor(funded × work / total) — of the funding, as the pool pays it (SPEC §8.6),
 * not of what other claims left. An estimate: later reports and funding change it.
 */
export function estimateShare(totals: { work: bigint; funded: bigint }, work: bigint, fees: bigint): bigint {
    const total = totals.work + work;
    return total === 0n ? 0n : ((totals.funded + fees) * work) / total;
}

export class RewardPool implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: { code: Cell; data: Cell },
    ) {}

    static createFromAddress(address: Address) {
        return new RewardPool(address);
    }

    static createFromConfig(config: RewardPoolConfig, code: Cell, workchain = 0) {
        const init = { code, data: rewardPoolDataToCell(config) };
        return new RewardPool(contractAddress(workchain, init), init);
    }

    // ---- message bodies ----

    static fundRewardsMessage(epoch: number, amount: bigint, queryId = 0n): Cell {
        return beginCell()
            .storeUint(Op.fundRewards, 32)
            .storeUint(queryId, 64)
            .storeUint(epoch, 32)
            .storeCoins(amount)
            .endCell();
    }

    // ---- senders ----

    /** Deploys the pool (any value beyond its gas funds the current epoch). */
    async sendDeploy(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: Cell.EMPTY });
    }

    /** Funds `epoch` (current or up to 64 ahead) with `amount`; value ≥ amount + getRequiredValues().fund. */
    async sendFundRewards(provider: ContractProvider, via: Sender, value: bigint, epoch: number, amount: bigint) {
        await provider.internal(via, {
            value,
            sendMode: SendMode.PAY_GAS_SEPARATELY,
            body: RewardPool.fundRewardsMessage(epoch, amount, randomQueryId()),
        });
    }

    // ---- getters ----

    async getConfig(provider: ContractProvider) {
        const r = (await provider.get('get_pool_config', [])).stack;
        return {
            root: r.readAddress(),
            providerCodeHash: r.readBigNumber(),
            jobCodeHash: r.readBigNumber(),
            genesis: r.readNumber(),
            epochLength: r.readNumber(),
            reportGrace: r.readNumber(),
            claimWindow: r.readNumber(),
        };
    }

    async getCurrentEpoch(provider: ContractProvider): Promise<number> {
        return (await provider.get('get_current_epoch', [])).stack.readNumber();
    }

    async getEpoch(provider: ContractProvider, epoch: number): Promise<EpochTotals> {
        const r = (await provider.get('get_epoch', [{ type: 'int', value: BigInt(epoch) }])).stack;
        return {
            work: r.readBigNumber(),
            funded: r.readBigNumber(),
            paid: r.readBigNumber(),
            endsAt: r.readNumber(),
            claimAt: r.readNumber(),
            claimUntil: r.readNumber(),
        };
    }

    /** What a claim of `work` in `epoch` would pay now. */
    async getRewardShare(provider: ContractProvider, epoch: number, work: bigint): Promise<bigint> {
        const r = await provider.get('get_reward_share', [
            { type: 'int', value: BigInt(epoch) },
            { type: 'int', value: work },
        ]);
        return r.stack.readBigNumber();
    }

    /**
     * A provider's pending rewards from this pool, per entry of its reward book
     * (`Provider.getRewards().entries`): counted entries are worth their share now
     * (`get_reward_share`); pending and reported ones are estimated as if counted with the
     * epoch's current totals (their own work and fees added when not yet counted).
     */
    async getPendingRewards(
        provider: ContractProvider,
        entries: { poolPrefix: bigint; epoch: number; state: number; work: bigint; fees: bigint }[],
    ): Promise<{ epoch: number; state: number; work: bigint; reward: bigint; estimate: boolean }[]> {
        const prefix = (BigInt('0x' + this.address.hash.toString('hex')) >> 32n) << 32n;
        const out: { epoch: number; state: number; work: bigint; reward: bigint; estimate: boolean }[] = [];
        for (const e of entries) {
            if (e.poolPrefix !== prefix) continue;
            if (e.state === 2) {
                out.push({ epoch: e.epoch, state: e.state, work: e.work, reward: await this.getRewardShare(provider, e.epoch, e.work), estimate: false });
                continue;
            }
            const reward = estimateShare(await this.getEpoch(provider, e.epoch), e.work, e.fees);
            out.push({ epoch: e.epoch, state: e.state, work: e.work, reward, estimate: true });
        }
        return out;
    }

    /** Sum over live epochs of funded − paid: what the pool owes. */
    async getLiability(provider: ContractProvider): Promise<bigint> {
        return (await provider.get('get_liability', [])).stack.readBigNumber();
    }

    /** Every live epoch's totals, from the contract state (for dashboards and tests). */
    async getEpochs(provider: ContractProvider): Promise<Map<number, { work: bigint; funded: bigint; paid: bigint }>> {
        const state = await provider.getState();
        const out = new Map<number, { work: bigint; funded: bigint; paid: bigint }>();
        if (state.state.type !== 'active' || !state.state.data) return out;
        const s = Cell.fromBoc(state.state.data)[0].beginParse();
        s.loadRef();
        const dict = s.loadDict(Dictionary.Keys.Uint(32), {
            serialize: () => {
                throw new Error('read only');
            },
            parse: (v: Slice) => ({ work: v.loadCoins(), funded: v.loadCoins(), paid: v.loadCoins() }),
        });
        for (const [k, v] of dict) out.set(k, v);
        return out;
    }

    /**
     * Minimum msg_value: report (on top of its fees), claim, fund (on top of the amount); and the
     * storage reserve the pool keeps besides what it owes (plain value fills it before funding).
     */
    async getRequiredValues(
        provider: ContractProvider,
    ): Promise<{ report: bigint; claim: bigint; fund: bigint; storageReserve: bigint }> {
        const r = (await provider.get('get_required_values', [])).stack;
        return { report: r.readBigNumber(), claim: r.readBigNumber(), fund: r.readBigNumber(), storageReserve: r.readBigNumber() };
    }
}
