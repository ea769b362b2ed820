import { NetworkProvider } from '@ton/blueprint';
import { Root } from '../wrappers/Root';
import { randomQueryId } from '../wrappers/common';
import { Op } from '../wrappers/constants';
import {
    Flags,
    formatAddress,
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
    name: 'claimGovernance',
    summary: 'Step 2 of the governance transfer: the proposed governance takes over the root.',
    flags: [Flags.root, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { print, testOnly } = ctx;
        const root = await openRoot(ctx);
        const [data, required] = await Promise.all([root.getRootData(), root.getRequiredValues()]);
        const pending = data.pendingGovernance;
        if (!pending) throw new PreflightError('no governance transfer is pending (run proposeGovernance first)');
        if (!ctx.dryRun) requireSender(senderAddress(provider), [{ who: 'the proposed governance', address: pending }], 'claim_governance');
        const { value, note } = withMargin(required.governanceOp);
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.claimGovernance,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: root.address,
                toLabel: 'root',
                value,
                valueNote: note,
                fields: [
                    ['current governance', formatAddress(data.governance, testOnly)],
                    ['new governance', formatAddress(pending, testOnly)],
                ],
            },
            Root.simpleMessage(Op.claimGovernance, randomQueryId()),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            'the governance transfer',
            async () => ((await root.getRootData()).governance.equals(pending) ? true : undefined),
            `The root refused claim_governance (the sender must be the pending governance: ${exitNote('notPendingGovernance')}).`,
        );
        print(`${formatAddress(pending, testOnly)} is now the governance.`, ...(await rootReport(provider, root, testOnly)));
    });
}
