import { NetworkProvider } from '@ton/blueprint';
import { Root } from '../wrappers/Root';
import { randomQueryId } from '../wrappers/common';
import { Op, ProviderState } from '../wrappers/constants';
import {
    Flags,
    formatAddress,
    formatHash,
    formatTon,
    isListed,
    parseAddress,
    parseChoice,
    parseHash,
    PreflightError,
    providerReport,
    resolveRegisteredProvider,
    REVOCATION_KINDS,
    revocationSubject,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    waitFor,
    withMargin,
    exitNote,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'checkProvider',
    summary:
        "The keeper's revocation trigger (anyone): after governance revoked a policy, model or verifier key, makes the " +
        "root tell the owner's provider, which stops being eligible (policy, verifier key) or drops the model.",
    flags: [
        Flags.root,
        { name: 'owner', value: '<address>', help: "the provider's owner", required: true },
        { name: 'kind', value: `<${REVOCATION_KINDS.join('|')}>`, help: 'what was revoked', required: true },
        { name: 'hash', value: '<hex>', help: 'the revoked policy hash, model hash or verifier key', required: true },
        Flags.dryRun,
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const kind = a.required('kind', parseChoice(REVOCATION_KINDS));
        const hash = a.required('hash', parseHash);
        const owner = a.required('owner', parseAddress);
        const { contract, root, data } = await resolveRegisteredProvider(ctx, false);
        if (data.state === ProviderState.exited) {
            throw new PreflightError(`the provider has exited; it would refuse (${exitNote('wrongState')})`);
        }
        if (kind !== 'model' && data.revoked) {
            throw new PreflightError('the provider is already revoked; there is nothing left to report');
        }
        if (await isListed(root, kind, hash)) {
            throw new PreflightError(`${kind} ${formatHash(hash)} is still listed on the root; it would refuse (${exitNote('stillAllowed')})`);
        }
        let relies: boolean;
        if (kind === 'model') {
            relies = await contract.getServesModel(hash);
        } else {
            const attestation = await contract.getAttestation();
            relies = hash === (kind === 'policy' ? attestation.policyHash : attestation.verifierKey);
        }
        if (!relies) {
            throw new PreflightError(`the provider does not rely on ${kind} ${formatHash(hash)}; it would refuse (${exitNote('revocationMismatch')})`);
        }
        const [required, jobParams] = await Promise.all([root.getRequiredValues(), root.getJobParams()]);
        const { value, note } = withMargin(required.checkProvider);
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.checkProvider,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: root.address,
                toLabel: 'root',
                value,
                valueNote: note,
                fields: [
                    ['owner', formatAddress(owner, testOnly)],
                    ['provider', formatAddress(contract.address, testOnly)],
                    ['subject', `${kind} ${formatHash(hash)}`],
                    ['keeper reward', `up to ${formatTon(jobParams.keeperReward)}, paid by the provider from its free stake`],
                ],
            },
            Root.checkProviderMessage(owner, revocationSubject(kind, hash), randomQueryId()),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            'the provider to take the revocation',
            async () => {
                if (kind === 'model') return (await contract.getServesModel(hash)) ? undefined : true;
                return (await contract.getProviderData()).revoked ? true : undefined;
            },
            'The provider did not take the revocation: check the keeper transaction.',
        );
        print('The provider took the revocation.', ...(await providerReport(provider, contract, testOnly)));
    });
}
