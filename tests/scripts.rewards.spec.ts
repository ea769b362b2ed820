/**
 * The reward-pool scripts (deployRewardPool, fundRewards, reportRewards,
 * claimRewards, showRewards) and queueChange's --reward-pool terms, run
 * unchanged against the local sandbox through the Blueprint NetworkProvider
 * adapter (tests/helpers/sandbox-network.ts), in the order governance, a
 * funder, a keeper and a provider owner would use them. Every step asserts
 * on chain state through the wrappers; every refusal is checked to send
 * nothing. The scripts' clock (COCOON_NOW) follows the sandbox's.
 */
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { Address, fromNano, toNano } from '@ton/core';
import '@ton/test-utils';
import { RewardPool } from '../wrappers/RewardPool';
import { Op, ParamBounds, RewardEntryState } from '../wrappers/constants';
import { DAY, deployProtocol, HOUR, JOB_PRICE, Protocol } from './helpers/fixtures';
import { addProviders, protocolFee, rewardPaidTo, RewardWorld, settleJob, WorkingProvider } from './helpers/rewards';
import { SandboxNetwork } from './helpers/sandbox-network';
import {
    FEE_MARGIN,
    formatTime,
    jobParamOverrides,
    jobParamsProblems,
    NOW_ENV,
    parseArgs,
    POLL_INTERVAL_ENV,
    PreflightError,
    UsageError,
} from '../tools/cli';
import { DEFAULT_JOB_PARAMS, paramsToCell } from '../wrappers/Root';
import { run as deployRewardPool } from '../scripts/deployRewardPool';
import { run as fundRewards } from '../scripts/fundRewards';
import { run as reportRewards } from '../scripts/reportRewards';
import { run as claimRewards } from '../scripts/claimRewards';
import { run as showRewards } from '../scripts/showRewards';
import { run as queueChange, spec as queueChangeSpec } from '../scripts/queueChange';
import { run as executeChange } from '../scripts/executeChange';

const SOME_POOL = Address.parse('0:' + '33'.repeat(32));

describe('tools/cli: reward terms of JobParams', () => {
    const parse = (argv: string[]) => jobParamOverrides(parseArgs(queueChangeSpec, ['--root', SOME_POOL.toString(), '--action', 'set-params', ...argv]));

    it('takes --reward-pool, --epoch-genesis and --epoch-length together, or --reward-pool none', () => {
        const given = parse(['--reward-pool', SOME_POOL.toString(), '--epoch-genesis', '1800007200', '--epoch-length', '86400']);
        expect(Object.keys(given)).toEqual(['rewards']);
        expect(given.rewards!.pool.equals(SOME_POOL)).toBe(true);
        expect(given.rewards).toMatchObject({ epochGenesis: 1800007200, epochLength: 86400 });
        const none = parse(['--reward-pool', 'none']);
        expect('rewards' in none && none.rewards === undefined).toBe(true);
        expect(parse(['--keeper-reward', '0.02'])).toEqual({ keeperReward: toNano('0.02') });
        expect(() => parse(['--reward-pool', SOME_POOL.toString()])).toThrow(/go together/);
        expect(() => parse(['--epoch-length', '3600'])).toThrow(UsageError);
        expect(() => parse(['--reward-pool', 'none', '--epoch-length', '3600'])).toThrow(/none takes no/);
    });

    it('checks the epoch length against the root bounds and the pool workchain', () => {
        const rewards = { pool: SOME_POOL, epochGenesis: 0, epochLength: DAY };
        expect(jobParamsProblems({ ...DEFAULT_JOB_PARAMS, rewards })).toEqual([]);
        expect(jobParamsProblems({ ...DEFAULT_JOB_PARAMS, rewards: { ...rewards, epochLength: ParamBounds.epochLengthMin - 1 } })[0]).toMatch(/epoch length/);
        expect(jobParamsProblems({ ...DEFAULT_JOB_PARAMS, rewards: { ...rewards, pool: Address.parse('-1:' + '33'.repeat(32)) } })[0]).toMatch(/basechain/);
    });
});

describe('reward scripts on the sandbox', () => {
    const saved: Record<string, string | undefined> = {};
    let p: Protocol;
    let net: SandboxNetwork;
    let client: SandboxContract<TreasuryContract>;
    let keeper: SandboxContract<TreasuryContract>;
    let funder: SandboxContract<TreasuryContract>;
    let pool: SandboxContract<RewardPool>;
    let wp: WorkingProvider;
    let queueFlags: string[];
    const USAGE = 400_000n;

    /** Runs a script as `wallet` with fresh output, the scripts' clock set to the sandbox's. */
    function as(wallet: SandboxContract<TreasuryContract>): SandboxNetwork {
        process.env[NOW_ENV] = String(p.blockchain.now);
        return net.as(wallet).reset();
    }

    /** Expects a script to refuse before sending, with `message` in the error. */
    async function expectRefusal(run: Promise<void>, message: RegExp, type: typeof PreflightError | typeof UsageError = PreflightError) {
        await expect(run).rejects.toThrow(type);
        expect(net.output).toMatch(message);
        expect(net.sent).toHaveLength(0);
    }

    const world = (): RewardWorld => ({ ...p, pool, poolConfig: undefined as never, params: p.params });
    const endOf = async (epoch: number) => (await pool.getEpoch(epoch)).endsAt;

    beforeAll(async () => {
        for (const k of [POLL_INTERVAL_ENV, NOW_ENV]) saved[k] = process.env[k];
        process.env[POLL_INTERVAL_ENV] = '0';
        p = await deployProtocol();
        client = await p.blockchain.treasury('reward client', { balance: toNano('100000') });
        keeper = await p.blockchain.treasury('reward keeper');
        funder = await p.blockchain.treasury('reward funder');
        net = new SandboxNetwork(p.blockchain, p.governance);
    });

    afterAll(() => {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    });

    it("deployRewardPool refuses an epoch length outside the root's bounds before sending", async () => {
        await expectRefusal(deployRewardPool(as(p.governance), ['--root', p.root.address.toString(), '--epoch-length', '60']), /--epoch-length: expected a number in 3600\.\.7776000/, UsageError);
    });

    it("deployRewardPool deploys a pool for the root's codes with the default schedule and prints the queueChange command", async () => {
        const now = p.blockchain.now!;
        await deployRewardPool(as(p.governance), ['--root', p.root.address.toString()]);
        const address = /^Pool address: (\S+)$/m.exec(net.output)?.[1];
        expect(address).toBeDefined();
        pool = p.blockchain.openContract(RewardPool.createFromAddress(Address.parse(address!)));
        const genesis = Math.ceil((now + p.params.timelockDelay) / HOUR) * HOUR;
        const config = await pool.getConfig();
        expect(config.root.equals(p.root.address)).toBe(true);
        expect(config.providerCodeHash).toBe(BigInt('0x' + p.providerCode.hash().toString('hex')));
        expect(config.jobCodeHash).toBe(BigInt('0x' + p.jobCode.hash().toString('hex')));
        expect(config).toMatchObject({ genesis, epochLength: DAY, reportGrace: 2 * HOUR, claimWindow: 30 * DAY });
        expect(net.sent).toHaveLength(1);
        expect(net.sent[0].args.value).toBe(toNano('1'));
        // The deploy value, net of the pool's gas, funds epoch 0.
        const e0 = await pool.getEpoch(0);
        expect(e0.funded).toBeGreaterThan(0n);
        expect(await pool.getLiability()).toBe(e0.funded);
        const command = /npx blueprint run queueChange --mnemonic -- (.*)$/m.exec(net.output)?.[1];
        expect(command).toBeDefined();
        queueFlags = command!.trim().split(/\s+/);
        expect(queueFlags).toEqual([
            '--root',
            p.root.address.toString(),
            '--action',
            'set-params',
            '--reward-pool',
            pool.address.toString(),
            '--epoch-genesis',
            String(genesis),
            '--epoch-length',
            String(DAY),
        ]);

        await deployRewardPool(as(p.governance), ['--root', p.root.address.toString(), '--genesis', String(genesis)]);
        expect(net.sent).toHaveLength(0);
        expect(net.output).toContain('already deployed');
    });

    it('queueChange with the printed flags, then executeChange, points JobParams.rewards at the pool and keeps every other param', async () => {
        const before = await p.root.getParams();
        await expectRefusal(
            queueChange(as(p.governance), [...queueFlags.slice(0, 6)]),
            /--reward-pool, --epoch-genesis and --epoch-length go together/,
            UsageError,
        );
        // A schedule other than the pool's own, or an address with no pool, is refused before sending.
        const wrongLength = [...queueFlags.slice(0, 9), String(2 * DAY)];
        await expectRefusal(queueChange(as(p.governance), wrongLength), /differ from the pool's own schedule/);
        expect(net.sent).toHaveLength(0);
        const noPool = [...queueFlags.slice(0, 5), funder.address.toString(), ...queueFlags.slice(6)];
        await expectRefusal(queueChange(as(p.governance), noPool), /no reward pool is deployed|is not a reward pool/);
        expect(net.sent).toHaveLength(0);
        await queueChange(as(p.governance), queueFlags);
        expect(net.output).toMatch(new RegExp(`job reward pool:\\s+${pool.address.toString()}`));
        expect(net.output).toMatch(/job epoch length:\s+1d \(86400 s\)/);
        const id = (await p.root.getRootData()).nextChangeId - 1;
        p.blockchain.now = Math.max((await p.root.getChange(id))!.eta, (await pool.getConfig()).genesis);
        await executeChange(as(p.governance), ['--root', p.root.address.toString(), '--id', String(id)]);
        const after = await p.root.getParams();
        const config = await pool.getConfig();
        expect(after.jobs!.rewards!.pool.equals(pool.address)).toBe(true);
        expect(after.jobs!.rewards).toMatchObject({ epochGenesis: config.genesis, epochLength: config.epochLength });
        expect(paramsToCell({ ...after, jobs: { ...after.jobs!, rewards: undefined } }).equals(paramsToCell(before))).toBe(true);
        expect(await pool.getCurrentEpoch()).toBe(0);
        [wp] = await addProviders(world(), 1, 'script reward provider');
    });

    it('fundRewards funds the current epoch with amount + the required value; refuses an epoch more than 64 ahead before sending', async () => {
        const required = await pool.getRequiredValues();
        const before = await pool.getEpoch(0);
        await fundRewards(as(funder), ['--pool', pool.address.toString(), '--amount', '5']);
        expect(net.sent).toHaveLength(1);
        expect(net.sent[0].args.value).toBe(toNano('5') + required.fund + FEE_MARGIN);
        expect(net.sent[0].result.transactions).toHaveTransaction({ from: funder.address, to: pool.address, op: Op.fundRewards, success: true });
        expect((await pool.getEpoch(0)).funded).toBe(before.funded + toNano('5'));
        expect(net.output).toContain('Funded epoch 0 with 5 TON.');
        expect(net.output).toMatch(/epoch:\s+0 \(current\)/);

        await fundRewards(as(funder), ['--pool', pool.address.toString(), '--amount', '1', '--epoch', '64']);
        expect((await pool.getEpoch(64)).funded).toBe(toNano('1'));
        await expectRefusal(fundRewards(as(funder), ['--pool', pool.address.toString(), '--amount', '1', '--epoch', '65']), /epoch 65 is more than 64 epochs after the current epoch 0; fund it from epoch 1 on \(exit 241 epoch_closed\)/);
    });

    it('reportRewards refuses while the epoch runs; after its end anyone reports it by --root and --owner and it is counted', async () => {
        p.blockchain.now! += 60;
        await settleJob(world(), client, wp, USAGE);
        const entry = (await wp.provider.getRewards()).entries[0];
        expect(entry).toMatchObject({ epoch: 0, state: RewardEntryState.pending, work: USAGE * JOB_PRICE, fees: protocolFee(USAGE, DEFAULT_JOB_PARAMS.protocolFeeBps) });
        const end = await endOf(0);
        await expectRefusal(
            reportRewards(as(keeper), ['--provider', wp.provider.address.toString()]),
            new RegExp(`nothing to report: its pending entries' epochs have not ended: epoch 0 ends ${formatTime(end).replace(/[().]/g, '\\$&')} \\(exit 242 nothing_to_report\\)`),
        );

        p.blockchain.now = end + 5;
        await expectRefusal(fundRewards(as(funder), ['--pool', pool.address.toString(), '--amount', '1', '--epoch', '0']), /epoch 0 ended at .* \(exit 241 epoch_closed\)/);
        const funded = (await pool.getEpoch(0)).funded;
        const required = await wp.provider.getRewardRequiredValues();
        await reportRewards(as(keeper), ['--root', p.root.address.toString(), '--owner', wp.owner.address.toString()]);
        expect(net.sent).toHaveLength(1);
        expect(net.sent[0].args.value).toBe(required.report + FEE_MARGIN);
        const txs = net.sent[0].result.transactions;
        expect(txs).toHaveTransaction({ from: keeper.address, to: wp.provider.address, op: Op.reportRewards, success: true });
        expect(txs).toHaveTransaction({ from: wp.provider.address, to: pool.address, op: Op.reportUsage, success: true });
        expect(txs).toHaveTransaction({ from: pool.address, to: wp.provider.address, op: Op.usageCounted, success: true });
        const t = await pool.getEpoch(0);
        expect(t.work).toBe(entry.work);
        expect(t.funded).toBe(funded + entry.fees);
        expect((await wp.provider.getRewards()).entries[0]).toMatchObject({ epoch: 0, state: RewardEntryState.counted, at: t.claimAt });
        expect(net.output).toContain(`epoch 0: counted; claims open ${formatTime(t.claimAt)}`);

        await expectRefusal(reportRewards(as(keeper), ['--provider', wp.provider.address.toString()]), /nothing to report: it has no pending entry for pool/);
    });

    it('claimRewards refuses before claims open and from another wallet; after end + grace it pays the owner the whole epoch (one provider)', async () => {
        const t = await pool.getEpoch(0);
        const rootFlags = ['--root', p.root.address.toString()];
        await expectRefusal(claimRewards(as(wp.owner), rootFlags), new RegExp(`nothing to claim from pool .*: epoch 0 is counted; its claims open ${formatTime(t.claimAt).replace(/[().]/g, '\\$&')} \\(exit 243 nothing_to_claim\\)`));
        p.blockchain.now = t.claimAt + 10;
        await expectRefusal(claimRewards(as(keeper), ['--provider', wp.provider.address.toString()]), /claim_rewards must be sent by the owner/);

        const share = await pool.getRewardShare(0, t.work);
        expect(share).toBe(t.funded);
        const required = await wp.provider.getRewardRequiredValues();
        await claimRewards(as(wp.owner), rootFlags);
        expect(net.sent).toHaveLength(1);
        expect(net.sent[0].args.value).toBe(required.claim + FEE_MARGIN);
        const txs = net.sent[0].result.transactions;
        expect(txs).toHaveTransaction({ from: wp.provider.address, to: pool.address, op: Op.poolClaim, success: true });
        expect(rewardPaidTo(txs as any, wp.owner.address)).toBe(share);
        expect(net.output).toMatch(new RegExp(`epoch 0:\\s+work ${t.work} nanoton: ${fromNano(share).replace('.', '\\.')} TON \\(claimable now\\)`));
        expect(net.output).toContain(`Claimed epochs 0: the pool paid about ${fromNano(share)} TON to the owner`);
        expect((await pool.getEpoch(0)).paid).toBe(share);
        expect((await wp.provider.getRewards()).entries).toHaveLength(0);

        await expectRefusal(claimRewards(as(wp.owner), rootFlags), /nothing to claim from pool .*: the provider has no entry for it \(exit 243 nothing_to_claim\)/);
    });

    it('showRewards prints the pool, its live epochs and, with --provider, the entries and the pending reward estimate', async () => {
        // A job in the current epoch: pending, worth (funded + its fees) x work / (total + work) if reported in time.
        await settleJob(world(), client, wp, USAGE / 2n);
        const current = await pool.getCurrentEpoch();
        const entry = (await wp.provider.getRewards()).entries.find((e) => e.epoch === current)!;
        const t = await pool.getEpoch(current);
        const estimate = ((t.funded + entry.fees) * entry.work) / (t.work + entry.work);
        await showRewards(as(keeper), ['--pool', pool.address.toString(), '--provider', wp.provider.address.toString()]);
        expect(net.sent).toHaveLength(0);
        const out = net.output;
        expect(out).toMatch(new RegExp(`current epoch:\\s+${current}: `));
        expect(out).toMatch(new RegExp(`liability:\\s+${fromNano(await pool.getLiability()).replace('.', '\\.')} TON`));
        expect(out).toContain('#0: claimable until');
        expect(out).toMatch(/#64: open until/);
        expect(out).toMatch(new RegExp(`epoch ${current}: pending`));
        expect(out).toMatch(new RegExp(`pending reward estimate:\\s+${fromNano(estimate).replace('.', '\\.')} TON`));

        await showRewards(as(keeper), ['--pool', pool.address.toString()]);
        expect(net.output).not.toContain('reward entries of this pool');
    });

    it('--dry-run of fundRewards prints the exact body instead of sending it', async () => {
        await fundRewards(as(funder), ['--pool', pool.address.toString(), '--amount', '2', '--dry-run']);
        expect(net.sent).toHaveLength(0);
        const boc = /body \(base64 BoC\):\s+(\S+)/.exec(net.output)?.[1];
        expect(boc).toBeDefined();
        const body = (await import('@ton/core')).Cell.fromBase64(boc!).beginParse();
        expect(body.loadUint(32)).toBe(Op.fundRewards);
        body.loadUintBig(64);
        expect(body.loadUint(32)).toBe(await pool.getCurrentEpoch());
        expect(body.loadCoins()).toBe(toNano('2'));
    });
});
