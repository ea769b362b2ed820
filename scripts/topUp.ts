import { NetworkProvider } from '@ton/blueprint';
import { Provider } from '../wrappers/Provider';
import { randomQueryId } from '../wrappers/common';
import { Op, ProviderState } from '../wrappers/constants';
import {
    Flags,
    formatTon,
    parseTon,
    PreflightError,
    ProviderFlags,
    providerOpRequired,
    providerReport,
    providerStateName,
    resolveRegisteredProvider,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    waitFor,
    withMargin,
    exitNote,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'topUp',
    summary: "Adds to a provider's stake (anyone may top up an active or jailed provider; a jailed one back at the min stake becomes active).",
    flags: [
        ProviderFlags.root,
        ProviderFlags.owner(true),
        ProviderFlags.provider,
        { name: 'amount', value: '<TON>', help: 'how much to add to the stake', required: true },
        Flags.dryRun,
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const amount = a.required('amount', parseTon);
        const { contract, root, data } = await resolveRegisteredProvider(ctx, true);
        if (data.state !== ProviderState.active && data.state !== ProviderState.jailed) {
            throw new PreflightError(`the provider is ${providerStateName(data.state)}; only an active or jailed provider takes a top-up (${exitNote('wrongState')})`);
        }
        const { value, note } = withMargin(await providerOpRequired(root), amount, 'amount');
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.topUp,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: contract.address,
                toLabel: 'provider',
                value,
                valueNote: note,
                fields: [
                    ['amount', formatTon(amount)],
                    ['stake now', formatTon(data.stake)],
                    ['stake after', formatTon(data.stake + amount)],
                ],
            },
            Provider.topUpMessage(amount, randomQueryId()),
            (b) => contract.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            'the stake to grow',
            async () => ((await contract.getProviderData()).stake >= data.stake + amount ? true : undefined),
            'The provider refused the top-up: check the wallet transaction.',
        );
        print('Topped up.', ...(await providerReport(provider, contract, testOnly)));
    });
}
