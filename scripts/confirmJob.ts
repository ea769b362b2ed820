import { NetworkProvider } from '@ton/blueprint';
import { Job } from '../wrappers/Job';
import { randomQueryId } from '../wrappers/common';
import { JobState, Op } from '../wrappers/constants';
import {
    clientRefusal,
    currentTime,
    Flags,
    formatHash,
    formatTon,
    JobFlags,
    jobReport,
    openJob,
    paymentOf,
    refuseIf,
    runScript,
    ScriptSpec,
    sendJobMessage,
    stateRefusal,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'confirmJob',
    summary:
        'The client confirms the submitted result of a one-shot job: the provider owner is paid usage x price (less the ' +
        'protocol fee), its bond is released and the rest of the budget goes back to the client.',
    flags: [JobFlags.job, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { job, snap, required } = await openJob(ctx);
        refuseIf('confirm_result', [...clientRefusal(ctx, snap), ...stateRefusal(snap, [JobState.submitted])]);
        const pay = paymentOf(snap.progress.usage, snap.terms.price, snap.terms.feeBps);
        const queryId = randomQueryId();
        const after = await sendJobMessage(ctx, job, required, {
            action: 'confirm_result',
            opcode: Op.confirmResult,
            queryId,
            body: Job.simpleMessage(Op.confirmResult, queryId),
            required: 'closeJob',
            fields: [
                ['result commitment', formatHash(snap.progress.resultCommitment)],
                ['usage', `${snap.progress.usage} units x ${snap.terms.price} nanoton`],
                ['payment', `${formatTon(pay.amount)} (owner ${formatTon(pay.owner)}, protocol fee ${formatTon(pay.fee)})`],
                ['refund to the client', `${formatTon(snap.state.budget - pay.amount)} of the budget, with the unused overhead`],
            ],
            done: (s) => s.state.state === JobState.settled,
            what: 'the job to be settled',
        });
        if (!after) return;
        ctx.print(`Confirmed: the job is settled; the owner was paid ${formatTon(pay.owner)}.`, ...jobReport(after, currentTime(), ctx.testOnly));
    });
}
