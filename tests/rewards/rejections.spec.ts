/**
 * Reward pool and provider reward book: every refusal with its exit code, no
 * state change and where the value went; forged reporters and claimants;
 * claims of unfinished epochs; and the gas of a claim with 1 and with 1,000
 * registered providers.
 */
import { Address, beginCell, Cell, Dictionary, toNano } from '@ton/core';
import { BlockchainTransaction, SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { addProviders, deployRewardWorld, HOUR, RewardWorld, settleJob, step, WorkingProvider } from '../helpers/rewards';
import { coinsValue, RewardPool } from '../../wrappers/RewardPool';
import { Provider } from '../../wrappers/Provider';
import { Errors, Op, RewardEntryState } from '../../wrappers/constants';
import { installProviders } from '../../bench/population';
import { gasOf } from '../helpers/fixtures';

async function stateOf(w: RewardWorld, a: Address): Promise<string> {
    const acc = (await w.blockchain.getContract(a)).accountState;
    return acc?.type === 'active' ? acc.state.data!.hash().toString('hex') : String(acc?.type);
}

const reportUsageBody = (owner: Address, epoch: number, work: bigint, fees: bigint, endsAt: number) =>
    beginCell()
        .storeUint(Op.reportUsage, 32)
        .storeUint(0, 64)
        .storeUint(epoch, 32)
        .storeCoins(fees)
        .storeUint(endsAt, 32)
        .storeAddress(owner)
        .storeCoins(work)
        .endCell();

const poolClaimBody = (owner: Address, records: [number, bigint][]) => {
    const d = Dictionary.empty(Dictionary.Keys.Uint(32), coinsValue);
    for (const [e, wk] of records) d.set(e, wk);
    return beginCell().storeUint(Op.poolClaim, 32).storeUint(0, 64).storeAddress(owner).storeDict(d).endCell();
};

describe('reward pool: refusals', () => {
    let w: RewardWorld;
    let a: WorkingProvider;
    let b: WorkingProvider;
    let client: SandboxContract<TreasuryContract>;
    let mallory: SandboxContract<TreasuryContract>;
    const end = (e: number) => w.poolConfig.genesis + (e + 1) * w.poolConfig.epochLength;

    beforeAll(async () => {
        w = await deployRewardWorld();
        [a, b] = await addProviders(w, 2, 'refusal provider');
        client = await w.blockchain.treasury('refusal client');
        mallory = await w.blockchain.treasury('mallory');
        await settleJob(w, client, a, 200_000n);
        await settleJob(w, client, b, 100_000n);
    }, 120_000);

    /** Sends `body` from `from` to `to`; expects exit `code` there, no state change of the pool and both providers, and the value bounced back. */
    async function expectRefused(from: SandboxContract<TreasuryContract>, to: Address, body: Cell, code: number, value = toNano('1')) {
        const before = [await stateOf(w, w.pool.address), await stateOf(w, a.provider.address), await stateOf(w, b.provider.address)];
        const r = await from.send({ to, value, body, bounce: true });
        expect(r.transactions).toHaveTransaction({ from: from.address, to, success: false, exitCode: code });
        expect(r.transactions).toHaveTransaction({ from: to, to: from.address, inMessageBounced: true });
        const after = [await stateOf(w, w.pool.address), await stateOf(w, a.provider.address), await stateOf(w, b.provider.address)];
        expect(after).toEqual(before);
        return r;
    }

    it('report_rewards before the epoch ended: nothing to report (242)', async () => {
        const { report } = await a.provider.getRewardRequiredValues();
        await expectRefused(mallory, a.provider.address, Provider.reportRewardsMessage(w.pool.address), Errors.nothingToReport, report);
    });

    it('report_rewards with too little value (100)', async () => {
        w.blockchain.now = end(0) + 10;
        const { report } = await a.provider.getRewardRequiredValues();
        await expectRefused(mallory, a.provider.address, Provider.reportRewardsMessage(w.pool.address), Errors.notEnoughValue, report - 1n);
    });

    it('a forged reporter (a wallet sending report_usage for a real owner) is refused (245)', async () => {
        await expectRefused(mallory, w.pool.address, reportUsageBody(a.owner.address, 0, 10n ** 12n, 0n, end(0)), Errors.notPoolProvider);
        await expectRefused(a.owner, w.pool.address, reportUsageBody(a.owner.address, 0, 10n ** 12n, 0n, end(0)), Errors.notPoolProvider);
    });

    it('a forged claimant (a wallet sending pool_claim for a real owner) is refused (245)', async () => {
        await expectRefused(mallory, w.pool.address, poolClaimBody(a.owner.address, [[0, 10n ** 12n]]), Errors.notPoolProvider);
    });

    it('a forged pool answer (usage_counted from a wallet) is refused by the provider (244)', async () => {
        const body = beginCell().storeUint(Op.usageCounted, 32).storeUint(0, 64).storeUint(0, 32).storeUint(0, 32).endCell();
        await expectRefused(mallory, a.provider.address, body, Errors.unexpectedReply);
    });

    it('the keeper reports both providers; a claim before claims open finds nothing claimable (243)', async () => {
        for (const p of [a, b]) {
            const { report } = await p.provider.getRewardRequiredValues();
            const r = await p.provider.sendReportRewards(mallory.getSender(), report, w.pool.address);
            step('report', r.transactions);
            expect(r.transactions).toHaveTransaction({ from: w.pool.address, to: p.provider.address, op: Op.usageCounted });
            // The keeper paid and got its unused value back; the provider's balance lost only the fees it forwarded.
            expect(r.transactions).toHaveTransaction({ from: p.provider.address, to: mallory.address, op: Op.excesses });
        }
        expect((await a.provider.getRewards()).entries[0].state).toBe(RewardEntryState.counted);
        const { claim } = await a.provider.getRewardRequiredValues();
        await expectRefused(a.owner, a.provider.address, Provider.claimRewardsMessage(w.pool.address), Errors.nothingToClaim, claim);
    });

    it('a second report of the same epoch finds nothing to report (242)', async () => {
        const { report } = await a.provider.getRewardRequiredValues();
        await expectRefused(mallory, a.provider.address, Provider.reportRewardsMessage(w.pool.address), Errors.nothingToReport, report);
    });

    it('claim_rewards by anyone but the owner (151) or with too little value (100)', async () => {
        w.blockchain.now = end(0) + w.poolConfig.reportGrace + 1;
        const { claim } = await a.provider.getRewardRequiredValues();
        await expectRefused(mallory, a.provider.address, Provider.claimRewardsMessage(w.pool.address), Errors.notOwner, claim);
        await expectRefused(a.owner, a.provider.address, Provider.claimRewardsMessage(w.pool.address), Errors.notEnoughValue, claim - 1n);
    });

    it('fund_rewards: an ended epoch or one too far ahead (241), zero amount (158), too little value (100)', async () => {
        const { fund } = await w.pool.getRequiredValues();
        const current = await w.pool.getCurrentEpoch();
        await expectRefused(mallory, w.pool.address, RewardPool.fundRewardsMessage(current - 1, toNano('1')), Errors.epochClosed, toNano('1') + fund);
        await expectRefused(mallory, w.pool.address, RewardPool.fundRewardsMessage(current + 65, toNano('1')), Errors.epochClosed, toNano('1') + fund);
        await expectRefused(mallory, w.pool.address, RewardPool.fundRewardsMessage(current, 0n), Errors.badAmount, fund);
        await expectRefused(mallory, w.pool.address, RewardPool.fundRewardsMessage(current, toNano('1')), Errors.notEnoughValue, toNano('1') + fund - 1n);
    });

    it('malformed pool messages: trailing bits (101), truncated (9), unknown op (0xffff)', async () => {
        const { fund } = await w.pool.getRequiredValues();
        const current = await w.pool.getCurrentEpoch();
        const ok = RewardPool.fundRewardsMessage(current, toNano('1'));
        const trailing = beginCell().storeSlice(ok.beginParse()).storeBit(1).endCell();
        await expectRefused(mallory, w.pool.address, trailing, Errors.malformedBody, toNano('1') + fund);
        const truncated = beginCell().storeUint(Op.fundRewards, 32).storeUint(0, 64).storeUint(current, 16).endCell();
        await expectRefused(mallory, w.pool.address, truncated, Errors.cellUnderflow, toNano('1') + fund);
        await expectRefused(mallory, w.pool.address, beginCell().storeUint(0x12345678, 32).storeUint(0, 64).endCell(), Errors.unknownOp);
    });

    it('each provider gets its exact share once; the second claim finds nothing (243)', async () => {
        const e0 = await w.pool.getEpoch(0);
        for (const p of [a, b]) {
            const work = (await p.provider.getRewards()).entries[0].work;
            const expected = (e0.funded * work) / e0.work;
            // The wrapper's pending-reward view agrees with what the claim will pay.
            const pending = await w.pool.getPendingRewards((await p.provider.getRewards()).entries);
            expect(pending).toEqual([{ epoch: 0, state: RewardEntryState.counted, work, reward: expected, estimate: false }]);
            const { claim } = await p.provider.getRewardRequiredValues();
            const r = await p.provider.sendClaimRewards(p.owner.getSender(), claim, w.pool.address);
            step('claim', r.transactions);
            const paid = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === p.owner.address.toString() && t.inMessage!.body.beginParse().loadUint(32) === Op.rewardPaid)!;
            const s = paid.inMessage!.body.beginParse();
            s.skip(96);
            expect(s.loadCoins()).toBe(expected);
            await expectRefused(p.owner, p.provider.address, Provider.claimRewardsMessage(w.pool.address), Errors.nothingToClaim, claim);
        }
        const after = await w.pool.getEpoch(0);
        expect(after.paid).toBeLessThanOrEqual(after.funded);
        expect(after.funded - after.paid).toBeLessThan(2n);
    });
});

describe('reward pool: claim gas does not grow with the number of providers', () => {
    async function claimGas(extraProviders: number): Promise<{ provider: bigint; pool: bigint }> {
        const w = await deployRewardWorld();
        const [p] = await addProviders(w, 1, 'scaling provider');
        if (extraProviders > 0) {
            const owners = Array.from({ length: extraProviders }, (_, i) => new Address(0, Buffer.alloc(32, 0).fill(i % 256, 0, 1).fill(Math.floor(i / 256) + 1, 1, 2)));
            const installed = await installProviders({ blockchain: w.blockchain, root: w.root, codes: { provider: w.providerCode, job: w.jobCode } } as any, p.provider.address, owners);
            expect(installed).toHaveLength(extraProviders);
        }
        const client = await w.blockchain.treasury('scaling client');
        await settleJob(w, client, p, 123_456n);
        w.blockchain.now = w.poolConfig.genesis + w.poolConfig.epochLength + 10;
        const values = await p.provider.getRewardRequiredValues();
        step('report', (await p.provider.sendReportRewards(client.getSender(), values.report, w.pool.address)).transactions);
        w.blockchain.now += w.poolConfig.reportGrace;
        const r = await p.provider.sendClaimRewards(p.owner.getSender(), values.claim, w.pool.address);
        step('claim', r.transactions);
        return { provider: gasOf(r.transactions, p.provider.address), pool: gasOf(r.transactions, w.pool.address) };
    }

    it('a claim with 1,000 registered providers costs the same gas as with 1 (within 2 %)', async () => {
        const one = await claimGas(0);
        const many = await claimGas(999);
        const ratio = Number(many.provider + many.pool) / Number(one.provider + one.pool);
        console.log(`claim gas: 1 provider ${one.provider + one.pool} (provider ${one.provider}, pool ${one.pool}); 1,000 providers ${many.provider + many.pool}; ratio ${ratio.toFixed(4)}`);
        expect(ratio).toBeLessThanOrEqual(1.02);
        expect(ratio).toBeGreaterThanOrEqual(0.98);
    }, 300_000);
});
