/**
 * Typed errors of the attestation toolkit.
 *
 * Every failure raised by this module is an {@link AttestationError} whose `code` is one of the
 * stable strings below. Callers (the verifier service, the worker, tests) branch on `code`,
 * never on `message`, which is free-form diagnostics.
 */

/** Stable error codes, grouped by the stage that raises them. */
export const ATTESTATION_ERROR_CODES = [
    // Quote structure (parseTdxQuote).
    'QUOTE_TRUNCATED', // the buffer ends before a field the lengths require
    'BAD_VERSION', // header version is not 4
    'BAD_KEY_TYPE', // attestation key type is not 2 (ECDSA-256 with P-256)
    'BAD_TEE_TYPE', // TEE type is not 0x81 (TDX)
    'BAD_CERT_DATA_TYPE', // certification data type is not 6 (outer) / 5 (inner PEM chain)
    'LENGTH_MISMATCH', // a nested length field disagrees with its container
    'TRAILING_DATA', // non-zero bytes after the signature data
    'BAD_CERT_CHAIN_ENCODING', // the PCK chain is not a canonical sequence of PEM certificates
    // Quote verification (verifyTdxQuote).
    'BAD_CERTIFICATE', // a certificate of the chain cannot be decoded
    'BAD_PCK_CHAIN', // chain linkage, signatures, CA constraints or key types are wrong
    'UNTRUSTED_ROOT', // the chain's root key is not the pinned root key
    'CERT_EXPIRED', // a certificate of the chain is past its notAfter
    'CERT_NOT_YET_VALID', // a certificate of the chain is before its notBefore
    'BAD_ROOT_KEY', // the pinned root key given by the caller is not a P-256 public key
    'BAD_QE_REPORT_SIGNATURE', // the QE report is not signed by the PCK certificate key
    'BAD_QE_REPORT_DATA', // the QE report does not bind the attestation key and QE auth data
    'BAD_ATTESTATION_KEY', // the attestation key is not a valid P-256 point
    'BAD_QUOTE_SIGNATURE', // header + TD report body not signed by the attestation key
    'DEBUG_TD', // the TD runs in debug mode (TDATTRIBUTES bit 0)
    'POLICY_NOT_ALLOWED', // the measurement policy hash is not in the caller's allowlist
    // Key binding (reportdata.ts).
    'REPORTDATA_MISMATCH', // REPORTDATA does not bind the operator/encryption keys and owner
    // Statements (statement.ts, verifier.ts).
    'BAD_LIFETIME', // statement lifetime is zero, negative or overflows uint32
    'BAD_STATEMENT', // the cell does not decode as a SignedStatement
    'NON_CANONICAL_STATEMENT', // the cell decodes but is not the canonical encoding
    'BAD_VERIFIER_KEY', // the verifier secret key is malformed
    'UNTRUSTED_VERIFIER_KEY', // the statement is signed by a key outside the trusted set
    'BAD_STATEMENT_SIGNATURE', // the ed25519 signature does not verify
    'STATEMENT_NOT_YET_VALID', // now < issued_at
    'STATEMENT_EXPIRED', // now >= expires_at
    // Generic input validation.
    'BAD_ARGUMENT', // a caller-supplied value has the wrong length, type or range
] as const;

/** One of {@link ATTESTATION_ERROR_CODES}. */
export type AttestationErrorCode = (typeof ATTESTATION_ERROR_CODES)[number];

/** The single error type thrown by the attestation toolkit. */
export class AttestationError extends Error {
    /** Stable, machine-readable reason. */
    readonly code: AttestationErrorCode;

    constructor(code: AttestationErrorCode, message: string, options?: { cause?: unknown }) {
        super(`${code}: ${message}`, options);
        this.name = 'AttestationError';
        this.code = code;
    }
}

/** True when `e` is an {@link AttestationError} (optionally with the given code). */
export function isAttestationError(e: unknown, code?: AttestationErrorCode): e is AttestationError {
    return e instanceof AttestationError && (code === undefined || e.code === code);
}

/** Throws `BAD_ARGUMENT` unless `value` is a Buffer/Uint8Array of exactly `length` bytes. */
export function requireBytes(value: unknown, length: number, what: string): Buffer {
    if (!(value instanceof Uint8Array)) {
        throw new AttestationError('BAD_ARGUMENT', `${what} must be a Buffer of ${length} bytes`);
    }
    if (value.length !== length) {
        throw new AttestationError('BAD_ARGUMENT', `${what} must be ${length} bytes, got ${value.length}`);
    }
    return Buffer.from(value);
}

/** Throws `BAD_ARGUMENT` unless `value` is an integer in [0, 2^32). */
export function requireUint32(value: unknown, what: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 0xffffffff) {
        throw new AttestationError('BAD_ARGUMENT', `${what} must be an integer in [0, 2^32), got ${String(value)}`);
    }
    return value;
}
