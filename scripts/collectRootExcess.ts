import { NetworkProvider } from '@ton/blueprint';
import { Root } from '../wrappers/Root';
import { randomQueryId } from '../wrappers/common';
import { Op } from '../wrappers/constants';
import {
    Flags,
    formatAddress,
    formatTon,
    lastLt,
    openRoot,
    requireSender,
    rootReport,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    waitFor,
    withMargin,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'collectRootExcess',
    summary:
        "Sends the root's balance above its storage reserve (and this message's value) to the treasury (governance only).",
    flags: [Flags.root, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { print, testOnly } = ctx;
        const root = await openRoot(ctx);
        const [data, params, required] = await Promise.all([root.getRootData(), root.getParams(), root.getRequiredValues()]);
        if (!ctx.dryRun) requireSender(senderAddress(provider), [{ who: 'governance', address: data.governance }], 'collect_root_excess');
        const rootState = provider.provider(root.address);
        const [balanceBefore, ltBefore] = [await root.getBalance(), await lastLt(rootState)];
        const { value, note } = withMargin(required.governanceOp);
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.collectRootExcess,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: root.address,
                toLabel: 'root',
                value,
                valueNote: note,
                fields: [
                    ['root balance', formatTon(balanceBefore)],
                    ['treasury', formatAddress(params.treasury, testOnly)],
                ],
            },
            Root.simpleMessage(Op.collectRootExcess, randomQueryId()),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(ctx.ui, 'the root to process the message', async () => ((await lastLt(rootState)) > ltBefore ? true : undefined));
        const balanceAfter = await root.getBalance();
        print(
            `Root balance: ${formatTon(balanceBefore)} before, ${formatTon(balanceAfter)} after ` +
                `(the rest went to the treasury ${formatAddress(params.treasury, testOnly)}).`,
            ...(await rootReport(provider, root, testOnly)),
        );
    });
}
