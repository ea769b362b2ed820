import { NetworkProvider } from '@ton/blueprint';
import { Job } from '../wrappers/Job';
import { randomQueryId } from '../wrappers/common';
import { JobState, Op } from '../wrappers/constants';
import {
    clientRefusal,
    commandLine,
    currentTime,
    exitNote,
    Flags,
    formatAddress,
    formatDuration,
    formatHash,
    formatTime,
    JobFlags,
    jobReport,
    openJob,
    parseReason,
    refuseIf,
    runScript,
    ScriptSpec,
    sendJobMessage,
    stateRefusal,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'disputeJob',
    summary:
        "The client disputes a submitted result within the challenge window. Governance then rules within the arbitration " +
        'period (resolveDispute); without a verdict, anyone may settle after it and the provider is paid.',
    flags: [
        JobFlags.job,
        {
            name: 'reason',
            value: '<text|hex>',
            help: 'why: 64 hex digits are stored as the reason hash; any other text is hashed (SHA-256) and only its hash goes on chain',
            required: true,
        },
        Flags.dryRun,
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const reason = ctx.args.required('reason', parseReason);
        const { job, snap, required } = await openJob(ctx);
        const now = currentTime();
        const closes = snap.state.timer + snap.terms.challengeWindow;
        const refusals = [...clientRefusal(ctx, snap), ...stateRefusal(snap, [JobState.submitted])];
        if (snap.state.state === JobState.submitted && now >= closes) {
            refusals.push(`the challenge window closed at ${formatTime(closes)} (${exitNote('windowClosed')}); anyone may settle the job now`);
        }
        refuseIf('dispute_job', refusals);
        const queryId = randomQueryId();
        const after = await sendJobMessage(ctx, job, required, {
            action: 'dispute_job',
            opcode: Op.disputeJob,
            queryId,
            body: Job.disputeMessage(reason.hash, queryId),
            required: 'clientOp',
            fields: [
                ['reason hash', `${formatHash(reason.hash)} (${reason.note})`],
                ['result disputed', formatHash(snap.progress.resultCommitment)],
                ['challenge window closes', formatTime(closes)],
                ['arbitration period', snap.params ? formatDuration(snap.params.arbitrationPeriod) : '(from the job params)'],
            ],
            done: (s) => s.state.state === JobState.disputed,
            what: 'the job to be disputed',
        });
        if (!after) return;
        const p = after.parties;
        ctx.print(
            `Disputed. Governance may rule until ${formatTime(after.state.timer)}:`,
            `  ${commandLine(ctx, 'resolveDispute', `--root ${formatAddress(p.root, ctx.testOnly)} --client ${formatAddress(p.client, ctx.testOnly)} --nonce ${p.nonce} --for <client|provider>`)}`,
            ...jobReport(after, currentTime(), ctx.testOnly),
        );
    });
}
