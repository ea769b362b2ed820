/**
 * Opcodes, exit codes and enumerations, mirrored from contracts/common/*.fc.
 * tests/constants.spec.ts fails when the two disagree.
 */

export const Op = {
    // Root inbound: operators and keepers.
    registerProvider: 0xc0c01001,
    reattestProvider: 0xc0c01002,
    updateProviderModels: 0xc0c01003,
    checkProvider: 0xc0c01004,
    // Root inbound from the quote verifier.
    registerQuoteProvider: 0xc0c01005,
    // Root inbound: governance and guardian.
    queueChange: 0xc0c01010,
    executeChange: 0xc0c01011,
    cancelChange: 0xc0c01012,
    revokePolicy: 0xc0c01020,
    revokeModel: 0xc0c01021,
    revokeVerifierKey: 0xc0c01022,
    revokePckKey: 0xc0c01025,
    pause: 0xc0c01023,
    unpause: 0xc0c01024,
    proposeGovernance: 0xc0c01030,
    claimGovernance: 0xc0c01031,
    collectRootExcess: 0xc0c01040,
    resolveDispute: 0xc0c01050,
    // Provider inbound from the root.
    providerInit: 0xc0c02001,
    providerReattest: 0xc0c02002,
    providerSetModels: 0xc0c02003,
    providerRevoke: 0xc0c02004,
    // Provider inbound from a job, and from anyone (equivocation evidence).
    offerJob: 0xc0c02030,
    jobClosed: 0xc0c02031,
    slashBond: 0xc0c02032,
    reportEquivocation: 0xc0c02040,
    // Provider inbound from the owner (top_up: anyone).
    topUp: 0xc0c02010,
    updateOffer: 0xc0c02011,
    requestUnbond: 0xc0c02012,
    withdrawStake: 0xc0c02013,
    // Provider rewards: anyone reports, the owner claims; answers from the pool.
    reportRewards: 0xc0c02014,
    claimRewards: 0xc0c02015,
    usageCounted: 0xc0c05010,
    usageLate: 0xc0c05011,
    // Reward pool inbound.
    reportUsage: 0xc0c05001,
    poolClaim: 0xc0c05002,
    fundRewards: 0xc0c05003,
    // Job inbound.
    createJob: 0xc0c03001,
    cancelJob: 0xc0c03002,
    submitResult: 0xc0c03003,
    confirmResult: 0xc0c03004,
    disputeJob: 0xc0c03005,
    settleJob: 0xc0c03006,
    expireJob: 0xc0c03007,
    claimSession: 0xc0c03008,
    closeSession: 0xc0c03009,
    jobAccepted: 0xc0c03010,
    jobRejected: 0xc0c03011,
    disputeVerdict: 0xc0c03012,
    // Quote verifier inbound (registerPck / revokePck: from its owner, the root).
    registerPck: 0xc0c04001,
    revokePck: 0xc0c04002,
    verifyQuote: 0xc0c04003,
    registerByQuote: 0xc0c04005,
    // Outbound notifications.
    excesses: 0xd53276db,
    slashShare: 0xc0c02041,
    keeperReward: 0xc0c02042,
    jobPayment: 0xc0c03020,
    jobRefund: 0xc0c03021,
    protocolFee: 0xc0c03022,
    stakeWithdrawn: 0xc0c02020,
    requestRefused: 0xc0c02021,
    providerRegistered: 0xc0c02022,
    rewardPaid: 0xc0c05012,
    quoteOk: 0xc0c04004,
} as const;

/** Provider reward entry states (RewardEntry.state). */
export const RewardEntryState = { pending: 0, reported: 1, counted: 2 } as const;

/** Reward loop bounds (contracts/common/rewards.fc). */
export const RewardLimits = { maxRecords: 4, maxScan: 8, maxFundAhead: 64, maxPrune: 2, maxEntries: 16 } as const;

/** Signed payload tags (domain separation). */
export const Tag = {
    attestationStatement: 0xc0c0a77e,
    jobResult: 0xc0c0a001,
    usageReceipt: 0xc0c0a002,
} as const;

/** Job close outcomes (job_closed). */
export const Outcome = {
    completed: 0,
    resolvedForProvider: 1,
    cancelled: 2,
} as const;

/** Slash reasons (slash_bond, slash_share). */
export const Slash = {
    timeout: 0,
    dispute: 1,
    equivocation: 2,
} as const;

export const JobState = {
    uninit: 0,
    created: 1,
    accepted: 2,
    submitted: 3,
    disputed: 4,
    closing: 5,
    settled: 6,
    expired: 7,
    cancelled: 8,
    resolved: 9,
} as const;

export const JobStateName: Record<number, string> = Object.fromEntries(
    Object.entries(JobState).map(([name, code]) => [code, name]),
);

/** Timelock action tags (8 bits). */
export const Action = {
    addPolicy: 0x01,
    addModel: 0x02,
    addVerifierKey: 0x03,
    setParams: 0x04,
    upgradeRootCode: 0x05,
    setGuardian: 0x06,
    setAttestationModes: 0x07,
    setQuoteVerifier: 0x08,
    addPckKey: 0x09,
} as const;

/** Attestation modes (bits of the root's attestation_modes). */
export const Mode = {
    statement: 1,
    quote: 2,
    all: 3,
} as const;

/** Revocation subject kinds (2 bits). */
export const Revocation = {
    policy: 0,
    model: 1,
    verifierKey: 2,
} as const;

export const ProviderState = {
    uninit: 0,
    active: 1,
    jailed: 2,
    unbonding: 3,
    exited: 4,
} as const;

export const ProviderStateName: Record<number, string> = {
    0: 'uninit',
    1: 'active',
    2: 'jailed',
    3: 'unbonding',
    4: 'exited',
};

export const Errors = {
    notEnoughValue: 100,
    malformedBody: 101,
    wrongWorkchain: 102,
    unknownOp: 0xffff,
    notGovernance: 110,
    notGovernanceOrGuardian: 111,
    notPendingGovernance: 112,
    paused: 113,
    timelockNotReady: 114,
    changeNotFound: 115,
    tooManyChanges: 116,
    unknownAction: 117,
    invalidParams: 118,
    notListed: 119,
    notPaused: 120,
    noPendingGovernance: 121,
    changeExpired: 122,
    nothingToCollect: 123,
    untrustedVerifier: 130,
    badSignature: 131,
    wrongStatementTag: 132,
    wrongRoot: 133,
    wrongOwner: 134,
    statementExpired: 135,
    statementNotYetValid: 136,
    statementLifetimeTooLong: 137,
    policyNotAllowed: 138,
    modelNotAllowed: 139,
    tooManyModels: 140,
    noModels: 141,
    stakeTooLow: 142,
    badPrice: 143,
    badEndpoint: 144,
    stillAllowed: 145,
    modeDisabled: 146,
    notQuoteVerifier: 147,
    noQuoteVerifier: 148,
    notRoot: 150,
    notOwner: 151,
    wrongState: 152,
    unbondingNotFinished: 153,
    notRegistered: 154,
    alreadyRegistered: 155,
    staleStatement: 156,
    revocationMismatch: 157,
    badAmount: 158,
    notJob: 160,
    notEligible: 161,
    modelNotServed: 162,
    priceTooHigh: 163,
    insufficientFreeStake: 164,
    attestationExpiresFirst: 165,
    badEvidence: 166,
    openJobs: 167,
    badDuration: 168,
    quoteLayout: 170,
    quoteHeader: 171,
    quoteSignature: 172,
    unknownPck: 173,
    qeSignature: 174,
    qeBinding: 175,
    debugTd: 176,
    reportDataMismatch: 177,
    notVerifierOwner: 178,
    badPckKey: 179,
    notClient: 200,
    notProvider: 201,
    jobWrongState: 202,
    deadlinePassed: 203,
    deadlineNotPassed: 204,
    windowOpen: 205,
    windowClosed: 206,
    wrongJob: 207,
    staleReceipt: 208,
    badUsage: 209,
    arbitrationPending: 210,
    wrongKind: 211,
    badBudget: 212,
    graceNotOver: 213,
    notRootOrOwner: 214,
    epochNotOver: 240,
    epochClosed: 241,
    nothingToReport: 242,
    nothingToClaim: 243,
    unexpectedReply: 244,
    notPoolProvider: 245,
    tooManyRecords: 246,
    /** TVM: cell underflow (a truncated body). */
    cellUnderflow: 9,
} as const;

/** Parameter bounds (contracts/common/params.fc). */
export const ParamBounds = {
    minStakeFloor: 100_000_000n,
    minStakeCeiling: 1_000_000_000_000_000n,
    unbondingPeriodMin: 3600,
    unbondingPeriodMax: 7_776_000,
    attestationMaxAgeMin: 3600,
    attestationMaxAgeMax: 7_776_000,
    timelockDelayMin: 3600,
    timelockDelayMax: 2_592_000,
    maxModelsCeiling: 32,
    bps: 10_000,
    protocolFeeBpsMax: 1000,
    slashReporterBpsMax: 2000,
    keeperRewardMax: 1_000_000_000n,
    bondFloorMax: 1_000_000_000_000_000n,
    jobDurationMin: 60,
    jobDurationMax: 2_592_000,
    challengeWindowMin: 60,
    challengeWindowMax: 604_800,
    arbitrationPeriodMin: 3600,
    arbitrationPeriodMax: 2_592_000,
    sessionGraceMin: 60,
    sessionGraceMax: 604_800,
    epochLengthMin: 3600,
    epochLengthMax: 7_776_000,
    timelockGracePeriod: 1_209_600,
    maxPendingChanges: 16,
    endpointMaxBytes: 127,
} as const;
