/**
 * The property harness: a sandbox world of the protocol (root, providers,
 * jobs) driven by abstract operations, with the invariants of SPEC.md checked
 * after every transaction and every step.
 *
 * The world is reached through raw internal messages from plain addresses
 * (actors have no contracts). `World.send` steps the sandbox's message queue
 * itself: every transaction on a protocol contract is executed and recorded
 * with the contract's state before and after it; messages from the protocol
 * to anyone else are taken off the queue and booked as paid out (they are all
 * non-bounceable, SPEC §5.4, which the runner asserts), which halves the
 * number of transactions to emulate.
 *
 * Invariants (World.checkStep / checkTransaction / checkWorld):
 * - conservation, to the nanoton: value that entered the protocol = value held
 *   by protocol contracts + value paid out + fees burnt (compute, action,
 *   storage, forward fees), from the transactions themselves;
 * - state machines: every transition of a provider or job is one SPEC §7 /
 *   §8.3 allows (tests/properties/spec-tables.ts); a failed transaction, a
 *   refusal (request_refused) and a rejected offer change no state;
 * - no protocol-internal message fails, except the documented bounces (a
 *   verdict reaching a job that is not disputed; an offer to an address with
 *   no registered provider);
 * - the root holds no user funds (its balance grows only by plain transfers
 *   and bounces, §12.1);
 * - providers: balance ≥ stake while registered, stake = 0 when exited,
 *   locked and open_jobs equal the bonds and number of its open jobs (§12.8),
 *   attested_at never decreases, tombstoned is never cleared, the stake grows
 *   only by a top-up of exactly its amount or a registration (§12.2–4);
 * - jobs: never pay more than the budget, pay usage × price split exactly
 *   into owner payment and protocol fee, an open job holds at least what it
 *   still owes, a final job holds at most its storage reserve (§12.9);
 * - slashing: the slash_share parts add up to the stake taken, split by the
 *   governed fractions; every slash has a cause the driver produced (a missed
 *   deadline, a verdict for the client, two conflicting signatures); a
 *   provider that committed no fault is never slashed; an honest client gets
 *   back its budget minus what it paid for (and at most one keeper reward);
 * - rewards (issue #4, #7): the world's root names a reward pool (set through the
 *   timelock); a job under it pays the owner net of the fee and holds the fee
 *   until close; a provider's held reward fees are the fees of its pending
 *   entries and it holds them besides its stake; the pool's liability is the
 *   sum over live epochs of funded − paid and never exceeds its balance; paid
 *   ≤ funded in every epoch; an epoch's total work is exactly the work the pool
 *   answered usage_counted for; a claim pays each (provider, epoch) at most once
 *   and exactly its pro-rata share floor(funded × work / total) (never more);
 *   only the pool's own answers and the owner's claims change a provider's
 *   reward book; after the wind-down (every entry reported and claimed) each
 *   provider holds at most its storage reserve and the pool its liability plus
 *   at most its storage reserve.
 */
import '@ton/test-utils'; // expect(...).toHaveTransaction, used by the fixtures
import { Address, beginCell, Cell, Dictionary, Message } from '@ton/core';
import { Blockchain, BlockchainSnapshot, BlockchainTransaction, internal, SandboxContract } from '@ton/sandbox';
import { KeyPair } from '@ton/crypto';
import { createHash, createPrivateKey, KeyObject, sign as nodeSign } from 'crypto';
import { DEFAULT_OFFER, deployProtocol, jobFees, keyFromLabel, loadCode, MODEL, MODEL_2, POLICY, Protocol, sha256n, slashParts, statementCell } from '../helpers/fixtures';
import { RewardPool, RewardPoolConfig } from '../../wrappers/RewardPool';
import { Job, jobResultCell, usageReceiptCell } from '../../wrappers/Job';
import { Provider } from '../../wrappers/Provider';
import { JobParams, jobParamsFromCell, JobRequiredValues, RequiredValues, Root, RootParams, TimelockActions } from '../../wrappers/Root';
import { bufferToBigint } from '../../wrappers/common';
import { Errors, JobState, Op, ProviderState, RewardEntryState } from '../../wrappers/constants';
import { FINAL_JOB_STATES, jobTransitionAllowed, NO_ACCOUNT, OPEN_JOB_STATES, providerTransitionAllowed } from './spec-tables';

// ---------------------------------------------------------------------------
// Speed: @ton/core hashes cells with a pure-JS SHA-256 (jssha); node's is the
// same function, about ten times faster. Checked against the original once.
// ---------------------------------------------------------------------------

/* eslint-disable @typescript-eslint/no-var-requires */
const sha256Module = require('@ton/crypto/dist/primitives/sha256') as { sha256_sync: (s: Buffer | string) => Buffer };
if (!(sha256Module as { __fast?: boolean }).__fast) {
    const slow = sha256Module.sha256_sync;
    const fast = (s: Buffer | string) => createHash('sha256').update(typeof s === 'string' ? Buffer.from(s, 'utf8') : s).digest();
    const probe = Buffer.from('cocoon property harness');
    if (!fast(probe).equals(slow(probe))) throw new Error('node sha256 disagrees with @ton/crypto');
    sha256Module.sha256_sync = fast;
    (sha256Module as { __fast?: boolean }).__fast = true;
}

// ---------------------------------------------------------------------------
// Fast ed25519 (node's crypto; identical signatures to @ton/crypto's sign)
// ---------------------------------------------------------------------------

const signers = new Map<string, KeyObject>();
export function signHash(hash: Buffer, keys: KeyPair): Buffer {
    const id = keys.publicKey.toString('hex');
    let key = signers.get(id);
    if (!key) {
        const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), keys.secretKey.subarray(0, 32)]);
        key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
        signers.set(id, key);
    }
    return nodeSign(null, hash, key);
}

export function signedPayload(payload: Cell, keys: KeyPair): Cell {
    return beginCell().storeBuffer(signHash(payload.hash(), keys)).storeRef(payload).endCell();
}

// ---------------------------------------------------------------------------
// Views of the contracts' data (TL-B in contracts/schema.tlb)
// ---------------------------------------------------------------------------

export type ProviderView = {
    state: number; // NO_ACCOUNT when there is no active account
    balance: bigint;
    dataHash: string;
    stake: bigint;
    locked: bigint;
    openJobs: number;
    revoked: boolean;
    tombstoned: boolean;
    unbondAt: number;
    attestedAt: number;
    expiresAt: number;
    operatorKey: bigint;
    minStake: bigint;
    unbondingPeriod: number;
    jobParams?: JobParams;
    completed: number;
    failed: number;
    slashed: bigint;
    /** Protocol fees held for reward pools (storage::reward_fees). */
    rewardFees: bigint;
    /** Reward entries by key (pool prefix | epoch). */
    rewards: Map<bigint, RewardEntryView>;
};

export type RewardEntryView = { epoch: number; state: number; work: bigint; fees: bigint; at: number };

/** The reward pool's data: live epochs and what it owes. */
export type PoolView = { balance: bigint; dataHash: string; liability: bigint; epochs: Map<number, { work: bigint; funded: bigint; paid: bigint }> };

export type JobView = {
    state: number; // uninit (0) also when there is no account
    exists: boolean;
    balance: bigint;
    dataHash: string;
    budget: bigint;
    provider?: Address;
    deadline: number;
    createdAt: number;
    session: boolean;
    terms?: { price: bigint; bond: bigint; operatorKey: bigint; owner: Address; treasury: Address; jobs: JobParams };
    usage: bigint;
    seq: number;
    paidUsage: bigint;
    timer: number;
};

function dataOf(bc: Blockchain, a: Address): Promise<{ data?: Cell; balance: bigint; active: boolean }> {
    return bc.getContract(a).then((c) => {
        const st = c.accountState;
        if (st?.type === 'active') return { data: st.state.data ?? undefined, balance: c.balance, active: true };
        return { balance: c.balance, active: false };
    });
}

/** Views keyed by the data's hash: contract data repeats a lot between steps and runs. */
const viewCache = new Map<string, ProviderView | JobView>();
function cached<T extends ProviderView | JobView>(data: Cell | undefined, balance: bigint, tag: string, parse: () => T): T {
    if (!data) return parse();
    const key = tag + data.hash().toString('base64');
    let v = viewCache.get(key) as T | undefined;
    if (!v) {
        v = parse();
        if (viewCache.size > 20000) viewCache.clear();
        viewCache.set(key, v);
    }
    return { ...v, balance };
}

export function parseProvider(data: Cell | undefined, balance: bigint): ProviderView {
    return cached(data, balance, 'p', () => parseProviderData(data, balance));
}

export function parseJob(data: Cell | undefined, balance: bigint, active: boolean): JobView {
    return cached(data, balance, active ? 'j' : 'J', () => parseJobData(data, balance, active));
}

function parseProviderData(data: Cell | undefined, balance: bigint): ProviderView {
    const empty: ProviderView = {
        state: NO_ACCOUNT,
        balance,
        dataHash: '',
        stake: 0n,
        locked: 0n,
        openJobs: 0,
        revoked: false,
        tombstoned: false,
        unbondAt: 0,
        attestedAt: 0,
        expiresAt: 0,
        operatorKey: 0n,
        minStake: 0n,
        unbondingPeriod: 0,
        completed: 0,
        failed: 0,
        slashed: 0n,
        rewardFees: 0n,
        rewards: new Map(),
    };
    if (!data) return empty;
    const s = data.beginParse();
    s.loadAddress();
    s.loadAddress();
    const state = s.loadUint(4);
    const dataHash = data.hash().toString('hex');
    if (state === ProviderState.uninit) return { ...empty, state, dataHash };
    const v: ProviderView = { ...empty, state, dataHash };
    v.stake = s.loadCoins();
    v.locked = s.loadCoins();
    v.openJobs = s.loadUint(32);
    v.revoked = s.loadBit();
    v.tombstoned = s.loadBit();
    v.unbondAt = s.loadUint(32);
    v.rewardFees = s.loadCoins();
    const att = s.loadRef().beginParse();
    att.skip(256);
    v.operatorKey = att.loadUintBig(256);
    att.skip(256);
    v.attestedAt = att.loadUint(32);
    v.expiresAt = att.loadUint(32);
    const params = s.loadRef().beginParse();
    v.minStake = params.loadCoins();
    v.unbondingPeriod = params.loadUint(32);
    params.loadUint(32);
    params.loadAddress();
    v.jobParams = jobParamsFromCell(params.loadRef());
    const book = s.loadRef().beginParse();
    book.loadRef();
    book.skip(256 + 16);
    v.completed = Number(book.loadUintBig(64));
    v.failed = Number(book.loadUintBig(64));
    v.slashed = book.loadCoins();
    const entries = book.loadDict(Dictionary.Keys.BigUint(256), {
        serialize: () => {
            throw new Error('read only');
        },
        parse: (x) => ({ state: x.loadUint(2), work: x.loadCoins(), fees: x.loadCoins(), at: x.loadUint(32) }),
    });
    v.rewards = new Map();
    for (const [k, e] of entries) v.rewards.set(k, { epoch: Number(k & 0xffffffffn), ...e });
    return v;
}

export function parsePool(data: Cell | undefined, balance: bigint): PoolView {
    const v: PoolView = { balance, dataHash: data?.hash().toString('hex') ?? '', liability: 0n, epochs: new Map() };
    if (!data) return v;
    const s = data.beginParse();
    s.loadRef();
    const epochs = s.loadDict(Dictionary.Keys.Uint(32), {
        serialize: () => {
            throw new Error('read only');
        },
        parse: (x) => ({ work: x.loadCoins(), funded: x.loadCoins(), paid: x.loadCoins() }),
    });
    for (const [k, e] of epochs) v.epochs.set(k, e);
    v.liability = s.loadCoins();
    return v;
}

function parseJobData(data: Cell | undefined, balance: bigint, active: boolean): JobView {
    const v: JobView = { state: JobState.uninit, exists: active, balance, dataHash: '', budget: 0n, deadline: 0, createdAt: 0, session: false, usage: 0n, seq: 0, paidUsage: 0n, timer: 0 };
    if (!data) return v;
    v.dataHash = data.hash().toString('hex');
    const s = data.beginParse();
    // TL-B JobStorageUninit (no refs): root, client, nonce, state = 0.
    if (data.refs.length === 0) return v;
    // JobStorage: state, terms (Maybe ^JobTerms), budget, progress, ^JobIdent, ^JobRequest.
    v.state = s.loadUint(4);
    const terms = s.loadMaybeRef();
    v.budget = s.loadCoins();
    s.skip(256);
    v.usage = s.loadUintBig(64);
    v.seq = s.loadUint(32);
    v.paidUsage = s.loadUintBig(64);
    v.timer = s.loadUint(32);
    s.loadRef(); // ident
    const req = s.loadRef().beginParse();
    v.provider = req.loadAddress();
    req.skip(256);
    req.loadCoins();
    v.deadline = req.loadUint(32);
    v.createdAt = req.loadUint(32);
    v.session = req.loadBit();
    if (terms) {
        const t = terms.beginParse();
        const price = t.loadCoins();
        const bond = t.loadCoins();
        const operatorKey = t.loadUintBig(256);
        const owner = t.loadAddress();
        const pp = t.loadRef().beginParse();
        pp.loadCoins();
        pp.skip(64);
        const treasury = pp.loadAddress();
        v.terms = { price, bond, operatorKey, owner, treasury, jobs: jobParamsFromCell(pp.loadRef()) };
    }
    return v;
}

function rootVersionOf(data: Cell | undefined): number {
    return data ? data.beginParse().preloadUint(32) : -1;
}

// ---------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------

/**
 * Kinds of protocol contract. The reward pool (issue 4) joins as another kind: its address
 * in `World.protocol` (so conservation counts it), a view parser and `check<Kind>Tx`, its
 * transitions in spec-tables.ts, and its operations in operations.ts.
 */
export type Kind = 'root' | 'provider' | 'job' | 'pool';

/** One transaction on a protocol contract, with the contract's state around it. */
export type TxRecord = {
    tx: BlockchainTransaction;
    on: Address;
    kind: Kind;
    src?: Address;
    op?: number;
    bounced: boolean;
    ok: boolean;
    exitCode?: number;
    balanceBefore: bigint;
    balanceAfter: bigint;
    dataBefore: string;
    dataAfter: string;
    provider?: [ProviderView, ProviderView];
    job?: [JobView, JobView];
    pool?: [PoolView, PoolView];
    rootVersion?: [number, number];
    outs: { to: Address; value: bigint; forwardFee: bigint; op?: number; body: Cell; bounce: boolean }[];
};

export type JobRec = {
    client: number;
    nonce: bigint;
    address: Address;
    owner: number;
    session: boolean;
    /** A result was accepted (the job reached `submitted`). */
    submitted: boolean;
    /** The provider accepted it (the job reached `accepted`). */
    accepted: boolean;
    lastResult?: Cell;
    /** Governance verdicts sent for the client (a fault, even with no slash): the most each may slash. */
    verdictCaps: bigint[];
    /** The job missed its deadline without a result (recorded when someone expires it). */
    timedOut: boolean;
    /** Sum of the values of job_payment + protocol_fee messages it sent. */
    paidOut: bigint;
    /** Value its client received from it (and from its provider's close-out answers). */
    clientGot: bigint;
    /** Protocol fees it holds for the reward pool (sum of its payments' fees). */
    heldFees?: bigint;
};

export type ProvRec = {
    owner: number;
    address: Address;
    operator: KeyPair;
    /** Equivocation the driver made its operator commit (two conflicting results signed). */
    equivocated: boolean;
    /** A report of its equivocation went through: it must be the last (tombstoned). */
    equivocationSlashed?: boolean;
    lastStatement?: Cell;
};

/** What the model expects of the reward pool. */
export type RewardModel = {
    /** Work the pool counted (answered usage_counted), per epoch and provider index. */
    counted: Map<number, Map<number, bigint>>;
    /** "provider:epoch" pairs a claim carried (each at most once). */
    claimed: Set<string>;
    /** Reward paid to each provider's owner, in total. */
    paid: bigint[];
};

export type Model = {
    jobs: JobRec[];
    providers: ProvRec[];
    nextNonce: bigint[];
    nextChangeId: number;
    rewards: RewardModel;
};

function cloneModel(m: Model): Model {
    return {
        jobs: m.jobs.map((j) => ({ ...j, verdictCaps: [...j.verdictCaps] })),
        providers: m.providers.map((p) => ({ ...p })),
        nextNonce: [...m.nextNonce],
        nextChangeId: m.nextChangeId,
        rewards: {
            counted: new Map([...m.rewards.counted].map(([e, per]) => [e, new Map(per)])),
            claimed: new Set(m.rewards.claimed),
            paid: [...m.rewards.paid],
        },
    };
}

export type Ledger = { entered: bigint; paidOut: bigint; burnt: bigint; rootIntake: bigint };

export type Base = {
    snapshot: BlockchainSnapshot;
    /** Each known account as the sandbox stores it (serialised), for the fast restore. */
    accounts: Map<string, { b64: string; lastTxTime: number }>;
    model: Model;
    balances: Map<string, bigint>;
    ledger: Ledger;
};

/** The sandbox's private state the fast restore touches (checked before use). */
type SandboxInternals = {
    storage?: { contracts?: Map<string, { _account: string; parsedAccount: unknown; lastTxTime: number; address: Address }> };
    contractFetches?: Map<string, unknown>;
    currentLt: bigint;
    currentTime?: number;
    transactions: unknown[];
};

export class InvariantError extends Error {}

export function check(cond: boolean, what: string, detail?: unknown): asserts cond {
    if (!cond) throw new InvariantError(`${what}${detail === undefined ? '' : ': ' + stringify(detail)}`);
}

export function stringify(x: unknown): string {
    return JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Address ? v.toString() : v));
}

export const OWNERS = 3;
export const CLIENTS = 2;
/** The world's reward pool schedule: one-day epochs, reports until end + 2 h, claims for 7 days. */
export const EPOCH_LENGTH = 86400;
export const REPORT_GRACE = 2 * 3600;
export const CLAIM_WINDOW = 7 * 86400;

export class World {
    bc!: Blockchain;
    p!: Protocol;
    fees!: ReturnType<typeof jobFees>;
    rreq!: RequiredValues;
    req!: JobRequiredValues;
    preq!: { ownerOp: bigint; topUp: bigint; reportEquivocation: bigint };
    jp!: JobParams;
    params!: RootParams;
    owners: Address[] = [];
    clients: Address[] = [];
    clientKeys: KeyPair[] = [];
    keeper!: Address;
    stranger!: Address;
    verifier!: KeyPair;
    model!: Model;
    ledger: Ledger = { entered: 0n, paidOut: 0n, burnt: 0n, rootIntake: 0n };
    baseBalances = new Map<string, bigint>();
    /** Every address the protocol may derive or create, by kind. */
    protocol = new Map<string, Kind>();
    /** Transactions of the current step. */
    step: TxRecord[] = [];
    /** Counters, for the report. */
    stats = { sequences: 0, operations: 0, transactions: 0, steps: 0 };
    /** The reward pool JobParams.rewards names (deployed and set through the timelock in create()). */
    pool!: SandboxContract<RewardPool>;
    poolConfig!: RewardPoolConfig;
    poolStorageReserve!: bigint;
    /** Observed state transitions (kind key from->to) and operation outcomes, for the coverage report. */
    coverage = new Map<string, number>();

    count(key: string) {
        this.coverage.set(key, (this.coverage.get(key) ?? 0) + 1);
    }

    /**
     * A world on a fresh protocol. `codes` replaces the provider and/or job code (a second root
     * is deployed with them): used to check that the invariants catch injected bugs.
     */
    static async create(codes: { provider?: Cell; job?: Cell } = {}): Promise<World> {
        const w = new World();
        w.p = await deployProtocol();
        w.bc = w.p.blockchain;
        if (codes.provider || codes.job) {
            const providerCode = codes.provider ?? w.p.providerCode;
            const jobCode = codes.job ?? w.p.jobCode;
            const root = w.bc.openContract(
                Root.createFromConfig(
                    {
                        governance: w.p.governance.address,
                        guardian: w.p.guardian.address,
                        params: w.p.params,
                        providerCode,
                        jobCode,
                        policies: new Map([[POLICY, beginCell().endCell()]]),
                        models: new Map([
                            [MODEL, beginCell().endCell()],
                            [MODEL_2, beginCell().endCell()],
                        ]),
                        verifierKeys: [bufferToBigint(w.p.verifier.publicKey)],
                    },
                    w.p.rootCode,
                ),
            );
            await root.sendDeploy(w.p.governance.getSender(), 1_000_000_000n);
            w.p = { ...w.p, root, providerCode, jobCode };
        }
        w.bc.verbosity = { ...w.bc.verbosity, print: false, blockchainLogs: false, vmLogs: 'none', debugLogs: false };
        await w.setUpRewardPool();
        w.fees = jobFees(w.bc);
        w.poolStorageReserve = w.fees.storage(w.fees.C['RESERVE_PERIOD'], w.fees.C['pool::max_state_bits'], w.fees.C['pool::max_state_cells']);
        w.rreq = await w.p.root.getRequiredValues();
        w.req = await w.p.root.getJobRequiredValues();
        w.jp = await w.p.root.getJobParams();
        // The provider's get_required_values, from the same formulas (no provider is deployed yet).
        const ownerOp = w.fees.compute(w.fees.C['gas::provider_owner_op']) + w.fees.notification;
        w.preq = { ownerOp, topUp: ownerOp, reportEquivocation: w.fees.compute(w.fees.C['gas::provider_equivocation']) + 4n * w.fees.notification };
        w.verifier = w.p.verifier;
        for (let i = 0; i < OWNERS; i++) w.owners.push(actorAddress(`owner ${i}`));
        for (let i = 0; i < CLIENTS; i++) {
            w.clients.push(actorAddress(`client ${i}`));
            w.clientKeys.push(keyFromLabel(`property client key ${i}`));
        }
        w.keeper = actorAddress('keeper');
        w.stranger = actorAddress('stranger');
        w.protocol.set(w.p.root.address.toString(), 'root');
        w.protocol.set(w.pool.address.toString(), 'pool');
        const providers: ProvRec[] = w.owners.map((o, i) => {
            const address = Provider.createFromConfig({ root: w.p.root.address, owner: o, jobCode: w.p.jobCode }, w.p.providerCode).address;
            w.protocol.set(address.toString(), 'provider');
            return { owner: i, address, operator: keyFromLabel(`property operator ${i}`), equivocated: false };
        });
        w.model = {
            jobs: [],
            providers,
            nextNonce: w.clients.map(() => 1n),
            nextChangeId: 0,
            rewards: { counted: new Map(), claimed: new Set(), paid: w.owners.map(() => 0n) },
        };
        await w.rebase();
        return w;
    }

    /**
     * Governance deploys a reward pool for the root and sets JobParams.rewards through the
     * timelock (queue, wait the delay, execute), before any provider registers. Epoch 0 starts
     * when the change executes (rounded up to the hour).
     */
    private async setUpRewardPool() {
        const root = this.p.root;
        const gov = this.p.governance;
        const genesis = Math.ceil((this.bc.now! + this.p.params.timelockDelay) / 3600) * 3600;
        this.poolConfig = {
            root: root.address,
            providerCode: this.p.providerCode,
            jobCode: this.p.jobCode,
            genesis,
            epochLength: EPOCH_LENGTH,
            reportGrace: REPORT_GRACE,
            claimWindow: CLAIM_WINDOW,
        };
        this.pool = this.bc.openContract(RewardPool.createFromConfig(this.poolConfig, loadCode('RewardPool')));
        const ok = (what: string, txs: BlockchainTransaction[]) => {
            const bad = txs.find((t) => t.description.type === 'generic' && t.description.aborted);
            if (bad) throw new Error(`setting up the reward pool: ${what} failed`);
        };
        ok('deploy', (await this.pool.sendDeploy(gov.getSender(), 1_000_000_000n)).transactions);
        const jobs = await root.getJobParams();
        const params: RootParams = { ...this.p.params, jobs: { ...jobs, rewards: { pool: this.pool.address, epochGenesis: genesis, epochLength: EPOCH_LENGTH } } };
        const id = (await root.getRootData()).nextChangeId;
        ok('queue', (await root.sendQueueChange(gov.getSender(), 200_000_000n, TimelockActions.setParams(params))).transactions);
        const change = await root.getChange(id);
        this.bc.now = Math.max(change!.eta, genesis);
        ok('execute', (await root.sendExecuteChange(gov.getSender(), 200_000_000n, id)).transactions);
        const set = await root.getJobParams();
        if (!set.rewards?.pool.equals(this.pool.address)) throw new Error('setting up the reward pool: JobParams.rewards not set');
        this.params = params;
    }

    /** Epoch of `t` under the pool's schedule. */
    epochAt(t = this.now()): number {
        return t < this.poolConfig.genesis ? 0 : Math.floor((t - this.poolConfig.genesis) / EPOCH_LENGTH);
    }

    epochEnd(e: number): number {
        return this.poolConfig.genesis + (e + 1) * EPOCH_LENGTH;
    }

    async poolView(): Promise<PoolView> {
        const d = await dataOf(this.bc, this.pool.address);
        return parsePool(d.data, d.balance);
    }

    /** Makes the current state the baseline of the conservation ledger. */
    async rebase() {
        this.ledger = { entered: 0n, paidOut: 0n, burnt: 0n, rootIntake: 0n };
        this.baseBalances = new Map();
        for (const a of this.protocol.keys()) this.baseBalances.set(a, (await this.bc.getContract(Address.parse(a))).balance);
    }

    snapshotBase(): Base {
        const accounts = new Map<string, { b64: string; lastTxTime: number }>();
        const contracts = (this.bc as unknown as SandboxInternals).storage?.contracts;
        if (contracts) for (const [k, c] of contracts) accounts.set(k, { b64: c._account, lastTxTime: c.lastTxTime });
        return { snapshot: this.bc.snapshot(), accounts, model: cloneModel(this.model), balances: new Map(this.baseBalances), ledger: { ...this.ledger } };
    }

    /**
     * Restores a base. The sandbox's loadFrom re-serialises every account (about 1.5 ms each);
     * this puts back the serialised accounts that changed and forgets the new ones, and falls
     * back to loadFrom when the sandbox's internals are not what it expects. Every protocol
     * balance is then checked against the base.
     */
    private async fastRestore(base: Base): Promise<boolean> {
        const internals = this.bc as unknown as SandboxInternals;
        const contracts = internals.storage?.contracts;
        const fetches = internals.contractFetches;
        if (!(contracts instanceof Map) || !(fetches instanceof Map) || !Array.isArray(internals.transactions) || base.accounts.size === 0) return false;
        for (const k of base.accounts.keys()) if (!contracts.has(k)) await this.bc.getContract(Address.parse(k));
        for (const k of base.accounts.keys()) if (!contracts.has(k)) return false;
        for (const [k, c] of [...contracts]) {
            const saved = base.accounts.get(k);
            if (!saved) {
                contracts.delete(k);
                fetches.delete(c.address.toRawString());
                continue;
            }
            if (typeof c._account !== 'string') return false;
            if (c._account !== saved.b64) {
                c._account = saved.b64;
                c.parsedAccount = undefined;
            }
            c.lastTxTime = saved.lastTxTime;
        }
        internals.currentLt = base.snapshot.lt;
        internals.currentTime = base.snapshot.time;
        internals.transactions = [...base.snapshot.transactions];
        return true;
    }

    async restore(base: Base) {
        // A failed step may leave messages in the queue: they belong to no later run.
        const qm = (this.bc as unknown as { defaultQueueManager: QueueManager }).defaultQueueManager;
        qm.messageQueue.length = 0;
        if (!(await this.fastRestore(base))) await this.bc.loadFrom(base.snapshot);
        this.model = cloneModel(base.model);
        this.baseBalances = new Map(base.balances);
        this.ledger = { ...base.ledger };
        // Job addresses created after the base are forgotten with the model.
        for (const [a, k] of [...this.protocol]) if (k === 'job') this.protocol.delete(a);
        for (const j of this.model.jobs) this.protocol.set(j.address.toString(), 'job');
        for (const a of this.protocol.keys()) {
            const balance = (await this.bc.getContract(Address.parse(a))).balance;
            if (balance !== this.baseBalances.get(a)) throw new Error(`restore: ${a} holds ${balance}, the base ${this.baseBalances.get(a)}`);
        }
    }

    now(): number {
        return this.bc.now!;
    }

    kindOf(a: Address): Kind | undefined {
        return this.protocol.get(a.toString());
    }

    jobAddress(client: number, nonce: bigint): Address {
        return Job.createFromConfig({ root: this.p.root.address, client: this.clients[client], nonce }, this.p.jobCode).address;
    }

    trackJob(address: Address) {
        if (!this.protocol.has(address.toString())) {
            this.protocol.set(address.toString(), 'job');
            if (!this.baseBalances.has(address.toString())) this.baseBalances.set(address.toString(), 0n);
        }
    }

    // ---- reading ----

    async provider(i: number): Promise<ProviderView> {
        const d = await dataOf(this.bc, this.model.providers[i].address);
        return parseProvider(d.data, d.balance);
    }

    async job(j: JobRec): Promise<JobView> {
        const d = await dataOf(this.bc, j.address);
        return parseJob(d.data, d.balance, d.active);
    }

    private async viewOf(a: Address, kind: Kind) {
        const d = await dataOf(this.bc, a);
        const dataHash = d.data?.hash().toString('hex') ?? '';
        if (kind === 'provider') return { balance: d.balance, dataHash, provider: parseProvider(d.data, d.balance) };
        if (kind === 'job') return { balance: d.balance, dataHash, job: parseJob(d.data, d.balance, d.active) };
        if (kind === 'pool') return { balance: d.balance, dataHash, pool: parsePool(d.data, d.balance) };
        return { balance: d.balance, dataHash, rootVersion: rootVersionOf(d.data) };
    }

    // ---- the runner ----

    /**
     * Injects an internal message and runs the whole chain it starts, transaction by
     * transaction, recording and checking each one. Returns the records of the step.
     */
    async send(m: Injected): Promise<TxRecord[]> {
        return this.sendInterleaved(m);
    }

    /**
     * Injects `first`; when `second` is given, injects it after `delay` transactions of the
     * chain (`delay`; the queue is first-in first-out, so this orders the two chains' messages
     * at the contracts they share). Runs everything to the end.
     */
    async sendInterleaved(first: Injected, second?: Injected, delay = 1): Promise<TxRecord[]> {
        this.step = [];
        this.stats.steps += 1;
        const qm = (this.bc as unknown as { defaultQueueManager: QueueManager }).defaultQueueManager;
        if (!qm || !Array.isArray(qm.messageQueue) || typeof qm.processTx !== 'function') throw new Error('@ton/sandbox internals changed: no defaultQueueManager');
        const inject = async (m: Injected) => {
            check(this.kindOf(m.to) !== undefined, 'a message to a protocol contract', m.to);
            this.ledger.entered += m.value;
            await qm.pushMessage(internal({ from: m.from, to: m.to, value: m.value, body: m.body ?? Cell.EMPTY, stateInit: m.stateInit, bounce: m.bounce ?? true }));
        };
        await inject(first);
        let executed = 0;
        let guard = 0;
        while (qm.messageQueue.length > 0 || (second && executed >= delay)) {
            if (second && executed >= delay) {
                await inject(second);
                second = undefined;
                continue;
            }
            check(++guard < 200, 'a chain of at most 200 transactions');
            const head = qm.messageQueue[0];
            if (head.type === 'message' && head.info.type === 'internal' && this.kindOf(head.info.dest) === undefined) {
                // A payment out of the protocol: booked, not emulated.
                qm.messageQueue.shift();
                check(!head.info.bounce, 'messages from the protocol to anyone else are non-bounceable (SPEC §5.4)', { to: head.info.dest, op: opOf(head.body) });
                this.ledger.paidOut += head.info.value.coins;
                continue;
            }
            if (head.type !== 'message' || head.info.type !== 'internal') throw new Error('unexpected queue entry');
            const on = head.info.dest;
            const kind = this.kindOf(on)!;
            const before = await this.viewOf(on, kind);
            const res = await qm.processTx(true);
            const tx = res.value as BlockchainTransaction;
            const after = await this.viewOf(on, kind);
            const rec = this.record(tx, on, kind, before, after);
            executed += 1;
            this.step.push(rec);
            this.stats.transactions += 1;
            this.checkTransaction(rec);
        }
        return this.step;
    }

    private record(tx: BlockchainTransaction, on: Address, kind: Kind, before: Awaited<ReturnType<World['viewOf']>>, after: Awaited<ReturnType<World['viewOf']>>): TxRecord {
        const info = tx.inMessage!.info;
        const d = tx.description;
        const vm = d.type === 'generic' && d.computePhase.type === 'vm' ? d.computePhase : undefined;
        const ok = d.type === 'generic' && !!vm && vm.success && !d.aborted;
        const outs = [...tx.outMessages.values()]
            .filter((o) => o.info.type === 'internal')
            .map((o) => {
                const i = o.info as Extract<Message['info'], { type: 'internal' }>;
                return { to: i.dest, value: i.value.coins, forwardFee: i.forwardFee, op: opOf(o.body), body: o.body, bounce: i.bounce };
            });
        this.ledger.burnt += tx.totalFees.coins + outs.reduce((s, o) => s + o.forwardFee, 0n);
        const bounced = info.type === 'internal' && info.bounced;
        let op = opOf(tx.inMessage!.body);
        if (bounced) op = tx.inMessage!.body.beginParse().skip(32).preloadUint(32);
        return {
            tx,
            on,
            kind,
            src: info.type === 'internal' ? info.src : undefined,
            op,
            bounced,
            ok,
            exitCode: vm?.exitCode,
            balanceBefore: before.balance,
            balanceAfter: after.balance,
            dataBefore: before.dataHash,
            dataAfter: after.dataHash,
            provider: before.provider && after.provider ? [before.provider, after.provider] : undefined,
            job: before.job && after.job ? [before.job, after.job] : undefined,
            pool: before.pool && after.pool ? [before.pool, after.pool] : undefined,
            rootVersion: before.rootVersion !== undefined ? [before.rootVersion, after.rootVersion!] : undefined,
            outs,
        };
    }

    // ---- per-transaction invariants ----

    private checkTransaction(r: TxRecord) {
        const where = { on: r.on.toString(), kind: r.kind, op: r.op?.toString(16), bounced: r.bounced, exit: r.exitCode };
        // A failed transaction changes no state. (TON applies a message's state init even when
        // the compute phase fails: the account then holds exactly its own uninitialised data.)
        const init = r.tx.inMessage?.init?.data?.hash().toString('hex');
        if (!r.ok) check(r.dataBefore === r.dataAfter || (r.dataBefore === '' && r.dataAfter === init), 'a failed transaction changes no state', where);
        // Protocol-internal messages never fail, except the documented bounces.
        const fromProtocol = r.src && this.kindOf(r.src) !== undefined;
        if (fromProtocol && !r.ok && !r.bounced) {
            const verdictBounce = r.kind === 'job' && r.op === Op.disputeVerdict;
            const offerToNobody = r.kind === 'provider' && r.op === Op.offerJob && (r.provider![0].state === NO_ACCOUNT || r.provider![0].state === ProviderState.uninit);
            check(verdictBounce || offerToNobody, 'a protocol-internal message never fails (bar documented bounces)', where);
        }
        // A refusal (request_refused, or a provider's job_rejected) changes no state (the
        // uninitialised provider deleting itself aside).
        const refusal = r.outs.some((o) => o.op === Op.requestRefused || (r.kind === 'provider' && o.op === Op.jobRejected));
        if (r.ok && refusal && !(r.provider && r.provider[0].state <= ProviderState.uninit)) check(r.dataBefore === r.dataAfter, 'a refusal changes no state', where);
        if (r.kind === 'provider') this.checkProviderTx(r, where);
        if (r.kind === 'job') this.checkJobTx(r, where);
        if (r.kind === 'root') this.checkRootTx(r, where);
        if (r.kind === 'pool') this.checkPoolTx(r, where);
    }

    private transitionKey(r: TxRecord): string {
        if (r.bounced) return r.kind === 'job' ? `bounced:${r.op}` : 'bounced';
        const body = r.tx.inMessage!.body.beginParse();
        if (body.remainingBits === 0 && body.remainingRefs === 0) return 'plain';
        if (r.op === 0) return 'plain'; // a text comment (SPEC §5)
        return `op:${r.op}`;
    }

    /** A transition key with the op's name, for the coverage report. */
    static readable(key: string): string {
        return key.replace(/(\d{6,})/, (n) => OP_NAMES.get(Number(n)) ?? n);
    }

    private checkProviderTx(r: TxRecord, where: object) {
        const [a, b] = r.provider!;
        if (!r.ok) {
            check(a.state === b.state, 'a failed transaction keeps the provider state', where);
            return;
        }
        const key = this.transitionKey(r);
        this.count(`provider ${World.readable(key)} ${a.state}->${b.state}`);
        check(providerTransitionAllowed(key, a.state, b.state), 'provider transition allowed by SPEC §7', { ...where, key, from: a.state, to: b.state });
        const registered = (s: number) => s === ProviderState.active || s === ProviderState.jailed || s === ProviderState.unbonding;
        if (registered(a.state) && registered(b.state)) {
            // §12.4: attested_at never decreases; tombstoned is never cleared; revoked set only by a revocation.
            check(b.attestedAt >= a.attestedAt, 'attested_at never decreases', where);
            check(!a.tombstoned || b.tombstoned, 'tombstoned is never cleared', where);
            if (!a.tombstoned && b.tombstoned) check(r.op === Op.reportEquivocation, 'only equivocation evidence tombstones', where);
            if (!a.revoked && b.revoked) check(r.op === Op.providerRevoke, 'only a confirmed revocation revokes', where);
            if (a.revoked && !b.revoked) check(r.op === Op.providerReattest, 'only a re-attestation clears revoked', where);
            // The stake grows only by a top-up of exactly its amount.
            if (b.stake > a.stake) {
                check(r.op === Op.topUp, 'the stake grows only by a top-up', { ...where, from: a.stake, to: b.stake });
                const amount = r.tx.inMessage!.body.beginParse().skip(96).loadCoins();
                check(b.stake - a.stake === amount, 'a top-up adds exactly its amount', where);
            }
            // Slashes: the parts add up to what the stake lost and to what `slashed` gained.
            if (r.op === Op.slashBond || r.op === Op.reportEquivocation) this.checkSlash(r, a, b, where);
            else check(b.slashed === a.slashed && b.failed === a.failed, 'only slashes change the slash record', where);
            if (r.op === Op.providerRevoke && b.stake < a.stake) {
                check(a.stake - b.stake <= this.jp.keeperReward, "a revocation takes at most the keeper's reward", where);
                check(b.stake >= b.locked, "the keeper's reward never comes out of a bond", where);
            }
        }
        // §12.4 across an exit: a re-registration brings a statement newer than the last one used.
        if (a.state === ProviderState.exited && registered(b.state)) check(b.attestedAt > a.attestedAt, 'a statement is used at most once per provider; attested_at never decreases (§12.4)', { ...where, from: a.attestedAt, to: b.attestedAt });
        if (r.op === Op.requestUnbond) check(a.openJobs === 0 && a.locked === 0n, 'unbonding cannot start while a job is open (§8.4)', where);
        // A provider slashed for equivocation is tombstoned: never eligible again (§5.3).
        const prov = this.model.providers.find((p) => p.address.equals(r.on));
        if (r.op === Op.offerJob && (a.tombstoned || prov?.equivocationSlashed)) check(b.openJobs === a.openJobs, 'a provider slashed for equivocation accepts no job', where);
        // Guards of §5.3: the root's messages from the root, the owner's from the owner, the clock.
        if (a.state !== b.state || a.dataHash !== b.dataHash) {
            const src = r.src!;
            const owner = this.owners[this.model.providers.findIndex((p) => p.address.equals(r.on))];
            if ([Op.providerInit, Op.providerReattest, Op.providerSetModels, Op.providerRevoke].includes(r.op as never)) check(src.equals(this.p.root.address), 'provider guard: root messages come from the root (§5.3)', where);
            if ([Op.updateOffer, Op.requestUnbond, Op.withdrawStake].includes(r.op as never)) check(src.equals(owner), 'provider guard: owner operations come from the owner (§5.3)', where);
            if ([Op.offerJob, Op.jobClosed, Op.slashBond].includes(r.op as never)) check(this.kindOf(src) === 'job', 'provider guard: job messages come from a job (§5.3)', where);
            if (r.op === Op.withdrawStake) check(this.now() >= a.unbondAt, 'provider guard: withdrawal after the unbonding period (§5.3)', where);
        }
        if (b.state === ProviderState.exited) check(b.stake === 0n && b.locked === 0n && b.openJobs === 0, 'an exited provider holds no stake and no job (§12.2)', where);
        if (a.state > ProviderState.uninit || b.state > ProviderState.uninit) this.checkRewardBook(r, a, b, where);
        // §9 value flow, §12.2: the surplus (balance above stake + storage reserve) belongs to the
        // owner. A transaction that sends nothing to the owner leaves the provider at least its
        // balance before the message plus the change of its stake: anyone else gets back at
        // most the unused part of its own value (plus a keeper's reward taken from the stake).
        if (a.state > ProviderState.uninit) {
            const ownerIdx = this.model.providers.findIndex((p) => p.address.equals(r.on));
            const owner = this.owners[ownerIdx];
            // The owner's claim_rewards carries the surplus to the pool, which returns it to the owner (§8.6).
            const ownerClaim = r.op === Op.claimRewards && r.src?.equals(owner) && r.exitCode === 0;
            if (!r.outs.some((o) => o.to.equals(owner)) && !ownerClaim) {
                const d = r.tx.description;
                const storage = d.type === 'generic' ? (d.storagePhase?.storageFeesCollected ?? 0n) : 0n;
                const keep = r.balanceBefore - storage + (b.stake - a.stake) + (b.rewardFees - a.rewardFees);
                check(r.balanceAfter >= keep, "the owner's surplus goes only to the owner: anyone else gets back at most its own unused value (§9)", { ...where, before: r.balanceBefore, after: r.balanceAfter, keep });
            }
        }
    }

    /**
     * The provider's reward book: every entry change is one the reward flow allows, caused by
     * the party allowed to cause it; the pool's usage_counted answers are booked in the model.
     */
    private checkRewardBook(r: TxRecord, a: ProviderView, b: ProviderView, where: object) {
        const idx = this.model.providers.findIndex((p) => p.address.equals(r.on));
        const src = r.src!;
        const fromPool = src.equals(this.pool.address);
        const now = this.now();
        const keys = new Set([...a.rewards.keys(), ...b.rewards.keys()]);
        for (const k of keys) {
            const x = a.rewards.get(k);
            const y = b.rewards.get(k);
            if (x && y && x.state === y.state && x.work === y.work && x.fees === y.fees && x.at === y.at) continue;
            const w = { ...where, epoch: Number(k & 0xffffffffn), from: x, to: y };
            const guard = (cond: boolean, what: string) => check(cond, `reward book: ${what}`, w);
            guard((k >> 32n) === (BigInt('0x' + this.pool.address.hash.toString('hex')) >> 32n), 'entries are kept for the pool of JobParams.rewards only');
            if (!x) {
                guard(!r.bounced && r.op === Op.jobClosed && y!.state === RewardEntryState.pending, 'a new entry is a pending one, from job_closed');
            } else if (!y) {
                if (x.state === RewardEntryState.counted) guard(r.op === Op.claimRewards && src.equals(this.owners[idx]) && x.at <= now, 'a counted entry leaves the book only by its owner’s claim, once claims opened');
                else guard(x.state === RewardEntryState.reported && r.op === Op.usageLate && fromPool, 'a reported entry is dropped only by the pool’s usage_late');
            } else if (x.state === RewardEntryState.pending && y.state === RewardEntryState.pending) {
                guard(r.op === Op.jobClosed && y.work >= x.work && y.fees >= x.fees, 'a pending entry only grows, by job_closed');
            } else if (x.state === RewardEntryState.pending && y.state === RewardEntryState.reported) {
                guard(r.op === Op.reportRewards && x.at <= now && y.work === x.work && y.fees === x.fees, 'a pending entry is reported (unchanged) once its epoch ended');
            } else if (x.state === RewardEntryState.reported && y.state === RewardEntryState.counted) {
                guard(r.op === Op.usageCounted && fromPool && y.work === x.work, 'a reported entry is counted only by the pool’s usage_counted');
                const e = Number(k & 0xffffffffn);
                guard(y.at === this.epochEnd(e) + REPORT_GRACE, 'claims of a counted entry open at end + report grace');
                const per = this.model.rewards.counted.get(e) ?? new Map<number, bigint>();
                guard(!per.has(idx), 'a (provider, epoch) is counted at most once');
                per.set(idx, y.work);
                this.model.rewards.counted.set(e, per);
            } else if (x.state === RewardEntryState.reported && y.state === RewardEntryState.pending) {
                guard(r.bounced, 'a reported entry is pending again only when its report bounced');
            } else guard(false, 'an entry transition of the reward flow');
        }
    }

    /**
     * The pool: liability = Σ(funded − paid) over live epochs, paid ≤ funded, balance ≥ liability;
     * a claim carries each (provider, epoch) once and pays exactly the pro-rata shares of the
     * model (never more than floor(funded × work / total)); reports are answered by the schedule.
     */
    private checkPoolTx(r: TxRecord, where: object) {
        const [a, b] = r.pool!;
        this.checkPoolView(b, where);
        if (r.ok) check(r.balanceAfter >= b.liability, 'the pool holds at least what it owes', { ...where, balance: r.balanceAfter, liability: b.liability });
        this.count(`pool ${r.bounced ? 'bounced' : OP_NAMES.get(r.op ?? 0) ?? 'plain'} ${r.ok ? 'ok' : `rejected ${r.exitCode}`}`);
        if (!r.ok || r.bounced) return;
        const now = this.now();
        const src = r.src!;
        const body = r.tx.inMessage!.body.beginParse();
        if (r.op === Op.reportUsage || r.op === Op.poolClaim) {
            const idx = this.model.providers.findIndex((p) => p.address.equals(src));
            check(idx >= 0, 'only a provider of the root reports to or claims from the pool', where);
        }
        if (r.op === Op.reportUsage) {
            body.skip(32 + 64);
            const epoch = body.loadUint(32);
            const fees = body.loadCoins();
            const endsAt = body.loadUint(32);
            const onTime = endsAt === this.epochEnd(epoch) && now < endsAt + REPORT_GRACE;
            const answer = r.outs.find((o) => o.to.equals(src));
            check(!!answer && answer.op === (onTime ? Op.usageCounted : Op.usageLate), 'a report is counted before end + report grace, late after', { ...where, epoch, onTime });
            check(r.balanceAfter - r.balanceBefore <= fees, 'the pool keeps only the reported fees', where);
        }
        if (r.op === Op.poolClaim) {
            const idx = this.model.providers.findIndex((p) => p.address.equals(src));
            body.skip(32 + 64);
            const owner = body.loadAddress();
            check(owner.equals(this.owners[idx]), 'a claim pays the provider’s owner', where);
            const records = body.loadDict(Dictionary.Keys.Uint(32), { serialize: () => undefined, parse: (x) => x.loadCoins() });
            let expected = 0n;
            let cap = 0n;
            for (const [e, work] of records) {
                const key = `${idx}:${e}`;
                check(!this.model.rewards.claimed.has(key), 'each (provider, epoch) is paid at most once', { ...where, provider: idx, epoch: e });
                this.model.rewards.claimed.add(key);
                const counted = this.model.rewards.counted.get(e);
                check(counted?.get(idx) === work, 'a claim carries the work the pool counted for this provider', { ...where, epoch: e, work, counted: counted?.get(idx) });
                const opens = this.epochEnd(e) + REPORT_GRACE;
                check(now >= opens, 'claims of an epoch open at its end + report grace', { ...where, epoch: e });
                if (now >= opens + CLAIM_WINDOW) continue; // past the claim window: pays nothing
                const t = a.epochs.get(e);
                const total = [...counted!.values()].reduce((x, y) => x + y, 0n);
                if (!t || t.work === 0n) continue;
                check(t.work === total, 'the epoch’s total work is the work the pool counted', { ...where, epoch: e, total: t.work, model: total });
                const prorata = (t.funded * work) / total;
                cap += prorata;
                expected += prorata < t.funded - t.paid ? prorata : t.funded - t.paid;
                const after = b.epochs.get(e);
                check(!!after && after.paid - t.paid === (prorata < t.funded - t.paid ? prorata : t.funded - t.paid), 'the epoch’s paid grows by the share paid', { ...where, epoch: e });
            }
            const paidMsg = r.outs.find((o) => o.op === Op.rewardPaid && o.to.equals(this.owners[idx]));
            check(!!paidMsg, 'a claim is answered with reward_paid to the owner', where);
            const amount = paidMsg!.body.beginParse().skip(32 + 64).loadCoins();
            check(amount === expected, 'a claim pays exactly the pro-rata shares floor(funded × work / total)', { ...where, amount, expected });
            check(amount <= cap, 'a provider never gets more than its pro-rata share', { ...where, amount, cap });
            this.model.rewards.paid[idx] += amount;
        }
        if (r.op === Op.fundRewards) {
            body.skip(32 + 64);
            const epoch = body.loadUint(32);
            check(epoch >= this.epochAt() && epoch <= this.epochAt() + 64, 'only an epoch that has not ended is funded', { ...where, epoch });
        }
    }

    private checkPoolView(v: PoolView, where: object) {
        let owed = 0n;
        for (const [e, t] of v.epochs) {
            check(t.paid <= t.funded, 'an epoch never pays more than it was funded', { ...where, epoch: e, paid: t.paid, funded: t.funded });
            owed += t.funded - t.paid;
        }
        check(v.liability === owed, 'the pool’s liability is Σ(funded − paid) over live epochs', { ...where, liability: v.liability, owed });
    }

    private checkSlash(r: TxRecord, a: ProviderView, b: ProviderView, where: object) {
        const taken = a.stake - b.stake;
        check(taken >= 0n && b.slashed - a.slashed === taken, 'slashed grows by what the stake lost', { ...where, taken, slashed: b.slashed - a.slashed });
        const shares = r.outs.filter((o) => o.op === Op.slashShare);
        const sum = shares.reduce((s, o) => s + o.value, 0n);
        check(sum === taken, 'the slash parts add up to the slashed amount (§12.9)', { ...where, sum, taken });
        const jp = a.jobParams!;
        const parts = slashParts(taken, jp);
        const expected = [parts.client, parts.reporter, parts.treasury].filter((x) => x > 0n);
        check(stringify(shares.map((o) => o.value)) === stringify(expected), 'the slash splits by the governed fractions', { ...where, shares: shares.map((o) => o.value), expected });
        const body = r.tx.inMessage!.body.beginParse().skip(96);
        const clientAddr = body.loadAddress();
        const nonce = body.loadUintBig(64);
        const prov = this.model.providers.find((p) => p.address.equals(r.on))!;
        if (r.op === Op.slashBond) {
            const bond = body.loadCoins();
            const amount = body.loadCoins();
            const reason = body.loadUint(2);
            check(taken <= bond && taken <= amount, 'a bond slash takes at most the bond and the amount asked', where);
            check(b.failed === a.failed + 1, 'a bond slash counts a failed job', where);
            const j = this.model.jobs.find((x) => x.nonce === nonce && this.clients[x.client].equals(clientAddr) && x.owner === prov.owner);
            check(!!j, 'a slash names a job of this provider', where);
            if (reason === 0) check(j!.timedOut, 'a timeout slash follows a missed deadline (no honest provider slashed)', where);
            else check(j!.verdictCaps.some((cap) => amount <= cap), 'a dispute slash follows a verdict for the client, capped (no honest provider slashed)', { ...where, amount, caps: j!.verdictCaps });
        } else {
            check(prov.equivocated, 'an equivocation slash follows conflicting signatures by the operator (no honest provider slashed)', where);
            check(taken === (a.stake * BigInt(jp.equivocationSlashBps)) / 10000n, 'equivocation takes equivocation_slash_bps of the stake', where);
        }
    }

    private checkJobTx(r: TxRecord, where: object) {
        const [a, b] = r.job!;
        const rec = this.model.jobs.find((j) => j.address.equals(r.on));
        if (!r.ok) {
            check(a.state === b.state, 'a failed transaction keeps the job state', where);
            return;
        }
        const key = this.transitionKey(r);
        const session = b.state !== JobState.uninit ? b.session : a.session;
        this.count(`job ${World.readable(key)} ${a.state}->${b.state}`);
        check(jobTransitionAllowed(key, a.state, b.state, session), 'job transition allowed by SPEC §8.3', { ...where, key, from: a.state, to: b.state });
        this.checkJobGuards(r, a, b, where);
        if (rec) {
            if (a.state === JobState.created && b.state === JobState.accepted) rec.accepted = true;
            if (b.state === JobState.submitted) rec.submitted = true;
        }
        // Payments: usage × price, split exactly into owner payment and protocol fee.
        const pay = r.outs.filter((o) => o.op === Op.jobPayment || o.op === Op.protocolFee);
        const paid = pay.reduce((s, o) => s + o.value, 0n);
        let held = 0n;
        if (b.terms) {
            const delta = (b.paidUsage - a.paidUsage) * b.terms.price;
            const payment = pay.find((o) => o.op === Op.jobPayment);
            const pooled = !!b.terms.jobs.rewards;
            // Under a reward pool the fee stays in the job until close (job_closed carries it to the provider).
            const fee = (delta * BigInt(b.terms.jobs.protocolFeeBps)) / 10000n;
            if (pooled && payment) held = fee;
            check(paid + held === delta, 'a job pays exactly the new usage × price (the fee held under a reward pool)', { ...where, paid, held, delta });
            if (payment) {
                check(payment.value === delta - fee && payment.to.equals(b.terms.owner), 'the owner gets the payment net of the protocol fee', where);
                const feeMsg = pay.find((o) => o.op === Op.protocolFee);
                if (pooled) check(!feeMsg, 'under a reward pool the protocol fee is not sent to the treasury', where);
                else check(fee === 0n ? !feeMsg : !!feeMsg && feeMsg.value === fee && feeMsg.to.equals(b.terms.treasury), 'the protocol fee goes to the treasury', where);
            }

            check(b.paidUsage * b.terms.price <= b.budget, 'a job never pays more than its budget (§12.9)', where);
            check(b.usage * b.terms.price <= b.budget, 'usage is capped at budget / price', where);
        } else check(paid === 0n, 'no payment before acceptance', where);
        if (rec) {
            rec.paidOut += paid + held;
            rec.heldFees = (rec.heldFees ?? 0n) + held;
            check(rec.paidOut <= b.budget || b.state === JobState.uninit, 'the payments of a job never exceed its budget', where);
            // job_closed carries the fees held to the provider, with the work settled.
            const closed = r.outs.find((o) => o.op === Op.jobClosed);
            if (closed && b.terms?.jobs.rewards) this.checkJobClosedReport(r, closed, rec, b, where);
        }
    }

    /** The reward part of job_closed: the fees the job held and the work it settled, stamped with the epoch of now. */
    private checkJobClosedReport(r: TxRecord, closed: TxRecord['outs'][number], rec: JobRec, b: JobView, where: object) {
        const s = closed.body.beginParse().skip(32 + 64);
        s.loadAddress();
        s.skip(64);
        s.loadCoins();
        s.skip(2);
        const report = s.loadBit();
        const work = b.paidUsage * b.terms!.price;
        // Each payment's fee, as the job computed it: their sum is what it held.
        const fees = rec.heldFees ?? 0n;
        if (!report) {
            check(work === 0n && fees === 0n, 'job_closed reports the work and fees of a job that paid any', { ...where, work, fees });
            return;
        }
        const rfees = s.loadCoins();
        const rwork = s.loadCoins();
        const pool = s.loadBuffer(32);
        const epoch = s.loadUint(32);
        const endsAt = s.loadUint(32);
        check(rwork === work, 'job_closed reports the work settled (paid usage × price)', { ...where, rwork, work });
        check(rfees === fees, 'job_closed carries exactly the protocol fees the job held', { ...where, rfees, fees });
        check(pool.equals(this.pool.address.hash) && epoch === this.epochAt() && endsAt === this.epochEnd(epoch), 'job_closed is stamped with the pool and the epoch of now', { ...where, epoch, endsAt });
        check(closed.value >= rfees, 'job_closed carries the fees in its value', where);
        void r;
    }

    /** The guards of SPEC §8.2: who may cause each transition, and when. */
    private checkJobGuards(r: TxRecord, a: JobView, b: JobView, where: object) {
        if (a.state === b.state && !(r.op === Op.claimSession && b.paidUsage > a.paidUsage)) return;
        const now = this.now();
        const src = r.src!;
        const client = this.model.jobs.find((j) => j.address.equals(r.on));
        const isClient = !!client && src.equals(this.clients[client.client]);
        const guard = (cond: boolean, what: string) => check(cond, `job guard: ${what} (SPEC §8.2)`, { ...where, from: a.state, to: b.state, now });
        const t = a.terms;
        switch (r.bounced ? -1 : r.op) {
            case Op.createJob:
                guard(isClient && b.deadline > now && b.createdAt === now, 'created by its client, with a future deadline, at now');
                break;
            case Op.jobAccepted:
            case Op.jobRejected:
                guard(!!a.provider && src.equals(a.provider), 'answered by the named provider');
                break;
            case Op.cancelJob:
            case Op.closeSession:
                guard(isClient, 'by the client');
                break;
            case Op.confirmResult:
                guard(isClient, 'confirmed by the client');
                break;
            case Op.disputeJob:
                guard(isClient && now < a.timer + t!.jobs.challengeWindow, 'disputed by the client within the challenge window');
                break;
            case Op.submitResult:
                guard(now <= a.deadline, 'a result by the deadline');
                break;
            case Op.expireJob:
                guard(now > a.deadline, 'expired after the deadline');
                break;
            case Op.disputeVerdict:
                guard(src.equals(this.p.root.address) && now <= a.timer, 'ruled by the root within the arbitration period');
                break;
            case Op.settleJob:
                if (a.state === JobState.submitted) guard(now >= a.timer + t!.jobs.challengeWindow, 'settled after the challenge window');
                if (a.state === JobState.disputed) guard(now > a.timer, 'the arbitration default after the arbitration period');
                if (a.state === JobState.closing) guard(now >= a.timer, 'a closing session settled after its grace');
                if (a.state === JobState.accepted) guard(a.session && now > a.deadline, 'a session settled after its deadline');
                break;
            case Op.claimSession:
                if (b.state === JobState.settled) guard(!!t && src.equals(t.owner), 'a session closed by a claim of the provider owner');
                break;
        }
    }

    private checkRootTx(r: TxRecord, where: object) {
        const body = r.tx.inMessage!.body.beginParse();
        const plain = body.remainingBits === 0 || (body.remainingBits >= 32 && body.preloadUint(32) === 0);
        const intake = r.bounced || plain ? r.tx.inMessage!.info.type === 'internal' ? (r.tx.inMessage!.info as { value: { coins: bigint } }).value.coins : 0n : 0n;
        if (r.ok) this.ledger.rootIntake += intake;
        // §12.1: the root's balance grows only by plain transfers and bounces.
        check(r.balanceAfter - r.balanceBefore <= (r.ok ? intake : 0n), 'the root holds no user funds (§12.1)', { ...where, delta: r.balanceAfter - r.balanceBefore });
        const [v0, v1] = r.rootVersion!;
        check(v1 === v0 || (v1 === v0 + 1 && r.ok), 'the root version only steps by one', where);
        if (v1 === v0 + 1) check([Op.executeChange, Op.revokePolicy, Op.revokeModel, Op.revokeVerifierKey, Op.claimGovernance].includes(r.op as never), 'the version counts changes of trust', where);
    }

    // ---- per-step and world invariants ----

    /** Attributes the values a client received to its jobs (for the honest-client check). */
    private attributeClientValue() {
        for (const r of this.step) {
            const viaJob = r.kind === 'job' ? r.on : r.kind === 'provider' && r.src && this.kindOf(r.src) === 'job' ? r.src : undefined;
            if (!viaJob) continue;
            const rec = this.model.jobs.find((j) => j.address.equals(viaJob));
            if (!rec) continue;
            for (const o of r.outs) if (o.to.equals(this.clients[rec.client])) rec.clientGot += o.value;
        }
    }

    /** After every step: conservation, and the whole world's invariants. */
    async checkWorld(final = false) {
        this.attributeClientValue();
        // Conservation, to the nanoton.
        let held = 0n;
        let base = 0n;
        for (const a of this.protocol.keys()) {
            held += (await this.bc.getContract(Address.parse(a))).balance;
            base += this.baseBalances.get(a) ?? 0n;
        }
        const { entered, paidOut, burnt } = this.ledger;
        if (held - base !== entered - paidOut - burnt) {
            const per: Record<string, string> = {};
            for (const a of this.protocol.keys()) per[a.slice(0, 10)] = `${this.baseBalances.get(a)} -> ${(await this.bc.getContract(Address.parse(a))).balance}`;
            check(false, 'conservation: entered = held + paid out + burnt', { held: held - base, entered, paidOut, burnt, diff: held - base - (entered - paidOut - burnt), per, now: this.now() });
        }

        const views = await Promise.all(this.model.jobs.map((j) => this.job(j)));
        for (let i = 0; i < this.model.providers.length; i++) {
            const pv = await this.provider(i);
            const prov = this.model.providers[i];
            const registered = pv.state === ProviderState.active || pv.state === ProviderState.jailed || pv.state === ProviderState.unbonding;
            // §12.2: the stake is there.
            if (registered) check(pv.balance >= pv.stake, 'a registered provider holds at least its stake (§12.2)', { provider: i, balance: pv.balance, stake: pv.stake });
            // Rewards: the fees held are those of the pending entries, held besides the stake.
            if (pv.state > ProviderState.uninit) {
                const pending = [...pv.rewards.values()].filter((e) => e.state === RewardEntryState.pending).reduce((x, e) => x + e.fees, 0n);
                check(pv.rewardFees === pending, 'a provider holds as reward fees exactly the fees of its pending entries', { provider: i, rewardFees: pv.rewardFees, pending });
                check(pv.balance >= pv.stake + pv.rewardFees, 'a provider holds its reward fees besides its stake', { provider: i, balance: pv.balance, stake: pv.stake, rewardFees: pv.rewardFees });
            }
            // §12.8: locked and open_jobs are the bonds and number of its open jobs.
            let bonds = 0n;
            let open = 0;
            this.model.jobs.forEach((j, k) => {
                const v = views[k];
                if (j.owner === i && OPEN_JOB_STATES.includes(v.state)) {
                    bonds += v.terms!.bond;
                    open += 1;
                }
            });
            // §8.4: unbonding cannot start while a job is open, and an unbonding provider takes none.
            if (pv.state === ProviderState.unbonding) check(open === 0 && pv.openJobs === 0, 'an unbonding provider has no open job (§8.4)', { provider: i, open, openJobs: pv.openJobs });
            if (pv.state !== NO_ACCOUNT && pv.state !== ProviderState.uninit) {
                check(pv.locked === bonds && pv.openJobs === open, 'locked = sum of the bonds of open jobs, open_jobs = their number (§12.8)', { provider: i, locked: pv.locked, bonds, openJobs: pv.openJobs, open });
            } else check(open === 0, 'no open job at an unregistered provider', { provider: i });
            // No honest party is slashed.
            const faulty = prov.equivocated || this.model.jobs.some((j) => j.owner === i && (j.timedOut || j.verdictCaps.length > 0));
            if (!faulty) check(pv.slashed === 0n && pv.failed === 0, 'a provider that committed no fault is never slashed', { provider: i, slashed: pv.slashed, failed: pv.failed });
            if (final) {
                check(pv.state === NO_ACCOUNT || pv.state === ProviderState.exited, 'every provider has exited', { provider: i, state: pv.state });
                check(pv.balance <= this.fees.providerStorageReserve, 'an exited provider holds at most its storage reserve', { provider: i, balance: pv.balance, reserve: this.fees.providerStorageReserve });
                check(pv.rewards.size === 0 && pv.rewardFees === 0n, 'after the wind-down every reward entry was reported and claimed', { provider: i, entries: [...pv.rewards.values()] });
            }
        }
        this.model.jobs.forEach((j, k) => {
            const v = views[k];
            if (OPEN_JOB_STATES.includes(v.state) && v.terms) {
                const owed = v.budget - v.paidUsage * v.terms.price;
                check(v.balance >= owed, 'an open job holds at least what it still owes', { job: k, balance: v.balance, owed });
            }
            if (FINAL_JOB_STATES.includes(v.state)) {
                check(v.balance <= this.fees.jobStorageReserve, 'a final job holds at most its storage reserve (§12.9)', { job: k, state: v.state, balance: v.balance });
                const reward = this.jp.keeperReward;
                check(j.clientGot >= v.budget - j.paidOut - reward, 'an honest client gets back its budget but what it paid for (and one keeper reward at most)', { job: k, got: j.clientGot, budget: v.budget, paid: j.paidOut });
            }
            if (final) check(FINAL_JOB_STATES.includes(v.state) || v.state === JobState.uninit, 'every job is closed', { job: k, state: v.state });
        });
        // The pool.
        const pool = await this.poolView();
        this.checkPoolView(pool, { pool: true });
        check(pool.balance >= pool.liability, 'the pool holds at least what it owes', { balance: pool.balance, liability: pool.liability });
        for (const [e, per] of this.model.rewards.counted) {
            const total = [...per.values()].reduce((x, y) => x + y, 0n);
            const t = pool.epochs.get(e);
            if (t) check(t.work === total, 'an epoch’s total work is the work of the reports the pool counted', { epoch: e, work: t.work, counted: total });
            else check(this.now() >= this.epochEnd(e) + REPORT_GRACE + CLAIM_WINDOW, 'an epoch with counted work is pruned only after its claim window', { epoch: e });
        }
        if (final) {
            check(pool.balance <= pool.liability + this.poolStorageReserve, 'after the wind-down the pool holds its liability plus at most its storage reserve', {
                balance: pool.balance,
                liability: pool.liability,
                reserve: this.poolStorageReserve,
            });
            const root = await this.bc.getContract(this.p.root.address);
            const rootBase = this.baseBalances.get(this.p.root.address.toString())!;
            check(root.balance <= rootBase + this.ledger.rootIntake, 'the root holds nothing but its own balance, transfers and bounces', { balance: root.balance, base: rootBase, intake: this.ledger.rootIntake });
        }
    }

    // ---- message helpers the operations use ----

    statement(owner: number, f: { issuedAt?: number; expiresAt?: number; forOwner?: number } = {}): Cell {
        const issuedAt = f.issuedAt ?? this.now();
        const st = statementCell(
            {
                root: this.p.root.address,
                owner: this.owners[f.forOwner ?? owner],
                policyHash: POLICY,
                operatorKey: bufferToBigint(this.model.providers[owner].operator.publicKey),
                issuedAt,
                expiresAt: f.expiresAt ?? issuedAt + 20 * 86400,
            },
            this.now(),
        );
        return beginCell().storeBuffer(this.verifier.publicKey).storeBuffer(signHash(st.hash(), this.verifier)).storeRef(st).endCell();
    }

    result(operator: KeyPair, job: Address, createdAt: number, usage: bigint, seq = 0, commitment = sha256n(`result ${job} ${seq}`)): Cell {
        return signedPayload(jobResultCell({ job, createdAt, seq, resultCommitment: commitment, usage }), operator);
    }

    receipt(keys: KeyPair, job: Address, createdAt: number, seq: number, cumulative: bigint): Cell {
        return signedPayload(usageReceiptCell({ job, createdAt, seq, cumulativeUsage: cumulative, resultRoot: sha256n(`root ${seq}`) }), keys);
    }

    registerBody(owner: number, stake: bigint, statement: Cell, models: bigint[] = [MODEL]): Cell {
        return Root.registerProviderMessage({ stake, statement, offer: DEFAULT_OFFER, models });
    }

    createBody(o: { client: number; owner: number; budget: bigint; deadline: number; session: boolean; maxPrice: bigint; model?: bigint }): Cell {
        return Job.createJobMessage({
            budget: o.budget,
            deadline: o.deadline,
            session: o.session,
            clientKey: this.clientKeys[o.client].publicKey,
            provider: this.model.providers[o.owner].address,
            modelHash: o.model ?? MODEL,
            maxPrice: o.maxPrice,
            requestCommitment: sha256n('request'),
        });
    }
}

type Injected = { from: Address; to: Address; value: bigint; body?: Cell; stateInit?: { code: Cell; data: Cell }; bounce?: boolean };

const OP_NAMES = new Map<number, string>(Object.entries(Op).map(([name, code]) => [code, name]));

/** The sandbox's default message queue, which the runner steps itself (checked before use). */
type QueueManager = {
    messageQueue: ({ type: 'message' } & Message)[];
    pushMessage(m: Message): Promise<void>;
    processTx(needsLocking: boolean, params?: unknown): Promise<IteratorResult<BlockchainTransaction>>;
};

function opOf(body: Cell | undefined): number | undefined {
    if (!body) return undefined;
    const s = body.beginParse();
    return s.remainingBits >= 32 ? s.preloadUint(32) : undefined;
}

export function actorAddress(label: string): Address {
    return new Address(0, createHash('sha256').update(`property actor: ${label}`).digest());
}

export { MODEL, MODEL_2, POLICY };
