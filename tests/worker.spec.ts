/**
 * The reference worker in the sandbox: it registers with keys it generated, serves one-shot
 * jobs and sessions through its endpoint (HTTP on 127.0.0.1 and in memory), survives crashes
 * at the critical points without losing a job or submitting twice, avoids a timeout slash
 * when no prompt arrives, re-attests before expiry; its OpenAI-compatible backend fails
 * cleanly when the server is unreachable; `--help` documents every flag.
 */
import '@ton/test-utils';
import { Address, toNano } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import http from 'http';
import { AddressInfo } from 'net';
import os from 'os';
import path from 'path';
import { CocoonClient, EndpointError, HttpEndpoint, JobEndpoint, sandboxChain, SessionReceipts } from '../sdk';
import { Job } from '../wrappers/Job';
import { Provider } from '../wrappers/Provider';
import { JobState, Op } from '../wrappers/constants';
import { bufferToBigint } from '../wrappers/common';
import { createDevnet, Devnet, sharedTemplateQuote } from '../worker/devnet';
import { SandboxChain } from '../worker/chain/sandbox';
import { LocalVerifier } from '../worker/attestation';
import { BackendError, EmbeddedBackend, InferenceBackend, OpenAIBackend } from '../worker/backends';
import { HttpEndpointServer, InMemoryEndpoint } from '../worker/endpoint';
import { MemoryLog } from '../worker/log';
import { Checkpoint, SimulatedCrash, Worker, WorkerOptions } from '../worker/worker';
import { FLAGS, runCli } from '../worker/cli';

const NOW = 1_800_000_000;
const DAY = 86400;
const MODEL = bufferToBigint(createHash('sha256').update('cocoon-echo-1').digest());
const PRICE = 100_000n; // 0.0001 TON per token
const PROMPT = 'Which two keys does a Cocoon worker bind into its TDX report data, and why?';
const template = sharedTemplateQuote();

class CountingBackend extends EmbeddedBackend {
    calls = 0;
    override async complete(input: Parameters<EmbeddedBackend['complete']>[0]) {
        this.calls += 1;
        return super.complete(input);
    }
}

type Env = {
    dev: Devnet;
    owner: SandboxContract<TreasuryContract>;
    statePath: string;
    dir: string;
    log: MemoryLog;
    client: CocoonClient;
    /** The endpoint the client talks to (rebound when a worker restarts). */
    endpoint: { current: JobEndpoint };
    startWorker(extra?: Partial<WorkerOptions>): Promise<Worker>;
    cleanup(): void;
};

/** One devnet for the file, restored to its genesis before each test. */
let base: { dev: Devnet; genesis: ReturnType<Devnet['blockchain']['snapshot']> } | undefined;

async function setup(): Promise<Env> {
    if (!base) {
        const created = await createDevnet({ models: [MODEL], now: NOW, template });
        base = { dev: created, genesis: created.blockchain.snapshot() };
    } else {
        await base.dev.blockchain.loadFrom(base.genesis);
    }
    const dev = base.dev;
    const owner = await dev.blockchain.treasury('gpu-owner');
    const clientWallet = await dev.blockchain.treasury('client');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cocoon-worker-'));
    const statePath = path.join(dir, 'worker-state.json');
    const log = new MemoryLog();
    const endpoint: { current: JobEndpoint } = { current: undefined as unknown as JobEndpoint };
    const client = new CocoonClient({
        chain: sandboxChain(dev.blockchain),
        root: dev.root.address,
        sender: clientWallet.getSender(),
        clientKeys: keyPairFromSeed(createHash('sha256').update('client').digest()),
        endpointFor: () => endpoint.current,
    });
    const verifier = new LocalVerifier({ secretKey: dev.verifier.secretKey, lifetime: 7 * DAY, rootPublicKey: dev.quotes.rootPublicKey });
    return {
        dev,
        owner,
        statePath,
        dir,
        log,
        client,
        endpoint,
        async startWorker(extra = {}) {
            const worker = await Worker.open({
                chain: new SandboxChain(dev.blockchain, owner),
                root: dev.root.address,
                backend: new EmbeddedBackend(),
                statePath,
                quotes: dev.quotes,
                verifier,
                modelHash: MODEL,
                registration: { price: PRICE, endpoint: 'memory://worker-under-test' },
                log,
                ...extra,
            });
            await worker.start();
            endpoint.current = new InMemoryEndpoint(worker);
            return worker;
        },
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
}

async function submitCount(dev: Devnet, job: Address): Promise<number> {
    const txs = await dev.blockchain.getTransactions(job);
    return txs.filter((t) => {
        const b = t.inMessage?.body.beginParse();
        return b !== undefined && b.remainingBits >= 32 && b.loadUint(32) === Op.submitResult;
    }).length;
}

function crashAt(point: Checkpoint) {
    return (p: Checkpoint) => {
        if (p === point) throw new SimulatedCrash(p);
    };
}

describe('Reference worker', () => {
    let env: Env;
    afterEach(() => env?.cleanup());

    it('registers with keys it generated and serves a one-shot job through its HTTP endpoint on 127.0.0.1', async () => {
        env = await setup();
        const ref: { current?: Worker } = {};
        const server = new HttpEndpointServer(
            {
                postRequest: (j, s, e) => ref.current!.postRequest(j, s, e),
                getResult: (j, s) => ref.current!.getResult(j, s),
                postReceipt: (j, r, f) => ref.current!.postReceipt(j, r, f),
                health: () => ref.current!.health(),
            },
            { host: '127.0.0.1', port: 0 },
        );
        const url = await server.listen();
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cocoon\/v1$/);
        try {
            const worker = await env.startWorker({ registration: { price: PRICE, endpoint: url } });
            ref.current = worker;
            expect(env.log.text).toMatch(/keys generated in this worker process/);
            const provider = env.dev.blockchain.openContract(Provider.createFromAddress(worker.providerAddress));
            expect((await provider.getOffer()).endpoint).toBe(url);
            env.endpoint.current = new HttpEndpoint(url);
            const health = await (await fetch(`${url}/health`)).json();
            expect(health).toMatchObject({ operatorKey: worker.operatorKey.toString('hex'), encryptionKey: worker.encryptionKey.toString('hex') });

            const keys = await env.client.fetchProviderKeys(worker.providerAddress, { model: MODEL });
            expect(keys.operatorKey).toEqual(worker.operatorKey);
            expect(keys.encryptionKey).toEqual(worker.encryptionKey);
            const prepared = await env.client.prepareJob(keys, { messages: [{ role: 'user', content: PROMPT }] });
            await env.client.createJob(prepared, { budget: toNano('1'), deadline: NOW + 3600, modelHash: MODEL });
            await env.client.deliverRequest(prepared);
            await expect(env.client.fetchResult(prepared)).rejects.toThrow(EndpointError); // not served yet

            await worker.tick();
            const delivery = await env.client.fetchResult(prepared);
            const verified = await env.client.verifyResult(delivery, prepared);
            const result = env.client.openResult(delivery, prepared.resultKeys);
            expect(result.ok && result.content).toMatch(/embedded test backend, not a language model/);
            expect(verified.usage).toBe(BigInt(result.usage.totalTokens));

            const ownerBefore = await env.owner.getBalance();
            await env.client.confirm(prepared.job);
            await worker.tick();
            const rec = worker.snapshot().jobs[prepared.job.toRawString()];
            expect(rec.phase).toBe('done');
            expect(BigInt(rec.paid!)).toBe((verified.usage * PRICE * 9750n) / 10000n);
            // The owner wallet receives the payment, less the gas of its own receiving transaction.
            const received = (await env.owner.getBalance()) - ownerBefore;
            expect(received).toBeLessThanOrEqual(BigInt(rec.paid!));
            expect(received).toBeGreaterThan(BigInt(rec.paid!) - toNano('0.001'));
            expect((await provider.getProviderJobs()).completed).toBe(1);
            // Neither the state file nor the logs hold the prompt or the answer in clear.
            const stateText = readFileSync(env.statePath, 'utf8');
            expect(stateText).not.toContain(PROMPT.slice(0, 30));
            expect(stateText).not.toContain('embedded test backend');
            expect(env.log.text).not.toContain(PROMPT.slice(0, 30));
        } finally {
            await server.close();
        }
    });

    it('restarted after submitting but before recording it: no second submission, the job is neither lost nor unpaid', async () => {
        env = await setup();
        const first = await env.startWorker({ checkpoint: crashAt('result-submitted') });
        const keys = await env.client.fetchProviderKeys(first.providerAddress, { model: MODEL });
        const prepared = await env.client.prepareJob(keys, { messages: [{ role: 'user', content: PROMPT }] });
        await env.client.createJob(prepared, { budget: toNano('1'), deadline: NOW + 3600, modelHash: MODEL });
        await env.client.deliverRequest(prepared);
        await expect(first.tick()).rejects.toThrow(SimulatedCrash);
        const job = env.dev.blockchain.openContract(Job.createFromAddress(prepared.job));
        expect((await job.getJobState()).state).toBe(JobState.submitted);
        expect(await submitCount(env.dev, prepared.job)).toBe(1);
        const onDisk = JSON.parse(readFileSync(env.statePath, 'utf8'));
        expect(onDisk.jobs[prepared.job.toRawString()].phase).toBe('result-ready');
        expect(onDisk.jobs[prepared.job.toRawString()].submitSentAt).toBeUndefined();

        const backend = new CountingBackend();
        const second = await env.startWorker({ backend });
        expect(second.operatorKey).toEqual(first.operatorKey);
        await second.tick();
        expect(await submitCount(env.dev, prepared.job)).toBe(1);
        expect(backend.calls).toBe(0);
        expect(second.snapshot().jobs[prepared.job.toRawString()].phase).toBe('submitted');

        const delivery = await env.client.fetchResult(prepared);
        await env.client.verifyResult(delivery, prepared);
        await env.client.confirm(prepared.job);
        await second.tick();
        const rec = second.snapshot().jobs[prepared.job.toRawString()];
        expect(rec.phase).toBe('done');
        expect(BigInt(rec.paid!)).toBeGreaterThan(0n);
    });

    it('restarted after recording the result but before submitting it: submits that same result once', async () => {
        env = await setup();
        const first = await env.startWorker({ checkpoint: crashAt('result-recorded') });
        const keys = await env.client.fetchProviderKeys(first.providerAddress, { model: MODEL });
        const prepared = await env.client.prepareJob(keys, { messages: [{ role: 'user', content: PROMPT }] });
        await env.client.createJob(prepared, { budget: toNano('1'), deadline: NOW + 3600, modelHash: MODEL });
        await env.client.deliverRequest(prepared);
        await expect(first.tick()).rejects.toThrow(SimulatedCrash);
        expect(await submitCount(env.dev, prepared.job)).toBe(0);
        const recorded = JSON.parse(readFileSync(env.statePath, 'utf8')).jobs[prepared.job.toRawString()].result;

        const backend = new CountingBackend();
        const second = await env.startWorker({ backend });
        await second.tick();
        await second.tick();
        expect(await submitCount(env.dev, prepared.job)).toBe(1);
        expect(backend.calls).toBe(0); // no second, different result: that would be equivocation
        const job = env.dev.blockchain.openContract(Job.createFromAddress(prepared.job));
        expect('0x' + (await job.getJobProgress()).resultCommitment.toString(16).padStart(64, '0')).toBe(recorded.commitment);

        // The client does not confirm: after the challenge window the worker settles as a keeper.
        env.dev.blockchain.now = NOW + 2 * 3600;
        await second.tick();
        expect((await job.getJobState()).state).toBe(JobState.settled);
        await second.tick();
        expect(second.snapshot().jobs[prepared.job.toRawString()].phase).toBe('done');
    });

    it('serves a session: per-request signed answers, checked receipts, one closing claim', async () => {
        env = await setup();
        const worker = await env.startWorker();
        const keys = await env.client.fetchProviderKeys(worker.providerAddress, { model: MODEL });
        const session = await env.client.startSession(keys, { budget: toNano('2'), deadline: NOW + 7200, modelHash: MODEL });
        await worker.tick();
        let usage = 0n;
        for (let i = 1; i <= 5; i++) usage += (await session.request({ messages: [{ role: 'user', content: `question ${i}` }] })).usage;
        expect(session.receipts.usage).toBe(usage);
        // Out of order, and a retried request gets the very same signed answer.
        await expect(env.endpoint.current.postRequest(session.job, 9, Buffer.alloc(100))).rejects.toMatchObject({ code: 'OUT_OF_ORDER' });
        const again = await env.endpoint.current.getResult(session.job, 5);
        expect(again).not.toBeNull();
        await session.finish();
        const ownerBefore = await env.owner.getBalance();
        await worker.tick();
        const job = env.dev.blockchain.openContract(Job.createFromAddress(session.job));
        expect((await job.getJobState()).state).toBe(JobState.settled);
        expect((await job.getJobProgress()).paidUsage).toBe(usage);
        expect(await env.owner.getBalance()).toBeGreaterThan(ownerBefore);
        await worker.tick();
        expect(worker.snapshot().jobs[session.job.toRawString()].phase).toBe('done');
    });

    it('restarted after recording a session answer but before returning it: the retried request gets that same signed answer', async () => {
        env = await setup();
        let crash = false;
        const first = await env.startWorker({ checkpoint: (p) => {
            if (crash && p === 'answer-recorded') throw new SimulatedCrash(p);
        } });
        const keys = await env.client.fetchProviderKeys(first.providerAddress, { model: MODEL });
        const session = await env.client.startSession(keys, { budget: toNano('2'), deadline: NOW + 7200, modelHash: MODEL });
        await session.request({ messages: [{ role: 'user', content: 'one' }] });
        crash = true;
        await expect(session.request({ messages: [{ role: 'user', content: 'two' }] })).rejects.toThrow(SimulatedCrash);
        const recorded = JSON.parse(readFileSync(env.statePath, 'utf8')).jobs[session.job.toRawString()].sessionProgress.answer;
        expect(recorded.seq).toBe(2);

        const backend = new CountingBackend();
        await env.startWorker({ backend }); // rebinds the client's endpoint to the new worker
        const retried = await session.request({ messages: [{ role: 'user', content: 'two' }] });
        expect(retried.seq).toBe(2);
        expect(backend.calls).toBe(0);
        expect(retried.delivery.signedResult.toBoc().toString('base64')).toBe(recorded.signedResult);
        await session.finish();
    });

    it('refuses a receipt that does not acknowledge what was served', async () => {
        env = await setup();
        const worker = await env.startWorker();
        const keys = await env.client.fetchProviderKeys(worker.providerAddress, { model: MODEL });
        const session = await env.client.startSession(keys, { budget: toNano('2'), deadline: NOW + 7200, modelHash: MODEL });
        await session.request({ messages: [{ role: 'user', content: 'one' }] });
        const cheat = new SessionReceipts(session.job, session.created.createdAt, keyPairFromSeed(createHash('sha256').update('client').digest()));
        cheat.record(1n, 0n);
        const cheater = cheat.record(1n, 0n).signed; // #2, 2 units: never served
        await expect(env.endpoint.current.postReceipt(session.job, cheater, false)).rejects.toMatchObject({ code: 'RECEIPT_MISMATCH' });
        const stranger = new SessionReceipts(session.job, session.created.createdAt, keyPairFromSeed(Buffer.alloc(32, 9))).record(1n, 0n).signed;
        await expect(env.endpoint.current.postReceipt(session.job, stranger, false)).rejects.toMatchObject({ code: 'BAD_RECEIPT' });
        const stale = new SessionReceipts(session.job, session.created.createdAt, keyPairFromSeed(createHash('sha256').update('client').digest()));
        await expect(env.endpoint.current.postReceipt(session.job, stale.record(0n, 0n).signed, false)).rejects.toMatchObject({ code: 'STALE_RECEIPT' });
    });

    it('submits a usage-0 result when no prompt arrives before the deadline, instead of being slashed', async () => {
        env = await setup();
        const worker = await env.startWorker();
        const keys = await env.client.fetchProviderKeys(worker.providerAddress, { model: MODEL });
        const prepared = await env.client.prepareJob(keys, { messages: [{ role: 'user', content: PROMPT }] });
        await env.client.createJob(prepared, { budget: toNano('1'), deadline: NOW + 600, modelHash: MODEL });
        await worker.tick();
        expect(await submitCount(env.dev, prepared.job)).toBe(0);
        env.dev.blockchain.now = NOW + 600 - 30;
        await worker.tick();
        const job = env.dev.blockchain.openContract(Job.createFromAddress(prepared.job));
        expect((await job.getJobState()).state).toBe(JobState.submitted);
        expect((await job.getJobProgress()).usage).toBe(0n);
        env.dev.blockchain.now = NOW + 600 + 3600;
        await worker.tick();
        await worker.tick();
        const provider = env.dev.blockchain.openContract(Provider.createFromAddress(worker.providerAddress));
        expect(await provider.getProviderJobs()).toMatchObject({ failed: 0, completed: 1, slashed: 0n });
    });

    it('settles a disputed job after the arbitration period when governance does not rule', async () => {
        env = await setup();
        const worker = await env.startWorker();
        const keys = await env.client.fetchProviderKeys(worker.providerAddress, { model: MODEL });
        const prepared = await env.client.prepareJob(keys, { messages: [{ role: 'user', content: PROMPT }] });
        await env.client.createJob(prepared, { budget: toNano('1'), deadline: NOW + 3600, modelHash: MODEL });
        await env.client.deliverRequest(prepared);
        await worker.tick();
        await env.client.dispute(prepared.job, 'I do not like the answer');
        await worker.tick();
        expect(env.log.text).toMatch(/disputed by the client/);
        const job = env.dev.blockchain.openContract(Job.createFromAddress(prepared.job));
        env.dev.blockchain.now = (await job.getJobState()).timer + 1;
        await worker.tick();
        expect((await job.getJobState()).state).toBe(JobState.resolved);
        await worker.tick();
        const rec = worker.snapshot().jobs[prepared.job.toRawString()];
        expect(rec.phase).toBe('done');
        expect(BigInt(rec.paid!)).toBeGreaterThan(0n);
    });

    it('re-attests before its attestation expires', async () => {
        env = await setup();
        const worker = await env.startWorker({ timing: { reattestMargin: DAY } });
        const provider = env.dev.blockchain.openContract(Provider.createFromAddress(worker.providerAddress));
        const before = await provider.getAttestation();
        await worker.tick();
        expect((await provider.getAttestation()).attestedAt).toBe(before.attestedAt);
        env.dev.blockchain.now = before.expiresAt - DAY + 1;
        await worker.tick();
        const after = await provider.getAttestation();
        expect(after.attestedAt).toBe(before.expiresAt - DAY + 1);
        expect(after.expiresAt).toBeGreaterThan(before.expiresAt);
        expect(after.operatorKey).toBe(before.operatorKey);
        expect(await provider.getEligible()).toBe(true);
        expect(env.log.text).toMatch(/re-attesting .*SIMULATED quote/);
    });

    it('serves through an OpenAI-compatible server (a fake one on 127.0.0.1)', async () => {
        const seen: unknown[] = [];
        const fake = http.createServer((req, res) => {
            let body = '';
            req.on('data', (c) => (body += c));
            req.on('end', () => {
                res.setHeader('content-type', 'application/json');
                if (req.url === '/v1/models') return res.end(JSON.stringify({ data: [{ id: 'fake-model' }] }));
                seen.push(JSON.parse(body));
                res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Forty-two.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 20, completion_tokens: 3, total_tokens: 23 } }));
            });
        });
        await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
        try {
            const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`;
            const backend: InferenceBackend = new OpenAIBackend({ url, model: 'fake-model' });
            await backend.check();
            await expect(new OpenAIBackend({ url, model: 'other' }).check()).rejects.toMatchObject({ code: 'MODEL_NOT_SERVED' });
            env = await setup();
            const worker = await env.startWorker({ backend });
            const keys = await env.client.fetchProviderKeys(worker.providerAddress, { model: MODEL });
            const prepared = await env.client.prepareJob(keys, { messages: [{ role: 'user', content: 'What is six times seven?' }] });
            await env.client.createJob(prepared, { budget: toNano('1'), deadline: NOW + 3600, modelHash: MODEL });
            await env.client.deliverRequest(prepared);
            await worker.tick();
            const delivery = await env.client.fetchResult(prepared);
            expect((await env.client.verifyResult(delivery, prepared)).usage).toBe(23n);
            expect(env.client.openResult(delivery, prepared.resultKeys)).toMatchObject({ ok: true, content: 'Forty-two.' });
            expect(seen[0]).toMatchObject({ model: 'fake-model', messages: [{ role: 'user', content: 'What is six times seven?' }] });
        } finally {
            await new Promise<void>((r) => fake.close(() => r()));
        }
    });
});

describe('Worker command line', () => {
    async function closedPort(): Promise<number> {
        const s = http.createServer();
        await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
        const port = (s.address() as AddressInfo).port;
        await new Promise<void>((r) => s.close(() => r()));
        return port;
    }

    it('--help lists every flag, and every flag the CLI reads is declared', async () => {
        const out: string[] = [];
        expect(await runCli(['--help'], { out: (l) => out.push(l), err: (l) => out.push(l) })).toBe(0);
        const help = out.join('\n');
        for (const f of FLAGS) expect(help).toContain(`--${f.name}${f.value ? ' ' + f.value : ''}`);
        const src = readFileSync(path.resolve(__dirname, '../worker/cli.ts'), 'utf8');
        const read = [...src.matchAll(/(?:str|int|tonAmount)\(flags, '([a-z-]+)'|flags\.has\('([a-z-]+)'\)/g)].map((m) => m[1] ?? m[2]);
        expect(read.length).toBeGreaterThan(15);
        for (const name of read) expect(FLAGS.map((f) => f.name)).toContain(name);
    });

    it('rejects an unknown flag with exit code 2', async () => {
        const err: string[] = [];
        expect(await runCli(['--frobnicate'], { out: () => {}, err: (l) => err.push(l) })).toBe(2);
        expect(err.join('\n')).toMatch(/unknown flag --frobnicate/);
    });

    it('the openai backend against an unreachable 127.0.0.1 port fails with a clear message and exit code 3', async () => {
        const port = await closedPort();
        const url = `http://127.0.0.1:${port}/v1`;
        const e = await new OpenAIBackend({ url, model: 'm' }).check().catch((x: unknown) => x);
        expect(e).toBeInstanceOf(BackendError);
        expect(e).toMatchObject({ code: 'UNREACHABLE' });
        expect((e as Error).message).toMatch(new RegExp(`cannot reach the OpenAI-compatible server at ${url.replace(/[/.]/g, '\\$&')} \\(ECONNREFUSED\\)`));

        const err: string[] = [];
        expect(await runCli(['--backend', 'openai', '--url', url, '--model', 'm'], { out: () => {}, err: (l) => err.push(l) }, {})).toBe(3);
        expect(err).toEqual([expect.stringMatching(/^error: cannot reach the OpenAI-compatible server/)]);

        // The same as a real process: one line on stderr, no stack trace, non-zero exit.
        const proc = spawnSync(
            process.execPath,
            ['-r', 'ts-node/register/transpile-only', 'worker/cli.ts', '--backend', 'openai', '--url', url, '--model', 'm'],
            { cwd: path.resolve(__dirname, '..'), encoding: 'utf8', timeout: 60_000, env: { ...process.env, COCOON_DEBUG: '' } },
        );
        expect(proc.status).toBe(3);
        expect(proc.stderr).toMatch(/error: cannot reach the OpenAI-compatible server/);
        expect(proc.stderr).not.toMatch(/^\s+at /m);
    });
});
