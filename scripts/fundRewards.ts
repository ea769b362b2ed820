import { SendMode } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { RewardPool } from '../wrappers/RewardPool';
import { randomQueryId } from '../wrappers/common';
import { Op, RewardLimits } from '../wrappers/constants';
import {
    currentTime,
    exitNote,
    Flags,
    formatTime,
    formatTon,
    openPool,
    parseAddress,
    parseTon,
    parseUint,
    poolReport,
    PreflightError,
    readPool,
    RewardFlags,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    UINT32_MAX,
    waitFor,
    withMargin,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'fundRewards',
    summary:
        'Funds an epoch of a reward pool (anyone): the amount is paid pro rata to the work counted in that epoch once its claims open. ' +
        `The epoch must not have ended, and may be up to ${RewardLimits.maxFundAhead} epochs ahead.`,
    flags: [
        RewardFlags.pool('the reward pool', true),
        { name: 'amount', value: '<TON>', help: 'how much to add to the epoch', required: true },
        { name: 'epoch', value: '<n>', help: "the epoch to fund (default: the pool's current epoch)" },
        Flags.dryRun,
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const amount = a.required('amount', parseTon);
        const givenEpoch = a.optional('epoch', parseUint(0, UINT32_MAX));
        const pool = await openPool(ctx, a.required('pool', parseAddress));
        const snap = await readPool(provider, pool);
        const { current } = snap;
        const epoch = givenEpoch ?? current;
        const length = snap.config.epochLength;
        const endsAt = (e: number) => snap.config.genesis + (e + 1) * length;
        if (epoch < current) {
            throw new PreflightError(`epoch ${epoch} ended at ${formatTime(endsAt(epoch))}; the pool funds the current epoch ${current} or later (${exitNote('epochClosed')})`);
        }
        if (epoch > current + RewardLimits.maxFundAhead) {
            throw new PreflightError(
                `epoch ${epoch} is more than ${RewardLimits.maxFundAhead} epochs after the current epoch ${current}; fund it from epoch ${epoch - RewardLimits.maxFundAhead} on (${exitNote('epochClosed')})`,
            );
        }
        const before = await pool.getEpoch(epoch);
        const now = currentTime();
        const { value, note } = withMargin(snap.required.fund, amount, 'amount');
        const body = RewardPool.fundRewardsMessage(epoch, amount, randomQueryId());
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.fundRewards,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: pool.address,
                toLabel: 'reward pool',
                value,
                valueNote: note,
                fields: [
                    ['epoch', `${epoch}${givenEpoch === undefined ? ' (current)' : ''}, ends ${formatTime(endsAt(epoch))}`],
                    ['amount', formatTon(amount)],
                    ['funded now', formatTon(before.funded)],
                    ['funded after', formatTon(before.funded + amount)],
                ],
                extra: epoch === current && endsAt(epoch) - now < 300 ? [`  note: epoch ${epoch} ends in ${endsAt(epoch) - now} s; if it has ended when the message arrives, the pool refuses it and the value bounces`] : [],
            },
            body,
            (b) => provider.sender().send({ to: pool.address, value, body: b, bounce: true, sendMode: SendMode.PAY_GAS_SEPARATELY }),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            `epoch ${epoch} to be funded`,
            async () => ((await pool.getEpoch(epoch)).funded >= before.funded + amount ? true : undefined),
            'The pool refused fund_rewards (the epoch ended, or the value was short): the value bounced back; check the wallet transaction.',
        );
        print(`Funded epoch ${epoch} with ${formatTon(amount)}.`, ...poolReport(await readPool(provider, pool), pool.address, currentTime(), testOnly));
    });
}
