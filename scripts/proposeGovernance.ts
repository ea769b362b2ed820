import { NetworkProvider } from '@ton/blueprint';
import { Root } from '../wrappers/Root';
import { randomQueryId } from '../wrappers/common';
import { Op } from '../wrappers/constants';
import {
    commandLine,
    Flags,
    formatAddress,
    openRoot,
    parseAddress,
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
    name: 'proposeGovernance',
    summary:
        'Step 1 of the governance transfer (governance only): records the proposed new governance, which takes over ' +
        'when it sends claimGovernance. A new proposal replaces the previous one.',
    flags: [Flags.root, { name: 'new', value: '<address>', help: 'the proposed new governance', required: true }, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const proposed = a.required('new', parseAddress);
        const root = await openRoot(ctx);
        const [data, required] = await Promise.all([root.getRootData(), root.getRequiredValues()]);
        if (!ctx.dryRun) requireSender(senderAddress(provider), [{ who: 'governance', address: data.governance }], 'propose_governance');
        const { value, note } = withMargin(required.governanceOp);
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.proposeGovernance,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: root.address,
                toLabel: 'root',
                value,
                valueNote: note,
                fields: [
                    ['current governance', formatAddress(data.governance, testOnly)],
                    ['new_governance', formatAddress(proposed, testOnly)],
                ],
            },
            Root.proposeGovernanceMessage(proposed, randomQueryId()),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            'the proposal to be recorded',
            async () => ((await root.getRootData()).pendingGovernance?.equals(proposed) ? true : undefined),
            `The root refused propose_governance (not governance: ${exitNote('notGovernance')}).`,
        );
        print(
            `Proposed ${formatAddress(proposed, testOnly)} as the new governance. It takes over when it sends:`,
            `  ${commandLine(ctx, 'claimGovernance', `--root ${formatAddress(root.address, testOnly)}`)}`,
            ...(await rootReport(provider, root, testOnly)),
        );
    });
}
