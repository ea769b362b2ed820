import { NetworkProvider } from '@ton/blueprint';
import { Root } from '../wrappers/Root';
import { QuoteVerifier } from '../wrappers/QuoteVerifier';
import { randomQueryId } from '../wrappers/common';
import { Op } from '../wrappers/constants';
import {
    exitNote,
    Flags,
    formatAddress,
    formatHash,
    openRoot,
    parseHash,
    PreflightError,
    requireSender,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    waitFor,
    withMargin,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'revokePck',
    summary:
        "Revokes a PCK key in the root's quote verifier at once (governance or guardian, revoke_pck_key): quotes signed " +
        'under it are refused from then on. Providers it already attested keep their attestation until it expires ' +
        '(or until their policy is revoked).',
    flags: [Flags.root, { name: 'x', value: '<hex>', help: "the PCK key's x coordinate", required: true }, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const x = a.required('x', parseHash);
        const root = await openRoot(ctx);
        const [data, config, quoteRequired] = await Promise.all([root.getRootData(), root.getAttestationConfig(), root.getQuoteRequiredValues()]);
        if (!config.quoteVerifier) throw new PreflightError(`the root has no quote verifier (it would refuse: ${exitNote('noQuoteVerifier')})`);
        const verifier = provider.open(QuoteVerifier.createFromAddress(config.quoteVerifier));
        if (!(await verifier.getPck(x)).found) throw new PreflightError(`PCK key ${formatHash(x)} is not registered in ${formatAddress(verifier.address, testOnly)}`);
        if (!ctx.dryRun) {
            requireSender(
                senderAddress(provider),
                [
                    { who: 'governance', address: data.governance },
                    { who: 'guardian', address: data.guardian },
                ],
                'revoke_pck_key',
            );
        }
        const { value, note } = withMargin(quoteRequired.pckOp);
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.revokePckKey,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: root.address,
                toLabel: 'root',
                value,
                valueNote: note,
                fields: [
                    ['PCK key x', formatHash(x)],
                    ['quote verifier', formatAddress(verifier.address, testOnly)],
                ],
            },
            Root.revokePckKeyMessage(x, randomQueryId()),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            `PCK key ${formatHash(x)} to be revoked`,
            async () => ((await verifier.getPck(x)).found ? undefined : true),
            `It is still registered: the root refused (not governance or guardian: ${exitNote('notGovernanceOrGuardian')}).`,
        );
        print(`Revoked PCK key ${formatHash(x)} in the quote verifier ${formatAddress(verifier.address, testOnly)}.`);
    });
}
