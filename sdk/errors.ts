/**
 * Typed errors of the client SDK. Every error carries a stable `code` so that
 * callers (and tests) can tell which check failed without parsing messages.
 */

/** Base class of every SDK error. */
export class CocoonError extends Error {
    constructor(
        readonly code: string,
        message: string,
        options?: { cause?: unknown },
    ) {
        super(message, options);
        this.name = new.target.name;
    }
}

/** Why an envelope was refused. */
export type EnvelopeErrorCode =
    /** Not a canonical v1 envelope (magic, version, lengths, trailing bytes). */
    | 'MALFORMED_ENVELOPE'
    /** A prompt envelope where a result was expected, or the reverse. */
    | 'WRONG_ENVELOPE_KIND'
    /** A key that is not 32 bytes, or a low-order X25519 point. */
    | 'BAD_KEY'
    /**
     * The Poly1305 tag did not verify: the ciphertext or header was tampered with, or the
     * envelope was sealed to another key, another job address or another request number.
     * These cases are indistinguishable by design.
     */
    | 'DECRYPTION_FAILED'
    /** Plaintext above MAX_PLAINTEXT_BYTES. */
    | 'TOO_LARGE';

export class EnvelopeError extends CocoonError {
    constructor(
        readonly code: EnvelopeErrorCode,
        message: string,
        options?: { cause?: unknown },
    ) {
        super(code, message, options);
    }
}

/** Which provider-key check failed (fetchProviderKeys). */
export type ProviderKeyCheck =
    /** No provider contract, or one that never registered (uninit). */
    | 'PROVIDER_NOT_REGISTERED'
    /** Registered but jailed, unbonding or exited: it accepts no job. */
    | 'PROVIDER_NOT_ACTIVE'
    /** Its policy, verifier key or model was revoked by governance and a keeper told it. */
    | 'PROVIDER_REVOKED'
    /** Slashed for equivocation: never eligible again. */
    | 'PROVIDER_TOMBSTONED'
    /** The attestation's measurement policy is not (any more) on the root's allowlist. */
    | 'POLICY_NOT_ALLOWED'
    /** The verifier key that vouched for the attestation is not (any more) trusted by the root. */
    | 'VERIFIER_NOT_TRUSTED'
    /** The attestation has expired (now ≥ expires_at). */
    | 'ATTESTATION_EXPIRED'
    /** The attestation expires before the time the caller needs it for (the job's deadline). */
    | 'ATTESTATION_EXPIRES_TOO_SOON'
    /** The provider does not serve the requested model. */
    | 'MODEL_NOT_SERVED'
    /** The requested model is not (any more) on the root's allowlist. */
    | 'MODEL_NOT_ALLOWED'
    /** The provider's own eligibility getter disagrees (a condition not covered above). */
    | 'PROVIDER_NOT_ELIGIBLE';

export class ProviderKeyError extends CocoonError {
    constructor(
        readonly check: ProviderKeyCheck,
        message: string,
    ) {
        super(check, message);
    }
}

/** Why a delivered result was refused (verifyDeliveredResult / checkSignedResult). */
export type ResultCheck =
    /** The signed result is not a canonical signed_result cell, or is for another job / request. */
    | 'MALFORMED_RESULT'
    | 'WRONG_JOB'
    /** The envelope's commitment differs from the signed one or from the job's on-chain commitment. */
    | 'COMMITMENT_MISMATCH'
    /** The usage in the signed result differs from the job's on-chain usage. */
    | 'USAGE_MISMATCH'
    /** The signature does not verify under the job's operator key. */
    | 'BAD_OPERATOR_SIGNATURE'
    /** The job's operator key is not the attested key the client expected. */
    | 'OPERATOR_KEY_MISMATCH'
    /** The job holds no result (not submitted yet, cancelled, expired...). */
    | 'NO_RESULT_ON_CHAIN';

export class ResultVerificationError extends CocoonError {
    constructor(
        readonly check: ResultCheck,
        message: string,
    ) {
        super(check, message);
    }
}

/** A job that did not reach the state the caller waited for. */
export class JobStateError extends CocoonError {
    constructor(
        code: 'JOB_REJECTED' | 'JOB_NOT_ACCEPTED' | 'JOB_WRONG_STATE' | 'TIMEOUT',
        message: string,
        readonly state?: number,
    ) {
        super(code, message);
    }
}

/** An off-chain endpoint call that failed (HTTP status, or the worker's refusal). */
export class EndpointError extends CocoonError {
    constructor(
        code: string,
        message: string,
        readonly status: number = 500,
        options?: { cause?: unknown },
    ) {
        super(code, message, options);
    }
}
