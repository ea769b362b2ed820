import { compile, NetworkProvider } from '@ton/blueprint';
import { QuoteVerifier } from '../wrappers/QuoteVerifier';
import {
    commandLine,
    Flags,
    formatAddress,
    formatTon,
    openRoot,
    parseTon,
    pollIntervalMs,
    POLL_ATTEMPTS,
    runScript,
    ScriptSpec,
    senderAddress,
    table,
} from '../tools/cli';

const DEFAULT_VALUE = '0.5';

export const spec: ScriptSpec = {
    name: 'deployQuoteVerifier',
    summary:
        'Deploys the quote verifier of a root (attestation level 2, SPEC §6.5): its owner is the root, so PCK keys are ' +
        'registered only through the root timelock (queueChange --action add-pck-key). Then queue set-quote-verifier ' +
        'and set-attestation-modes to let the root accept registrations from it.',
    flags: [Flags.root, { name: 'value', value: '<TON>', help: `balance to deploy it with (default ${DEFAULT_VALUE})` }],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const root = await openRoot(ctx);
        const value = a.optional('value', parseTon) ?? parseTon(DEFAULT_VALUE);
        const verifier = provider.open(QuoteVerifier.createFromConfig({ owner: root.address }, await compile('QuoteVerifier')));
        const rootFlag = `--root ${formatAddress(root.address, testOnly)}`;
        const next = [
            'Next, through the root timelock (governance):',
            `  ${commandLine(ctx, 'queueChange', `${rootFlag} --action set-quote-verifier --verifier ${formatAddress(verifier.address, testOnly)}`)}`,
            `  ${commandLine(ctx, 'queueChange', `${rootFlag} --action set-attestation-modes --modes statement,quote`)}`,
            `  ${commandLine(ctx, 'queueChange', `${rootFlag} --action add-pck-key --quote <quote file>`)}  (verifies the PCK chain to Intel's root first)`,
        ];
        print(
            `Deploying the quote verifier of root ${formatAddress(root.address, testOnly)}`,
            ...table([
                ['address', formatAddress(verifier.address, testOnly)],
                ['from', formatAddress(senderAddress(provider), testOnly)],
                ['value', formatTon(value)],
                ['code hash', verifier.init!.code.hash().toString('hex')],
                ['owner', `${formatAddress(root.address, testOnly)} (the root)`],
            ]),
        );
        if (await provider.isContractDeployed(verifier.address)) {
            print('This quote verifier is already deployed; nothing sent.', `Quote verifier address: ${formatAddress(verifier.address, testOnly)}`, ...next);
            return;
        }
        await verifier.sendDeploy(provider.sender(), value);
        await provider.waitForDeploy(verifier.address, POLL_ATTEMPTS, pollIntervalMs());
        print(`Quote verifier address: ${formatAddress(verifier.address, testOnly)}`, ...next);
    });
}
