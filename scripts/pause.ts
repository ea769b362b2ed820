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
    name: 'pause',
    summary:
        'Pauses the root at once (governance or guardian): registrations, re-attestations and model updates are refused ' +
        'until governance unpauses. Providers already registered keep their stake and state.',
    flags: [Flags.root, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { print, testOnly } = ctx;
        const root = await openRoot(ctx);
        const [data, required] = await Promise.all([root.getRootData(), root.getRequiredValues()]);
        if (data.paused) throw new PreflightError('the root is already paused');
        if (!ctx.dryRun) {
            requireSender(
                senderAddress(provider),
                [
                    { who: 'governance', address: data.governance },
                    { who: 'guardian', address: data.guardian },
                ],
                'pause',
            );
        }
        const { value, note } = withMargin(required.governanceOp);
        const sent = await sendOrPrint(
            ctx,
            { opcode: Op.pause, from: ctx.dryRun ? undefined : senderAddress(provider), to: root.address, toLabel: 'root', value, valueNote: note, fields: [] },
            Root.simpleMessage(Op.pause, randomQueryId()),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            'the root to be paused',
            async () => ((await root.getRootData()).paused ? true : undefined),
            `The root is not paused: it refused the message (not governance or guardian: ${exitNote('notGovernanceOrGuardian')}).`,
        );
        print('The root is paused.', ...(await rootReport(provider, root, testOnly)));
    });
}
