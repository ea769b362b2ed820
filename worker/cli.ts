/**
 * `npm run worker -- [flags]`: the reference GPU worker.
 *
 * Default: a local sandbox chain (a devnet root that trusts the worker's
 * SIMULATED attestation), the embedded backend, the HTTP endpoint on
 * 127.0.0.1:8787. `--network testnet|mainnet` runs against a real chain.
 * `--help` lists every flag. Exit codes: 0 done, 2 bad flags, 3 inference
 * backend unavailable, 4 chain / attestation / registration failure,
 * 1 anything else.
 */
import { Address, fromNano, toNano } from '@ton/core';
import { keyPairFromSecretKey, keyPairFromSeed } from '@ton/crypto';
import { createHash, randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { bufferToBigint } from '../wrappers/common';
import { CocoonClient, HttpEndpoint, sandboxChain } from '../sdk';
import { BackendError, EMBEDDED_MODEL, EmbeddedBackend, InferenceBackend, OpenAIBackend } from './backends';
import { AttestationVerifierClient, CONFIGFS_TSM_REPORT, detectQuoteSource, HttpVerifier, LocalVerifier, QuoteError, QuoteSource, SimulatedQuoteSource } from './attestation';
import { SandboxChain } from './chain/sandbox';
import { NetworkChain } from './chain/network';
import { WorkerChain } from './chain/types';
import { createDevnet, sharedTemplateQuote } from './devnet';
import { HttpEndpointServer } from './endpoint';
import { consoleLog, WorkerLog } from './log';
import { Worker, WorkerError } from './worker';

export type FlagSpec = { name: string; value?: string; help: string; section: string; default?: string };

export const FLAGS: FlagSpec[] = [
    { section: 'General', name: 'help', help: 'print this help and exit' },
    { section: 'General', name: 'network', value: '<sandbox|testnet|mainnet>', default: 'sandbox', help: 'the chain: a local sandbox devnet, or a real network' },
    { section: 'General', name: 'state', value: '<file>', default: 'worker-state.json', help: 'state file (keys, scan cursor, jobs); written atomically (temp + rename), mode 0600' },
    { section: 'General', name: 'poll', value: '<ms>', default: '2000 (sandbox 500)', help: 'interval between two passes over the chain' },
    { section: 'General', name: 'once', help: 'register (or reuse the registration), run one pass, exit' },
    { section: 'Chain (testnet / mainnet)', name: 'root', value: '<address>', help: 'the protocol root contract (required on testnet / mainnet)' },
    { section: 'Chain (testnet / mainnet)', name: 'endpoint', value: '<url>', default: 'toncenter v2 of the network', help: 'TON HTTP API (toncenter-compatible JSON-RPC) URL' },
    { section: 'Chain (testnet / mainnet)', name: 'api-key', value: '<key>', default: '$TONCENTER_API_KEY', help: 'API key of that endpoint' },
    { section: 'Chain (testnet / mainnet)', name: 'wallet-version', value: '<v4|v5r1>', default: 'v5r1', help: 'the provider owner wallet contract' },
    { section: 'Chain (testnet / mainnet)', name: 'mnemonic-file', value: '<file>', default: '$COCOON_WALLET_MNEMONIC', help: "file holding the owner wallet's 24 words" },
    { section: 'Chain (testnet / mainnet)', name: 'value-margin', value: '<TON>', default: '0.01 (sandbox 0)', help: 'added to every required value; the contracts return what is unused' },
    { section: 'Provider', name: 'stake', value: '<TON>', default: "the root's min stake", help: 'stake locked at registration (an existing registration is reused)' },
    { section: 'Provider', name: 'price', value: '<nanoton>', default: '1000', help: 'price per unit (one token, prompt + completion)' },
    { section: 'Provider', name: 'listen', value: '<host:port>', default: '127.0.0.1:8787', help: 'where the HTTP endpoint for encrypted requests listens (port 0: any free port)' },
    { section: 'Provider', name: 'public-endpoint', value: '<url>', default: 'the --listen URL', help: 'endpoint URL registered on chain (≤ 127 bytes)' },
    { section: 'Inference backend', name: 'backend', value: '<embedded|openai>', default: 'embedded', help: 'embedded: deterministic echo/summary, no network, no weights, NOT a model; openai: an OpenAI-compatible server' },
    { section: 'Inference backend', name: 'url', value: '<url>', help: 'base URL of the OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1 (vLLM, SGLang, llama.cpp, Ollama)' },
    { section: 'Inference backend', name: 'model', value: '<name>', default: `${EMBEDDED_MODEL} (embedded)`, help: 'model name sent to the backend (required with --backend openai)' },
    { section: 'Inference backend', name: 'model-hash', value: '<hex>', default: 'SHA-256 of the model name', help: 'the on-chain model hash the provider serves' },
    { section: 'Inference backend', name: 'backend-api-key', value: '<key>', default: '$OPENAI_API_KEY', help: 'bearer token of the OpenAI-compatible server' },
    { section: 'Inference backend', name: 'max-tokens', value: '<n>', default: '512', help: 'completion limit when the client sets none' },
    { section: 'Attestation', name: 'verifier', value: '<local|url>', default: 'local', help: 'attestation verifier: in process with a key the root trusts, or a verifier service URL' },
    { section: 'Attestation', name: 'verifier-secret-file', value: '<file>', default: '$COCOON_VERIFIER_SECRET', help: 'hex ed25519 secret (64 bytes, or a 32-byte seed) of the local verifier; sandbox: generated' },
    { section: 'Attestation', name: 'attestation-lifetime', value: '<s>', default: '604800', help: 'lifetime of the statements the local verifier signs' },
    { section: 'Attestation', name: 'reattest-margin', value: '<s>', default: '86400', help: 're-attest when the attestation expires within this many seconds' },
    { section: 'Attestation', name: 'tsm-path', value: '<dir>', default: CONFIGFS_TSM_REPORT, help: 'configfs-tsm report directory (a real TDX quote when present on Linux)' },
    { section: 'Attestation', name: 'simulate-quote', help: 'use a SIMULATED quote (local test CA, not Intel) even where configfs-tsm exists' },
    { section: 'Sandbox', name: 'self-test', value: '<n>', help: 'sandbox only: an in-process client runs n one-shot jobs and an n-request session through the HTTP endpoint, then the worker exits' },
];

export function usage(): string {
    const lines = [
        'Cocoon reference worker: attests its keys, registers a provider, serves encrypted inference jobs.',
        '',
        'Usage: npm run worker -- [flags]',
        '',
        'Without flags it runs on a local sandbox chain (SIMULATED attestation, embedded backend).',
        'Against an OpenAI-compatible server:  npm run worker -- --backend openai --url http://127.0.0.1:8000/v1 --model NAME',
        'On testnet:  COCOON_WALLET_MNEMONIC="..." npm run worker -- --network testnet --root <addr> --verifier <url> --backend openai ...',
    ];
    let section = '';
    for (const f of FLAGS) {
        if (f.section !== section) {
            section = f.section;
            lines.push('', `${section}:`);
        }
        const left = `  --${f.name}${f.value ? ' ' + f.value : ''}`;
        const help = f.help + (f.default ? ` (default: ${f.default})` : '');
        lines.push(left.length >= 38 ? `${left}\n${' '.repeat(38)}${help}` : `${left.padEnd(38)}${help}`);
    }
    lines.push(
        '',
        'Exit codes: 0 done, 2 bad flags, 3 inference backend unavailable, 4 chain / attestation / registration failure, 1 other.',
        'Keys: generated inside this process and kept in the state file (keep it on the TD\'s encrypted disk).',
    );
    return lines.join('\n');
}

export class UsageError extends Error {}

export type ParsedFlags = Map<string, string | true>;

export function parseFlags(argv: string[]): ParsedFlags {
    const known = new Map(FLAGS.map((f) => [f.name, f]));
    const out: ParsedFlags = new Map();
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
        const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
        const spec = known.get(name);
        if (!spec) throw new UsageError(`unknown flag --${name}`);
        if (out.has(name)) throw new UsageError(`--${name} given twice`);
        if (!spec.value) {
            if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
            out.set(name, true);
            continue;
        }
        const v = inline ?? argv[++i];
        if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`--${name} needs a value ${spec.value}`);
        out.set(name, v);
    }
    return out;
}

type Io = { out: (line: string) => void; err: (line: string) => void };

const str = (f: ParsedFlags, n: string) => {
    const v = f.get(n);
    return typeof v === 'string' ? v : undefined;
};

function int(f: ParsedFlags, n: string, dflt: number, min = 0): number {
    const v = str(f, n);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${n} must be an integer ≥ ${min}, got "${v}"`);
    return Number(v);
}

function tonAmount(f: ParsedFlags, n: string): bigint | undefined {
    const v = str(f, n);
    if (v === undefined) return undefined;
    if (!/^\d+(\.\d{1,9})?$/.test(v)) throw new UsageError(`--${n} must be an amount in TON such as 1.5, got "${v}"`);
    return toNano(v);
}

function hash256(v: string, n: string): bigint {
    const h = v.replace(/^0x/, '');
    if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new UsageError(`--${n} must be 64 hex digits`);
    return BigInt('0x' + h);
}

function readSecret(flags: ParsedFlags, env: NodeJS.ProcessEnv) {
    const file = str(flags, 'verifier-secret-file');
    const raw = (file ? readFileSync(file, 'utf8') : env.COCOON_VERIFIER_SECRET ?? '').trim().replace(/^0x/, '');
    if (!raw) return null;
    if (/^[0-9a-fA-F]{128}$/.test(raw)) return keyPairFromSecretKey(Buffer.from(raw, 'hex'));
    if (/^[0-9a-fA-F]{64}$/.test(raw)) return keyPairFromSeed(Buffer.from(raw, 'hex'));
    throw new UsageError('the verifier secret must be 128 hex digits (secret key) or 64 (seed)');
}

function makeBackend(flags: ParsedFlags, env: NodeJS.ProcessEnv): InferenceBackend {
    const kind = str(flags, 'backend') ?? 'embedded';
    const maxTokens = int(flags, 'max-tokens', 512, 1);
    if (kind === 'embedded') {
        if (flags.has('url')) throw new UsageError('--url is for --backend openai');
        return new EmbeddedBackend(str(flags, 'model') ?? EMBEDDED_MODEL);
    }
    if (kind !== 'openai') throw new UsageError(`--backend must be embedded or openai, got "${kind}"`);
    const url = str(flags, 'url');
    const model = str(flags, 'model');
    if (!url) throw new UsageError('--backend openai needs --url <http://host:port/v1>');
    if (!model) throw new UsageError('--backend openai needs --model <name>');
    if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--url must be an http(s) URL, got "${url}"`);
    return new OpenAIBackend({ url, model, apiKey: str(flags, 'backend-api-key') ?? env.OPENAI_API_KEY, maxTokens });
}

function parseListen(v: string): { host: string; port: number } {
    const m = /^(.*):(\d+)$/.exec(v);
    if (!m || Number(m[2]) > 65535) throw new UsageError(`--listen must be host:port, got "${v}"`);
    return { host: m[1].replace(/^\[(.*)\]$/, '$1') || '127.0.0.1', port: Number(m[2]) };
}

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: string[], io: Io = { out: console.log, err: console.error }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
    let flags: ParsedFlags;
    try {
        flags = parseFlags(argv);
    } catch (e) {
        io.err(`error: ${(e as Error).message}`);
        io.err('run with --help for the list of flags');
        return 2;
    }
    if (flags.has('help')) {
        io.out(usage());
        return 0;
    }
    const log: WorkerLog = consoleLog();
    let server: HttpEndpointServer | undefined;
    let worker: Worker | undefined;
    const abort = new AbortController();
    const onSignal = () => {
        log.info('stopping (signal): finishing the current pass');
        abort.abort();
    };
    try {
        const network = str(flags, 'network') ?? 'sandbox';
        if (network !== 'sandbox' && network !== 'testnet' && network !== 'mainnet') throw new UsageError(`--network must be sandbox, testnet or mainnet, got "${network}"`);
        const backend = makeBackend(flags, env);
        const modelHash = str(flags, 'model-hash') !== undefined ? hash256(str(flags, 'model-hash')!, 'model-hash') : bufferToBigint(createHash('sha256').update(backend.model).digest());
        const price = BigInt(int(flags, 'price', 1000, 1));
        const listen = parseListen(str(flags, 'listen') ?? '127.0.0.1:8787');
        const selfTest = flags.has('self-test') ? int(flags, 'self-test', 1, 1) : 0;
        if (selfTest && network !== 'sandbox') throw new UsageError('--self-test only runs on --network sandbox');
        const lifetime = int(flags, 'attestation-lifetime', 7 * 24 * 3600, 60);
        const statePath = str(flags, 'state') ?? 'worker-state.json';

        // The backend first: no point registering a provider that cannot serve.
        await backend.check();
        log.info(`inference backend ready: ${backend.name}${backend instanceof EmbeddedBackend ? ' (deterministic test backend, NOT a language model)' : ''}`);

        let chain: WorkerChain;
        let root: Address;
        let quotes: QuoteSource;
        let verifier: AttestationVerifierClient;
        let devnet: Awaited<ReturnType<typeof createDevnet>> | undefined;
        if (network === 'sandbox') {
            const verifierKeys = readSecret(flags, env) ?? keyPairFromSeed(randomBytes(32));
            devnet = await createDevnet({ models: [modelHash], template: sharedTemplateQuote(), verifier: verifierKeys });
            chain = new SandboxChain(devnet.blockchain, await devnet.blockchain.treasury('gpu-owner'));
            root = devnet.root.address;
            quotes = devnet.quotes;
            verifier = new LocalVerifier({ secretKey: verifierKeys.secretKey, lifetime, rootPublicKey: devnet.quotes.rootPublicKey });
            log.info(`sandbox devnet: root ${root.toString()} (genesis trusts the simulated policy, the model and a local verifier key)`);
        } else {
            const rootFlag = str(flags, 'root');
            if (!rootFlag) throw new UsageError(`--network ${network} needs --root <address>`);
            try {
                root = Address.parse(rootFlag);
            } catch {
                throw new UsageError(`--root is not an address: "${rootFlag}"`);
            }
            const mnemonicFile = str(flags, 'mnemonic-file');
            const words = (mnemonicFile ? readFileSync(mnemonicFile, 'utf8') : env.COCOON_WALLET_MNEMONIC ?? '').trim().split(/\s+/).filter(Boolean);
            if (words.length === 0) throw new UsageError('the owner wallet is needed: --mnemonic-file <file> or $COCOON_WALLET_MNEMONIC');
            const walletVersion = str(flags, 'wallet-version') ?? 'v5r1';
            if (walletVersion !== 'v4' && walletVersion !== 'v5r1') throw new UsageError('--wallet-version must be v4 or v5r1');
            chain = await NetworkChain.create({
                network,
                endpoint: str(flags, 'endpoint'),
                apiKey: str(flags, 'api-key') ?? env.TONCENTER_API_KEY,
                mnemonic: words,
                walletVersion,
            });
            quotes = await detectQuoteSource({ tsmPath: str(flags, 'tsm-path'), forceSimulated: flags.has('simulate-quote') });
            const v = str(flags, 'verifier') ?? 'local';
            if (v === 'local') {
                const keys = readSecret(flags, env);
                if (!keys) throw new UsageError('--verifier local needs the verifier key the root trusts: --verifier-secret-file or $COCOON_VERIFIER_SECRET');
                verifier = new LocalVerifier({
                    secretKey: keys.secretKey,
                    lifetime,
                    rootPublicKey: quotes instanceof SimulatedQuoteSource ? quotes.rootPublicKey : undefined,
                });
            } else {
                if (!/^https?:\/\//.test(v)) throw new UsageError(`--verifier must be local or an http(s) URL, got "${v}"`);
                verifier = new HttpVerifier(v);
            }
            log.info(`${network}: owner wallet ${chain.wallet.toString()} (${walletVersion}), root ${root.toString()}`);
        }
        if (quotes.kind === 'simulated') log.warn(`attestation is SIMULATED: ${quotes.describe()}`);

        const autoServe = true;
        const workerRef: { current?: Worker } = {};
        server = new HttpEndpointServer(
            {
                postRequest: (j, s, e) => workerRef.current!.postRequest(j, s, e),
                getResult: (j, s) => workerRef.current!.getResult(j, s),
                postReceipt: (j, r, f) => workerRef.current!.postReceipt(j, r, f),
                health: () => workerRef.current!.health(),
            },
            listen,
        );
        const url = await server.listen();
        const publicEndpoint = str(flags, 'public-endpoint') ?? url;
        if (Buffer.byteLength(publicEndpoint) > 127) throw new UsageError('the endpoint URL registered on chain must be at most 127 bytes');
        log.info(`endpoint: listening at ${url}${publicEndpoint !== url ? `, registered as ${publicEndpoint}` : ''}`);

        worker = await Worker.open({
            chain,
            root,
            backend,
            statePath,
            quotes,
            verifier,
            modelHash,
            registration: { stake: tonAmount(flags, 'stake'), price, endpoint: publicEndpoint },
            timing: { reattestMargin: int(flags, 'reattest-margin', 24 * 3600) },
            valueMargin: tonAmount(flags, 'value-margin') ?? (network === 'sandbox' ? 0n : toNano('0.01')),
            log,
            autoServe,
        });
        workerRef.current = worker;
        await worker.start();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const pollMs = int(flags, 'poll', network === 'sandbox' ? 500 : 2000, 10);
        if (flags.has('once')) {
            await worker.tick();
            return 0;
        }
        if (selfTest && devnet) {
            const loop = worker.run({ pollMs, signal: abort.signal });
            const ok = await runSelfTest(devnet, worker, url, selfTest, modelHash, price, log);
            abort.abort();
            await loop;
            return ok ? 0 : 1;
        }
        log.info('watching for jobs (Ctrl-C to stop)');
        await worker.run({ pollMs, signal: abort.signal });
        return 0;
    } catch (e) {
        const err = e as Error;
        if (env.COCOON_DEBUG) io.err(err.stack ?? String(err));
        io.err(`error: ${err.message}`);
        if (e instanceof UsageError) {
            io.err('run with --help for the list of flags');
            return 2;
        }
        if (e instanceof BackendError) return 3;
        if (e instanceof WorkerError || e instanceof QuoteError) return 4;
        return 1;
    } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        worker?.stop();
        await server?.close();
    }
}

/** Sandbox self-test: a client in this process uses the worker through its HTTP endpoint. */
async function runSelfTest(
    devnet: Awaited<ReturnType<typeof createDevnet>>,
    worker: Worker,
    url: string,
    n: number,
    modelHash: bigint,
    price: bigint,
    log: WorkerLog,
): Promise<boolean> {
    const wallet = await devnet.blockchain.treasury('self-test client');
    const endpoint = new HttpEndpoint(url);
    const client = new CocoonClient({
        chain: sandboxChain(devnet.blockchain),
        root: devnet.root.address,
        sender: wallet.getSender(),
        clientKeys: keyPairFromSeed(randomBytes(32)),
        endpointFor: () => endpoint,
        resultPollMs: 200,
    });
    const keys = await client.fetchProviderKeys(worker.providerAddress, { model: modelHash });
    const budget = (price * 20_000n > toNano('0.1') ? price * 20_000n : toNano('0.1'));
    const now = Math.floor(Date.now() / 1000);
    for (let i = 1; i <= n; i++) {
        const prepared = await client.prepareJob(keys, { messages: [{ role: 'user', content: `Self-test ${i}: summarize why prompts are encrypted to an attested key.` }] });
        const created = await client.createJob(prepared, { budget, deadline: now + 3600, modelHash });
        await client.deliverRequest(prepared, endpoint);
        const delivery = await client.fetchResult(prepared, { timeoutMs: 30_000, endpoint });
        const verified = await client.verifyResult(delivery, prepared);
        const result = client.openResult(delivery, prepared.resultKeys);
        await client.confirm(created.job);
        log.info(`self-test job ${i}/${n}: verified (${verified.usage} units) and confirmed: ${result.ok ? result.content.slice(0, 80) + '…' : result.error}`);
    }
    const session = await client.startSession(keys, { budget, deadline: now + 3600, modelHash });
    for (let i = 1; i <= n; i++) await session.request({ messages: [{ role: 'user', content: `Session request ${i}` }] });
    await session.finish();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
        const s = worker.snapshot();
        if (Object.values(s.jobs).every((j) => j.phase === 'done')) {
            log.info(`self-test passed: ${Object.keys(s.jobs).length} jobs settled, the owner earned ${fromNano(BigInt(s.totals.earned))} TON`);
            return true;
        }
        await new Promise((r) => setTimeout(r, 200));
    }
    log.error('self-test: jobs were not settled in time');
    return false;
}

if (require.main === module) {
    runCli(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`error: ${(e as Error).message}`);
            process.exit(1);
        },
    );
}
