import { NetworkProvider } from '@ton/blueprint';
import { Job } from '../wrappers/Job';
import { randomQueryId } from '../wrappers/common';
import { JobState, Op } from '../wrappers/constants';
import {
    clientRefusal,
    currentTime,
    Flags,
    formatDuration,
    formatTime,
    JobFlags,
    jobReport,
    kindRefusal,
    openJob,
    refuseIf,
    runScript,
    ScriptSpec,
    sendJobMessage,
    stateRefusal,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'closeSession',
    summary:
        "The client closes a session unilaterally: the provider then has the session grace for a final claim (claimSession), " +
        'after which anyone may settle it (settleJob) and the client gets the rest of the budget.',
    flags: [JobFlags.job, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { job, snap, required } = await openJob(ctx);
        const refusals = [...clientRefusal(ctx, snap), ...stateRefusal(snap, [JobState.accepted])];
        if (snap.state.state === JobState.accepted) refusals.push(...kindRefusal(snap, true));
        refuseIf('close_session', refusals);
        const grace = snap.params?.sessionGrace;
        const queryId = randomQueryId();
        const after = await sendJobMessage(ctx, job, required, {
            action: 'close_session',
            opcode: Op.closeSession,
            queryId,
            body: Job.simpleMessage(Op.closeSession, queryId),
            required: 'clientOp',
            fields: [
                ['paid usage so far', `${snap.progress.paidUsage} units (last receipt seq ${snap.progress.seq})`],
                ['session grace', grace !== undefined ? `${formatDuration(grace)}: until about ${formatTime(currentTime() + grace)}` : '(from the job params)'],
            ],
            done: (s) => s.state.state === JobState.closing,
            what: 'the session to be closing',
        });
        if (!after) return;
        ctx.print(
            `Closing: the provider may claim with the latest receipt until ${formatTime(after.state.timer)}; then anyone may settle.`,
            ...jobReport(after, currentTime(), ctx.testOnly),
        );
    });
}
