import { NetworkProvider } from '@ton/blueprint';
import { Root } from '../wrappers/Root';
import { randomQueryId } from '../wrappers/common';
import { Op } from '../wrappers/constants';
import {
    Flags,
    openRoot,
    PreflightError,
    requireSender,
    rootReport,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    waitFor,
    withMargin,
    exitNote,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'unpause',
    summary: 'Unpauses the root (governance only; the guardian can pause but not unpause).',
    flags: [Flags.root, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { print, testOnly } = ctx;
        const root = await openRoot(ctx);
        const [data, required] = await Promise.all([root.getRootData(), root.getRequiredValues()]);
        if (!data.paused) throw new PreflightError('the root is not paused');
        if (!ctx.dryRun) requireSender(senderAddress(provider), [{ who: 'governance', address: data.governance }], 'unpause');
        const { value, note } = withMargin(required.governanceOp);
        const sent = await sendOrPrint(
            ctx,
            { opcode: Op.unpause, from: ctx.dryRun ? undefined : senderAddress(provider), to: root.address, toLabel: 'root', value, valueNote: note, fields: [] },
            Root.simpleMessage(Op.unpause, randomQueryId()),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            'the root to be unpaused',
            async () => ((await root.getRootData()).paused ? undefined : true),
            `The root is still paused: it refused the message (not governance: ${exitNote('notGovernance')}).`,
        );
        print('The root is unpaused.', ...(await rootReport(provider, root, testOnly)));
    });
}
