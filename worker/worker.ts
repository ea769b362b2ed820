/**
 * The reference worker: one provider, one owner wallet, one backend.
 *
 * start(): keys (generated in this process, or reloaded from the state file) →
 *   quote binding them (configfs-tsm or SIMULATED) → attestation verifier →
 *   registration with the stake, or reuse of an existing registration (or a
 *   re-attestation if the registered keys are not ours).
 * tick(): re-attest before expiry; scan the provider's incoming offer_job
 *   transactions for new jobs (acceptance itself is automatic on chain); for
 *   each open job, act on its ON-CHAIN state:
 *   - one-shot, accepted: open the prompt delivered to the endpoint, run
 *     inference, seal the result to the client's key, record it, submit the
 *     operator-signed commitment; without a prompt near the deadline, submit a
 *     usage-0 result rather than be slashed for a timeout;
 *   - submitted: wait for the client's confirmation, or settle after the
 *     challenge window (as a keeper); disputed: settle after the arbitration
 *     period if governance did not rule;
 *   - session: requests are served as they arrive (endpoint), each answer
 *     signed with its request number; the client's cumulative receipts are
 *     checked and kept; the worker claims and closes when asked, when the
 *     client closes, or before the deadline;
 *   - final states: record the outcome and what the owner was paid.
 *
 * Every irreversible step is preceded by a write of the state file and
 * preceded by a read of the job's state on chain, so a worker restarted from
 * the same state file neither loses a job nor submits twice.
 */
import { Address, Cell, fromNano, OpenedContract } from '@ton/core';
import { Job, jobResultCell, JobStateView } from '../wrappers/Job';
import { JobRequiredValues, Root } from '../wrappers/Root';
import { Provider } from '../wrappers/Provider';
import { Errors, JobState, JobStateName, ProviderState, ProviderStateName, Tag } from '../wrappers/constants';
import { bufferToBigint } from '../wrappers/common';
import { waitFor } from '../sdk/chain';
import { decryptPrompt, encryptResult, envelopeCommitment, generateX25519KeyPair, parseEnvelope, serializeEnvelope } from '../sdk/envelope';
import { EndpointError } from '../sdk/errors';
import { RequestAck } from '../sdk/endpoint';
import { nextResultRoot, paymentFor } from '../sdk/jobs';
import { decodeInferenceRequest, encodeInferenceResult, InferenceRequest, InferenceResult } from '../sdk/payloads';
import { ResultDelivery, signPayloadCell, verifyCellSignature } from '../sdk/results';
import { AttestationVerifierClient, obtainStatement, QuoteSource } from './attestation';
import { InferenceBackend } from './backends';
import { WorkerChain } from './chain/types';
import { EndpointHandler } from './endpoint';
import { generateWorkerKeys, keysFromJson, keysToJson, WorkerKeys } from './keys';
import { silentLog, WorkerLog } from './log';
import { JobRecord, pruneFinished, ResultRecord, SessionRecord, STATE_VERSION, StateStore, WorkerState } from './state';

export type WorkerTiming = {
    /** Re-attest when the attestation expires within this many seconds. */
    reattestMargin: number;
    /** A one-shot job still without a prompt this many seconds before its deadline gets a usage-0 result. */
    submitMargin: number;
    /** A session is claimed and closed this many seconds before its deadline. */
    sessionCloseMargin: number;
    /** A message whose effect is not visible yet is sent again after this many seconds. */
    resendAfter: number;
    /** Partial session claims once the unclaimed amount reaches this (nanoton); 0: only closing claims. */
    claimThreshold: bigint;
};

export const DEFAULT_TIMING: WorkerTiming = {
    reattestMargin: 24 * 3600,
    submitMargin: 60,
    sessionCloseMargin: 300,
    resendAfter: 120,
    claimThreshold: 0n,
};

/** Named points of the worker's progress; a test hook may throw there to simulate a crash. */
export type Checkpoint =
    | 'registered'
    | 'offers-recorded'
    | 'request-recorded'
    | 'result-recorded'
    | 'result-submitted'
    | 'submit-recorded'
    | 'answer-recorded'
    | 'claim-sent'
    | 'job-done';

/** Thrown by test hooks: the worker lets it through (a crash), where other errors of a job are logged. */
export class SimulatedCrash extends Error {
    constructor(readonly at: Checkpoint) {
        super(`simulated crash at ${at}`);
        this.name = 'SimulatedCrash';
    }
}

/** A worker that cannot go on (registration refused, state file of another deployment...). */
export class WorkerError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'WorkerError';
    }
}

export type WorkerOptions = {
    chain: WorkerChain;
    root: Address;
    backend: InferenceBackend;
    /** The state file (`--state`). */
    statePath: string;
    quotes: QuoteSource;
    verifier: AttestationVerifierClient;
    /** The on-chain hash of the model the backend serves. */
    modelHash: bigint;
    registration: {
        /** Stake at registration, nanoton; default the root's min stake. */
        stake?: bigint;
        /** Price per unit (token), nanoton. */
        price: bigint;
        /** The endpoint URL registered on chain (≤ 127 bytes). */
        endpoint: string;
    };
    timing?: Partial<WorkerTiming>;
    /** Added to every required value (the contracts return what is unused). */
    valueMargin?: bigint;
    log?: WorkerLog;
    /** Serve a one-shot prompt as soon as it is delivered (the CLI); otherwise on the next tick. */
    autoServe?: boolean;
    checkpoint?: (point: Checkpoint, job: Address | null) => void;
};

export type TickSummary = { newJobs: number; open: number; done: number; served: number; earned: bigint };

const ERROR_NAMES = new Map<number, string>(Object.entries(Errors).map(([n, c]) => [c as number, n]));

/** Serializes the worker's critical sections (ticks and endpoint calls interleave in the CLI). */
class Mutex {
    private last: Promise<unknown> = Promise.resolve();
    run<T>(fn: () => Promise<T>): Promise<T> {
        const next = this.last.then(fn, fn);
        this.last = next.catch(() => undefined);
        return next;
    }
}

export function short(a: Address | string): string {
    const s = typeof a === 'string' ? Address.parse(a).toString() : a.toString();
    return `${s.slice(0, 6)}…${s.slice(-4)}`;
}

const ton = (n: bigint) => `${fromNano(n)} TON`;

export class Worker implements EndpointHandler {
    private readonly store: StateStore;
    private readonly log: WorkerLog;
    private readonly timing: WorkerTiming;
    private readonly lock = new Mutex();
    private requiredCache?: { at: number; values: JobRequiredValues };
    private readonly sessionChecked = new Map<string, number>();
    private readonly quiet = new Set<string>();
    private stopped = false;

    private constructor(
        readonly opts: WorkerOptions,
        private state: WorkerState,
        readonly keys: WorkerKeys,
    ) {
        this.store = new StateStore(opts.statePath);
        this.log = opts.log ?? silentLog;
        this.timing = { ...DEFAULT_TIMING, ...opts.timing };
    }

    /** Loads the state file (or creates it with fresh keys) and checks it belongs to this deployment. */
    static async open(opts: WorkerOptions): Promise<Worker> {
        const log = opts.log ?? silentLog;
        const store = new StateStore(opts.statePath);
        const existing = store.load();
        const identity = { network: opts.chain.network, root: opts.root.toRawString(), owner: opts.chain.wallet.toRawString() };
        let state: WorkerState;
        let keys: WorkerKeys;
        if (existing) {
            keys = keysFromJson(existing.keys);
            const same = existing.network === identity.network && existing.root === identity.root && existing.owner === identity.owner;
            if (same) {
                state = existing;
                const open = Object.values(state.jobs).filter((j) => j.phase !== 'done' && j.phase !== 'rejected').length;
                log.info(`state ${opts.statePath}: keys reloaded, ${open} open job(s), scan cursor at lt ${state.cursor?.lt ?? '(none)'}`);
            } else if (opts.chain.network === 'sandbox') {
                log.warn(`state ${opts.statePath} belongs to another sandbox (${existing.root}); its jobs are gone with it: starting over with the same keys`);
                state = freshState(identity, existing.keys);
            } else {
                throw new WorkerError(
                    `the state file ${opts.statePath} belongs to ${existing.network} root ${existing.root} and owner ${existing.owner}, ` +
                        `not ${identity.network} root ${identity.root} and owner ${identity.owner}: use another --state`,
                );
            }
        } else {
            keys = generateWorkerKeys();
            state = freshState(identity, keysToJson(keys));
            log.info(`keys generated in this worker process: operator (ed25519) ${keys.operator.publicKey.toString('hex')}`);
            log.info(`                                        encryption (X25519) ${keys.encryption.publicKey.toString('hex')}`);
        }
        const worker = new Worker(opts, state, keys);
        worker.save();
        return worker;
    }

    // ---- accessors ----

    get operatorKey(): Buffer {
        return this.keys.operator.publicKey;
    }

    get encryptionKey(): Buffer {
        return this.keys.encryption.publicKey;
    }

    get providerAddress(): Address {
        if (!this.state.provider) throw new WorkerError('the worker has not started');
        return Address.parse(this.state.provider);
    }

    /** A copy of the state (tests, the demo). */
    snapshot(): WorkerState {
        return JSON.parse(JSON.stringify(this.state)) as WorkerState;
    }

    private get chain() {
        return this.opts.chain;
    }

    private get root(): OpenedContract<Root> {
        return this.chain.open(Root.createFromAddress(this.opts.root));
    }

    private get provider(): OpenedContract<Provider> {
        return this.chain.open(Provider.createFromAddress(this.providerAddress));
    }

    private job(address: Address): OpenedContract<Job> {
        return this.chain.open(Job.createFromAddress(address));
    }

    private save() {
        this.store.save(this.state);
    }

    private checkpoint(point: Checkpoint, job: Address | null) {
        this.opts.checkpoint?.(point, job);
    }

    private get margin(): bigint {
        return this.opts.valueMargin ?? 0n;
    }

    private async required(): Promise<JobRequiredValues> {
        const now = Date.now();
        if (!this.requiredCache || now - this.requiredCache.at > 60_000) {
            this.requiredCache = { at: now, values: await this.root.getJobRequiredValues() };
        }
        return this.requiredCache.values;
    }

    // ---- registration and attestation ----

    /** Registers (or reuses / re-attests an existing registration). */
    async start(): Promise<void> {
        this.log.info(`attestation: ${this.opts.quotes.describe()}; verifier: ${this.opts.verifier.name}`);
        this.log.info(`backend: ${this.opts.backend.name} (model hash ${hex(this.opts.modelHash)})`);
        const providerAddress = await this.root.getProviderAddress(this.chain.wallet);
        this.state.provider = providerAddress.toRawString();
        this.save();
        const status = await this.chain.status(providerAddress);
        const data = status === 'active' ? await this.provider.getProviderData() : null;
        const registered =
            data !== null && (data.state === ProviderState.active || data.state === ProviderState.jailed || data.state === ProviderState.unbonding);
        if (registered) {
            const att = await this.provider.getAttestation();
            if (att.operatorKey === bufferToBigint(this.operatorKey) && att.encryptionKey === bufferToBigint(this.encryptionKey)) {
                this.state.attestation = { attestedAt: att.attestedAt, expiresAt: att.expiresAt };
                this.log.info(
                    `reusing registration: provider ${providerAddress.toString()} ${ProviderStateName[data!.state]}, stake ${ton(data!.stake)}, ` +
                        `attested until ${iso(att.expiresAt)}`,
                );
            } else {
                this.log.warn(`provider ${providerAddress.toString()} is registered with other keys: re-attesting with this worker's keys`);
                await this.reattest('the registered keys are not this worker\'s');
            }
            if (data!.state !== ProviderState.active) {
                this.log.warn(`provider is ${ProviderStateName[data!.state]}: it accepts no job until ${data!.state === ProviderState.jailed ? 'topped up to the min stake' : 'it registers again'}`);
            }
            if (!(await this.provider.getServesModel(this.opts.modelHash))) {
                this.log.warn(`the provider does not serve model ${hex(this.opts.modelHash)} on chain: update its models (updateProviderModels)`);
            }
            const offer = await this.provider.getOffer();
            if (offer.endpoint !== this.opts.registration.endpoint || offer.pricePerUnit !== this.opts.registration.price) {
                const values = await this.provider.getRequiredValues();
                const out = await this.chain.send('update offer', providerAddress, (via) =>
                    this.provider.sendUpdateOffer(via, values.ownerOp + this.margin, {
                        pricePerUnit: this.opts.registration.price,
                        endpoint: this.opts.registration.endpoint,
                    }),
                );
                this.log.info(
                    `offer updated to ${this.opts.registration.price} nanoton/unit at ${this.opts.registration.endpoint}${out.ok ? '' : ' (FAILED: ' + out.exitCode + ')'}`,
                );
            }
        } else {
            await this.register(providerAddress);
        }
        this.save();
        this.checkpoint('registered', null);
    }

    private async register(providerAddress: Address): Promise<void> {
        const params = await this.root.getParams();
        const stake = this.opts.registration.stake ?? params.minStake;
        const now = await this.chain.now();
        const { signedStatement, statement } = await obtainStatement({
            keys: this.keys,
            owner: this.chain.wallet,
            root: this.opts.root,
            now,
            quotes: this.opts.quotes,
            verifier: this.opts.verifier,
        });
        this.log.info(
            `${this.opts.quotes.kind === 'simulated' ? 'SIMULATED quote' : 'TDX quote'} verified by the ${this.opts.verifier.name}: ` +
                `policy ${statement.statement.policyHash.toString('hex')}, statement valid until ${iso(statement.statement.expiresAt)}`,
        );
        const required = await this.root.getRequiredValues();
        const value = stake + required.registerProvider + this.margin;
        this.log.info(
            `registering provider ${providerAddress.toString()}: stake ${ton(stake)}, price ${this.opts.registration.price} nanoton/unit, ` +
                `endpoint ${this.opts.registration.endpoint}`,
        );
        const out = await this.chain.send('register provider', this.opts.root, (via) =>
            this.root.sendRegisterProvider(via, value, {
                stake,
                statement: signedStatement,
                offer: { pricePerUnit: this.opts.registration.price, endpoint: this.opts.registration.endpoint },
                models: [this.opts.modelHash],
            }),
        );
        if (!out.ok && this.chain.network === 'sandbox') {
            throw new WorkerError(`the root refused the registration: exit code ${out.exitCode} (${ERROR_NAMES.get(out.exitCode ?? -1) ?? 'see SPEC §11'})`);
        }
        const data = await waitFor(
            this.chain,
            () => this.provider.getProviderData(),
            (d) => d.state === ProviderState.active || d.state === ProviderState.jailed,
            { what: 'the registration' },
        ).catch(() => {
            throw new WorkerError('the provider did not become active: the registration was refused (see the owner wallet\'s request_refused)');
        });
        const att = await this.provider.getAttestation();
        this.state.attestation = { attestedAt: att.attestedAt, expiresAt: att.expiresAt };
        this.log.info(`registered: provider ${ProviderStateName[data.state]}, stake ${ton(data.stake)}, attested until ${iso(att.expiresAt)}`);
    }

    private async reattest(reason: string): Promise<void> {
        const now = await this.chain.now();
        const { signedStatement, statement } = await obtainStatement({
            keys: this.keys,
            owner: this.chain.wallet,
            root: this.opts.root,
            now,
            quotes: this.opts.quotes,
            verifier: this.opts.verifier,
        });
        const required = await this.root.getRequiredValues();
        this.log.info(`re-attesting (${reason}) with a fresh ${this.opts.quotes.kind === 'simulated' ? 'SIMULATED ' : ''}quote; new statement valid until ${iso(statement.statement.expiresAt)}`);
        this.state.attestation = { ...(this.state.attestation ?? { attestedAt: 0, expiresAt: 0 }), reattestSentAt: now };
        this.save();
        const out = await this.chain.send('re-attest', this.opts.root, (via) => this.root.sendReattestProvider(via, required.reattestProvider + this.margin, signedStatement));
        if (!out.ok && this.chain.network === 'sandbox') this.log.error(`re-attestation refused by the root: exit code ${out.exitCode}`);
        const att = await this.provider.getAttestation();
        if (att.attestedAt === statement.statement.issuedAt) {
            this.state.attestation = { attestedAt: att.attestedAt, expiresAt: att.expiresAt };
            this.log.info(`re-attested: valid until ${iso(att.expiresAt)}`);
        }
        this.save();
    }

    private async checkAttestation(now: number): Promise<void> {
        const data = await this.provider.getProviderData();
        if (data.state === ProviderState.exited || data.state === ProviderState.uninit) return;
        const att = await this.provider.getAttestation();
        this.state.attestation = { ...this.state.attestation, attestedAt: att.attestedAt, expiresAt: att.expiresAt };
        const recently = this.state.attestation.reattestSentAt !== undefined && now - this.state.attestation.reattestSentAt < this.timing.resendAfter;
        if (recently || now <= att.attestedAt) return;
        if (att.operatorKey !== bufferToBigint(this.operatorKey) || att.encryptionKey !== bufferToBigint(this.encryptionKey)) {
            await this.reattest('the keys on chain changed');
        } else if (data.revoked) {
            await this.reattest('the provider was revoked');
        } else if (att.expiresAt - now <= this.timing.reattestMargin) {
            await this.reattest(`the attestation expires at ${iso(att.expiresAt)}`);
        }
    }

    // ---- the loop ----

    /** One pass: attestation, new offers, every open job. */
    async tick(): Promise<TickSummary> {
        const now = await this.chain.now();
        await this.lock.run(() => this.checkAttestation(now));
        const newJobs = await this.lock.run(() => this.scanOffers());
        for (const rec of Object.values(this.state.jobs)) {
            if (rec.phase === 'done' || rec.phase === 'rejected') continue;
            await this.lock.run(() => this.processJobSafely(rec));
        }
        return this.progress(newJobs);
    }

    /** Ticks until `signal` aborts; errors of a pass are logged and the next pass retries. */
    async run(opts: { pollMs: number; signal?: AbortSignal }): Promise<void> {
        while (!opts.signal?.aborted && !this.stopped) {
            try {
                await this.tick();
            } catch (e) {
                if (e instanceof SimulatedCrash) throw e;
                this.log.error(`pass failed: ${(e as Error).message}; retrying`);
            }
            await sleep(opts.pollMs, opts.signal);
        }
    }

    stop() {
        this.stopped = true;
    }

    private progress(newJobs: number): TickSummary {
        const jobs = Object.values(this.state.jobs);
        const open = jobs.filter((j) => j.phase !== 'done' && j.phase !== 'rejected');
        const by = (p: string) => open.filter((j) => j.phase === p).length;
        const summary: TickSummary = {
            newJobs,
            open: open.length,
            done: jobs.length - open.length,
            served: this.state.totals.served,
            earned: BigInt(this.state.totals.earned),
        };
        const att = this.state.attestation;
        this.log.progress(
            `progress: ${open.length} open (${by('accepted')} awaiting prompt, ${by('result-ready')} to submit, ${by('submitted')} submitted, ` +
                `${by('serving') + by('claiming')} sessions) | ${this.state.totals.jobs} jobs seen | ${summary.served} answers served | ` +
                `earned ${ton(summary.earned)}${att ? ` | attested until ${iso(att.expiresAt)}` : ''}`,
        );
        return summary;
    }

    /** Records the jobs offered since the cursor. Returns how many are new. */
    private async scanOffers(): Promise<number> {
        const { offers, cursor } = await this.chain.offeredJobs(this.providerAddress, this.state.cursor);
        let added = 0;
        for (const o of offers) {
            const key = o.job.toRawString();
            const known = this.state.jobs[key];
            // The same address again is only new if the old job is over and this is a new deployment.
            if (known && (known.createdAt === o.createdAt || (known.phase !== 'done' && known.phase !== 'rejected'))) continue;
            const rec: JobRecord = {
                job: key,
                client: o.client.toRawString(),
                nonce: o.nonce.toString(),
                session: o.session,
                budget: o.budget.toString(),
                deadline: o.deadline,
                createdAt: o.createdAt,
                modelHash: hex(o.modelHash),
                offerLt: o.lt.toString(),
                phase: o.answer.accepted ? 'accepted' : 'rejected',
            };
            const kind = o.session ? 'session' : 'one-shot job';
            if (o.answer.accepted) {
                rec.phase = o.session ? 'serving' : 'accepted';
                this.log.info(
                    `job ${o.job.toString()} offered by ${short(o.client)}: ${kind}, budget ${ton(o.budget)}, deadline ${iso(o.deadline)} — accepted on chain`,
                );
            } else {
                const why = `${o.answer.error} (${ERROR_NAMES.get(o.answer.error) ?? 'unknown'})`;
                rec.outcome = `rejected: ${why}`;
                this.log.info(`job ${o.job.toString()} offered by ${short(o.client)}: ${kind} — rejected by the provider contract, error ${why}`);
            }
            this.state.jobs[key] = rec;
            this.state.totals.jobs += 1;
            added += 1;
        }
        const moved = cursor?.lt !== this.state.cursor?.lt;
        this.state.cursor = cursor;
        if (added > 0 || moved) {
            this.save();
            if (added > 0) this.checkpoint('offers-recorded', null);
        }
        return added;
    }

    private async processJobSafely(rec: JobRecord): Promise<void> {
        try {
            await this.processJob(rec);
        } catch (e) {
            if (e instanceof SimulatedCrash) throw e;
            this.log.error(`job ${short(rec.job)}: ${(e as Error).message}`);
        }
    }

    /** Acts on one job according to its on-chain state (see the file header). */
    private async processJob(rec: JobRecord): Promise<void> {
        const address = Address.parse(rec.job);
        const job = this.job(address);
        const s = await job.getJobState();
        const now = await this.chain.now();
        switch (s.state) {
            case JobState.uninit:
            case JobState.created:
                return;
            case JobState.cancelled:
                return this.finish(rec, rec.outcome ?? 'cancelled by the client before acceptance', 0n);
            case JobState.expired:
                return this.finish(rec, 'expired without a result: the bond was slashed', 0n);
            case JobState.settled:
            case JobState.resolved: {
                const terms = await job.getJobTerms();
                const progress = await job.getJobProgress();
                const paid = paymentFor(progress.paidUsage, terms.price, terms.feeBps).owner;
                return this.finish(rec, `${JobStateName[s.state]}: ${progress.paidUsage} units paid`, paid);
            }
        }
        if (rec.price === undefined) {
            const terms = await job.getJobTerms();
            rec.price = terms.price.toString();
            rec.bond = terms.bond.toString();
            this.save();
        }
        if (s.session) await this.processSession(rec, s, now);
        else await this.processOneShot(rec, s, now);
    }

    private async processOneShot(rec: JobRecord, s: JobStateView, now: number): Promise<void> {
        const address = Address.parse(rec.job);
        if (s.state === JobState.accepted) {
            if (!rec.result) {
                if (rec.request) {
                    await this.serveOneShot(rec, s, now);
                } else if (now >= s.deadline - this.timing.submitMargin) {
                    this.log.warn(`job ${short(address)}: no prompt arrived and the deadline is near: submitting a usage-0 result to avoid a timeout slash`);
                    this.recordResult(rec, s, null, 0, { ok: false, error: 'no prompt was delivered before the deadline', usage: zeroUsage() }, 0n);
                } else {
                    this.once(`${rec.job}:waiting`, () => this.log.info(`job ${short(address)}: accepted, waiting for the encrypted prompt at the endpoint`));
                    return;
                }
            }
            if (!rec.result) return;
            if (now > s.deadline) {
                this.log.error(`job ${short(address)}: the deadline passed before the result could be submitted; it will expire`);
                return;
            }
            if (rec.submitSentAt !== undefined && now - rec.submitSentAt < this.timing.resendAfter) return;
            await this.submit(rec, address, now);
            return;
        }
        const job = this.job(address);
        const progress = await job.getJobProgress();
        if (rec.result && BigInt(rec.result.commitment) !== progress.resultCommitment) {
            this.once(`${rec.job}:foreign`, () =>
                this.log.error(`job ${short(address)}: the result on chain is not the one this worker recorded (another worker with the same keys?)`),
            );
        }
        if (rec.phase !== 'submitted') {
            rec.phase = 'submitted';
            this.save();
            this.log.info(`job ${short(address)}: result on chain (${progress.usage} units); waiting for the client's confirmation`);
        }
        const terms = await job.getJobTerms();
        if (s.state === JobState.submitted && now >= s.timer + terms.challengeWindow) {
            await this.settle(rec, address, now, 'the challenge window is over');
        } else if (s.state === JobState.disputed) {
            this.once(`${rec.job}:disputed`, () =>
                this.log.warn(`job ${short(address)}: disputed by the client; governance has until ${iso(s.timer)} to rule, then the provider is paid by default`),
            );
            if (now > s.timer) await this.settle(rec, address, now, 'the arbitration period is over');
        }
    }

    /** Opens the prompt, runs inference, records the sealed and signed result. */
    private async serveOneShot(rec: JobRecord, s: JobStateView, now: number): Promise<void> {
        const address = Address.parse(rec.job);
        let request: InferenceRequest;
        try {
            request = decodeInferenceRequest(decryptPrompt(Buffer.from(rec.request!, 'hex'), this.keys.encryption, address, 0));
        } catch (e) {
            this.log.warn(`job ${short(address)}: the prompt does not open (${(e as Error).message}): submitting a usage-0 result`);
            this.recordResult(rec, s, null, 0, { ok: false, error: 'the prompt could not be decrypted or parsed', usage: zeroUsage() }, 0n);
            return;
        }
        this.log.info(`job ${short(address)}: prompt decrypted (${request.messages.length} message(s)); running ${this.opts.backend.name}`);
        const budgetUnits = BigInt(rec.budget) / BigInt(rec.price!);
        let result: InferenceResult;
        let usage: bigint;
        try {
            const out = await this.opts.backend.complete({ messages: request.messages, maxTokens: request.maxTokens, temperature: request.temperature });
            result = { ok: true, content: out.content, finishReason: out.finishReason, backend: out.backend, usage: out.usage };
            usage = min(BigInt(out.usage.totalTokens), budgetUnits);
        } catch (e) {
            if (now < s.deadline - this.timing.submitMargin) {
                this.log.warn(`job ${short(address)}: the backend failed (${(e as Error).message}); retrying on the next pass`);
                return;
            }
            result = { ok: false, error: `the inference backend failed: ${(e as Error).message}`, usage: zeroUsage() };
            usage = 0n;
        }
        this.recordResult(rec, s, request.resultKey, 0, result, usage);
    }

    /**
     * Seals, commits, signs and RECORDS a result before anything is sent: a restarted
     * worker submits this same signed result, never a second, different one.
     */
    private recordResult(rec: JobRecord, s: JobStateView, resultKey: Buffer | null, seq: number, result: InferenceResult, usage: bigint): ResultRecord {
        const address = Address.parse(rec.job);
        // Without the client's key (no readable prompt) the envelope only carries the commitment.
        const key = resultKey ?? generateX25519KeyPair().publicKey;
        const envelope = serializeEnvelope(encryptResult(encodeInferenceResult(result), key, address, seq));
        const commitment = envelopeCommitment(envelope);
        // wrappers/Job.ts signResult's cell, signed with @noble (sdk/results.ts signPayloadCell).
        const signed = signPayloadCell(jobResultCell({ job: address, createdAt: s.createdAt, seq, resultCommitment: commitment, usage }), this.keys.operator.secretKey);
        const record: ResultRecord = {
            envelope: envelope.toString('hex'),
            signedResult: signed.toBoc().toString('base64'),
            commitment: '0x' + hex(commitment),
            usage: usage.toString(),
            ...(result.ok ? {} : { error: result.error }),
        };
        if (seq === 0) {
            rec.result = record;
            rec.phase = 'result-ready';
            delete rec.request;
            this.state.totals.served += 1;
            this.save();
            const price = BigInt(rec.price!);
            this.log.info(
                `job ${short(address)}: result sealed to the client's key, commitment ${hex(commitment).slice(0, 16)}…, usage ${usage} units ` +
                    `(${ton(usage * price)} at ${price} nanoton/unit); recorded`,
            );
            this.checkpoint('result-recorded', address);
        }
        return record;
    }

    private async submit(rec: JobRecord, address: Address, now: number): Promise<void> {
        const required = await this.required();
        const signed = Cell.fromBoc(Buffer.from(rec.result!.signedResult, 'base64'))[0];
        const job = this.job(address);
        const out = await this.chain.send('submit result', address, (via) => job.sendSubmitResult(via, required.submitResult + this.margin, signed));
        this.checkpoint('result-submitted', address);
        rec.submitSentAt = now;
        this.save();
        this.checkpoint('submit-recorded', address);
        if (!out.ok && this.chain.network === 'sandbox') {
            this.log.error(`job ${short(address)}: submit_result failed with exit code ${out.exitCode} (${ERROR_NAMES.get(out.exitCode ?? -1) ?? '?'})`);
        }
        const s = await job.getJobState();
        if (s.state === JobState.submitted) {
            rec.phase = 'submitted';
            this.save();
            this.log.info(`job ${short(address)}: operator-signed result submitted on chain (usage ${rec.result!.usage} units); challenge window open`);
        }
    }

    private async settle(rec: JobRecord, address: Address, now: number, why: string): Promise<void> {
        if (rec.settleSentAt !== undefined && now - rec.settleSentAt < this.timing.resendAfter) return;
        const required = await this.required();
        this.log.info(`job ${short(address)}: ${why}: settling`);
        rec.settleSentAt = now;
        this.save();
        const job = this.job(address);
        const out = await this.chain.send('settle job', address, (via) => job.sendSettle(via, required.closeJob + this.margin));
        if (!out.ok && this.chain.network === 'sandbox') this.log.error(`job ${short(address)}: settle_job failed with exit code ${out.exitCode}`);
    }

    private finish(rec: JobRecord, outcome: string, paid: bigint) {
        rec.phase = 'done';
        rec.outcome = outcome;
        rec.paid = paid.toString();
        this.state.totals.earned = (BigInt(this.state.totals.earned) + paid).toString();
        pruneFinished(this.state);
        this.save();
        this.log.info(`job ${short(rec.job)}: ${outcome}${paid > 0n ? `; the owner received ${ton(paid)}` : ''}`);
        this.checkpoint('job-done', Address.parse(rec.job));
    }

    // ---- sessions ----

    private sessionOf(rec: JobRecord): SessionRecord {
        rec.sessionProgress ??= { servedSeq: 0, servedUsage: '0', resultRoot: '0x' + hex(0n) };
        return rec.sessionProgress;
    }

    private async processSession(rec: JobRecord, s: JobStateView, now: number): Promise<void> {
        const address = Address.parse(rec.job);
        const sp = this.sessionOf(rec);
        const job = this.job(address);
        const progress = await job.getJobProgress();
        const receipt = sp.receipt;
        const unclaimed = receipt !== undefined && receipt.seq > progress.seq;
        const closing = s.state === JobState.closing;
        const closeDue = sp.finalRequested === true || closing || now >= s.deadline - this.timing.sessionCloseMargin;
        if (closeDue) {
            if (unclaimed) {
                const why = sp.finalRequested ? 'the client finished' : closing ? 'the client closed the session' : 'the deadline is near';
                await this.claim(rec, address, now, true, why);
            } else if ((closing && now >= s.timer) || (s.state === JobState.accepted && now > s.deadline)) {
                await this.settle(rec, address, now, 'nothing left to claim');
            }
            return;
        }
        if (unclaimed && this.timing.claimThreshold > 0n) {
            const owed = (BigInt(receipt!.cumulative) - progress.paidUsage) * BigInt(rec.price!);
            if (owed >= this.timing.claimThreshold) await this.claim(rec, address, now, false, `${ton(owed)} unclaimed`);
        }
    }

    private async claim(rec: JobRecord, address: Address, now: number, close: boolean, why: string): Promise<void> {
        const sp = this.sessionOf(rec);
        const receipt = sp.receipt!;
        if (sp.claimedSeq === receipt.seq && rec.claimSentAt !== undefined && now - rec.claimSentAt < this.timing.resendAfter) return;
        const required = await this.required();
        const signed = Cell.fromBoc(Buffer.from(receipt.boc, 'base64'))[0];
        this.log.info(
            `session ${short(address)}: ${why}: claiming ${close ? 'and closing ' : ''}with receipt #${receipt.seq} ` +
                `(${receipt.cumulative} units over ${sp.servedSeq} requests, ${ton(BigInt(receipt.cumulative) * BigInt(rec.price!))})`,
        );
        sp.claimedSeq = receipt.seq;
        rec.claimSentAt = now;
        if (close) rec.phase = 'claiming';
        this.save();
        const job = this.job(address);
        const out = await this.chain.send(close ? 'claim and close session' : 'claim session', address, (via) =>
            job.sendClaimSession(via, required.claimSession + this.margin, signed, close),
        );
        this.checkpoint('claim-sent', address);
        if (!out.ok && this.chain.network === 'sandbox') this.log.error(`session ${short(address)}: claim_session failed with exit code ${out.exitCode}`);
    }

    // ---- the endpoint (EndpointHandler) ----

    async health(): Promise<Record<string, unknown>> {
        return {
            provider: this.state.provider ?? null,
            owner: this.state.owner,
            operatorKey: this.operatorKey.toString('hex'),
            encryptionKey: this.encryptionKey.toString('hex'),
            backend: this.opts.backend.name,
            modelHash: hex(this.opts.modelHash),
            attestation: { source: this.opts.quotes.kind, expiresAt: this.state.attestation?.expiresAt ?? null },
        };
    }

    async postRequest(job: Address, seq: number, envelope: Buffer): Promise<RequestAck> {
        return this.lock.run(async () => {
            const rec = await this.recordFor(job);
            if (rec.session) return this.serveSessionRequest(rec, seq, envelope);
            if (seq !== 0) throw new EndpointError('BAD_REQUEST', 'a one-shot job takes request number 0', 400);
            const commitment = envelopeCommitment(envelope);
            if (rec.request !== undefined || rec.result !== undefined) {
                const known = rec.request !== undefined ? envelopeCommitment(Buffer.from(rec.request, 'hex')) : null;
                if (known === commitment || rec.result !== undefined) return { status: 'queued' } as RequestAck;
                throw new EndpointError('CONFLICT', 'this job already has a prompt', 409);
            }
            if (rec.phase !== 'accepted') throw new EndpointError('WRONG_STATE', `the job is ${rec.phase}`, 409);
            const onChain = await this.job(job).getJobRequest();
            if (commitment !== onChain.requestCommitment) {
                throw new EndpointError('COMMITMENT_MISMATCH', "the prompt does not hash to the job's request_commitment", 400);
            }
            try {
                if (parseEnvelope(envelope).kind !== 'prompt') throw new Error('not a prompt envelope');
            } catch (e) {
                throw new EndpointError('BAD_REQUEST', (e as Error).message, 400);
            }
            rec.request = envelope.toString('hex');
            this.save();
            this.log.info(`job ${short(job)}: encrypted prompt received (${envelope.length} bytes, matches the on-chain commitment)`);
            this.checkpoint('request-recorded', job);
            if (this.opts.autoServe) setImmediate(() => void this.lock.run(() => this.processJobSafely(rec)));
            return { status: 'queued' } as RequestAck;
        });
    }

    async getResult(job: Address, seq: number): Promise<ResultDelivery | null> {
        const rec = this.state.jobs[job.toRawString()];
        if (!rec) return null;
        if (!rec.session) {
            if (seq !== 0 || !rec.result || (rec.phase !== 'submitted' && rec.phase !== 'done')) return null;
            return deliveryOf(job, 0, rec.result);
        }
        const answer = rec.sessionProgress?.answer;
        return answer && answer.seq === seq ? deliveryOf(job, seq, answer) : null;
    }

    async postReceipt(job: Address, signedReceipt: Cell, final: boolean): Promise<void> {
        return this.lock.run(async () => {
            const rec = await this.recordFor(job);
            if (!rec.session) throw new EndpointError('BAD_REQUEST', 'receipts are for sessions', 400);
            const sp = this.sessionOf(rec);
            const r = parseReceipt(signedReceipt);
            if (!r) throw new EndpointError('BAD_RECEIPT', 'not a signed usage_receipt', 400);
            rec.clientKey ??= hex((await this.job(job).getJobRequest()).clientKey);
            const clientKey = Buffer.from(rec.clientKey, 'hex');
            if (!r.job.equals(job) || r.createdAt !== rec.createdAt) throw new EndpointError('BAD_RECEIPT', 'a receipt for another job', 400);
            if (!verifyCellSignature(r.payload, r.signature, clientKey)) throw new EndpointError('BAD_RECEIPT', "the receipt is not signed by the job's client key", 400);
            const known = sp.receipt?.seq ?? 0;
            if (r.seq === known && final) {
                sp.finalRequested = true;
            } else {
                if (r.seq <= known) throw new EndpointError('STALE_RECEIPT', `receipt #${r.seq} is not newer than #${known}`, 409);
                if (r.seq !== sp.servedSeq || r.cumulative !== BigInt(sp.servedUsage) || r.resultRoot !== BigInt(sp.resultRoot)) {
                    this.log.warn(`session ${short(job)}: receipt #${r.seq} (${r.cumulative} units) disagrees with what was served (#${sp.servedSeq}, ${sp.servedUsage} units)`);
                    throw new EndpointError('RECEIPT_MISMATCH', `the receipt must acknowledge request #${sp.servedSeq}, ${sp.servedUsage} units and its result root`, 409);
                }
                sp.receipt = { seq: r.seq, cumulative: r.cumulative.toString(), boc: signedReceipt.toBoc().toString('base64') };
                if (final) sp.finalRequested = true;
            }
            this.save();
            if (final) {
                this.log.info(`session ${short(job)}: the client finished after ${sp.servedSeq} requests (${sp.servedUsage} units)`);
                if (this.opts.autoServe) setImmediate(() => void this.lock.run(() => this.processJobSafely(rec)));
            }
        });
    }

    /** The record of a job, scanning for new offers if it is not known yet. */
    private async recordFor(job: Address): Promise<JobRecord> {
        let rec = this.state.jobs[job.toRawString()];
        if (!rec) {
            await this.scanOffers();
            rec = this.state.jobs[job.toRawString()];
        }
        if (!rec) throw new EndpointError('UNKNOWN_JOB', `job ${job.toString()} was not offered to this provider`, 404);
        if (rec.phase === 'rejected') throw new EndpointError('WRONG_STATE', `job ${job.toString()} was rejected: ${rec.outcome}`, 409);
        return rec;
    }

    private async serveSessionRequest(rec: JobRecord, seq: number, envelope: Buffer): Promise<RequestAck> {
        const address = Address.parse(rec.job);
        const sp = this.sessionOf(rec);
        if (sp.answer && sp.answer.seq === seq) return { status: 'served', result: deliveryOf(address, seq, sp.answer) };
        if (seq !== sp.servedSeq + 1) throw new EndpointError('OUT_OF_ORDER', `expected request #${sp.servedSeq + 1}`, 409);
        if ((sp.receipt?.seq ?? 0) < sp.servedSeq) {
            throw new EndpointError('RECEIPT_REQUIRED', `send the receipt for request #${sp.servedSeq} first`, 402);
        }
        if (sp.finalRequested || rec.phase !== 'serving') throw new EndpointError('WRONG_STATE', 'the session is closing', 409);
        const now = await this.chain.now();
        const checked = this.sessionChecked.get(rec.job);
        if (checked === undefined || now - checked >= 30) {
            const s = await this.job(address).getJobState();
            if (s.state !== JobState.accepted) throw new EndpointError('WRONG_STATE', `the session is ${JobStateName[s.state]}`, 409);
            if (rec.price === undefined) {
                const terms = await this.job(address).getJobTerms();
                rec.price = terms.price.toString();
                rec.bond = terms.bond.toString();
            }
            this.sessionChecked.set(rec.job, now);
        }
        if (now >= rec.deadline - this.timing.sessionCloseMargin) throw new EndpointError('WRONG_STATE', 'the session is about to close', 409);
        const remaining = BigInt(rec.budget) / BigInt(rec.price!) - BigInt(sp.servedUsage);
        if (remaining <= 0n) throw new EndpointError('BUDGET_EXHAUSTED', 'the session budget is used up', 402);
        let request: InferenceRequest;
        try {
            request = decodeInferenceRequest(decryptPrompt(envelope, this.keys.encryption, address, seq));
        } catch (e) {
            throw new EndpointError('BAD_REQUEST', `the request does not open with this provider's key for request #${seq}: ${(e as Error).message}`, 400);
        }
        let out;
        try {
            out = await this.opts.backend.complete({ messages: request.messages, maxTokens: request.maxTokens, temperature: request.temperature });
        } catch (e) {
            throw new EndpointError('BACKEND_UNAVAILABLE', `the inference backend failed: ${(e as Error).message}`, 503);
        }
        const usage = min(BigInt(out.usage.totalTokens), remaining);
        const record = this.recordResult(
            rec,
            { state: JobState.accepted, session: true, budget: BigInt(rec.budget), deadline: rec.deadline, createdAt: rec.createdAt, timer: 0 },
            request.resultKey,
            seq,
            { ok: true, content: out.content, finishReason: out.finishReason, backend: out.backend, usage: out.usage },
            usage,
        );
        sp.answer = { seq, ...record };
        sp.servedSeq = seq;
        sp.servedUsage = (BigInt(sp.servedUsage) + usage).toString();
        sp.resultRoot = '0x' + hex(nextResultRoot(BigInt(sp.resultRoot), BigInt(record.commitment)));
        this.state.totals.served += 1;
        this.save();
        this.checkpoint('answer-recorded', address);
        if (seq === 1 || seq % 100 === 0) {
            this.log.info(`session ${short(address)}: request #${seq} served (${usage} units; ${sp.servedUsage} so far)`);
        }
        return { status: 'served', result: deliveryOf(address, seq, record) };
    }

    private once(key: string, fn: () => void) {
        if (this.quiet.has(key)) return;
        this.quiet.add(key);
        fn();
    }
}

function freshState(identity: { network: string; root: string; owner: string }, keys: WorkerState['keys']): WorkerState {
    return { version: STATE_VERSION, ...identity, keys, cursor: null, jobs: {}, totals: { jobs: 0, served: 0, earned: '0' } };
}

function deliveryOf(job: Address, seq: number, r: ResultRecord): ResultDelivery {
    return {
        job,
        seq,
        envelope: Buffer.from(r.envelope, 'hex'),
        signedResult: Cell.fromBoc(Buffer.from(r.signedResult, 'base64'))[0],
    };
}

function parseReceipt(signed: Cell) {
    try {
        const s = signed.beginParse();
        const signature = s.loadBuffer(64);
        const payload = s.loadRef();
        s.endParse();
        const p = payload.beginParse();
        if (p.loadUint(32) !== Tag.usageReceipt) return null;
        const r = {
            job: p.loadAddress(),
            createdAt: p.loadUint(32),
            seq: p.loadUint(32),
            cumulative: p.loadUintBig(64),
            resultRoot: p.loadUintBig(256),
        };
        p.endParse();
        return { ...r, signature, payload };
    } catch {
        return null;
    }
}

function zeroUsage() {
    return { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
}

function min(a: bigint, b: bigint): bigint {
    return a < b ? a : b;
}

function hex(n: bigint): string {
    return n.toString(16).padStart(64, '0');
}

function iso(t: number): string {
    return new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        const t = setTimeout(resolve, ms);
        signal?.addEventListener('abort', () => {
            clearTimeout(t);
            resolve();
        }, { once: true });
    });
}
