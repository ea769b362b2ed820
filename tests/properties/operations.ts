/**
 * The operations the property suites draw at random, by every kind of actor:
 * provider owners (register, re-attest, models, offer, unbond, withdraw),
 * anyone (top-ups, plain transfers, equivocation reports, keeper work),
 * clients (create, cancel, confirm, dispute, close sessions), workers (submit,
 * claim), governance and the guardian (revoke, queue/execute/cancel,
 * pause/unpause, verdicts), and the clock. Each operation is abstract data
 * (small integers, so fast-check can shrink it) resolved against the world
 * when applied: "job 3" is the 3rd job modulo how many exist.
 *
 * Variants make an operation invalid by construction (wrong sender, too
 * little value, malformed body, replayed or mis-signed payload); the runner
 * then asserts it was rejected (the entry transaction failed) and, with the
 * per-transaction checks, that it changed nothing.
 */
import { Address, beginCell, Cell, Dictionary, toNano } from '@ton/core';
import * as fc from 'fast-check';
import { KeyPair } from '@ton/crypto';
import { DEFAULT_OFFER, keyFromLabel, sha256n } from '../helpers/fixtures';
import { Job } from '../../wrappers/Job';
import { Provider } from '../../wrappers/Provider';
import { Root, TimelockActions } from '../../wrappers/Root';
import { bufferToBigint, TrueValue } from '../../wrappers/common';
import { check, CLAIM_WINDOW, InvariantError, JobRec, JobView, MODEL, MODEL_2, POLICY, REPORT_GRACE, stringify, TxRecord, World } from './harness';
import { Errors, JobState, Op, ProviderState, RewardEntryState } from '../../wrappers/constants';
import { RewardPool } from '../../wrappers/RewardPool';

export type Operation =
    | { t: 'register'; owner: number; stake: number; v: 'ok' | 'lowValue' | 'otherOwner' | 'expired' | 'badModel' | 'replay' }
    | { t: 'reattest'; owner: number; v: 'ok' | 'replay' | 'expired' }
    | { t: 'models'; owner: number; set: number }
    | { t: 'topUp'; owner: number; who: number; amount: number; v: 'ok' | 'lowValue' }
    | { t: 'offer'; owner: number; who: number; price: number }
    | { t: 'unbond'; owner: number; who: number }
    | { t: 'withdraw'; owner: number; who: number }
    | { t: 'revoke'; what: number; who: number }
    | { t: 'check'; owner: number; what: number }
    | { t: 'queue'; action: number; who: number }
    | { t: 'execute'; back: number; who: number }
    | { t: 'cancelChange'; back: number; who: number }
    | { t: 'pause'; who: number }
    | { t: 'unpause'; who: number }
    | { t: 'create'; client: number; owner: number; budget: number; session: boolean; deadline: number; price: number; v: 'ok' | 'lowValue' | 'notClient' | 'reuse' }
    | { t: 'cancel'; job: number; who: number }
    | { t: 'submit'; job: number; who: number; usage: number; v: 'ok' | 'wrongKey' | 'otherJob' | 'seq' | 'replay' | 'lowValue' }
    | { t: 'confirm'; job: number; who: number }
    | { t: 'dispute'; job: number; who: number }
    | { t: 'resolve'; job: number; forClient: boolean; slash: number; who: number }
    | { t: 'settle'; job: number; who: number }
    | { t: 'expire'; job: number; who: number }
    | { t: 'claim'; job: number; who: number; close: boolean; seq: number; usage: number; v: 'ok' | 'wrongKey' | 'otherJob' | 'lowValue' }
    | { t: 'closeSession'; job: number; who: number }
    | { t: 'equivocate'; owner: number; job: number; v: 'ok' | 'same' | 'wrongKey' | 'seqDiff' }
    | { t: 'wait'; dt: number }
    | { t: 'transfer'; to: number; comment: boolean }
    | { t: 'junk'; to: number; kind: number }
    | { t: 'race'; client: number; owner: number; session: boolean; other: number; delay: number }
    // Rewards (issue #4 / #7).
    | { t: 'fund'; who: number; ahead: number; v: 'ok' | 'lowValue' | 'ended' }
    | { t: 'report'; owner: number; who: number }
    | { t: 'claimRewards'; owner: number; who: number }
    | { t: 'epochWait'; to: number }
    | { t: 'forge'; kind: number; owner: number };

export const WAITS = [30, 600, 3601, 86400, 3 * 86400 + 1, 8 * 86400];
const BUDGETS = [toNano('10'), toNano('0.5'), toNano('600')];
const DEADLINES = [3600, 60, 30, 8 * 86400, -1]; // fine, the minimum, too soon (168), too far (168), past (203)
const USAGES = [0n, 5n, 1000n, 10n ** 12n];
const SLASHES = [0n, toNano('1'), toNano('100')];
const MODEL_SETS: bigint[][] = [[MODEL], [MODEL, MODEL_2], [MODEL_2], []];


/** Relative weights of the operation kinds, per suite. */
export type Weights = Partial<Record<Operation['t'], number>>;

const who = fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: fc.constant(1), weight: 1 }, { arbitrary: fc.constant(2), weight: 1 });
const small = (n: number) => fc.integer({ min: 0, max: n - 1 });
function variant<T extends string>(ok: T, ...bad: T[]) {
    return fc.oneof({ arbitrary: fc.constant(ok), weight: 3 * bad.length || 1 }, ...bad.map((b) => ({ arbitrary: fc.constant(b), weight: 1 })));
}

export function operationArb(weights: Weights): fc.Arbitrary<Operation> {
    const all: Record<Operation['t'], fc.Arbitrary<Operation>> = {
        register: fc.record({ t: fc.constant('register' as const), owner: small(3), stake: small(3), v: variant('ok', 'lowValue', 'otherOwner', 'expired', 'badModel', 'replay') }),
        reattest: fc.record({ t: fc.constant('reattest' as const), owner: small(3), v: variant('ok', 'replay', 'expired') }),
        models: fc.record({ t: fc.constant('models' as const), owner: small(3), set: small(MODEL_SETS.length) }),
        topUp: fc.record({ t: fc.constant('topUp' as const), owner: small(3), who, amount: small(3), v: variant('ok', 'lowValue') }),
        offer: fc.record({ t: fc.constant('offer' as const), owner: small(2), who, price: small(3) }),
        unbond: fc.record({ t: fc.constant('unbond' as const), owner: small(3), who }),
        withdraw: fc.record({ t: fc.constant('withdraw' as const), owner: small(3), who }),
        revoke: fc.record({ t: fc.constant('revoke' as const), what: small(4), who }),
        check: fc.record({ t: fc.constant('check' as const), owner: small(3), what: small(4) }),
        queue: fc.record({ t: fc.constant('queue' as const), action: small(6), who }),
        execute: fc.record({ t: fc.constant('execute' as const), back: small(3), who }),
        cancelChange: fc.record({ t: fc.constant('cancelChange' as const), back: small(3), who }),
        pause: fc.record({ t: fc.constant('pause' as const), who }),
        unpause: fc.record({ t: fc.constant('unpause' as const), who }),
        create: fc.record({
            t: fc.constant('create' as const),
            client: small(2),
            owner: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.constant(1), weight: 2 }, { arbitrary: fc.constant(2), weight: 1 }),
            budget: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.constant(1), weight: 2 }, { arbitrary: fc.constant(2), weight: 1 }),
            session: fc.boolean(),
            deadline: fc.oneof({ arbitrary: fc.constant(0), weight: 8 }, { arbitrary: fc.constant(1), weight: 1 }, { arbitrary: small(DEADLINES.length), weight: 1 }),
            price: fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: fc.constant(1), weight: 1 }),
            v: variant('ok', 'lowValue', 'notClient', 'reuse'),
        }),
        cancel: fc.record({ t: fc.constant('cancel' as const), job: small(8), who }),
        submit: fc.record({ t: fc.constant('submit' as const), job: small(8), who, usage: small(USAGES.length), v: variant('ok', 'wrongKey', 'otherJob', 'seq', 'replay', 'lowValue') }),
        confirm: fc.record({ t: fc.constant('confirm' as const), job: small(8), who }),
        dispute: fc.record({ t: fc.constant('dispute' as const), job: small(8), who }),
        resolve: fc.record({ t: fc.constant('resolve' as const), job: small(8), forClient: fc.boolean(), slash: small(SLASHES.length), who }),
        settle: fc.record({ t: fc.constant('settle' as const), job: small(8), who }),
        expire: fc.record({ t: fc.constant('expire' as const), job: small(8), who }),
        claim: fc.record({ t: fc.constant('claim' as const), job: small(8), who, close: fc.boolean(), seq: small(3), usage: small(4), v: variant('ok', 'wrongKey', 'otherJob', 'lowValue') }),
        closeSession: fc.record({ t: fc.constant('closeSession' as const), job: small(8), who }),
        equivocate: fc.record({ t: fc.constant('equivocate' as const), owner: small(2), job: small(8), v: variant('ok', 'same', 'wrongKey', 'seqDiff') }),
        wait: fc.record({ t: fc.constant('wait' as const), dt: small(WAITS.length) }),
        transfer: fc.record({ t: fc.constant('transfer' as const), to: small(3), comment: fc.boolean() }),
        junk: fc.record({ t: fc.constant('junk' as const), to: small(3), kind: small(4) }),
        race: fc.record({ t: fc.constant('race' as const), client: small(2), owner: small(2), session: fc.boolean(), other: small(4), delay: small(2) }),
        fund: fc.record({ t: fc.constant('fund' as const), who: small(3), ahead: small(2), v: variant('ok', 'lowValue', 'ended') }),
        report: fc.record({ t: fc.constant('report' as const), owner: small(3), who: small(3) }),
        claimRewards: fc.record({ t: fc.constant('claimRewards' as const), owner: small(3), who }),
        epochWait: fc.record({ t: fc.constant('epochWait' as const), to: small(3) }),
        forge: fc.record({ t: fc.constant('forge' as const), kind: small(4), owner: small(3) }),
    };
    const entries = (Object.keys(all) as Operation['t'][]).filter((k) => (weights[k] ?? 0) > 0);
    return fc.oneof(...entries.map((k) => ({ arbitrary: all[k], weight: weights[k]! })));
}

export function formatOperation(o: Operation): string {
    const { t, ...rest } = o;
    return `${t}(${Object.entries(rest)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')})`;
}

// ---------------------------------------------------------------------------
// Applying an operation
// ---------------------------------------------------------------------------

const MARGIN = toNano('0.01');

type Expect = 'rejected' | 'rejectedOrRefused' | undefined;
type Outcome = { records: TxRecord[]; expect: Expect; exit?: number };

export async function applyOperation(w: World, o: Operation): Promise<void> {
    w.stats.operations += 1;
    const out = await dispatch(w, o);
    if (!out) return; // nothing to act on (e.g. no job yet)
    const { records, expect: exp, exit } = out;
    const entry = records[0];
    w.count(`op ${o.t}${'v' in o ? '/' + o.v : ''} ${entry?.ok ? 'accepted' : `rejected ${entry?.exitCode ?? '-'}`}`);
    if (exp === 'rejected') check(!!entry && !entry.ok, 'an invalid operation is rejected', { op: formatOperation(o), exit: entry?.exitCode });
    if (exp === 'rejected' && exit !== undefined) check(entry.exitCode === exit, 'an invalid operation is rejected with the documented exit code', { op: formatOperation(o), exit: entry.exitCode, expected: exit });
    // A rejected message runs nothing else in the protocol (its bounce goes back to the sender).
    if (entry && !entry.ok && !('other' in o)) check(records.length === 1, 'a rejected message changes no other contract', { op: formatOperation(o), transactions: records.length });
    if (exp === 'rejectedOrRefused') {
        const refused = records.some((r) => r.outs.some((x) => x.op === Op.requestRefused || x.op === Op.jobRejected));
        check(!!entry && (!entry.ok || refused), 'an invalid operation is rejected or refused', { op: formatOperation(o) });
        // Nothing but the refusal happened: no provider or job changed state.
        for (const r of records) if (r.kind !== 'root') check(r.dataBefore === r.dataAfter || r.provider?.[0].state === -1, 'a refused operation changes no provider or job', { op: formatOperation(o), on: r.on.toString() });
    }
}

function natural(w: World, whoIdx: number, naturalAddr: Address, other: Address): Address {
    return whoIdx === 0 ? naturalAddr : whoIdx === 1 ? w.stranger : other;
}

/**
 * The job an operation acts on: most of the time one in a state where the operation makes
 * sense (so that sequences reach deep states), one time in four any job at all.
 */
async function pickJob(w: World, idx: number, prefer?: (v: JobView) => boolean): Promise<JobRec | undefined> {
    const all = w.model.jobs;
    if (!all.length) return undefined;
    let pool = all;
    if (prefer && idx % 4 !== 3) {
        const views = await Promise.all(all.map((j) => w.job(j)));
        const fit = all.filter((_, k) => prefer(views[k]));
        if (fit.length) pool = fit;
    }
    return pool[idx % pool.length];
}

const oneShot = (state: number) => (v: JobView) => !v.session && v.state === state;
const PREFER: Partial<Record<Operation['t'], (v: JobView) => boolean>> = {
    cancel: (v) => v.state === JobState.created,
    submit: oneShot(JobState.accepted),
    expire: oneShot(JobState.accepted),
    confirm: oneShot(JobState.submitted),
    dispute: oneShot(JobState.submitted),
    resolve: oneShot(JobState.disputed),
    settle: (v) => [JobState.submitted, JobState.disputed, JobState.closing].includes(v.state as 3) || (v.session && v.state === JobState.accepted),
    claim: (v) => v.session && (v.state === JobState.accepted || v.state === JobState.closing),
    closeSession: (v) => v.session && v.state === JobState.accepted,
};

async function dispatch(w: World, o: Operation): Promise<Outcome | undefined> {
    if (o.t === 'fund' || o.t === 'report' || o.t === 'claimRewards' || o.t === 'epochWait' || o.t === 'forge') return dispatchRewards(w, o);
    const root = w.p.root.address;
    const gov = w.p.governance.address;
    const guardian = w.p.guardian.address;
    switch (o.t) {
        case 'wait': {
            w.bc.now = w.now() + WAITS[o.dt];
            return undefined;
        }
        case 'register': {
            const prov = w.model.providers[o.owner];
            const stake = [w.params.minStake, 2n * w.params.minStake, w.params.minStake - 1n][o.stake];
            let statement = w.statement(o.owner);
            let models = [MODEL];
            let exp: Expect = o.v === 'ok' ? undefined : 'rejected';
            if (o.v === 'otherOwner') statement = w.statement(o.owner, { forOwner: (o.owner + 1) % 3 });
            if (o.v === 'expired') statement = w.statement(o.owner, { issuedAt: w.now() - 2 * 86400, expiresAt: w.now() });
            if (o.v === 'badModel') models = [sha256n('a model nobody allowlisted')];
            if (o.v === 'replay') {
                exp = undefined;
                if (prov.lastStatement) {
                    const pv = await w.provider(o.owner);
                    const issued = issuedAtOf(prov.lastStatement);
                    const stale = pv.state !== -1 && pv.state !== ProviderState.uninit && issued <= pv.attestedAt;
                    statement = prov.lastStatement;
                    // Refused: already registered (155), or an exited provider's statement not newer than its last (156).
                    if (stale) exp = 'rejectedOrRefused';
                }
            }
            if (stake < w.params.minStake) exp = 'rejected';
            const required = stake + w.rreq.registerProvider;
            const value = o.v === 'lowValue' ? required - 1n : required + MARGIN;
            const records = await w.send({ from: w.owners[o.owner], to: w.p.root.address, value, body: w.registerBody(o.owner, stake, statement, models) });
            if (o.v === 'ok' && records[0].ok) prov.lastStatement = statement;
            return { records, expect: exp };
        }
        case 'reattest': {
            const prov = w.model.providers[o.owner];
            let statement = w.statement(o.owner);
            let exp: Expect = o.v === 'expired' ? 'rejected' : undefined;
            if (o.v === 'replay' && prov.lastStatement) {
                statement = prov.lastStatement;
                const pv = await w.provider(o.owner);
                if (issuedAtOf(statement) <= pv.attestedAt || pv.state === -1 || pv.state === ProviderState.exited) exp = 'rejectedOrRefused';
            }
            if (o.v === 'expired') statement = w.statement(o.owner, { issuedAt: w.now() - 2 * 86400, expiresAt: w.now() });
            const records = await w.send({ from: w.owners[o.owner], to: w.p.root.address, value: w.rreq.reattestProvider + MARGIN, body: Root.reattestProviderMessage(statement) });
            if (o.v === 'ok' && records[0].ok) prov.lastStatement = statement;
            return { records, expect: exp };
        }
        case 'models': {
            const records = await w.send({ from: w.owners[o.owner], to: root, value: w.rreq.updateProviderModels + MARGIN, body: Root.updateProviderModelsMessage(MODEL_SETS[o.set]) });
            return { records, expect: MODEL_SETS[o.set].length === 0 ? 'rejected' : undefined };
        }
        case 'topUp': {
            const amount = [toNano('1'), toNano('50'), 0n][o.amount];
            const required = amount + w.preq.topUp;
            const value = o.v === 'lowValue' ? required - 1n : required + MARGIN;
            const from = natural(w, o.who, w.keeper, w.owners[o.owner]);
            const records = await w.send({ from, to: w.model.providers[o.owner].address, value, body: Provider.topUpMessage(amount) });
            return { records, expect: o.v === 'lowValue' || amount === 0n ? 'rejected' : undefined };
        }
        case 'offer': {
            const price = [DEFAULT_OFFER.pricePerUnit, 2n * DEFAULT_OFFER.pricePerUnit, 0n][o.price];
            const from = natural(w, o.who, w.owners[o.owner], w.clients[0]);
            const records = await w.send({ from, to: w.model.providers[o.owner].address, value: w.preq.ownerOp + MARGIN, body: Provider.updateOfferMessage({ pricePerUnit: price, endpoint: 'https://gpu.example/v1' }) });
            return { records, expect: o.who !== 0 || price === 0n ? 'rejected' : undefined };
        }
        case 'unbond':
        case 'withdraw': {
            const from = natural(w, o.who, w.owners[o.owner], w.keeper);
            const op = o.t === 'unbond' ? Op.requestUnbond : Op.withdrawStake;
            const records = await w.send({ from, to: w.model.providers[o.owner].address, value: w.preq.ownerOp + MARGIN, body: Provider.simpleMessage(op) });
            return { records, expect: o.who !== 0 ? 'rejected' : undefined };
        }
        case 'revoke': {
            const [op, hash] = (
                [
                    [Op.revokeModel, MODEL_2],
                    [Op.revokePolicy, POLICY],
                    [Op.revokeModel, MODEL],
                    [Op.revokeVerifierKey, bufferToBigint(w.verifier.publicKey)],
                ] as const
            )[o.what];
            const from = [guardian, w.stranger, gov][o.who];
            const records = await w.send({ from, to: root, value: w.rreq.governanceOp + MARGIN, body: Root.revokeMessage(op, hash) });
            return { records, expect: o.who === 1 ? 'rejected' : undefined };
        }
        case 'check': {
            const subjects = [
                { kind: 'model' as const, hash: MODEL_2 },
                { kind: 'policy' as const, hash: POLICY },
                { kind: 'model' as const, hash: MODEL },
                { kind: 'verifierKey' as const, hash: bufferToBigint(w.verifier.publicKey) },
            ];
            // Three times in four, a subject that is no longer allowlisted (if any is).
            const trust = rootTrust(await rootData(w));
            const removed = subjects.filter((x) => !(x.kind === 'verifierKey' ? trust.verifierKeys : x.hash === POLICY ? trust.policies : trust.models).has(x.hash));
            const subject = o.what !== 3 && removed.length ? removed[o.what % removed.length] : subjects[o.what];
            const records = await w.send({ from: w.keeper, to: root, value: w.rreq.checkProvider + MARGIN, body: Root.checkProviderMessage(w.owners[o.owner], subject) });
            return { records, expect: undefined };
        }
        case 'queue': {
            const actions = [
                TimelockActions.addModel(MODEL_2, 'llama'),
                TimelockActions.addPolicy(POLICY, 'tdx'),
                TimelockActions.addModel(MODEL, 'qwen'),
                TimelockActions.setParams({ ...w.params, minStake: w.params.minStake + w.params.minStake / 2n }),
                TimelockActions.setParams(w.params),
                TimelockActions.addVerifierKey(bufferToBigint(w.verifier.publicKey)),
            ];
            const from = [gov, w.stranger, guardian][o.who];
            const records = await w.send({ from, to: root, value: w.rreq.governanceOp + MARGIN, body: Root.queueChangeMessage(actions[o.action]) });
            return { records, expect: o.who !== 0 ? 'rejected' : undefined };
        }
        case 'execute':
        case 'cancelChange': {
            // A pending change (the next id, which does not exist yet, one time in three).
            const data = await rootData(w);
            const pending = rootPendingChanges(data);
            const id = o.back === 2 || pending.length === 0 ? rootNextChangeId(data) : pending[o.back % pending.length];
            const from = o.t === 'execute' ? [gov, w.stranger, guardian][o.who] : [guardian, w.stranger, gov][o.who];
            const op = o.t === 'execute' ? Op.executeChange : Op.cancelChange;
            const records = await w.send({ from, to: root, value: w.rreq.governanceOp + MARGIN, body: Root.changeIdMessage(op, id) });
            return { records, expect: o.who === 1 || (o.t === 'execute' && o.who === 2) ? 'rejected' : undefined };
        }
        case 'pause':
        case 'unpause': {
            const from = o.t === 'pause' ? [guardian, w.stranger, gov][o.who] : [gov, w.stranger, guardian][o.who];
            const records = await w.send({ from, to: root, value: w.rreq.governanceOp + MARGIN, body: Root.simpleMessage(o.t === 'pause' ? Op.pause : Op.unpause) });
            return { records, expect: o.who === 1 || (o.t === 'unpause' && o.who === 2) ? 'rejected' : undefined };
        }
        case 'create': {
            let nonce = w.model.nextNonce[o.client];
            const existing = w.model.jobs.filter((j) => j.client === o.client);
            const previous = o.v === 'reuse' && existing.length ? existing[existing.length - 1] : undefined;
            if (previous) nonce = previous.nonce;
            const reuse = !!previous;
            // Re-using the nonce of a job that never got created is a creation like any other.
            const live = previous ? (await w.job(previous)).state !== JobState.uninit : false;
            if (previous && !live) Object.assign(previous, { owner: o.owner, session: o.session });
            const address = w.jobAddress(o.client, nonce);
            const budget = BUDGETS[o.budget];
            const deadline = w.now() + DEADLINES[o.deadline];
            const maxPrice = o.price === 0 ? toNano('0.000001') : 1n;
            const body = w.createBody({ client: o.client, owner: o.owner, budget, deadline, session: o.session, maxPrice });
            const required = budget + w.req.createJob;
            const value = o.v === 'lowValue' ? required - 1n : required + MARGIN;
            const from = o.v === 'notClient' ? w.clients[(o.client + 1) % 2] : w.clients[o.client];
            w.trackJob(address);
            if (!reuse) {
                w.model.nextNonce[o.client] = nonce + 1n;
                w.model.jobs.push({ client: o.client, nonce, address, owner: o.owner, session: o.session, submitted: false, accepted: false, verdictCaps: [], timedOut: false, paidOut: 0n, clientGot: 0n });
            }
            const init = Job.createFromConfig({ root: w.p.root.address, client: w.clients[o.client], nonce }, w.p.jobCode).init!;
            const records = await w.send({ from, to: address, value, body, stateInit: init });
            return { records, expect: o.v === 'ok' || (o.v === 'reuse' && !live) ? undefined : 'rejected' };
        }
        default:
            return dispatchJob(w, o);
    }
}

async function dispatchJob(w: World, o: Operation): Promise<Outcome | undefined> {
    if (o.t === 'transfer') {
        const to = o.to === 0 ? w.p.root.address : w.model.providers[o.to - 1].address;
        // Only the root and a registered provider accept a plain transfer or a text comment (SPEC §5).
        const state = o.to > 0 ? (await w.provider(o.to - 1)).state : ProviderState.active;
        const registered = state === ProviderState.active || state === ProviderState.jailed || state === ProviderState.unbonding;
        const body = o.comment ? beginCell().storeUint(0, 32).storeStringTail('for storage').endCell() : Cell.EMPTY;
        const records = await w.send({ from: w.stranger, to, value: toNano('1'), body });
        return { records, expect: registered ? undefined : 'rejected' };
    }
    if (o.t === 'junk') {
        const job = await pickJob(w, o.kind);
        const to = o.to === 0 ? w.p.root.address : o.to === 1 ? w.model.providers[0].address : job?.address ?? w.p.root.address;
        const bodies = [
            beginCell().storeUint(Op.topUp, 32).endCell(), // truncated
            beginCell().storeUint(0x12345678, 32).storeUint(0, 64).endCell(), // unknown op
            beginCell().storeUint(Op.settleJob, 32).storeUint(0, 64).storeBit(1).endCell(), // over-long / wrong contract
            beginCell().storeUint(Op.pause, 32).storeUint(0, 64).endCell(), // a governance op from a stranger
        ];
        const records = await w.send({ from: w.stranger, to, value: toNano('0.05'), body: bodies[o.kind] });
        return { records, expect: 'rejected' };
    }
    if (o.t === 'race') {
        // A job offered while another message reaches the same provider (or its job) in the
        // same block: the second message is injected after `delay` transactions of the
        // creation's chain, so it lands before or after the offer at the provider.
        const nonce = w.model.nextNonce[o.client];
        w.model.nextNonce[o.client] = nonce + 1n;
        const address = w.jobAddress(o.client, nonce);
        w.trackJob(address);
        w.model.jobs.push({ client: o.client, nonce, address, owner: o.owner, session: o.session, submitted: false, accepted: false, verdictCaps: [], timedOut: false, paidOut: 0n, clientGot: 0n });
        const budget = BUDGETS[0];
        const body = w.createBody({ client: o.client, owner: o.owner, budget, deadline: w.now() + 3600, session: o.session, maxPrice: toNano('0.000001') });
        const init = Job.createFromConfig({ root: w.p.root.address, client: w.clients[o.client], nonce }, w.p.jobCode).init!;
        const provider = w.model.providers[o.owner].address;
        const second = [
            { from: w.clients[o.client], to: address, value: w.req.clientOp + MARGIN, body: Job.simpleMessage(Op.cancelJob) },
            { from: w.owners[o.owner], to: provider, value: w.preq.ownerOp + MARGIN, body: Provider.simpleMessage(Op.requestUnbond) },
            { from: w.keeper, to: w.p.root.address, value: w.rreq.checkProvider + MARGIN, body: Root.checkProviderMessage(w.owners[o.owner], { kind: 'policy', hash: POLICY }) },
            { from: w.keeper, to: provider, value: toNano('2') + w.preq.topUp, body: Provider.topUpMessage(toNano('2')) },
        ][o.other];
        const records = await w.sendInterleaved({ from: w.clients[o.client], to: address, value: budget + w.req.createJob + MARGIN, body, stateInit: init }, second, o.delay);
        return { records, expect: undefined };
    }
    if (o.t === 'equivocate') {
        const j = await pickJob(w, o.job);
        const prov = w.model.providers[o.owner];
        const address = j?.address ?? w.jobAddress(0, 999n);
        const client = j ? j.client : 0;
        const nonce = j ? j.nonce : 999n;
        const createdAt = j ? (await w.job(j)).createdAt || w.now() : w.now();
        const key: KeyPair = o.v === 'wrongKey' ? keyFromLabel('not an operator') : prov.operator;
        const first = w.result(key, address, createdAt, 5n, 0, sha256n('first answer'));
        const second = o.v === 'same' ? first : w.result(key, address, createdAt, 5n, o.v === 'seqDiff' ? 1 : 0, sha256n('second answer'));
        if (o.v === 'ok') {
            // The operator signed two conflicting results: a fault, whoever reports it.
            const pv = await w.provider(o.owner);
            if (pv.operatorKey === bufferToBigint(prov.operator.publicKey)) prov.equivocated = true;
        }
        const records = await w.send({ from: w.keeper, to: prov.address, value: w.preq.reportEquivocation + MARGIN, body: Provider.reportEquivocationMessage(w.clients[client], nonce, first, second) });
        // Evidence is used once: a provider slashed for equivocation is tombstoned (SPEC §5.3).
        const reusedAfterSlash = prov.equivocationSlashed;
        if (records[0].ok) prov.equivocationSlashed = true;
        return { records, expect: o.v === 'ok' && !reusedAfterSlash ? undefined : 'rejected' };
    }
    const j = await pickJob(w, (o as { job: number }).job, PREFER[o.t]);
    if (!j) return undefined;
    const view = await w.job(j);
    const client = w.clients[j.client];
    const owner = w.owners[j.owner];
    const prov = w.model.providers[j.owner];
    switch (o.t) {
        case 'cancel': {
            const records = await w.send({ from: natural(w, o.who, client, owner), to: j.address, value: w.req.clientOp + MARGIN, body: Job.simpleMessage(Op.cancelJob) });
            return { records, expect: o.who !== 0 ? 'rejected' : undefined };
        }
        case 'confirm':
        case 'dispute':
        case 'closeSession': {
            const body = o.t === 'confirm' ? Job.simpleMessage(Op.confirmResult) : o.t === 'dispute' ? Job.disputeMessage(sha256n('bad answer')) : Job.simpleMessage(Op.closeSession);
            const value = o.t === 'confirm' ? w.req.closeJob : w.req.clientOp;
            const records = await w.send({ from: natural(w, o.who, client, owner), to: j.address, value: value + MARGIN, body });
            return { records, expect: o.who !== 0 ? 'rejected' : undefined };
        }
        case 'submit': {
            const usage = USAGES[o.usage];
            const other = w.model.jobs.find((x) => !x.address.equals(j.address));
            let signed = w.result(prov.operator, j.address, view.createdAt, usage);
            if (o.v === 'wrongKey') signed = w.result(w.clientKeys[j.client], j.address, view.createdAt, usage);
            if (o.v === 'otherJob') signed = w.result(prov.operator, other?.address ?? w.jobAddress(1, 12345n), view.createdAt, usage);
            if (o.v === 'seq') signed = w.result(prov.operator, j.address, view.createdAt, usage, 1);
            if (o.v === 'replay' && j.lastResult) signed = j.lastResult;
            const validNow = view.state === JobState.accepted && !view.session && w.now() <= view.deadline && (o.v === 'ok' || o.v === 'lowValue');
            if (validNow && o.v === 'ok' && view.terms && view.terms.operatorKey === bufferToBigint(prov.operator.publicKey)) j.submitted = true;
            const value = o.v === 'lowValue' ? w.req.submitResult - 1n : w.req.submitResult + MARGIN;
            const records = await w.send({ from: natural(w, o.who, owner, w.keeper), to: j.address, value, body: Job.submitResultMessage(signed) });
            if (o.v === 'ok') j.lastResult = signed;
            const invalid = o.v === 'wrongKey' || o.v === 'seq' || o.v === 'lowValue' || (o.v === 'otherJob' && !!other) || (o.v === 'replay' && !!j.lastResult && view.state !== JobState.accepted);
            return { records, expect: invalid ? 'rejected' : undefined };
        }
        case 'resolve': {
            const slash = SLASHES[o.slash];
            const from = [w.p.governance.address, w.stranger, w.p.guardian.address][o.who];
            if (from.equals(w.p.governance.address) && o.forClient && view.state === JobState.disputed && w.now() <= view.timer && view.terms) {
                j.verdictCaps.push(minBig(slash, (view.terms.bond * BigInt(view.terms.jobs.disputeSlashCapBps)) / 10000n));
            }
            const records = await w.send({ from, to: w.p.root.address, value: w.rreq.resolveDispute + MARGIN, body: Root.resolveDisputeMessage(client, j.nonce, o.forClient, slash) });
            return { records, expect: o.who !== 0 ? 'rejected' : undefined };
        }
        case 'settle': {
            const records = await w.send({ from: natural(w, o.who, w.keeper, client), to: j.address, value: w.req.closeJob + MARGIN, body: Job.simpleMessage(Op.settleJob) });
            return { records, expect: undefined };
        }
        case 'expire': {
            noteTimeout(w, j, view);
            const records = await w.send({ from: natural(w, o.who, w.keeper, client), to: j.address, value: w.req.closeJob + MARGIN, body: Job.simpleMessage(Op.expireJob) });
            return { records, expect: undefined };
        }
        case 'claim': {
            const seq = view.seq + [1, 0, 5][o.seq];
            const cumulative = view.paidUsage + [0n, 10n, 1000n, -1n][o.usage];
            const other = w.model.jobs.find((x) => !x.address.equals(j.address));
            let keys = w.clientKeys[j.client];
            let target = j.address;
            if (o.v === 'wrongKey') keys = prov.operator;
            if (o.v === 'otherJob' && other) target = other.address;
            const signed = w.receipt(keys, target, view.createdAt, seq, cumulative < 0n ? 0n : cumulative);
            const from = natural(w, o.who, owner, w.keeper);
            const value = o.v === 'lowValue' ? w.req.claimSession - 1n : w.req.claimSession + MARGIN;
            const records = await w.send({ from, to: j.address, value, body: Job.claimSessionMessage(signed, o.close) });
            const invalid = o.v === 'wrongKey' || o.v === 'lowValue' || (o.v === 'otherJob' && !!other) || o.seq === 1 || (o.close && !from.equals(owner));
            return { records, expect: invalid ? 'rejected' : undefined };
        }
    }
    throw new Error(`unhandled operation ${stringify(o)}`);
}

// ---------------------------------------------------------------------------
// Rewards
// ---------------------------------------------------------------------------

/** Generous values for reward ops whose value is not the point (the rest comes back). */
const REPORT_VALUE = toNano('0.5');
const CLAIM_VALUE = toNano('0.5');
const FUND_AMOUNT = toNano('1');

function registeredOrExited(state: number) {
    return state === ProviderState.active || state === ProviderState.jailed || state === ProviderState.unbonding || state === ProviderState.exited;
}

async function dispatchRewards(w: World, o: Extract<Operation, { t: 'fund' | 'report' | 'claimRewards' | 'epochWait' | 'forge' }>): Promise<Outcome | undefined> {
    const now = w.now();
    const current = w.epochAt(now);
    switch (o.t) {
        case 'epochWait': {
            // 0: just past the current epoch's end; 1: claims of the last ended epoch open
            // (its end + report grace); 2: that epoch's claim window is over.
            const last = now >= w.epochEnd(0) ? current - 1 : 0;
            const opens = w.epochEnd(last) + REPORT_GRACE;
            const target = [w.epochEnd(current) + 1, now < opens ? opens : w.epochEnd(current) + REPORT_GRACE, Math.max(opens + CLAIM_WINDOW, now + 1)][o.to];
            w.bc.now = Math.max(now, target);
            return undefined;
        }
        case 'fund': {
            const required = w.fees.compute(w.fees.C['gas::pool_fund']) + w.fees.notification;
            let epoch = current + o.ahead;
            if (o.v === 'ended') epoch = current > 0 ? current - 1 : current + 65; // ended, or beyond max_fund_ahead
            const value = o.v === 'lowValue' ? FUND_AMOUNT + required - 1n : FUND_AMOUNT + required + MARGIN;
            const from = [w.p.governance.address, w.keeper, w.stranger][o.who];
            const records = await w.send({ from, to: w.pool.address, value, body: RewardPool.fundRewardsMessage(epoch, FUND_AMOUNT) });
            if (o.v === 'ok') return { records, expect: undefined };
            return { records, expect: 'rejected', exit: o.v === 'lowValue' ? Errors.notEnoughValue : Errors.epochClosed };
        }
        case 'report': {
            const prov = w.model.providers[o.owner];
            const pv = await w.provider(o.owner);
            const from = [w.keeper, w.stranger, w.owners[o.owner]][o.who];
            const due = [...pv.rewards.values()].some((e) => e.state === RewardEntryState.pending && e.at <= now);
            const records = await w.send({ from, to: prov.address, value: REPORT_VALUE, body: Provider.reportRewardsMessage(w.pool.address) });
            if (!registeredOrExited(pv.state)) return { records, expect: 'rejected' };
            return due ? { records, expect: undefined } : { records, expect: 'rejected', exit: Errors.nothingToReport };
        }
        case 'claimRewards': {
            const prov = w.model.providers[o.owner];
            const pv = await w.provider(o.owner);
            const from = natural(w, o.who, w.owners[o.owner], w.owners[(o.owner + 1) % 3]);
            const due = [...pv.rewards.values()].some((e) => e.state === RewardEntryState.counted && e.at <= now);
            const records = await w.send({ from, to: prov.address, value: CLAIM_VALUE, body: Provider.claimRewardsMessage(w.pool.address) });
            if (!registeredOrExited(pv.state)) return { records, expect: 'rejected' };
            if (o.who !== 0) return { records, expect: 'rejected', exit: Errors.notOwner };
            return due ? { records, expect: undefined } : { records, expect: 'rejected', exit: Errors.nothingToClaim };
        }
        case 'forge': {
            const epoch = Math.max(0, current - 1);
            const owner = w.owners[o.owner];
            if (o.kind < 2) {
                // A stranger posing as a provider to the pool.
                const body =
                    o.kind === 0
                        ? beginCell()
                              .storeUint(Op.reportUsage, 32)
                              .storeUint(0, 64)
                              .storeUint(epoch, 32)
                              .storeCoins(0)
                              .storeUint(w.epochEnd(epoch), 32)
                              .storeAddress(owner)
                              .storeCoins(toNano('1000'))
                              .endCell()
                        : beginCell()
                              .storeUint(Op.poolClaim, 32)
                              .storeUint(0, 64)
                              .storeAddress(owner)
                              .storeDict(Dictionary.empty(Dictionary.Keys.Uint(32), Dictionary.Values.BigVarUint(4)).set(epoch, toNano('1000')))
                              .endCell();
                const records = await w.send({ from: w.stranger, to: w.pool.address, value: toNano('0.5'), body });
                return { records, expect: 'rejected', exit: Errors.notPoolProvider };
            }
            // A stranger posing as the pool to a provider: usage_counted / usage_late.
            const pv = await w.provider(o.owner);
            const pending = [...pv.rewards.values()].find((e) => e.state === RewardEntryState.reported) ?? [...pv.rewards.values()][0];
            const e = pending?.epoch ?? epoch;
            const b = beginCell().storeUint(o.kind === 2 ? Op.usageCounted : Op.usageLate, 32).storeUint(0, 64).storeUint(e, 32);
            if (o.kind === 2) b.storeUint(now, 32);
            const records = await w.send({ from: w.stranger, to: w.model.providers[o.owner].address, value: toNano('0.05'), body: b.endCell() });
            return { records, expect: 'rejected', exit: registeredOrExited(pv.state) ? Errors.unexpectedReply : undefined };
        }
    }
}

/**
 * Winding down the rewards: every pending entry reported once its epoch ended (by a keeper),
 * then every counted entry claimed once its claims opened (by the owner).
 */
async function settleRewards(w: World) {
    const entries = async (i: number, state: number) => [...(await w.provider(i)).rewards.values()].filter((e) => e.state === state);
    let latest = 0;
    for (let i = 0; i < w.model.providers.length; i++) for (const e of await entries(i, RewardEntryState.pending)) latest = Math.max(latest, e.at);
    if (latest > w.now()) w.bc.now = latest;
    for (let i = 0; i < w.model.providers.length; i++) {
        for (let k = 0; (await entries(i, RewardEntryState.pending)).length > 0; k++) {
            check(k < 8, 'every pending entry can be reported', { provider: i });
            const records = await w.send({ from: w.keeper, to: w.model.providers[i].address, value: REPORT_VALUE, body: Provider.reportRewardsMessage(w.pool.address) });
            check(records[0].ok, 'a provider with a pending entry of an ended epoch can always be reported', { provider: i, exit: records[0].exitCode });
            await w.checkWorld();
        }
    }
    latest = 0;
    for (let i = 0; i < w.model.providers.length; i++) for (const e of await entries(i, RewardEntryState.counted)) latest = Math.max(latest, e.at);
    if (latest > w.now()) w.bc.now = latest;
    for (let i = 0; i < w.model.providers.length; i++) {
        for (let k = 0; (await entries(i, RewardEntryState.counted)).length > 0; k++) {
            check(k < 8, 'every counted entry can be claimed', { provider: i });
            const records = await w.send({ from: w.owners[i], to: w.model.providers[i].address, value: CLAIM_VALUE, body: Provider.claimRewardsMessage(w.pool.address) });
            check(records[0].ok, 'an owner can always claim a counted entry once claims opened', { provider: i, exit: records[0].exitCode });
            await w.checkWorld();
        }
    }
}

/**
 * Past every live epoch's claim window, pokes the pool (a 1-nanoton funding of the current
 * epoch) until it has pruned them all: pruning rolls what an epoch did not pay, and the
 * balance above what the pool owes and its storage reserve (gas-estimate slack of plain
 * credits), into the current epoch. Without it the pool keeps that slack unaccounted (see the
 * report of issue #7).
 */
async function sweepPool(w: World) {
    const prunable = async () => {
        const v = await w.poolView();
        return [...v.epochs.keys()].filter((e) => e < w.epochAt() && w.epochEnd(e) + REPORT_GRACE + CLAIM_WINDOW <= w.now());
    };
    const live = [...(await w.poolView()).epochs.keys()];
    if (live.length === 0) return;
    const last = Math.max(...live);
    w.bc.now = Math.max(w.now(), w.epochEnd(last) + REPORT_GRACE + CLAIM_WINDOW);
    const required = w.fees.compute(w.fees.C['gas::pool_fund']) + w.fees.notification;
    for (let k = 0; k === 0 || (await prunable()).length > 0; k++) {
        check(k < 40, 'the pool prunes every epoch past its claim window', { left: await prunable() });
        const records = await w.send({ from: w.p.governance.address, to: w.pool.address, value: 1n + required + MARGIN, body: RewardPool.fundRewardsMessage(w.epochAt(), 1n) });
        check(records[0].ok, 'the current epoch can always be funded', { exit: records[0].exitCode });
        await w.checkWorld();
    }
}

/** A missed deadline: the job was accepted, is a one-shot job, and no valid result was sent in time. */
function noteTimeout(w: World, j: JobRec, view: Awaited<ReturnType<World['job']>>) {
    if (view.state === JobState.accepted && !view.session && w.now() > view.deadline && !j.submitted) j.timedOut = true;
}

function minBig(a: bigint, b: bigint) {
    return a < b ? a : b;
}

function issuedAtOf(signedStatement: Cell): number {
    return signedStatement.refs[0].beginParse().skip(32).loadUint(32);
}

async function rootData(w: World): Promise<Cell> {
    const st = (await w.bc.getContract(w.p.root.address)).accountState;
    if (st?.type !== 'active') throw new InvariantError('the root is not active');
    return st.state.data!;
}

/** root_admin.next_change_id from the root's data (TL-B RootStorage). */
function rootNextChangeId(data: Cell): number {
    const admin = data.refs[2].beginParse();
    if (admin.loadBit()) admin.loadAddress();
    return admin.loadUint(32);
}

/** The ids of the queued changes (root_admin.changes). */
function rootPendingChanges(data: Cell): number[] {
    const admin = data.refs[2].beginParse();
    if (admin.loadBit()) admin.loadAddress();
    admin.loadUint(32 + 8);
    const changes = admin.loadDict(Dictionary.Keys.Uint(32), { serialize: () => undefined, parse: (x) => (x.loadUint(32), x.loadRef(), true) });
    return changes.keys();
}

/** The allowlists (root_trust) as key sets. */
function rootTrust(data: Cell) {
    const t = data.refs[1].beginParse();
    const keys = (d: Dictionary<bigint, unknown>) => new Set(d.keys());
    const policies = keys(t.loadDict(Dictionary.Keys.BigUint(256), Dictionary.Values.Cell()));
    const models = keys(t.loadDict(Dictionary.Keys.BigUint(256), Dictionary.Values.Cell()));
    const verifierKeys = keys(t.loadDict(Dictionary.Keys.BigUint(256), TrueValue));
    return { policies, models, verifierKeys };
}

// ---------------------------------------------------------------------------
// Winding down: every job closed, every provider exited
// ---------------------------------------------------------------------------

/**
 * Closes every job the way the protocol lets anyone close it (after its
 * deadlines), reports and claims every reward entry, then has every
 * registered provider unbond and withdraw. The world's final check then
 * requires every contract to hold at most its storage reserve (the pool: its
 * liability plus at most its storage reserve) and every reward book empty.
 */
export async function windDown(w: World) {
    // Past every deadline, challenge window, arbitration period and grace period.
    w.bc.now = w.now() + 31 * 86400;
    for (const j of w.model.jobs) {
        const v = await w.job(j);
        let op: number | undefined;
        if (v.state === JobState.accepted) op = v.session ? Op.settleJob : Op.expireJob;
        if (v.state === JobState.submitted || v.state === JobState.disputed || v.state === JobState.closing) op = Op.settleJob;
        if (v.state === JobState.created) op = Op.cancelJob;
        if (op === undefined) continue;
        if (op === Op.expireJob) noteTimeout(w, j, v);
        const from = op === Op.cancelJob ? w.clients[j.client] : w.keeper;
        const records = await w.send({ from, to: j.address, value: w.req.closeJob + MARGIN, body: Job.simpleMessage(op) });
        check(records[0].ok, 'a job can always be closed once its deadlines have passed', { job: j.address.toString(), state: v.state, exit: records[0].exitCode });
        await w.checkWorld();
    }
    // Rewards are settled before the providers exit; FUZZ_EXIT_FIRST=1 exits first. Either way
    // nothing stays behind: an exited provider sends the leftover of the pool's answers to its
    // owner, and a claim carries the provider's surplus to the owner through the pool (§8.6).
    const exitFirst = process.env.FUZZ_EXIT_FIRST === '1';
    if (!exitFirst) await settleRewards(w);
    let longest = 0;
    for (let i = 0; i < w.model.providers.length; i++) {
        const pv = await w.provider(i);
        if (pv.state === ProviderState.active || pv.state === ProviderState.jailed) {
            const records = await w.send({ from: w.owners[i], to: w.model.providers[i].address, value: w.preq.ownerOp + MARGIN, body: Provider.simpleMessage(Op.requestUnbond) });
            check(records[0].ok, 'a provider with no open job can always unbond', { provider: i, exit: records[0].exitCode });
            await w.checkWorld();
        }
        const after = await w.provider(i);
        if (after.state === ProviderState.unbonding) longest = Math.max(longest, after.unbondAt - w.now());
    }
    w.bc.now = w.now() + Math.max(0, longest);
    for (let i = 0; i < w.model.providers.length; i++) {
        const pv = await w.provider(i);
        if (pv.state !== ProviderState.unbonding) continue;
        const records = await w.send({ from: w.owners[i], to: w.model.providers[i].address, value: w.preq.ownerOp + MARGIN, body: Provider.simpleMessage(Op.withdrawStake) });
        check(records[0].ok, 'a provider can always withdraw after its unbonding period', { provider: i, exit: records[0].exitCode });
        await w.checkWorld();
    }
    if (exitFirst) await settleRewards(w);
    await sweepPool(w);
    await w.checkWorld(true);
}
