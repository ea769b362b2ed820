import { NetworkProvider } from '@ton/blueprint';
import { Provider } from '../wrappers/Provider';
import { randomQueryId } from '../wrappers/common';
import { Op, ProviderState } from '../wrappers/constants';
import {
    commandLine,
    Flags,
    formatAddress,
    formatDuration,
    formatTime,
    formatTon,
    PreflightError,
    ProviderFlags,
    providerOpRequired,
    providerReport,
    providerStateName,
    requireSender,
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
    name: 'unbond',
    summary:
        "Starts unbonding the sender's provider (owner only): it stops being eligible at once, and the stake can be " +
        'withdrawn after the unbonding period (withdraw).',
    flags: [{ ...ProviderFlags.root, help: "the Cocoon root; the provider is the sender's" }, ProviderFlags.provider, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { print, testOnly } = ctx;
        const { contract, root, data } = await resolveRegisteredProvider(ctx, true);
        if (!ctx.dryRun) requireSender(senderAddress(provider), [{ who: 'the owner', address: data.owner }], 'request_unbond');
        if (data.state !== ProviderState.active && data.state !== ProviderState.jailed) {
            throw new PreflightError(`the provider is ${providerStateName(data.state)}; only an active or jailed provider can unbond (${exitNote('wrongState')})`);
        }
        const params = await contract.getProviderParams();
        const { openJobs } = await contract.getProviderJobs();
        if (openJobs > 0) {
            throw new PreflightError(`the provider has ${openJobs} open job(s); it can unbond once they are closed (${exitNote('openJobs')})`);
        }
        const { value, note } = withMargin(await providerOpRequired(root));
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.requestUnbond,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: contract.address,
                toLabel: 'provider',
                value,
                valueNote: note,
                fields: [
                    ['stake', formatTon(data.stake)],
                    ['unbonding period', formatDuration(params.unbondingPeriod)],
                ],
            },
            Provider.simpleMessage(Op.requestUnbond, randomQueryId()),
            (b) => contract.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        const unbondAt = await waitFor(
            ctx.ui,
            'the provider to start unbonding',
            async () => {
                const d = await contract.getProviderData();
                return d.state === ProviderState.unbonding ? d.unbondAt : undefined;
            },
            'The provider refused request_unbond: check the wallet transaction.',
        );
        print(
            `Unbonding; the stake can be withdrawn from ${formatTime(unbondAt)} with:`,
            `  ${commandLine(ctx, 'withdraw', `--provider ${formatAddress(contract.address, testOnly)}`)}`,
            ...(await providerReport(provider, contract, testOnly)),
        );
    });
}
