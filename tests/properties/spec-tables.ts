/**
 * The state machines of SPEC.md, encoded as data: for each inbound message
 * (by op, or the bounce of an op) the (state before -> state after) pairs a
 * SUCCESSFUL transaction may produce. A transaction that fails changes no
 * state; a pair missing here is a transition the SPEC does not allow.
 *
 * Provider states (SPEC §7): -1 no account, 0 uninit, 1 active, 2 jailed,
 * 3 unbonding, 4 exited. Job states (SPEC §8.3): 0 uninit (or no account),
 * 1 created, 2 accepted, 3 submitted, 4 disputed, 5 closing, 6 settled,
 * 7 expired, 8 cancelled, 9 resolved.
 */
import { JobState as J, Op, ProviderState as P } from '../../wrappers/constants';

export const NO_ACCOUNT = -1;
const NONE = NO_ACCOUNT;

type Pair = readonly [number, number];
const same = (...states: number[]): Pair[] => states.map((s) => [s, s] as const);

const REGISTERED = [P.active, P.jailed, P.unbonding];
const FINAL_JOB = [J.settled, J.expired, J.cancelled, J.resolved];

/** SPEC §7 "Provider state machine", plus the job-related rules of §5.3 and §8.4. */
export const PROVIDER_TRANSITIONS: Record<string, Pair[]> = {
    // From the root.
    [`op:${Op.providerInit}`]: [
        [NONE, P.active],
        [NONE, P.jailed],
        [P.uninit, P.active],
        [P.uninit, P.jailed],
        [P.exited, P.active],
        [P.exited, P.jailed],
        [P.exited, P.exited], // refused 156: a statement not newer than the last one used (SPEC §7, §12.4)
        ...same(...REGISTERED), // refused 155
    ],
    [`op:${Op.providerReattest}`]: rootUpdate(),
    [`op:${Op.providerSetModels}`]: rootUpdate(),
    [`op:${Op.providerRevoke}`]: [
        [NONE, NONE],
        [P.uninit, NONE],
        ...same(P.active, P.jailed, P.unbonding, P.exited),
        // The keeper's reward comes out of the stake: a provider left below min_stake is jailed (§7).
        [P.active, P.jailed],
    ],
    // From the owner (top_up: anyone).
    [`op:${Op.topUp}`]: [...same(P.active, P.jailed), [P.jailed, P.active]],
    [`op:${Op.updateOffer}`]: same(...REGISTERED),
    [`op:${Op.requestUnbond}`]: [
        [P.active, P.unbonding],
        [P.jailed, P.unbonding],
    ],
    [`op:${Op.withdrawStake}`]: [[P.unbonding, P.exited]],
    // From jobs.
    [`op:${Op.offerJob}`]: same(P.active, P.jailed, P.unbonding, P.exited),
    [`op:${Op.jobClosed}`]: same(...REGISTERED),
    [`op:${Op.slashBond}`]: [...same(...REGISTERED), [P.active, P.jailed]],
    // From anyone.
    [`op:${Op.reportEquivocation}`]: [...same(...REGISTERED), [P.active, P.jailed]],
    // Rewards (issue #4): anyone reports, the pool answers, the owner claims; no state changes
    // (an exited provider still reports and claims what it earned).
    [`op:${Op.reportRewards}`]: same(...REGISTERED, P.exited),
    [`op:${Op.usageCounted}`]: same(...REGISTERED, P.exited),
    [`op:${Op.usageLate}`]: same(...REGISTERED, P.exited),
    [`op:${Op.claimRewards}`]: same(...REGISTERED, P.exited),
    // Plain transfers and text comments (accepted by a registered provider only), and every bounce (ignored).
    plain: same(P.active, P.jailed, P.unbonding),
    bounced: same(P.uninit, ...REGISTERED, P.exited),
};

function rootUpdate(): Pair[] {
    return [
        [NONE, NONE], // deploy -> uninit -> refund, deleted
        [P.uninit, NONE],
        [P.active, P.active],
        [P.active, P.jailed], // ¹ params refreshed: min_stake may have risen
        [P.jailed, P.jailed],
        [P.jailed, P.active],
        [P.unbonding, P.unbonding],
        [P.exited, P.exited], // refused 152
    ];
}

/** SPEC §8.3 "Job state machine"; `kind` restricts a pair to one-shot jobs or sessions. */
export type JobPair = readonly [number, number, ('oneshot' | 'session')?];

export const JOB_TRANSITIONS: Record<string, JobPair[]> = {
    [`op:${Op.createJob}`]: [[J.uninit, J.created]],
    [`op:${Op.jobAccepted}`]: [
        [J.created, J.accepted],
        [J.cancelled, J.cancelled], // a late acceptance releases the bond
    ],
    [`op:${Op.jobRejected}`]: [
        [J.created, J.cancelled],
        [J.cancelled, J.cancelled],
    ],
    [`op:${Op.cancelJob}`]: [[J.created, J.cancelled]],
    [`op:${Op.submitResult}`]: [[J.accepted, J.submitted, 'oneshot']],
    [`op:${Op.confirmResult}`]: [[J.submitted, J.settled, 'oneshot']],
    [`op:${Op.disputeJob}`]: [[J.submitted, J.disputed, 'oneshot']],
    [`op:${Op.disputeVerdict}`]: [[J.disputed, J.resolved, 'oneshot']],
    [`op:${Op.settleJob}`]: [
        [J.submitted, J.settled, 'oneshot'],
        [J.disputed, J.resolved, 'oneshot'],
        [J.closing, J.settled, 'session'],
        [J.accepted, J.settled, 'session'],
    ],
    [`op:${Op.expireJob}`]: [[J.accepted, J.expired, 'oneshot']],
    [`op:${Op.claimSession}`]: [
        [J.accepted, J.accepted, 'session'],
        [J.accepted, J.settled, 'session'],
        [J.closing, J.closing, 'session'],
        [J.closing, J.settled, 'session'],
    ],
    [`op:${Op.closeSession}`]: [[J.accepted, J.closing, 'session']],
    // Bounces: of the offer (cancels a created job; a cancelled one only refunds), of the close-out.
    [`bounced:${Op.offerJob}`]: [
        [J.created, J.cancelled],
        [J.cancelled, J.cancelled],
    ],
    [`bounced:${Op.jobClosed}`]: FINAL_JOB.map((s) => [s, s] as const),
    [`bounced:${Op.slashBond}`]: FINAL_JOB.map((s) => [s, s] as const),
};

/** Open jobs (SPEC §12 invariant 8: their bonds are locked at the provider). */
export const OPEN_JOB_STATES: number[] = [J.accepted, J.submitted, J.disputed, J.closing];
export const FINAL_JOB_STATES: number[] = FINAL_JOB;

export function providerTransitionAllowed(key: string, from: number, to: number): boolean {
    return (PROVIDER_TRANSITIONS[key] ?? []).some(([a, b]) => a === from && b === to);
}

export function jobTransitionAllowed(key: string, from: number, to: number, session: boolean): boolean {
    return (JOB_TRANSITIONS[key] ?? []).some(([a, b, kind]) => a === from && b === to && (!kind || kind === (session ? 'session' : 'oneshot')));
}
