import { compile, NetworkProvider } from '@ton/blueprint';
import { RewardPool, RewardPoolConfig } from '../wrappers/RewardPool';
import { ParamBounds } from '../wrappers/constants';
import {
    commandLine,
    currentTime,
    Flags,
    formatAddress,
    formatDuration,
    formatTime,
    formatTon,
    openRoot,
    parseSeconds,
    parseTon,
    parseUint,
    pollIntervalMs,
    POLL_ATTEMPTS,
    poolReport,
    readPool,
    runScript,
    ScriptSpec,
    senderAddress,
    table,
    UINT32_MAX,
    UsageError,
} from '../tools/cli';

const HOUR = 3600;
const DAY = 24 * HOUR;
/** Defaults of the schedule (seconds). */
export const POOL_DEFAULTS = { epochLength: DAY, reportGrace: 2 * HOUR, claimWindow: 30 * DAY, value: '1' } as const;

export const spec: ScriptSpec = {
    name: 'deployRewardPool',
    summary:
        "Deploys a reward pool for a root (governance): it pays each finished epoch's funding pro rata to the work the root's providers settled in it. " +
        "The pool's address derives from the root, the root's provider and job codes and the schedule; JobParams.rewards must then name it " +
        '(the queueChange command printed at the end).',
    flags: [
        Flags.root,
        {
            name: 'genesis',
            value: '<unix time>',
            help: "start of epoch 0 (default: the next whole hour after now + the root's timelock delay)",
        },
        {
            name: 'epoch-length',
            value: '<seconds>',
            help: `epoch length, ${ParamBounds.epochLengthMin}..${ParamBounds.epochLengthMax} (default ${POOL_DEFAULTS.epochLength}: 1 day)`,
        },
        { name: 'report-grace', value: '<seconds>', help: `reports of an epoch count until its end + this; claims open then (default ${POOL_DEFAULTS.reportGrace}: 2 h)` },
        { name: 'claim-window', value: '<seconds>', help: `claims of an epoch are paid for this long, then its rest rolls forward (default ${POOL_DEFAULTS.claimWindow}: 30 days)` },
        { name: 'value', value: '<TON>', help: `deploy value: it fills the pool's storage reserve first; the rest, net of the pool's gas, funds epoch 0 (default ${POOL_DEFAULTS.value})` },
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const epochLength = a.optional('epoch-length', parseUint(ParamBounds.epochLengthMin, ParamBounds.epochLengthMax)) ?? POOL_DEFAULTS.epochLength;
        const reportGrace = a.optional('report-grace', parseSeconds) ?? POOL_DEFAULTS.reportGrace;
        const claimWindow = a.optional('claim-window', parseUint(1, UINT32_MAX)) ?? POOL_DEFAULTS.claimWindow;
        const givenGenesis = a.optional('genesis', parseSeconds);
        const value = a.optional('value', parseTon) ?? parseTon(POOL_DEFAULTS.value);
        const root = await openRoot(ctx);
        const [params, providerCode, jobCode] = await Promise.all([root.getParams(), root.getProviderCode(), root.getJobCode()]);
        const now = currentTime();
        const earliest = now + params.timelockDelay;
        const genesis = givenGenesis ?? Math.ceil(earliest / HOUR) * HOUR;
        if (genesis + epochLength > UINT32_MAX) throw new UsageError('--genesis: the first epoch would end after 2106 (uint32 time)');

        const config: RewardPoolConfig = { root: root.address, providerCode, jobCode, genesis, epochLength, reportGrace, claimWindow };
        const pool = provider.open(RewardPool.createFromConfig(config, await compile('RewardPool')));
        const sender = senderAddress(provider);
        print(
            `Deploying a reward pool at ${formatAddress(pool.address, testOnly)}`,
            ...table([
                ['from', formatAddress(sender, testOnly)],
                ['value', `${formatTon(value)} (fills the storage reserve first; the rest funds epoch 0)`],
                ['root', formatAddress(root.address, testOnly)],
                ['pool code hash', pool.init!.code.hash().toString('hex')],
                ['provider code hash', `${providerCode.hash().toString('hex')} (the root's)`],
                ['job code hash', `${jobCode.hash().toString('hex')} (the root's)`],
                ['genesis', formatTime(genesis) + (givenGenesis === undefined ? ' (default)' : '')],
                ['epoch length', formatDuration(epochLength)],
                ['report grace', formatDuration(reportGrace)],
                ['claim window', formatDuration(claimWindow)],
            ]),
        );
        if (genesis < earliest) {
            print(
                `Note: genesis is before the earliest time JobParams can name the pool (${formatTime(earliest)}: now + the timelock delay); ` +
                    'epochs before then earn no fees from jobs.',
            );
        }
        if (await provider.isContractDeployed(pool.address)) {
            print('A pool with exactly this root, codes and schedule is already deployed; nothing sent.');
        } else {
            await pool.sendDeploy(provider.sender(), value);
            await provider.waitForDeploy(pool.address, POLL_ATTEMPTS, pollIntervalMs());
        }
        print(
            ...poolReport(await readPool(provider, pool), pool.address, now, testOnly),
            `Pool address: ${formatAddress(pool.address, testOnly)}`,
            'Point the root at it (governance, through the timelock; every other param is kept):',
            `  ${commandLine(
                ctx,
                'queueChange',
                `--root ${formatAddress(root.address, testOnly)} --action set-params --reward-pool ${formatAddress(pool.address, testOnly)} ` +
                    `--epoch-genesis ${genesis} --epoch-length ${epochLength}`,
            )}`,
            'Providers apply JobParams from their snapshot: those registered before the change executes use the pool after their next reattestation or model update.',
        );
    });
}
