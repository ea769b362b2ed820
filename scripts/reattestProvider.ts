import { NetworkProvider } from '@ton/blueprint';
import { Root } from '../wrappers/Root';
import { bufferToBigint, randomQueryId } from '../wrappers/common';
import { Op } from '../wrappers/constants';
import {
    Flags,
    formatAddress,
    formatHash,
    formatTime,
    openRoot,
    PreflightError,
    providerReport,
    resolveRegisteredProvider,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    StatementArg,
    statementProblems,
    waitFor,
    withMargin,
    exitNote,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'reattestProvider',
    summary:
        "Replaces the attestation of the sender's provider with a newer statement (before the current one expires, " +
        'or after a revocation once the provider runs an allowlisted image again). Clears the revoked flag.',
    flags: [Flags.root, StatementArg.flag, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const { cell: statement, parsed } = a.required(StatementArg.flag.name, StatementArg.parse);
        const root = await openRoot(ctx);
        const { contract } = await resolveRegisteredProvider(ctx, true);
        const st = parsed.statement;

        const [data, params, required, attestation] = await Promise.all([
            root.getRootData(),
            root.getParams(),
            root.getRequiredValues(),
            contract.getAttestation(),
        ]);
        const refusals = await statementProblems(root, parsed, statement, ctx.dryRun ? null : senderAddress(provider), data, params);
        if (st.issuedAt <= attestation.attestedAt) {
            refusals.push(`the statement was issued at ${st.issuedAt}, not after the current attestation (${attestation.attestedAt}); the provider refuses it (${exitNote('staleStatement')})`);
        }
        if (refusals.length) throw new PreflightError(`the re-attestation would be refused:\n  - ${refusals.join('\n  - ')}`);

        const { value, note } = withMargin(required.reattestProvider);
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.reattestProvider,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: root.address,
                toLabel: 'root',
                value,
                valueNote: note,
                fields: [
                    ['provider', formatAddress(contract.address, testOnly)],
                    ['policy', formatHash(bufferToBigint(st.policyHash))],
                    ['operator key', formatHash(bufferToBigint(st.operatorKey))],
                    ['encryption key', formatHash(bufferToBigint(st.encryptionKey))],
                    ['issued at', formatTime(st.issuedAt)],
                    ['expires at', formatTime(st.expiresAt)],
                ],
            },
            Root.reattestProviderMessage(statement, randomQueryId()),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            'the new attestation',
            async () => ((await contract.getAttestation()).attestedAt === st.issuedAt ? true : undefined),
            `The re-attestation was refused: check the wallet transaction (the root refuses an expired or not-yet-valid statement, ${exitNote('statementExpired')} or ${exitNote('statementNotYetValid')}).`,
        );
        print('Re-attested.', ...(await providerReport(provider, contract, testOnly)));
    });
}
