/**
 * Reward-pool test world: a root whose JobParams name a deployed RewardPool
 * (set through the timelock, as governance would), working providers and
 * clients, and a helper that runs a one-shot job from creation to settlement.
 */
import { Address, toNano } from '@ton/core';
import { BlockchainTransaction, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { KeyPair } from '@ton/crypto';
import {
    createJob,
    DAY,
    deployProtocol,
    expectNoFailure,
    firstFailure,
    HOUR,
    JOB_PRICE,
    loadCode,
    Protocol,
    registerWorkingProvider,
    workerResult,
} from './fixtures';
import { DEFAULT_JOB_PARAMS, RootParams, TimelockActions } from '../../wrappers/Root';
import { RewardPool, RewardPoolConfig } from '../../wrappers/RewardPool';
import { Provider } from '../../wrappers/Provider';

/** Throws with the failing contract, exit and action codes when a transaction of `txs` aborted. */
export function step(label: string, txs: BlockchainTransaction[]) {
    // The rule of fixtures.expectNoFailure; an Error with the label, for helpers run outside an expect.
    const bad = firstFailure(txs);
    if (bad) {
        const d = bad.description as any;
        throw new Error(`${label}: aborted at ${bad.inMessage?.info.dest} exit ${d.computePhase?.exitCode} action ${d.actionPhase?.resultCode}`);
    }
}

/** What governance sends to deploy a pool: its storage reserve is filled first, the rest funds epoch 0. */
export const POOL_DEPLOY_VALUE = toNano('1');

export type RewardWorld = Protocol & {
    pool: SandboxContract<RewardPool>;
    poolConfig: RewardPoolConfig;
    params: RootParams;
};

export type WorkingProvider = {
    owner: SandboxContract<TreasuryContract>;
    provider: SandboxContract<Provider>;
    operator: KeyPair;
};

/**
 * A protocol with a reward pool: the pool is deployed for the root, then
 * JobParams.rewards is set through the timelock; epoch 0 starts at `genesis`
 * (default: when the change executes, rounded up to a whole hour).
 */
export async function deployRewardWorld(
    opts: { epochLength?: number; reportGrace?: number; claimWindow?: number; protocolFeeBps?: number } = {},
): Promise<RewardWorld> {
    const p = await deployProtocol();
    const delay = p.params.timelockDelay;
    const genesis = Math.ceil((p.blockchain.now! + delay) / HOUR) * HOUR;
    const poolConfig: RewardPoolConfig = {
        root: p.root.address,
        providerCode: p.providerCode,
        jobCode: p.jobCode,
        genesis,
        epochLength: opts.epochLength ?? DAY,
        reportGrace: opts.reportGrace ?? 2 * HOUR,
        claimWindow: opts.claimWindow ?? 7 * DAY,
    };
    const pool = p.blockchain.openContract(RewardPool.createFromConfig(poolConfig, loadCode('RewardPool')));
    const deploy = await pool.sendDeploy(p.governance.getSender(), POOL_DEPLOY_VALUE);
    expectNoFailure(deploy.transactions);
    const params: RootParams = {
        ...p.params,
        jobs: {
            ...DEFAULT_JOB_PARAMS,
            protocolFeeBps: opts.protocolFeeBps ?? DEFAULT_JOB_PARAMS.protocolFeeBps,
            rewards: { pool: pool.address, epochGenesis: genesis, epochLength: poolConfig.epochLength },
        },
    };
    const before = await p.root.getRootData();
    const queued = await p.root.sendQueueChange(p.governance.getSender(), toNano('0.2'), TimelockActions.setParams(params));
    expectNoFailure(queued.transactions);
    const change = await p.root.getChange(before.nextChangeId);
    p.blockchain.now = Math.max(change!.eta, genesis);
    const executed = await p.root.sendExecuteChange(p.governance.getSender(), toNano('0.2'), before.nextChangeId);
    expectNoFailure(executed.transactions);
    return { ...p, pool, poolConfig, params };
}

export async function addProviders(w: RewardWorld, count: number, label = 'reward provider'): Promise<WorkingProvider[]> {
    const out: WorkingProvider[] = [];
    for (let i = 0; i < count; i++) {
        const owner = await w.blockchain.treasury(`${label} ${i}`);
        const { provider, operator, result } = await registerWorkingProvider(w, owner, { lifetime: 29 * DAY });
        expectNoFailure(result.transactions);
        out.push({ owner, provider, operator });
    }
    return out;
}

/**
 * A one-shot job of `usage` units at JOB_PRICE, created, served and confirmed
 * now: it settles `usage * JOB_PRICE` of work and its protocol fee.
 */
export async function settleJob(
    w: RewardWorld,
    client: SandboxContract<TreasuryContract>,
    p: WorkingProvider,
    usage: bigint,
    budget = toNano('1'),
) {
    const { job, result, setup, required } = await createJob(w, client, p.provider.address, { budget });
    step('create job', result.transactions);
    const createdAt = (await job.getJobState()).createdAt;
    const submit = await job.sendSubmitResult(p.owner.getSender(), required.submitResult, workerResult(p.operator, job.address, createdAt, usage));
    step('submit result', submit.transactions);
    const confirm = await job.sendConfirm(client.getSender(), required.closeJob);
    step('confirm', confirm.transactions);
    return { job, setup, confirm };
}

/** The protocol fee of a payment, as the job computes it. */
export function protocolFee(usage: bigint, bps: number, price = JOB_PRICE): bigint {
    return (usage * price * BigInt(bps)) / 10_000n;
}

/** The reward_paid amount received by `owner` in these transactions. */
export function rewardPaidTo(
    txs: { inMessage?: { info: { type: string; dest?: unknown; value?: { coins: bigint } }; body: import('@ton/core').Cell } }[],
    owner: Address,
): bigint | null {
    for (const tx of txs) {
        const m = tx.inMessage;
        if (!m || m.info.type !== 'internal') continue;
        if (!(m.info.dest as Address).equals(owner)) continue;
        const s = m.body.beginParse();
        if (s.remainingBits < 32 + 64 || s.loadUint(32) !== 0xc0c05012) continue;
        s.loadUintBig(64);
        return s.loadCoins();
    }
    return null;
}

export { DAY, HOUR };
