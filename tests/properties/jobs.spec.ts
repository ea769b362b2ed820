/**
 * Property suite, job-heavy: clients, workers, keepers and governance drive
 * one-shot jobs and sessions (create, cancel, submit, confirm, dispute,
 * resolve, settle, expire, claim, close), with invalid variants (wrong sender,
 * too little value, mis-signed, replayed or foreign payloads), time jumps and
 * some provider and governance activity, and the reward flow (reports after an epoch
 * ends, claims after the report grace, time jumps across epoch ends). See tests/properties/suite.ts.
 */
import { propertySuite } from './suite';

propertySuite('Property: job escrow invariants', {
    seed: 0xc0c0a001,
    runs: 1000,
    maxOperations: 5,
    windDown: 0.25,
    weights: {
        create: 10,
        cancel: 2,
        submit: 8,
        confirm: 4,
        dispute: 3,
        resolve: 3,
        settle: 4,
        expire: 4,
        claim: 6,
        closeSession: 2,
        equivocate: 2,
        wait: 8,
        topUp: 1,
        unbond: 1,
        revoke: 1,
        check: 1,
        junk: 1,
        race: 3,
        fund: 1,
        report: 5,
        claimRewards: 5,
        epochWait: 4,
        forge: 1,
    },
});
