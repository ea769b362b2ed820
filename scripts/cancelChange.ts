import { NetworkProvider } from '@ton/blueprint';
import { Root } from '../wrappers/Root';
import { randomQueryId } from '../wrappers/common';
import { Op } from '../wrappers/constants';
import {
    describeAction,
    Flags,
    formatTime,
    openRoot,
    parseChangeId,
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
    name: 'cancelChange',
    summary: 'Cancels a queued change (governance or guardian), at any time before it is executed.',
    flags: [Flags.root, { name: 'id', value: '<change id>', help: 'the id of the pending change', required: true }, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const id = a.required('id', parseChangeId);
        const root = await openRoot(ctx);
        const [change, data, required] = await Promise.all([root.getChange(id), root.getRootData(), root.getRequiredValues()]);
        if (!change) throw new PreflightError(`there is no pending change #${id} (already executed, cancelled, or never queued)`);
        if (!ctx.dryRun) {
            requireSender(
                senderAddress(provider),
                [
                    { who: 'governance', address: data.governance },
                    { who: 'guardian', address: data.guardian },
                ],
                'cancel_change',
            );
        }
        const { value, note } = withMargin(required.governanceOp);
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.cancelChange,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: root.address,
                toLabel: 'root',
                value,
                valueNote: note,
                fields: [
                    ['change_id', String(id)],
                    ['eta', formatTime(change.eta)],
                ],
                extra: describeAction(change.action, testOnly),
            },
            Root.changeIdMessage(Op.cancelChange, id, randomQueryId()),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            `change #${id} to be cancelled`,
            async () => ((await root.getChange(id)) === null ? true : undefined),
            `Change #${id} is still pending: the root refused cancel_change (not governance or guardian: ${exitNote('notGovernanceOrGuardian')}).`,
        );
        print(`Change #${id} cancelled.`, ...(await rootReport(provider, root, testOnly)));
    });
}
