import { NetworkProvider } from '@ton/blueprint';
import { ProviderFlags, providerReport, resolveProvider, runScript, ScriptSpec } from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'showProvider',
    summary:
        'Prints a provider: state, stake, eligibility, revocation, jobs (open, bonded, record), attestation (keys, expiry), offer, models, ' +
        'params snapshot and balance. Sends nothing.',
    flags: [ProviderFlags.root, ProviderFlags.owner(true), ProviderFlags.provider],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { contract } = await resolveProvider(ctx, true);
        ctx.print(...(await providerReport(provider, contract, ctx.testOnly)));
    });
}
