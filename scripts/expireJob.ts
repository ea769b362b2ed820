import { NetworkProvider } from '@ton/blueprint';
import { Job } from '../wrappers/Job';
import { randomQueryId } from '../wrappers/common';
import { JobState, Op } from '../wrappers/constants';
import {
    currentTime,
    exitNote,
    Flags,
    formatAddress,
    formatBps,
    formatTime,
    formatTon,
    JobFlags,
    jobReport,
    kindRefusal,
    openJob,
    refuseIf,
    runScript,
    ScriptSpec,
    sendJobMessage,
    senderAddress,
    stateRefusal,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'expireJob',
    summary:
        'Expires an accepted one-shot job past its deadline without a result (anyone): the client gets its budget back and ' +
        "the provider's bond is slashed; the caller is the reporter and gets the reporter share.",
    flags: [JobFlags.job, Flags.dryRun],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { job, snap, required } = await openJob(ctx);
        const now = currentTime();
        const refusals = [...stateRefusal(snap, [JobState.accepted])];
        if (refusals.length === 0) refusals.push(...kindRefusal(snap, false));
        if (refusals.length === 0 && now <= snap.state.deadline) {
            refusals.push(`the deadline ${formatTime(snap.state.deadline)} has not passed; expire_job is allowed from ${formatTime(snap.state.deadline + 1)} (${exitNote('deadlineNotPassed')})`);
        }
        refuseIf('expire_job', refusals);
        const bond = snap.terms.bond;
        const shares = snap.params;
        const queryId = randomQueryId();
        const after = await sendJobMessage(ctx, job, required, {
            action: 'expire_job',
            opcode: Op.expireJob,
            queryId,
            body: Job.simpleMessage(Op.expireJob, queryId),
            required: 'closeJob',
            fields: [
                ['deadline', formatTime(snap.state.deadline)],
                ['provider', snap.parties.provider ? formatAddress(snap.parties.provider, ctx.testOnly) : '-'],
                ['bond slashed', `${formatTon(bond)} (at most the provider's stake)`],
                ...(shares
                    ? ([
                          ['client share', formatBps(shares.slashClientBps)],
                          ['reporter share (the sender)', formatBps(shares.slashReporterBps)],
                      ] as [string, string][])
                    : []),
                ['refund to the client', formatTon(snap.state.budget) + ' and the unused overhead'],
            ],
            done: (s) => s.state.state === JobState.expired,
            what: 'the job to expire',
        });
        if (!after) return;
        ctx.print(
            `Expired: the client was refunded and the provider's bond of ${formatTon(bond)} slashed; the reporter share went to ${formatAddress(senderAddress(provider), ctx.testOnly)}.`,
            ...jobReport(after, currentTime(), ctx.testOnly),
        );
    });
}
