import { NetworkProvider } from '@ton/blueprint';
import { Job } from '../wrappers/Job';
import { randomQueryId } from '../wrappers/common';
import { JobState, Op } from '../wrappers/constants';
import {
    clientRefusal,
    currentTime,
    formatTon,
    JobFlags,
    jobReport,
    openJob,
    refuseIf,
    runScript,
    ScriptSpec,
    sendJobMessage,
    stateRefusal,
    Flags,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'cancelJob',
    summary:
        "The client takes its budget back from a job the provider has not answered yet (state created). Once the provider " +
        'accepted, the job can no longer be cancelled; a rejected job already refunded the client.',
    flags: [JobFlags.job, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { job, snap, required } = await openJob(ctx);
        refuseIf('cancel_job', [...clientRefusal(ctx, snap), ...stateRefusal(snap, [JobState.created])]);
        const queryId = randomQueryId();
        const after = await sendJobMessage(ctx, job, required, {
            action: 'cancel_job',
            opcode: Op.cancelJob,
            queryId,
            body: Job.simpleMessage(Op.cancelJob, queryId),
            required: 'clientOp',
            fields: [['budget refunded', formatTon(snap.state.budget)]],
            done: (s) => s.state.state === JobState.cancelled || s.state.state === JobState.accepted,
            what: 'the job to be cancelled',
        });
        if (!after) return;
        if (after.state.state === JobState.accepted) {
            ctx.print('The provider accepted the job before the cancellation arrived: it is accepted, not cancelled.', ...jobReport(after, currentTime(), ctx.testOnly));
            throw new Error('the job was accepted before cancel_job arrived');
        }
        ctx.print('Cancelled: the budget went back to the client.', ...jobReport(after, currentTime(), ctx.testOnly));
    });
}
