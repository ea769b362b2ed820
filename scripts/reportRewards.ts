import { NetworkProvider } from '@ton/blueprint';
import { Provider } from '../wrappers/Provider';
import { randomQueryId } from '../wrappers/common';
import { Op, RewardEntryState, RewardLimits } from '../wrappers/constants';
import {
    currentTime,
    exitNote,
    Flags,
    formatAddress,
    formatTime,
    formatTon,
    lastLt,
    openPool,
    poolEntries,
    poolOfProvider,
    PreflightError,
    ProviderFlags,
    providerRewardsReport,
    providerWillSend,
    refusalSince,
    resolveRegisteredProvider,
    RewardFlags,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    waitFor,
    withMargin,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'reportRewards',
    summary:
        "Reports a provider's work and protocol fees of finished epochs to its reward pool (anyone, e.g. a keeper; the sender pays the gas " +
        `and gets the rest back). Sends up to ${RewardLimits.maxRecords} pending entries whose epoch ended; the pool counts those that arrive before ` +
        "the epoch's end + report grace (late ones fund its current epoch and earn nothing).",
    flags: [
        ProviderFlags.root,
        ProviderFlags.owner(false),
        ProviderFlags.provider,
        RewardFlags.pool("the reward pool (default: the pool of the provider's JobParams)"),
        Flags.dryRun,
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { print, testOnly } = ctx;
        const { contract } = await resolveRegisteredProvider(ctx, false);
        const poolAddress = await poolOfProvider(ctx, contract.address);
        const pool = await openPool(ctx, poolAddress);
        const now = currentTime();
        const entries = poolEntries((await contract.getRewards()).entries, pool.address);
        const sending = providerWillSend(entries, RewardEntryState.pending, now);
        if (sending.length === 0) {
            const pending = entries.filter((e) => e.state === RewardEntryState.pending);
            const why = pending.length
                ? `its pending entries' epochs have not ended: ${pending.map((e) => `epoch ${e.epoch} ends ${formatTime(e.at)}`).join('; ')}`
                : `it has no pending entry for pool ${formatAddress(pool.address, testOnly)}`;
            throw new PreflightError(`nothing to report: ${why} (${exitNote('nothingToReport')})`);
        }
        const rows: [string, string][] = [];
        let late = 0;
        for (const e of sending) {
            const t = await pool.getEpoch(e.epoch);
            const isLate = e.at !== t.endsAt || now >= t.claimAt;
            if (isLate) late += 1;
            rows.push([
                `epoch ${e.epoch}`,
                `work ${e.work} nanoton, fees ${formatTon(e.fees)}: ` +
                    (isLate
                        ? e.at !== t.endsAt
                            ? "LATE: stamped under another schedule than the pool's; the fees fund its current epoch, the work earns nothing"
                            : `LATE (reports counted until ${formatTime(t.claimAt)}): the fees fund the current epoch, the work earns nothing`
                        : `counted if it arrives before ${formatTime(t.claimAt)}; claims open then`),
            ]);
        }
        const required = await contract.getRewardRequiredValues();
        const { value, note } = withMargin(required.report);
        const queryId = randomQueryId();
        const cp = provider.provider(contract.address);
        const ltBefore = await lastLt(cp);
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.reportRewards,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: contract.address,
                toLabel: 'provider',
                value,
                valueNote: note,
                fields: [['pool', formatAddress(pool.address, testOnly)], ['query id', String(queryId)], ...rows],
                extra: late ? [`  note: ${late} of ${sending.length} entries are late`] : [],
            },
            Provider.reportRewardsMessage(pool.address, queryId),
            (b) => contract.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        const result = await waitFor(
            ctx.ui,
            "the pool's answers",
            async (): Promise<{ done: true } | { refused: string } | undefined> => {
                const lt = await lastLt(cp);
                const after = poolEntries((await contract.getRewards()).entries, pool.address);
                const open = sending.filter((s) => after.some((e) => e.epoch === s.epoch && e.state !== RewardEntryState.counted));
                if (open.length === 0) return { done: true };
                if (open.some((s) => after.find((e) => e.epoch === s.epoch)!.state !== RewardEntryState.pending)) return undefined;
                const refused = await refusalSince(provider, contract.address, ltBefore, lt, Op.reportRewards, queryId);
                return refused ? { refused } : undefined;
            },
            'The provider has not sent the reports, or the pool has not answered yet: check the wallet transaction.',
        );
        if ('refused' in result) throw new Error(`the provider refused report_rewards: ${result.refused}; the value comes back with the bounce, minus gas`);
        const after = poolEntries((await contract.getRewards()).entries, pool.address);
        print(
            'Reported:',
            ...sending.map((s) => {
                const e = after.find((x) => x.epoch === s.epoch);
                return e ? `  epoch ${s.epoch}: counted; claims open ${formatTime(e.at)} (claimRewards, the owner)` : `  epoch ${s.epoch}: late; its fees funded the pool's current epoch`;
            }),
            ...(await providerRewardsReport(pool, contract, currentTime(), testOnly)),
        );
    });
}
