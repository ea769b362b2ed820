import { NetworkProvider } from '@ton/blueprint';
import { Flags, openRoot, rootReport, runScript, ScriptSpec } from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'showRoot',
    summary:
        'Prints the root: version, paused, governance, guardian, pending governance, params, allowlists, ' +
        'pending timelocked changes (id, eta, decoded action) and the required value of each root and job message. Sends nothing.',
    flags: [Flags.root],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const root = await openRoot(ctx);
        ctx.print(...(await rootReport(provider, root, ctx.testOnly)));
    });
}
