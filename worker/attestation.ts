/**
 * How the worker proves where its keys live.
 *
 * 1. Its REPORTDATA binds the operator key, the encryption key and the owner
 *    (attestation/reportdata.ts, SPEC §6.3).
 * 2. A quote over that REPORTDATA comes from
 *    - Linux configfs-tsm (`/sys/kernel/config/tsm/report`) inside a TDX guest: a real quote;
 *    - otherwise a SIMULATED quote signed by a local test CA (attestation/simulated.ts),
 *      announced as such in every log line that mentions it.
 * 3. An attestation verifier whose key the root trusts checks the quote and signs a
 *    statement (attestation/verifier.ts): in process with a key (`LocalVerifier`), or a
 *    verifier service over HTTP (`HttpVerifier`).
 */
import { Address, Cell } from '@ton/core';
import { randomBytes } from 'crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmdirSync, writeFileSync } from 'fs';
import path from 'path';
import {
    attestQuote,
    buildReportData,
    createSimulatedTdxCa,
    createSimulatedTdxQuote,
    parseSignedStatement,
    parseTdxQuote,
    ParsedSignedStatement,
    PolicyMeasurements,
    SimulatedTdxCa,
    SIMULATED_ROOT_CA_NAME,
} from '../attestation';
import { WorkerKeys } from './keys';

export const CONFIGFS_TSM_REPORT = '/sys/kernel/config/tsm/report';

export interface QuoteSource {
    readonly kind: 'configfs-tsm' | 'simulated';
    /** A human description, e.g. "SIMULATED quote (local test CA, NOT INTEL)". */
    describe(): string;
    /** A TDX quote whose REPORTDATA is exactly `reportData` (64 bytes). */
    getQuote(reportData: Buffer): Promise<Buffer>;
}

export class QuoteError extends Error {}

/**
 * A real TDX quote through configfs-tsm (Linux ≥ 6.7, a TDX guest with the tdx_guest driver):
 * creates its own report entry, checks the provider is `tdx_guest`, writes the 64-byte inblob,
 * reads the outblob, and compares the `generation` counter before and after so that a
 * concurrent writer to the same entry cannot slip another inblob in (it retries then).
 * Not exercised by the tests (no TDX hardware here).
 */
export class ConfigfsTsmQuoteSource implements QuoteSource {
    readonly kind = 'configfs-tsm' as const;

    constructor(
        readonly reportDir: string = CONFIGFS_TSM_REPORT,
        private readonly attempts = 3,
    ) {}

    static available(reportDir: string = CONFIGFS_TSM_REPORT): boolean {
        return process.platform === 'linux' && existsSync(reportDir);
    }

    describe(): string {
        return `TDX quote via configfs-tsm (${this.reportDir})`;
    }

    async getQuote(reportData: Buffer): Promise<Buffer> {
        if (reportData.length !== 64) throw new QuoteError('REPORTDATA must be 64 bytes');
        const entry = path.join(this.reportDir, `cocoon-${process.pid}-${randomBytes(4).toString('hex')}`);
        try {
            mkdirSync(entry);
        } catch (e) {
            throw new QuoteError(`cannot create ${entry} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): is configfs mounted and are we root?`);
        }
        try {
            const provider = readFileSync(path.join(entry, 'provider'), 'utf8').trim();
            if (provider !== 'tdx_guest') throw new QuoteError(`configfs-tsm provider is "${provider}", not tdx_guest: not a TDX guest`);
            for (let attempt = 1; attempt <= this.attempts; attempt++) {
                writeFileSync(path.join(entry, 'inblob'), reportData);
                const before = this.generation(entry);
                let quote: Buffer;
                try {
                    quote = readToEnd(path.join(entry, 'outblob'));
                } catch (e) {
                    const code = (e as NodeJS.ErrnoException).code;
                    if ((code === 'EBUSY' || code === 'EAGAIN') && attempt < this.attempts) continue;
                    throw new QuoteError(`reading ${entry}/outblob failed (${code ?? (e as Error).message})`);
                }
                if (this.generation(entry) !== before) continue; // someone else wrote the entry meanwhile
                if (quote.length === 0) throw new QuoteError('configfs-tsm returned an empty quote');
                const parsed = parseTdxQuote(quote);
                if (!parsed.body.reportData.equals(reportData)) {
                    throw new QuoteError('the quote does not carry the REPORTDATA that was written');
                }
                return quote;
            }
            throw new QuoteError(`the configfs-tsm entry kept changing under us (${this.attempts} attempts)`);
        } finally {
            try {
                rmdirSync(entry);
            } catch {
                // the kernel removes nothing by itself, but a failed rmdir must not hide the real error
            }
        }
    }

    private generation(entry: string): number {
        return Number.parseInt(readFileSync(path.join(entry, 'generation'), 'utf8').trim(), 10);
    }
}

/** Reads a file until EOF, whatever size stat reports (configfs binary attributes report none). */
function readToEnd(file: string): Buffer {
    const fd = openSync(file, 'r');
    try {
        const chunks: Buffer[] = [];
        for (;;) {
            const chunk = Buffer.alloc(64 * 1024);
            const n = readSync(fd, chunk, 0, chunk.length, null);
            if (n === 0) break;
            chunks.push(chunk.subarray(0, n));
        }
        return Buffer.concat(chunks);
    } finally {
        closeSync(fd);
    }
}

/** SIMULATED quotes from a local test CA: never Intel, only accepted by a verifier that pins this CA. */
export class SimulatedQuoteSource implements QuoteSource {
    readonly kind = 'simulated' as const;

    private constructor(
        readonly ca: SimulatedTdxCa,
        private readonly template?: Buffer,
        private readonly measurements?: Partial<PolicyMeasurements>,
    ) {}

    /**
     * @param template a real quote whose measurements (TD attributes, MRTD, RTMRs) are copied,
     *   so that the simulated quote hashes to the same policy as the real image.
     */
    static async create(opts: { ca?: SimulatedTdxCa; template?: Buffer; measurements?: Partial<PolicyMeasurements>; now?: Date } = {}) {
        return new SimulatedQuoteSource(opts.ca ?? (await createSimulatedTdxCa({ now: opts.now })), opts.template, opts.measurements);
    }

    describe(): string {
        return `SIMULATED quote (signed by "${SIMULATED_ROOT_CA_NAME}", NOT Intel; no TDX hardware)`;
    }

    /** The test CA's root key: a verifier must pin it to accept these quotes. */
    get rootPublicKey(): Buffer {
        return this.ca.rootPublicKey;
    }

    async getQuote(reportData: Buffer): Promise<Buffer> {
        return createSimulatedTdxQuote(this.ca, { reportData, template: this.template, measurements: this.measurements });
    }
}

/** configfs-tsm when present (Linux, TDX guest), else a simulated quote. */
export async function detectQuoteSource(opts: {
    tsmPath?: string;
    forceSimulated?: boolean;
    template?: Buffer;
    now?: Date;
}): Promise<QuoteSource> {
    const dir = opts.tsmPath ?? CONFIGFS_TSM_REPORT;
    if (!opts.forceSimulated && ConfigfsTsmQuoteSource.available(dir)) return new ConfigfsTsmQuoteSource(dir);
    return SimulatedQuoteSource.create({ template: opts.template, now: opts.now });
}

// ---- attestation verifiers ----

export type AttestationRequest = {
    quote: Buffer;
    operatorKey: Buffer;
    encryptionKey: Buffer;
    owner: Address;
    root: Address;
    /** Unix time (chain time): the statement's issued_at. */
    now: number;
};

export interface AttestationVerifierClient {
    readonly name: string;
    /** A signed_statement cell for the request, or an error. */
    attest(req: AttestationRequest): Promise<Cell>;
}

/** The verifier logic in process, with its ed25519 secret key (dev, tests, a verifier you operate). */
export class LocalVerifier implements AttestationVerifierClient {
    readonly name = 'local verifier';

    constructor(
        private readonly opts: {
            secretKey: Buffer;
            /** Statement lifetime, seconds (≤ the root's attestation_max_age). */
            lifetime: number;
            /** Pinned root of the PCK chain: the simulated CA's for simulated quotes; default Intel's. */
            rootPublicKey?: Buffer;
        },
    ) {}

    async attest(req: AttestationRequest): Promise<Cell> {
        return attestQuote({
            quote: req.quote,
            operatorKey: req.operatorKey,
            encryptionKey: req.encryptionKey,
            owner: req.owner,
            root: req.root,
            issuedAt: req.now,
            lifetime: this.opts.lifetime,
            verifierSecretKey: this.opts.secretKey,
            trust: this.opts.rootPublicKey ? { rootPublicKey: this.opts.rootPublicKey } : undefined,
            now: new Date(req.now * 1000),
        }).signedStatement;
    }
}

/**
 * A verifier service over HTTP: POST {url} with
 * {quote (base64), operator_key, encryption_key (hex), owner, root (raw addresses), issued_at}
 * → {signed_statement: BoC base64}.
 */
export class HttpVerifier implements AttestationVerifierClient {
    readonly name: string;

    constructor(private readonly url: string) {
        this.name = `verifier at ${url}`;
    }

    async attest(req: AttestationRequest): Promise<Cell> {
        let res: Response;
        try {
            res = await fetch(this.url, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({
                    quote: req.quote.toString('base64'),
                    operator_key: req.operatorKey.toString('hex'),
                    encryption_key: req.encryptionKey.toString('hex'),
                    owner: req.owner.toRawString(),
                    root: req.root.toRawString(),
                    issued_at: req.now,
                }),
                signal: AbortSignal.timeout(60_000),
            });
        } catch (e) {
            throw new QuoteError(`the attestation verifier at ${this.url} is unreachable (${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message})`);
        }
        const text = await res.text();
        if (!res.ok) throw new QuoteError(`the attestation verifier refused the quote: HTTP ${res.status} ${text.slice(0, 300)}`);
        const j = JSON.parse(text) as { signed_statement?: string };
        if (typeof j.signed_statement !== 'string') throw new QuoteError('the attestation verifier returned no signed_statement');
        return Cell.fromBoc(Buffer.from(j.signed_statement, 'base64'))[0];
    }
}

/**
 * Quote → verifier → signed statement, checking on the way that the quote carries our
 * REPORTDATA and that the statement binds our keys, owner and root.
 */
export async function obtainStatement(opts: {
    keys: WorkerKeys;
    owner: Address;
    root: Address;
    now: number;
    quotes: QuoteSource;
    verifier: AttestationVerifierClient;
}): Promise<{ signedStatement: Cell; statement: ParsedSignedStatement }> {
    const { keys, owner, root } = opts;
    const reportData = buildReportData(keys.operator.publicKey, keys.encryption.publicKey, owner);
    const quote = await opts.quotes.getQuote(reportData);
    if (!parseTdxQuote(quote).body.reportData.equals(reportData)) throw new QuoteError('the quote does not carry our REPORTDATA');
    const signedStatement = await opts.verifier.attest({
        quote,
        operatorKey: keys.operator.publicKey,
        encryptionKey: keys.encryption.publicKey,
        owner,
        root,
        now: opts.now,
    });
    const statement = parseSignedStatement(signedStatement);
    const s = statement.statement;
    if (!s.operatorKey.equals(keys.operator.publicKey) || !s.encryptionKey.equals(keys.encryption.publicKey) || !s.owner.equals(owner) || !s.root.equals(root)) {
        throw new QuoteError('the verifier signed a statement for other keys, owner or root');
    }
    return { signedStatement, statement };
}
