import { NetworkProvider } from '@ton/blueprint';
import { Root } from '../wrappers/Root';
import { randomQueryId } from '../wrappers/common';
import { Op } from '../wrappers/constants';
import {
    commandLine,
    Flags,
    formatAddress,
    formatHash,
    openRoot,
    parseChoice,
    parseHash,
    PreflightError,
    requireSender,
    RevocationKind,
    REVOCATION_KINDS,
    rootReport,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    isListed,
    waitFor,
    withMargin,
    exitNote,
} from '../tools/cli';

const REVOKE_OPS: Record<RevocationKind, number> = {
    policy: Op.revokePolicy,
    model: Op.revokeModel,
    'verifier-key': Op.revokeVerifierKey,
};

export const spec: ScriptSpec = {
    name: 'revoke',
    summary:
        'Removes a policy, model or verifier key from the root at once (governance or guardian). Providers relying on it ' +
        'stop being eligible when a keeper runs checkProvider for them.',
    flags: [
        Flags.root,
        { name: 'kind', value: `<${REVOCATION_KINDS.join('|')}>`, help: 'what to revoke', required: true },
        { name: 'hash', value: '<hex>', help: 'the policy hash, model hash or verifier key', required: true },
        Flags.dryRun,
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const kind = a.required('kind', parseChoice(REVOCATION_KINDS));
        const hash = a.required('hash', parseHash);
        const root = await openRoot(ctx);
        const [data, required] = await Promise.all([root.getRootData(), root.getRequiredValues()]);
        if (!(await isListed(root, kind, hash))) {
            throw new PreflightError(`${kind} ${formatHash(hash)} is not listed on the root (it would refuse: ${exitNote('notListed')})`);
        }
        if (!ctx.dryRun) {
            requireSender(
                senderAddress(provider),
                [
                    { who: 'governance', address: data.governance },
                    { who: 'guardian', address: data.guardian },
                ],
                'revocation',
            );
        }
        const op = REVOKE_OPS[kind];
        const { value, note } = withMargin(required.governanceOp);
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: op,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: root.address,
                toLabel: 'root',
                value,
                valueNote: note,
                fields: [[kind, formatHash(hash)]],
            },
            Root.revokeMessage(op, hash, randomQueryId()),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            `${kind} ${formatHash(hash)} to be revoked`,
            async () => ((await isListed(root, kind, hash)) ? undefined : true),
            `It is still listed: the root refused the revocation (not governance or guardian: ${exitNote('notGovernanceOrGuardian')}).`,
        );
        print(
            `Revoked ${kind} ${formatHash(hash)}.`,
            `Providers relying on it stay registered but stop being eligible once a keeper runs, for each owner:`,
            `  ${commandLine(ctx, 'checkProvider', `--root ${formatAddress(root.address, testOnly)} --owner <owner> --kind ${kind} --hash ${formatHash(hash)}`)}`,
            ...(await rootReport(provider, root, testOnly)),
        );
    });
}
