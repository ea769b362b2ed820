import { NetworkProvider } from '@ton/blueprint';
import { Job } from '../wrappers/Job';
import { randomQueryId } from '../wrappers/common';
import { JobState, Op } from '../wrappers/constants';
import {
    currentTime,
    exitNote,
    Flags,
    formatTime,
    formatTon,
    JobFlags,
    JobSnapshot,
    jobReport,
    jobStateName,
    openJob,
    paymentOf,
    refuseIf,
    runScript,
    ScriptSpec,
    sendJobMessage,
    senderAddress,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'settleJob',
    summary:
        "The keeper's settlement (anyone) of what the clock allows: a submitted result after the challenge window, a dispute " +
        'not arbitrated in time (the provider is paid, no slash), a closing session after its grace, a session past its ' +
        'deadline. A keeper other than the client gets the keeper reward from the client\'s remainder (not for a dispute).',
    flags: [JobFlags.job, Flags.dryRun],
};

/** What settle_job would do now, or why the job would refuse it. */
function plan(s: JobSnapshot, now: number): { refusals: string[]; what: string; usage: bigint; reward: boolean } {
    const { state, session, deadline, timer } = s.state;
    const window = s.terms.challengeWindow;
    switch (state) {
        case JobState.submitted:
            return now >= timer + window
                ? { refusals: [], what: 'settle the submitted result (the challenge window is over)', usage: s.progress.usage, reward: true }
                : { refusals: [`the challenge window is open until ${formatTime(timer + window)} (${exitNote('windowOpen')})`], what: '', usage: 0n, reward: false };
        case JobState.disputed:
            return now > timer
                ? { refusals: [], what: 'resolve the dispute for the provider (no verdict in the arbitration period)', usage: s.progress.usage, reward: false }
                : { refusals: [`the arbitration period runs until ${formatTime(timer)} (${exitNote('arbitrationPending')})`], what: '', usage: 0n, reward: false };
        case JobState.closing:
            return now >= timer
                ? { refusals: [], what: 'settle the closing session (the grace is over)', usage: 0n, reward: true }
                : { refusals: [`the session grace runs until ${formatTime(timer)} (${exitNote('graceNotOver')})`], what: '', usage: 0n, reward: false };
        case JobState.accepted:
            if (!session) {
                return {
                    refusals: [`an accepted one-shot job is not settled but expired after its deadline (expireJob) (${exitNote('jobWrongState')})`],
                    what: '',
                    usage: 0n,
                    reward: false,
                };
            }
            return now > deadline
                ? { refusals: [], what: 'settle the session past its deadline', usage: 0n, reward: true }
                : { refusals: [`the session runs until its deadline ${formatTime(deadline)} (${exitNote('deadlineNotPassed')})`], what: '', usage: 0n, reward: false };
        default:
            return { refusals: [`the job is ${jobStateName(state)}: there is nothing to settle (${exitNote('jobWrongState')})`], what: '', usage: 0n, reward: false };
    }
}

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { job, snap, required } = await openJob(ctx);
        const p = plan(snap, currentTime());
        refuseIf('settle_job', p.refusals);
        const keeper = !ctx.dryRun && !senderAddress(provider).equals(snap.parties.client);
        const pay = paymentOf(p.usage, snap.terms.price, snap.terms.feeBps);
        const remainder = snap.state.budget - (snap.progress.paidUsage + p.usage) * snap.terms.price;
        const rewardCap = snap.params?.keeperReward ?? 0n;
        const reward = p.reward && keeper ? (rewardCap < remainder ? rewardCap : remainder) : 0n;
        const queryId = randomQueryId();
        const after = await sendJobMessage(ctx, job, required, {
            action: 'settle_job',
            opcode: Op.settleJob,
            queryId,
            body: Job.simpleMessage(Op.settleJob, queryId),
            required: 'closeJob',
            fields: [
                ['state', jobStateName(snap.state.state)],
                ['action', p.what],
                ['payment', `${p.usage} more units: ${formatTon(pay.amount)} (owner ${formatTon(pay.owner)}, protocol fee ${formatTon(pay.fee)})`],
                ['keeper reward', ctx.dryRun ? 'to the sender unless it is the client' : keeper && p.reward ? formatTon(reward) : 'none'],
            ],
            done: (s) => s.state.state === JobState.settled || s.state.state === JobState.resolved,
            what: 'the job to be settled',
        });
        if (!after) return;
        ctx.print(`Settled: the job is ${jobStateName(after.state.state)}.`, ...jobReport(after, currentTime(), ctx.testOnly));
    });
}
