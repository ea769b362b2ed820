/**
 * Reward distribution by work, end to end through real jobs: 100 providers
 * with different work over three epochs, governance funding, on-time and
 * late reports, multi-epoch claims. Every provider's reward is computed here
 * independently from the jobs the test settled (fees from usage × price ×
 * protocol_fee_bps, work = usage × price) and must match to the nanoton.
 */
import { Address, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { expectNoFailure, feeCalc, gasFcConstants, JOB_PRICE } from '../helpers/fixtures';
import { addProviders, POOL_DEPLOY_VALUE, step, DAY, deployRewardWorld, protocolFee, rewardPaidTo, RewardWorld, settleJob, WorkingProvider } from '../helpers/rewards';
import { Errors, Op, RewardEntryState } from '../../wrappers/constants';

const PROVIDERS = 100;
const EPOCHS = 3;
const LATE = new Set([7, 43]);          // these providers report epoch 1 after its grace
const FUNDING = [toNano('3'), toNano('1.5'), toNano('7')];

/** Deterministic usage of provider i in epoch e (0: no job that epoch; every provider works in epoch 1 or in epochs 0 and 2). */
function usageOf(i: number, e: number): bigint {
    if ((i + e) % 2 === 1) return 0n;
    const x = (i * 7919 + e * 104729 + 13) % 9973;
    return BigInt(1000 + x * 37);
}


describe('reward pool: pro-rata distribution by work', () => {
    let w: RewardWorld;
    let providers: WorkingProvider[];
    let client: SandboxContract<TreasuryContract>;
    let keeper: SandboxContract<TreasuryContract>;
    const bps = () => w.params.jobs!.protocolFeeBps;
    // expected[e]: per-provider work counted, funded total
    const workCounted: Map<number, bigint>[] = [];
    const funded: bigint[] = [0n, 0n, 0n, 0n];
    const paid = new Map<number, bigint>();

    beforeAll(async () => {
        w = await deployRewardWorld();
        const fees = feeCalc(w.blockchain);
        const gas = gasFcConstants();
        // The deploy message's value (no op) filled the pool's storage reserve and funded epoch 0 with the rest, net of its gas.
        const { storageReserve } = await w.pool.getRequiredValues();
        funded[0] += POOL_DEPLOY_VALUE - fees.compute(gas['gas::pool_credit']) - storageReserve;
        expect((await w.pool.getEpoch(0)).funded).toBe(funded[0]);
        providers = await addProviders(w, PROVIDERS);
        client = await w.blockchain.treasury('reward client', { balance: toNano('1000000') });
        keeper = await w.blockchain.treasury('reward keeper');
    }, 600_000);

    const endOf = (e: number) => w.poolConfig.genesis + (e + 1) * w.poolConfig.epochLength;

    it(`settles jobs of ${PROVIDERS} providers in ${EPOCHS} epochs, reports them and pays each its exact share`, async () => {
        const required = await w.pool.getRequiredValues();
        const reportValue = (await providers[0].provider.getRewardRequiredValues()).report;
        const lateFees: bigint[] = [];
        for (let e = 0; e < EPOCHS; e++) {
            w.blockchain.now = w.poolConfig.genesis + e * w.poolConfig.epochLength + 60;
            expect(await w.pool.getCurrentEpoch()).toBe(e);
            const f = await w.pool.sendFundRewards(w.governance.getSender(), FUNDING[e] + required.fund, e, FUNDING[e]);
            step(`fund ${e}`, f.transactions);
            funded[e] += FUNDING[e];
            workCounted[e] = new Map();
            if (e === 2) {
                // Epoch 1's late reports arrive after end(1) + grace, in epoch 2: they fund epoch 2, their work earns nothing.
                w.blockchain.now = endOf(1) + w.poolConfig.reportGrace + 10;
                for (const i of LATE) {
                    const r = await providers[i].provider.sendReportRewards(keeper.getSender(), reportValue, w.pool.address);
                    step(`late report ${i}`, r.transactions);
                    expect(r.transactions).toHaveTransaction({ from: w.pool.address, to: providers[i].provider.address, op: Op.usageLate });
                    const entries = (await providers[i].provider.getRewards()).entries;
                    expect(entries.find((x) => x.epoch === 1)).toBeUndefined();
                }
            }
            for (let i = 0; i < PROVIDERS; i++) {
                const u = usageOf(i, e);
                if (u === 0n) continue;
                await settleJob(w, client, providers[i], u);
                w.blockchain.now! += 1;
                const entries = (await providers[i].provider.getRewards()).entries;
                expect(entries.find((x) => x.epoch === e)?.state).toBe(RewardEntryState.pending);
                if (e === 1 && LATE.has(i)) {
                    lateFees.push(protocolFee(u, bps()));
                    continue;
                }
                workCounted[e].set(i, u * JOB_PRICE);
                funded[e] += protocolFee(u, bps());
            }
            // After the epoch: a keeper reports every provider (the late ones only for e != 1).
            w.blockchain.now = endOf(e) + 5;
            for (let i = 0; i < PROVIDERS; i++) {
                if (usageOf(i, e) === 0n || (e === 1 && LATE.has(i))) continue;
                const r = await providers[i].provider.sendReportRewards(keeper.getSender(), reportValue, w.pool.address);
                step(`report ${i} ${e}`, r.transactions);
                expect(r.transactions).toHaveTransaction({ from: w.pool.address, to: providers[i].provider.address, op: Op.usageCounted });
            }
        }
        // Late fees were credited to epoch 2 while it was current.
        funded[2] += lateFees.reduce((a, b) => a + b, 0n);

        for (let e = 0; e < EPOCHS; e++) {
            const t = await w.pool.getEpoch(e);
            const total = [...workCounted[e].values()].reduce((a, b) => a + b, 0n);
            expect(t.work).toBe(total);
            expect(t.funded).toBe(funded[e]);
            expect(t.paid).toBe(0n);
        }

        // A claim before epoch 2's claims open carries epochs 0 and 1 only.
        w.blockchain.now = endOf(2) + w.poolConfig.reportGrace + 10;
        const claimValue = (await providers[0].provider.getRewardRequiredValues()).claim;
        for (let i = 0; i < PROVIDERS; i++) {
            let expected = 0n;
            let records = 0;
            for (let e = 0; e < EPOCHS; e++) {
                const work = workCounted[e].get(i);
                if (work === undefined) continue;
                const total = [...workCounted[e].values()].reduce((a, b) => a + b, 0n);
                expected += (funded[e] * work) / total;
                records += 1;
            }
            if (records === 0) continue;
            const before = await w.pool.getLiability();
            const r = await providers[i].provider.sendClaimRewards(providers[i].owner.getSender(), claimValue, w.pool.address);
            step(`claim ${i}`, r.transactions);
            expect(rewardPaidTo(r.transactions as any, providers[i].owner.address)).toBe(expected);
            expect(await w.pool.getLiability()).toBe(before - expected);
            paid.set(i, expected);
            expect((await providers[i].provider.getRewards()).entries.filter((x) => x.state === RewardEntryState.counted)).toHaveLength(0);
        }
        // Dust: what each epoch did not pay out stays in it (and rolls forward after the claim window).
        for (let e = 0; e < EPOCHS; e++) {
            const t = await w.pool.getEpoch(e);
            const sum = [...workCounted[e].entries()].reduce(
                (acc, [, work]) => acc + (funded[e] * work) / [...workCounted[e].values()].reduce((a, b) => a + b, 0n),
                0n,
            );
            expect(t.paid).toBe(sum);
            expect(t.funded - t.paid).toBeGreaterThanOrEqual(0n);
            expect(t.funded - t.paid).toBeLessThan(BigInt(workCounted[e].size));   // rounding dust only: < 1 nanoton per claimant
        }
    }, 900_000);

    it('a second claim of the same epochs finds nothing to claim (243) and changes nothing', async () => {
        const i = [...paid.keys()][0];
        const claimValue = (await providers[i].provider.getRewardRequiredValues()).claim;
        const liability = await w.pool.getLiability();
        const r = await providers[i].provider.sendClaimRewards(providers[i].owner.getSender(), claimValue, w.pool.address);
        expect(r.transactions).toHaveTransaction({ to: providers[i].provider.address, success: false, exitCode: Errors.nothingToClaim });
        expect(r.transactions).not.toHaveTransaction({ to: w.pool.address });
        expect(await w.pool.getLiability()).toBe(liability);
    });

    it('after the claim window, what an epoch did not pay (dust) rolls into the current epoch', async () => {
        const e0 = await w.pool.getEpoch(0);
        const rest = e0.funded - e0.paid;
        w.blockchain.now = e0.claimUntil + 1;
        const current = await w.pool.getCurrentEpoch();
        const before = await w.pool.getEpoch(current);
        const liabilityBefore = await w.pool.getLiability();
        const required = await w.pool.getRequiredValues();
        const r = await w.pool.sendFundRewards(keeper.getSender(), toNano('1') + required.fund, current, toNano('1'));
        step('fund after the claim window', r.transactions);
        const after = await w.pool.getEpoch(current);
        const gone = await w.pool.getEpoch(0);
        expect(gone.funded).toBe(0n);                              // pruned
        const surplus = after.funded - before.funded - toNano('1') - rest;
        expect(surplus).toBeGreaterThanOrEqual(0n);                // gas-estimate surplus swept in too
        expect(await w.pool.getLiability()).toBe(liabilityBefore + toNano('1') + surplus);
        // The pool still holds at least what it owes.
        const balance = (await w.blockchain.getContract(w.pool.address)).balance;
        expect(balance).toBeGreaterThanOrEqual(await w.pool.getLiability());
    });
});
