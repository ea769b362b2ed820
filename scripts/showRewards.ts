import { NetworkProvider } from '@ton/blueprint';
import {
    currentTime,
    openPool,
    parseAddress,
    poolReport,
    ProviderFlags,
    providerRewardsReport,
    readPool,
    resolveProvider,
    RewardFlags,
    runScript,
    ScriptSpec,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'showRewards',
    summary:
        "Prints a reward pool: config, current epoch, liability, every live epoch's totals (work, funded, paid) and phase; with a provider " +
        '(--provider, or --root with --owner), its reward entries of this pool with what each is worth now. Sends nothing.',
    flags: [RewardFlags.pool('the reward pool', true), ProviderFlags.root, ProviderFlags.owner(false), ProviderFlags.provider],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const pool = await openPool(ctx, a.required('pool', parseAddress));
        const now = currentTime();
        print(...poolReport(await readPool(provider, pool), pool.address, now, testOnly));
        if (a.has('provider') || a.has('root') || a.has('owner')) {
            const { contract } = await resolveProvider(ctx, false);
            if (!(await provider.isContractDeployed(contract.address))) {
                print(`Provider ${contract.address.toString({ testOnly })}: not deployed`);
                return;
            }
            print(...(await providerRewardsReport(pool, contract, now, testOnly)));
        }
    });
}
