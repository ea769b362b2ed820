import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Address } from '@ton/core';
import { AttestationError, AttestationErrorCode } from '../../attestation';

const QUOTE_FILE = 'tdx-quote-v4.dat';

/**
 * Where the real Intel TDX quote is expected: `$COCOON_SHARED_TESTDATA` (the testdata directory or
 * the quote file itself) or `<repo>/../shared/testdata/tdx-quote-v4.dat`.
 */
export function realQuotePath(): string {
    const env = process.env.COCOON_SHARED_TESTDATA;
    if (env) {
        const p = path.resolve(env);
        const isFile = existsSync(p) ? statSync(p).isFile() : path.extname(p) !== '';
        return isFile ? p : path.join(p, QUOTE_FILE);
    }
    return path.resolve(__dirname, '../../../shared/testdata', QUOTE_FILE);
}

/** The real quote bytes, or undefined (with a warning naming the path) when the file is absent. */
export function loadRealQuote(): Buffer | undefined {
    const p = realQuotePath();
    if (!existsSync(p)) {
        console.warn(`[attestation tests] real TDX quote not found at ${p}: tests that need it are skipped`);
        return undefined;
    }
    return readFileSync(p);
}

/**
 * `describe` for tests that need the real quote: runs them with the quote, or skips them (and
 * only them) with a warning when the file is absent. `quote()` is only valid inside hooks/tests.
 */
export function describeWithRealQuote(name: string, body: (quote: () => Buffer) => void): void {
    const q = loadRealQuote();
    const get = () => {
        if (!q) throw new Error('real quote not available');
        return Buffer.from(q);
    };
    (q ? describe : describe.skip)(q ? name : `${name} (skipped: ${realQuotePath()} is missing)`, () => body(get));
}

/** Runs `fn` and asserts it throws an AttestationError whose code is `code` (or one of `code`). */
export function expectCode(fn: () => unknown, code: AttestationErrorCode | readonly AttestationErrorCode[]): AttestationError {
    const allowed: readonly AttestationErrorCode[] = typeof code === 'string' ? [code] : code;
    let thrown: unknown;
    try {
        fn();
    } catch (e) {
        thrown = e;
    }
    if (thrown === undefined) {
        throw new Error(`expected an AttestationError ${allowed.join(' | ')}, but nothing was thrown`);
    }
    if (!(thrown instanceof AttestationError)) {
        throw new Error(`expected an AttestationError ${allowed.join(' | ')}, got ${String(thrown)}`);
    }
    if (!allowed.includes(thrown.code)) {
        throw new Error(`expected ${allowed.join(' | ')}, got ${thrown.message}`);
    }
    return thrown;
}

/** A copy of `buf` with bit `bit` (0 = least significant) of byte `offset` flipped. */
export function flipBit(buf: Buffer, offset: number, bit: number): Buffer {
    const out = Buffer.from(buf);
    out[offset] ^= 1 << bit;
    return out;
}

/** Deterministic 32-byte test key material. */
export function bytes32(fill: number): Buffer {
    return Buffer.alloc(32, fill);
}

/** A basechain test address whose account id is `fill` repeated. */
export function testAddress(fill: number, workchain = 0): Address {
    return new Address(workchain, Buffer.alloc(32, fill));
}

/** A named byte range of a quote and the error codes a single-bit flip inside it may cause. */
export interface QuoteRegion {
    readonly name: string;
    readonly start: number;
    readonly end: number;
    readonly codes: readonly AttestationErrorCode[];
}

const STRUCTURE: readonly AttestationErrorCode[] = ['LENGTH_MISMATCH', 'QUOTE_TRUNCATED', 'BAD_CERT_DATA_TYPE', 'BAD_CERT_CHAIN_ENCODING'];

/**
 * The regions of a v4 quote with `authLen` bytes of QE auth data, `chainLen` bytes of PEM chain and
 * `padding` trailing zero bytes, each with the codes a bit flip there must produce.
 */
export function quoteRegions(authLen: number, chainLen: number, padding: number): QuoteRegion[] {
    const regions: QuoteRegion[] = [];
    let at = 0;
    const add = (name: string, size: number, codes: readonly AttestationErrorCode[]) => {
        regions.push({ name, start: at, end: at + size, codes });
        at += size;
    };
    add('header.version', 2, ['BAD_VERSION']);
    add('header.attestationKeyType', 2, ['BAD_KEY_TYPE']);
    add('header.teeType', 4, ['BAD_TEE_TYPE']);
    add('header (svns, QE vendor id, user data)', 40, ['BAD_QUOTE_SIGNATURE']);
    add('TD report body', 584, ['BAD_QUOTE_SIGNATURE']);
    add('signature data length', 4, STRUCTURE);
    add('quote signature', 64, ['BAD_QUOTE_SIGNATURE']);
    add('attestation key', 64, ['BAD_QE_REPORT_DATA']);
    add('certification data type', 2, ['BAD_CERT_DATA_TYPE']);
    add('certification data size', 4, STRUCTURE);
    add('QE report', 384, ['BAD_QE_REPORT_SIGNATURE']);
    add('QE report signature', 64, ['BAD_QE_REPORT_SIGNATURE']);
    add('QE auth data size', 2, STRUCTURE);
    add('QE auth data', authLen, ['BAD_QE_REPORT_DATA']);
    add('PCK certification data type', 2, ['BAD_CERT_DATA_TYPE']);
    add('PCK certification data size', 4, STRUCTURE);
    add('PCK certificate chain', chainLen, ['BAD_CERT_CHAIN_ENCODING', 'BAD_CERTIFICATE', 'BAD_PCK_CHAIN']);
    add('trailing padding', padding, ['TRAILING_DATA']);
    return regions;
}
