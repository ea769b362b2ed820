/**
 * The client side of a job, end to end: check the provider's attested keys,
 * encrypt the prompt to them, create and fund the job escrow, deliver the
 * ciphertext off chain, fetch and verify the result, decrypt it, and confirm
 * or dispute. Sessions: many requests off chain, one cumulative receipt per
 * request, settled with one claim.
 *
 * Every message goes through the wrappers (wrappers/Job.ts) with the values the
 * root reports (`get_job_required_values`), so a change of the payment flow in
 * the contracts only touches those.
 */
import { Address, Cell, Sender } from '@ton/core';
import { KeyPair } from '@ton/crypto';
import { createHash } from 'crypto';
import { Job, JobTermsView } from '../wrappers/Job';
import { JobRequiredValues, Root } from '../wrappers/Root';
import { Errors, JobState, JobStateName, Op } from '../wrappers/constants';
import { ChainAccess, transactionsOf, waitFor } from './chain';
import {
    decryptResult,
    encryptPrompt,
    envelopeCommitment,
    generateX25519KeyPair,
    serializeEnvelope,
    X25519KeyPair,
} from './envelope';
import { EndpointError, JobStateError, ResultVerificationError } from './errors';
import { JobEndpoint, resolveEndpoint } from './endpoint';
import { createJobValue, jobFor, randomNonce, SessionReceipts } from './jobs';
import { ChatMessage, decodeInferenceResult, encodeInferenceRequest, InferenceResult } from './payloads';
import { fetchProviderKeys, FetchProviderKeysOptions, ProviderKeys, RootHandle } from './providers';
import { checkSignedResult, ResultDelivery, verifyDeliveredResult, VerifiedResult } from './results';

export type CocoonClientOptions = {
    chain: ChainAccess;
    /** The protocol root. */
    root: Address;
    /** The client's wallet: it funds jobs and sends client-only messages. */
    sender: Sender;
    /** The ed25519 key pair that signs session usage receipts; its public key goes into every job. */
    clientKeys: KeyPair;
    /** How to reach a provider's endpoint; default: the URL it registered on chain ({@link resolveEndpoint}). */
    endpointFor?: (provider: ProviderKeys) => JobEndpoint;
    /** Added to every required value (returned by the contracts when unused). Default 0. */
    valueMargin?: bigint;
    /** Interval between polls of an endpoint for a result, ms. Default 500. */
    resultPollMs?: number;
};

export type JobRequestInput = { messages: ChatMessage[]; maxTokens?: number; temperature?: number };

/** A one-shot job before it is created: its address, the sealed prompt and its commitment. */
export type PreparedJob = {
    nonce: bigint;
    job: Address;
    provider: ProviderKeys;
    /** Canonical bytes of the prompt envelope (what travels to the endpoint). */
    envelope: Buffer;
    /** SHA-256 of the envelope: the job's request_commitment. */
    requestCommitment: bigint;
    /** The key pair the result is sealed to (its public key is inside the prompt). */
    resultKeys: X25519KeyPair;
};

export type JobTermsInput = {
    /** The most the client pays, nanoton (held in escrow). */
    budget: bigint;
    /** Unix time by which the result is due (one-shot) or the session ends. */
    deadline: number;
    modelHash: bigint;
    /** Highest price per unit accepted; default: the provider's current price. */
    maxPrice?: bigint;
};

export type CreatedJob = {
    job: Address;
    nonce: bigint;
    createdAt: number;
    deadline: number;
    terms: JobTermsView;
    /** What create_job carried: budget + the job's overhead. */
    value: bigint;
};

const ERROR_NAMES = new Map<number, string>(Object.entries(Errors).map(([n, c]) => [c as number, n]));

export class CocoonClient implements RootHandle {
    readonly chain: ChainAccess;
    readonly address: Address;
    private requiredCache?: JobRequiredValues;
    private jobCodeCache?: Cell;

    constructor(readonly opts: CocoonClientOptions) {
        this.chain = opts.chain;
        this.address = opts.root;
        if (!opts.sender.address) throw new Error('the client sender must have an address');
    }

    get clientAddress(): Address {
        return this.opts.sender.address!;
    }

    get root() {
        return this.chain.open(Root.createFromAddress(this.address));
    }

    job(address: Address) {
        return this.chain.open(Job.createFromAddress(address));
    }

    /** The root's required values of the job entry points (cached; `refresh` re-reads them). */
    async requiredValues(refresh = false): Promise<JobRequiredValues> {
        if (!this.requiredCache || refresh) this.requiredCache = await this.root.getJobRequiredValues();
        return this.requiredCache;
    }

    /** {@link fetchProviderKeys} against this client's root. */
    fetchProviderKeys(provider: Address, opts: FetchProviderKeysOptions = {}): Promise<ProviderKeys> {
        return fetchProviderKeys(this, provider, opts);
    }

    /** The job of (root, this client, nonce) with its state init (to deploy it), checked against the root's derivation. */
    async jobWithInit(nonce: bigint): Promise<Job> {
        this.jobCodeCache ??= await this.root.getJobCode();
        const job = jobFor(this.address, this.clientAddress, nonce, this.jobCodeCache);
        const derived = await this.root.getJobAddress(this.clientAddress, nonce);
        if (!derived.equals(job.address)) throw new Error(`the root derives job ${derived.toString()}, not ${job.address.toString()}`);
        return job;
    }

    endpointOf(provider: ProviderKeys): JobEndpoint {
        return this.opts.endpointFor ? this.opts.endpointFor(provider) : resolveEndpoint(provider.endpoint);
    }

    /** Picks a nonce (the job's address follows), seals the prompt for that job and commits to it. */
    async prepareJob(provider: ProviderKeys, request: JobRequestInput, opts: { nonce?: bigint } = {}): Promise<PreparedJob> {
        const nonce = opts.nonce ?? randomNonce();
        const job = (await this.jobWithInit(nonce)).address;
        const resultKeys = generateX25519KeyPair();
        const plaintext = encodeInferenceRequest({ ...request, resultKey: resultKeys.publicKey });
        const envelope = serializeEnvelope(encryptPrompt(plaintext, provider.encryptionKey, job, 0));
        plaintext.fill(0);
        return { nonce, job, provider, envelope, requestCommitment: envelopeCommitment(envelope), resultKeys };
    }

    /**
     * Deploys and funds the job (budget + the root's `createJob` overhead) and waits for the
     * provider's answer. Throws JobStateError('JOB_REJECTED') if the provider refused it.
     */
    async createJob(prepared: PreparedJob, terms: JobTermsInput): Promise<CreatedJob> {
        return this.deployJob(prepared.nonce, prepared.job, prepared.provider, prepared.requestCommitment, terms, false);
    }

    private async deployJob(
        nonce: bigint,
        address: Address,
        provider: ProviderKeys,
        requestCommitment: bigint,
        terms: JobTermsInput,
        session: boolean,
    ): Promise<CreatedJob> {
        const required = await this.requiredValues();
        const value = createJobValue(terms.budget, required) + (this.opts.valueMargin ?? 0n);
        const job = this.chain.open(await this.jobWithInit(nonce));
        if (!job.address.equals(address)) throw new Error(`nonce ${nonce} does not give job ${address.toString()}`);
        const result = await job.sendCreate(this.opts.sender, value, {
            budget: terms.budget,
            deadline: terms.deadline,
            session,
            clientKey: this.opts.clientKeys.publicKey,
            provider: provider.provider,
            modelHash: terms.modelHash,
            maxPrice: terms.maxPrice ?? provider.pricePerUnit,
            requestCommitment,
        });
        await this.chain.sent?.(session ? 'create session' : 'create job', result);
        const state = await waitFor(this.chain, () => job.getJobState(), (s) => s.state !== JobState.uninit && s.state !== JobState.created, {
            what: `the provider's answer to job ${address.toString()}`,
        }).catch(async (e) => {
            const s = await job.getJobState().catch(() => null);
            throw new JobStateError('JOB_NOT_ACCEPTED', `job ${address.toString()} is ${s ? JobStateName[s.state] : 'not deployed'}: ${(e as Error).message}`, s?.state);
        });
        if (state.state !== JobState.accepted) {
            const code = rejectionCode(result);
            const why = code !== null ? `: error ${code} (${ERROR_NAMES.get(code) ?? 'unknown'})` : '';
            throw new JobStateError('JOB_REJECTED', `the provider did not accept job ${address.toString()}, now ${JobStateName[state.state]}${why}`, state.state);
        }
        return { job: address, nonce, createdAt: state.createdAt, deadline: state.deadline, terms: await job.getJobTerms(), value };
    }

    /**
     * Sends the sealed prompt to the provider's endpoint. On a real network the worker may not
     * have seen the job's offer yet (UNKNOWN_JOB): it retries for up to `timeoutMs` (default 60 s).
     */
    async deliverRequest(
        prepared: PreparedJob,
        endpoint: JobEndpoint = this.endpointOf(prepared.provider),
        opts: { timeoutMs?: number } = {},
    ): Promise<void> {
        const pollMs = this.chain.pollMs ?? 0;
        const deadline = Date.now() + (pollMs === 0 ? 0 : opts.timeoutMs ?? 60_000);
        for (;;) {
            try {
                await endpoint.postRequest(prepared.job, 0, prepared.envelope);
                return;
            } catch (e) {
                if (!(e instanceof EndpointError) || e.code !== 'UNKNOWN_JOB' || Date.now() >= deadline) throw e;
                await new Promise((r) => setTimeout(r, pollMs));
            }
        }
    }

    /** The delivered result, polling the endpoint for up to `timeoutMs` (default: one attempt). */
    async fetchResult(
        prepared: PreparedJob,
        opts: { timeoutMs?: number; endpoint?: JobEndpoint } = {},
    ): Promise<ResultDelivery> {
        const endpoint = opts.endpoint ?? this.endpointOf(prepared.provider);
        const deadline = Date.now() + (opts.timeoutMs ?? 0);
        for (;;) {
            const d = await endpoint.getResult(prepared.job, 0);
            if (d) return d;
            if (Date.now() >= deadline) throw new EndpointError('NOT_READY', `no result for job ${prepared.job.toString()} yet`, 404);
            await new Promise((r) => setTimeout(r, this.opts.resultPollMs ?? 500));
        }
    }

    /** {@link verifyDeliveredResult}, requiring the job's operator key to be the provider's attested key. */
    verifyResult(delivery: ResultDelivery, prepared: PreparedJob): Promise<VerifiedResult> {
        if (!delivery.job.equals(prepared.job)) {
            throw new ResultVerificationError('WRONG_JOB', `a result for ${delivery.job.toString()}, not ${prepared.job.toString()}`);
        }
        return verifyDeliveredResult(this.chain, delivery, { attestedOperatorKey: prepared.provider.operatorKey });
    }

    /** Decrypts a result with the key pair chosen in {@link prepareJob}. */
    openResult(delivery: ResultDelivery, resultKeys: X25519KeyPair): InferenceResult {
        return decodeInferenceResult(decryptResult(delivery.envelope, resultKeys, delivery.job, delivery.seq));
    }

    // ---- client-only messages ----

    private async send(label: string, address: Address, run: (job: ReturnType<CocoonClient['job']>, required: JobRequiredValues) => Promise<unknown>) {
        const required = await this.requiredValues();
        const result = await run(this.job(address), required);
        await this.chain.sent?.(`${label}`, result);
        return result;
    }

    /** confirm_result: the provider is paid usage × price (less the protocol fee), the rest is refunded. */
    async confirm(job: Address): Promise<void> {
        await this.send('confirm', job, (j, r) => j.sendConfirm(this.opts.sender, r.closeJob + this.margin));
    }

    /** dispute_job within the challenge window; `reason` text is hashed (SHA-256), a bigint is the hash. */
    async dispute(job: Address, reason: string | bigint): Promise<bigint> {
        const hash = typeof reason === 'bigint' ? reason : BigInt('0x' + createHash('sha256').update(reason).digest('hex'));
        await this.send('dispute', job, (j, r) => j.sendDispute(this.opts.sender, r.clientOp + this.margin, hash));
        return hash;
    }

    async cancel(job: Address): Promise<void> {
        await this.send('cancel', job, (j, r) => j.sendCancel(this.opts.sender, r.clientOp + this.margin));
    }

    /** settle_job (anyone; the client gets no keeper reward). */
    async settle(job: Address): Promise<void> {
        await this.send('settle', job, (j, r) => j.sendSettle(this.opts.sender, r.closeJob + this.margin));
    }

    /** expire_job: an accepted one-shot job past its deadline without a result; the bond is slashed. */
    async expire(job: Address): Promise<void> {
        await this.send('expire', job, (j, r) => j.sendExpire(this.opts.sender, r.closeJob + this.margin));
    }

    async closeSession(job: Address): Promise<void> {
        await this.send('close session', job, (j, r) => j.sendCloseSession(this.opts.sender, r.clientOp + this.margin));
    }

    private get margin(): bigint {
        return this.opts.valueMargin ?? 0n;
    }

    // ---- sessions ----

    /** Creates a session job (no single request: its request commitment is 0) and returns its client. */
    async startSession(provider: ProviderKeys, terms: JobTermsInput, opts: { nonce?: bigint } = {}): Promise<SessionClient> {
        const nonce = opts.nonce ?? randomNonce();
        const address = (await this.jobWithInit(nonce)).address;
        const created = await this.deployJob(nonce, address, provider, 0n, terms, true);
        return new SessionClient(this, created, provider, this.endpointOf(provider));
    }
}

/**
 * The client of one session: each request is sealed for (job, seq), answered with an
 * operator-signed result, checked, decrypted, and acknowledged with the next cumulative
 * usage receipt (sdk/jobs.ts SessionReceipts).
 */
export class SessionClient {
    readonly receipts: SessionReceipts;
    private readonly resultKeys = generateX25519KeyPair();
    private lastReceipt: Cell | null = null;

    constructor(
        readonly client: CocoonClient,
        readonly created: CreatedJob,
        readonly provider: ProviderKeys,
        readonly endpoint: JobEndpoint,
    ) {
        this.receipts = new SessionReceipts(created.job, created.createdAt, client.opts.clientKeys);
    }

    get job(): Address {
        return this.created.job;
    }

    /** The operator key the session was accepted under (it signs every answer). */
    get operatorKey(): Buffer {
        return Buffer.from(this.created.terms.operatorKey.toString(16).padStart(64, '0'), 'hex');
    }

    get latestReceipt(): Cell | null {
        return this.lastReceipt;
    }

    async request(input: JobRequestInput): Promise<{ seq: number; usage: bigint; result: InferenceResult; delivery: ResultDelivery }> {
        const seq = this.receipts.requests + 1;
        const plaintext = encodeInferenceRequest({ ...input, resultKey: this.resultKeys.publicKey });
        const envelope = serializeEnvelope(encryptPrompt(plaintext, this.provider.encryptionKey, this.job, seq));
        plaintext.fill(0);
        const ack = await this.endpoint.postRequest(this.job, seq, envelope);
        const delivery = ack.status === 'served' ? ack.result : await this.endpoint.getResult(this.job, seq);
        if (!delivery) throw new EndpointError('NOT_READY', `request ${seq} of session ${this.job.toString()} was not answered`, 404);
        if (!delivery.job.equals(this.job) || delivery.seq !== seq) {
            throw new ResultVerificationError('WRONG_JOB', `an answer for ${delivery.job.toString()} #${delivery.seq}, not #${seq}`);
        }
        const { usage, commitment } = checkSignedResult(delivery, { createdAt: this.created.createdAt, operatorKey: this.operatorKey });
        const result = decodeInferenceResult(decryptResult(delivery.envelope, this.resultKeys, this.job, seq));
        if (usage > BigInt(result.usage.totalTokens)) {
            throw new ResultVerificationError('USAGE_MISMATCH', `request ${seq}: signed usage ${usage} exceeds the ${result.usage.totalTokens} tokens reported`);
        }
        this.lastReceipt = this.receipts.record(usage, commitment).signed;
        await this.endpoint.postReceipt(this.job, this.lastReceipt, false);
        return { seq, usage, result, delivery };
    }

    /** Asks the provider to claim with the latest receipt and close the session. */
    async finish(): Promise<void> {
        if (!this.lastReceipt) throw new Error('no request was served: close the session on chain instead');
        await this.endpoint.postReceipt(this.job, this.lastReceipt, true);
    }

    /** close_session on chain: the provider then has the session grace for its final claim. */
    close(): Promise<void> {
        return this.client.closeSession(this.job);
    }
}

/** The error code of a job_rejected in a sandbox send result, if any. */
function rejectionCode(result: unknown): number | null {
    for (const tx of transactionsOf(result)) {
        const body = tx.inMessage?.body.beginParse();
        if (!body || body.remainingBits < 32 + 64 + 16) continue;
        if (body.loadUint(32) !== Op.jobRejected) continue;
        body.loadUintBig(64);
        return body.loadUint(16);
    }
    return null;
}
