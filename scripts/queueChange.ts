import { Address, Cell } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { Root, RootParams, TimelockActions } from '../wrappers/Root';
import { QuoteVerifier } from '../wrappers/QuoteVerifier';
import { RewardPool } from '../wrappers/RewardPool';
import { randomQueryId } from '../wrappers/common';
import { Op, ParamBounds } from '../wrappers/constants';
import {
    CliArgs,
    commandLine,
    describeAction,
    FlagSpec,
    Flags,
    formatAddress,
    formatDuration,
    formatTime,
    jobParamFlags,
    jobParamOverrides,
    ONE_CELL_TEXT_MAX_BYTES,
    openRoot,
    paramsProblems,
    parseAddress,
    parseCellArg,
    parseChoice,
    parseHash,
    parseSeconds,
    parseText,
    parseTon,
    parseUint,
    parseModes,
    readFileArg,
    verifiedPckKey,
    PreflightError,
    requireSender,
    rewardTermsOverride,
    rootReport,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    UsageError,
    waitFor,
    withMargin,
} from '../tools/cli';

const ACTIONS = [
    'add-policy',
    'add-model',
    'add-verifier-key',
    'set-params',
    'upgrade-root-code',
    'set-guardian',
    'set-attestation-modes',
    'set-quote-verifier',
    'add-pck-key',
] as const;
type ActionName = (typeof ACTIONS)[number];

const PARAM_FLAGS: FlagSpec[] = [
    { name: 'min-stake', value: '<TON>', help: 'set-params: minimum stake' },
    { name: 'unbonding-period', value: '<seconds>', help: 'set-params: unbonding period' },
    { name: 'attestation-max-age', value: '<seconds>', help: 'set-params: attestation max age' },
    { name: 'timelock-delay', value: '<seconds>', help: 'set-params: timelock delay' },
    { name: 'max-models', value: '<n>', help: 'set-params: most models per provider' },
    { name: 'treasury', value: '<address>', help: 'set-params: treasury' },
];

/** The flags each action takes (besides --root, --action, --dry-run). */
const ACTION_FLAGS: Record<ActionName, string[]> = {
    'add-policy': ['hash', 'meta'],
    'add-model': ['hash', 'meta'],
    'add-verifier-key': ['key'],
    'set-params': [...PARAM_FLAGS, ...jobParamFlags()].map((f) => f.name),
    'upgrade-root-code': ['code-boc'],
    'set-guardian': ['guardian'],
    'set-attestation-modes': ['modes'],
    'set-quote-verifier': ['verifier'],
    'add-pck-key': ['pck-chain', 'quote', 'trusted-root'],
};
const COMMON_FLAGS = [Flags.root.name, 'action', Flags.dryRun.name];

export const spec: ScriptSpec = {
    name: 'queueChange',
    summary:
        'Queues a timelocked change on the root (governance only). It can be executed after the timelock delay ' +
        'with executeChange. set-params keeps the current value of every param (and job term) not given.',
    flags: [
        Flags.root,
        { name: 'action', value: `<${ACTIONS.join('|')}>`, help: 'the change to queue', required: true },
        { name: 'hash', value: '<hex>', help: 'add-policy / add-model: the policy or model hash' },
        { name: 'meta', value: '<text>', help: `add-policy / add-model: metadata label (<= ${ONE_CELL_TEXT_MAX_BYTES} bytes)` },
        { name: 'key', value: '<hex>', help: 'add-verifier-key: the verifier ed25519 public key' },
        ...PARAM_FLAGS,
        ...jobParamFlags('set-params: job '),
        { name: 'code-boc', value: '<file|hex>', help: 'upgrade-root-code: new root code (BoC file, hex, or build/Root.compiled.json)' },
        { name: 'guardian', value: '<address>', help: 'set-guardian: the new guardian' },
        { name: 'modes', value: '<statement,quote|none>', help: 'set-attestation-modes: the registrations the root accepts' },
        { name: 'verifier', value: '<address>', help: 'set-quote-verifier: the quote verifier (deployQuoteVerifier; its owner must be this root)' },
        { name: 'pck-chain', value: '<file>', help: 'add-pck-key: PEM chain PCK, PCK CA, root (verified off chain to the pinned root first)' },
        { name: 'quote', value: '<file>', help: 'add-pck-key: a raw TDX quote whose PCK chain to register (verified first)' },
        {
            name: 'trusted-root',
            value: '<hex>',
            help: "add-pck-key: pinned root key 04||x||y (default: Intel's SGX Root CA; anything else is for test chains only)",
        },
        Flags.dryRun,
    ],
};

/** Checks that only the flags of `action` are given; returns a function building its action cell. */
function actionBuilder(action: ActionName, a: CliArgs): (current: () => Promise<RootParams>) => Promise<Cell> {
    const allowed = new Set([...COMMON_FLAGS, ...ACTION_FLAGS[action]]);
    const stray = a.given().filter((f) => !allowed.has(f));
    if (stray.length) {
        const takes = ACTION_FLAGS[action].map((f) => `--${f}`).join(', ');
        throw new UsageError(`${stray.map((f) => `--${f}`).join(', ')} does not apply to --action ${action} (it takes ${takes})`);
    }
    switch (action) {
        case 'add-policy':
        case 'add-model': {
            const hash = a.required('hash', parseHash);
            const meta = a.optional('meta', parseText(ONE_CELL_TEXT_MAX_BYTES)) ?? '';
            return async () => (action === 'add-policy' ? TimelockActions.addPolicy(hash, meta) : TimelockActions.addModel(hash, meta));
        }
        case 'add-verifier-key': {
            const key = a.required('key', parseHash);
            return async () => TimelockActions.addVerifierKey(key);
        }
        case 'set-params': {
            const given = {
                minStake: a.optional('min-stake', parseTon),
                unbondingPeriod: a.optional('unbonding-period', parseSeconds),
                attestationMaxAge: a.optional('attestation-max-age', parseSeconds),
                timelockDelay: a.optional('timelock-delay', parseSeconds),
                maxModels: a.optional('max-models', parseUint(1, ParamBounds.maxModelsCeiling)),
                treasury: a.optional('treasury', parseAddress),
            };
            const jobOverrides = jobParamOverrides(a);
            if (Object.values(given).every((v) => v === undefined) && Object.keys(jobOverrides).length === 0) {
                const names = [...PARAM_FLAGS, ...jobParamFlags()].map((f) => `--${f.name}`).join(', ');
                throw new UsageError(`set-params needs at least one of ${names}`);
            }
            return async (current) => {
                const now = await current();
                if (!now.jobs) throw new Error('the root did not report its job params');
                const params: RootParams = {
                    minStake: given.minStake ?? now.minStake,
                    unbondingPeriod: given.unbondingPeriod ?? now.unbondingPeriod,
                    attestationMaxAge: given.attestationMaxAge ?? now.attestationMaxAge,
                    timelockDelay: given.timelockDelay ?? now.timelockDelay,
                    maxModels: given.maxModels ?? now.maxModels,
                    treasury: given.treasury ?? now.treasury,
                    jobs: { ...now.jobs, ...jobOverrides },
                };
                const problems = paramsProblems(params);
                if (problems.length) throw new UsageError(`params out of bounds: ${problems.join('; ')}`);
                return TimelockActions.setParams(params);
            };
        }
        case 'upgrade-root-code': {
            const code = a.required('code-boc', parseCellArg);
            return async () => TimelockActions.upgradeRootCode(code);
        }
        case 'set-guardian': {
            const guardian = a.required('guardian', parseAddress);
            return async () => TimelockActions.setGuardian(guardian);
        }
        case 'set-attestation-modes': {
            const modes = a.required('modes', parseModes);
            return async () => TimelockActions.setAttestationModes(modes);
        }
        case 'set-quote-verifier': {
            const verifier = a.required('verifier', parseAddress);
            return async () => TimelockActions.setQuoteVerifier(verifier);
        }
        case 'add-pck-key': {
            const chain = a.optional('pck-chain', readFileArg);
            const quote = a.optional('quote', readFileArg);
            if ((chain === undefined) === (quote === undefined)) throw new UsageError('add-pck-key needs exactly one of --pck-chain, --quote');
            const pinned = a.optional('trusted-root', (raw, flag) => {
                const b = Buffer.from(raw.replace(/^0x/, ''), 'hex');
                if (b.length !== 65 || b[0] !== 4) throw new UsageError(`${flag}: expected 65 bytes 04||x||y in hex`);
                return b;
            });
            // The contracts do not parse X.509: this off-chain check is what makes the key a PCK key.
            let key;
            try {
                key = verifiedPckKey({ pemChain: chain, quote }, pinned);
            } catch (e) {
                throw new PreflightError(`the PCK certificate chain does not verify: ${(e as Error).message}`);
            }
            return async () => TimelockActions.addPckKey(key);
        }
    }
}

/**
 * JobParams.rewards must name a deployed pool of this root whose own schedule the terms repeat:
 * jobs stamp epochs with the terms, the pool counts reports by its config, so a mismatch would
 * make every report late (the work would earn nothing).
 */
async function checkRewardPool(provider: NetworkProvider, root: Address, terms: { pool: Address; epochGenesis: number; epochLength: number }, testOnly: boolean) {
    const where = formatAddress(terms.pool, testOnly);
    if (!(await provider.isContractDeployed(terms.pool))) throw new PreflightError(`no reward pool is deployed at ${where} (deployRewardPool)`);
    const cfg = await provider.open(RewardPool.createFromAddress(terms.pool)).getConfig().catch(() => null);
    if (!cfg) throw new PreflightError(`${where} is not a reward pool (get_pool_config failed)`);
    if (!cfg.root.equals(root)) throw new PreflightError(`the reward pool at ${where} belongs to another root (${formatAddress(cfg.root, testOnly)})`);
    if (cfg.genesis !== terms.epochGenesis || cfg.epochLength !== terms.epochLength) {
        throw new PreflightError(
            `--epoch-genesis ${terms.epochGenesis} --epoch-length ${terms.epochLength} differ from the pool's own schedule (genesis ${cfg.genesis}, length ${cfg.epochLength}): every report would be late`,
        );
    }
}

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const actionName = a.required('action', parseChoice(ACTIONS));
        const build = actionBuilder(actionName, a);
        const root = await openRoot(ctx);
        const action = await build(() => root.getParams());

        const [data, params, required] = await Promise.all([root.getRootData(), root.getParams(), root.getRequiredValues()]);
        if (actionName === 'set-quote-verifier') {
            const verifier = provider.open(QuoteVerifier.createFromAddress(a.required('verifier', parseAddress)));
            const owner = (await provider.isContractDeployed(verifier.address)) ? await verifier.getOwner().catch(() => null) : null;
            if (!owner || !owner.equals(root.address)) {
                throw new PreflightError(`${formatAddress(verifier.address, testOnly)} is not a deployed quote verifier owned by this root (deployQuoteVerifier)`);
            }
        }
        if (actionName === 'set-params') {
            const terms = rewardTermsOverride(a)?.rewards;
            if (terms) await checkRewardPool(provider, root.address, terms, testOnly);
        }
        if (!ctx.dryRun) {
            requireSender(senderAddress(provider), [{ who: 'governance', address: data.governance }], 'queue_change');
        }
        if (data.pendingCount >= ParamBounds.maxPendingChanges) {
            throw new PreflightError(`the root already has ${data.pendingCount} pending changes (the maximum); execute or cancel one first`);
        }
        const changeId = data.nextChangeId;
        print(`Change id: ${changeId} (the root's next_change_id)`, `Timelock delay: ${formatDuration(params.timelockDelay)}`);
        const { value, note } = withMargin(required.governanceOp);
        const body = Root.queueChangeMessage(action, randomQueryId());
        const sent = await sendOrPrint(
            ctx,
            { opcode: Op.queueChange, from: ctx.dryRun ? undefined : senderAddress(provider), to: root.address, toLabel: 'root', value, valueNote: note, fields: [], extra: describeAction(action, testOnly) },
            body,
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        const queued = await waitFor(
            ctx.ui,
            `change #${changeId} to be queued`,
            async () => {
                const next = (await root.getRootData()).nextChangeId;
                for (let id = changeId; id < next; id++) {
                    const c = await root.getChange(id);
                    if (c && c.action.hash().equals(action.hash())) return { id, eta: c.eta };
                }
                return undefined;
            },
            'The root refused queue_change: check the sender is governance and the wallet transaction (exit codes in SPEC.md).',
        );
        print(
            `Queued as change #${queued.id}.`,
            `  eta: ${formatTime(queued.eta)}`,
            `  executable until: ${formatTime(queued.eta + ParamBounds.timelockGracePeriod)} (then it can only be cancelled)`,
            `Execute it after the eta: ${commandLine(ctx, 'executeChange', `--root ${formatAddress(root.address, testOnly)} --id ${queued.id}`)}`,
            ...(await rootReport(provider, root, testOnly)),
        );
    });
}
