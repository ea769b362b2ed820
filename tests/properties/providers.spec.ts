/**
 * Property suite, provider- and governance-heavy: registrations (valid,
 * replayed, expired, for another owner, too little value), re-attestations,
 * model updates, top-ups, offers, unbonding and withdrawal, revocations and
 * keeper checks, the timelock (queue, execute, cancel), pause, plain
 * transfers, equivocation reports and malformed messages, with jobs opened and
 * closed in between, and the reward pool (funding valid and invalid, reports, claims by the
 * owner and by others, forged pool messages). See tests/properties/suite.ts.
 */
import { propertySuite } from './suite';

propertySuite('Property: provider and governance invariants', {
    seed: 0xc0c0a002,
    runs: 1000,
    maxOperations: 5,
    windDown: 0.25,
    weights: {
        register: 5,
        reattest: 4,
        models: 3,
        topUp: 4,
        offer: 2,
        unbond: 4,
        withdraw: 3,
        revoke: 3,
        check: 4,
        queue: 3,
        execute: 3,
        cancelChange: 1,
        pause: 1,
        unpause: 1,
        equivocate: 3,
        transfer: 2,
        junk: 2,
        wait: 6,
        create: 5,
        submit: 3,
        expire: 2,
        settle: 2,
        claim: 2,
        race: 2,
        fund: 2,
        report: 4,
        claimRewards: 4,
        epochWait: 3,
        forge: 2,
    },
});
