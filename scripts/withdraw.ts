import { NetworkProvider } from '@ton/blueprint';
import { Provider } from '../wrappers/Provider';
import { randomQueryId } from '../wrappers/common';
import { Op, ProviderState } from '../wrappers/constants';
import {
    Flags,
    formatAddress,
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
    name: 'withdraw',
    summary: "Withdraws the whole stake of the sender's unbonding provider to the owner once the unbonding period is over (owner only).",
    flags: [{ ...ProviderFlags.root, help: "the Cocoon root; the provider is the sender's" }, ProviderFlags.provider, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { print, testOnly } = ctx;
        const { contract, root, data } = await resolveRegisteredProvider(ctx, true);
        if (!ctx.dryRun) requireSender(senderAddress(provider), [{ who: 'the owner', address: data.owner }], 'withdraw_stake');
        if (data.state !== ProviderState.unbonding) {
            throw new PreflightError(`the provider is ${providerStateName(data.state)}; run unbond first (${exitNote('wrongState')})`);
        }
        const { openJobs } = await contract.getProviderJobs();
        if (openJobs > 0) {
            throw new PreflightError(`the provider has ${openJobs} open job(s); it can withdraw its stake once they are closed (${exitNote('openJobs')})`);
        }
        const { value, note } = withMargin(await providerOpRequired(root));
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.withdrawStake,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: contract.address,
                toLabel: 'provider',
                value,
                valueNote: note,
                fields: [
                    ['stake', formatTon(data.stake)],
                    ['unbonding ends', formatTime(data.unbondAt)],
                    ['paid to', `${formatAddress(data.owner, testOnly)} (the owner)`],
                ],
            },
            Provider.simpleMessage(Op.withdrawStake, randomQueryId()),
            (b) => contract.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            'the stake to be withdrawn',
            async () => ((await contract.getProviderData()).state === ProviderState.exited ? true : undefined),
            `The provider is still unbonding: it refuses withdraw_stake before ${formatTime(data.unbondAt)} by the chain's clock (${exitNote('unbondingNotFinished')}).`,
        );
        print(`Withdrew ${formatTon(data.stake)} to the owner.`, ...(await providerReport(provider, contract, testOnly)));
    });
}
