import { NetworkProvider } from '@ton/blueprint';
import { currentTime, JobFlags, jobReport, openJob, runScript, ScriptSpec } from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'showJob',
    summary:
        'Prints a job: state, kind, budget, deadline and timer, parties, request, terms (price, bond, operator key, owner, ' +
        'fee, challenge window, arbitration period, session grace, keeper reward), progress (result commitment, usage, seq, ' +
        'paid usage, dispute reason), balance, and which messages it takes next given the current time. Sends nothing.',
    flags: [JobFlags.job],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { snap } = await openJob(ctx);
        ctx.print(...jobReport(snap, currentTime(), ctx.testOnly));
    });
}
