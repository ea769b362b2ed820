import { Address, Cell } from '@ton/core';
import { AttestationError, requireUint32 } from './errors';
import { P256PublicKeyInput } from './p256';
import { checkReportData } from './reportdata';
import { StatementFields, signStatement } from './statement';
import { TdxQuoteVerification, verifyTdxQuote } from './verify';

/** Input of {@link attestQuote}. */
export interface AttestQuoteRequest {
    /** The raw TDX v4 quote produced by the provider's TD. */
    readonly quote: Buffer | Uint8Array;
    /** 32-byte ed25519 operator public key the TD claims. */
    readonly operatorKey: Buffer;
    /** 32-byte X25519 encryption public key the TD claims. */
    readonly encryptionKey: Buffer;
    /** The provider's owner address (bound in REPORTDATA and in the statement). */
    readonly owner: Address;
    /** The protocol root contract the statement is for. */
    readonly root: Address;
    /** Statement issue time, unix seconds (uint32). */
    readonly issuedAt: number;
    /** Statement lifetime in seconds; must be positive and keep expires_at within uint32. */
    readonly lifetime: number;
    /** The verifier's 64-byte ed25519 secret key (@ton/crypto format). */
    readonly verifierSecretKey: Buffer;
    /** Quote trust settings. */
    readonly trust?: {
        /** Pinned root key of the PCK chain. Default: Intel SGX Root CA. */
        readonly rootPublicKey?: P256PublicKeyInput;
        /** When given, only these measurement policy hashes are attested (`POLICY_NOT_ALLOWED`). */
        readonly allowedPolicyHashes?: Iterable<Buffer | string>;
    };
    /** Time at which certificate validity is evaluated. Default: the current time. */
    readonly now?: Date;
}

/** Output of {@link attestQuote}. */
export interface AttestQuoteResult {
    /** The `signed_statement` cell to put in `register_provider` / `reattest_provider`. */
    readonly signedStatement: Cell;
    /** The statement that was signed. */
    readonly statement: StatementFields;
    /** The quote's 32-byte measurement policy hash (also in the statement). */
    readonly policyHash: Buffer;
    /** The full quote verification result. */
    readonly verification: TdxQuoteVerification;
}

/**
 * The attestation-verifier service: turns a provider's TDX quote into a signed statement.
 *
 * 1. refuses a lifetime that is not a positive integer or that overflows uint32 expires_at
 *    (`BAD_LIFETIME`), and an issuedAt outside uint32 (`BAD_ARGUMENT`);
 * 2. verifies the quote under `trust` ({@link verifyTdxQuote}; all its error codes);
 * 3. checks REPORTDATA binds exactly `operatorKey`, `encryptionKey` and `owner`
 *    (`REPORTDATA_MISMATCH`);
 * 4. signs `attestation_statement{issuedAt, issuedAt + lifetime, policy hash, keys, root, owner}`.
 *
 * @throws AttestationError
 */
export function attestQuote(req: AttestQuoteRequest): AttestQuoteResult {
    const issuedAt = requireUint32(req.issuedAt, 'issuedAt');
    if (typeof req.lifetime !== 'number' || !Number.isSafeInteger(req.lifetime) || req.lifetime <= 0) {
        throw new AttestationError('BAD_LIFETIME', `lifetime must be a positive integer number of seconds, got ${String(req.lifetime)}`);
    }
    const expiresAt = issuedAt + req.lifetime;
    if (expiresAt > 0xffffffff) {
        throw new AttestationError('BAD_LIFETIME', `issuedAt + lifetime = ${expiresAt} overflows uint32`);
    }

    const verification = verifyTdxQuote(req.quote, {
        rootPublicKey: req.trust?.rootPublicKey,
        allowedPolicyHashes: req.trust?.allowedPolicyHashes,
        now: req.now,
    });
    checkReportData(verification.reportData, req.operatorKey, req.encryptionKey, req.owner);

    const statement: StatementFields = {
        issuedAt,
        expiresAt,
        policyHash: verification.policyHash,
        operatorKey: Buffer.from(req.operatorKey),
        encryptionKey: Buffer.from(req.encryptionKey),
        root: req.root,
        owner: req.owner,
    };
    const signedStatement = signStatement(statement, req.verifierSecretKey);
    return { signedStatement, statement, policyHash: verification.policyHash, verification };
}
