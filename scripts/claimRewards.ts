import { NetworkProvider } from '@ton/blueprint';
import { Provider } from '../wrappers/Provider';
import { randomQueryId } from '../wrappers/common';
import { Op, RewardEntryState, RewardLimits } from '../wrappers/constants';
import {
    currentTime,
    entryEstimate,
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
    requireSender,
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
    name: 'claimRewards',
    summary:
        "Claims the sender's provider's counted reward entries whose claims have opened (owner only, up to " +
        `${RewardLimits.maxRecords} epochs per message): the pool pays the owner floor(funded x work / total work) of each epoch.`,
    flags: [
        { ...ProviderFlags.root, help: "the Cocoon root; the provider is the sender's" },
        ProviderFlags.provider,
        RewardFlags.pool("the reward pool (default: the pool of the provider's JobParams)"),
        Flags.dryRun,
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { print, testOnly } = ctx;
        const { contract, data } = await resolveRegisteredProvider(ctx, true);
        if (!ctx.dryRun) requireSender(senderAddress(provider), [{ who: 'the owner', address: data.owner }], 'claim_rewards');
        const pool = await openPool(ctx, await poolOfProvider(ctx, contract.address));
        const now = currentTime();
        const entries = poolEntries((await contract.getRewards()).entries, pool.address);
        const claiming = providerWillSend(entries, RewardEntryState.counted, now);
        if (claiming.length === 0) {
            const later = entries.filter((e) => e.state === RewardEntryState.counted);
            const pending = entries.filter((e) => e.state !== RewardEntryState.counted);
            const why = [
                ...later.map((e) => `epoch ${e.epoch} is counted; its claims open ${formatTime(e.at)}`),
                ...pending.map((e) => `epoch ${e.epoch} is ${e.state === RewardEntryState.pending ? 'pending: report it first (reportRewards)' : "reported: waiting for the pool's answer"}`),
            ];
            throw new PreflightError(
                `nothing to claim from pool ${formatAddress(pool.address, testOnly)}: ${why.length ? why.join('; ') : 'the provider has no entry for it'} (${exitNote('nothingToClaim')})`,
            );
        }
        const rows: [string, string][] = [];
        let total = 0n;
        for (const e of claiming) {
            const est = await entryEstimate(pool, e, now);
            total += est.amount;
            rows.push([`epoch ${e.epoch}`, `work ${e.work} nanoton: ${formatTon(est.amount)} (${est.note})`]);
        }
        const required = await contract.getRewardRequiredValues();
        const { value, note } = withMargin(required.claim);
        const queryId = randomQueryId();
        const cp = provider.provider(contract.address);
        const ltBefore = await lastLt(cp);
        const liabilityBefore = await pool.getLiability();
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.claimRewards,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: contract.address,
                toLabel: 'provider',
                value,
                valueNote: note,
                fields: [
                    ['pool', formatAddress(pool.address, testOnly)],
                    ['query id', String(queryId)],
                    ...rows,
                    ['expected reward', `${formatTon(total)} (the pool's get_reward_share now; paid to ${formatAddress(data.owner, testOnly)}, the owner)`],
                ],
                extra: rows.some((r) => r[1].includes('pays 0')) ? ['  note: entries past their claim window are removed and pay nothing'] : [],
            },
            Provider.claimRewardsMessage(pool.address, queryId),
            (b) => contract.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        const result = await waitFor(
            ctx.ui,
            'the claim to be paid',
            async (): Promise<{ done: true } | { refused: string } | undefined> => {
                const lt = await lastLt(cp);
                const after = poolEntries((await contract.getRewards()).entries, pool.address);
                if (claiming.every((c) => !after.some((e) => e.epoch === c.epoch))) return { done: true };
                const refused = await refusalSince(provider, contract.address, ltBefore, lt, Op.claimRewards, queryId);
                return refused ? { refused } : undefined;
            },
            'The provider has not processed claim_rewards yet: check the wallet transaction.',
        );
        if ('refused' in result) throw new Error(`the provider refused claim_rewards: ${result.refused}; the value comes back with the bounce, minus gas`);
        const paid = liabilityBefore - (await pool.getLiability());
        print(
            `Claimed epochs ${claiming.map((c) => c.epoch).join(', ')}: the pool paid about ${formatTon(paid)} to the owner (its liability fell by that much).`,
            ...(await providerRewardsReport(pool, contract, currentTime(), testOnly)),
        );
    });
}
