import { createHash } from 'node:crypto';
import { AttestationError } from './errors';
import { INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX } from './intel';
import { TD_ATTRIBUTES_DEBUG_BIT } from './layout';
import { P256PublicKeyInput, normalizeP256PublicKey, p256KeyFromRaw, verifyP256 } from './p256';
import { VerifiedPckChain, verifyPckChain } from './pck';
import { PolicyMeasurements, measurementPolicyHash, policyMeasurementsOf } from './policy';
import { ParsedTdxQuote, parseTdxQuote } from './quote';

/** Options of {@link verifyTdxQuote}. */
export interface VerifyTdxQuoteOptions {
    /**
     * The trusted root public key the PCK chain must end in (raw P-256 point, SPKI DER/PEM or
     * KeyObject). Default: Intel SGX Root CA ({@link INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX}).
     */
    readonly rootPublicKey?: P256PublicKeyInput;
    /** Time at which certificate validity is evaluated. Default: the current time. */
    readonly now?: Date;
    /**
     * When given, the quote's measurement policy hash must be one of these (32-byte Buffers or
     * 64-character hex strings), otherwise `POLICY_NOT_ALLOWED`.
     */
    readonly allowedPolicyHashes?: Iterable<Buffer | string>;
}

/** The checks {@link verifyTdxQuote} performs, in order. */
export type QuoteCheck =
    | 'pckChain'
    | 'rootPinned'
    | 'certificateValidity'
    | 'qeReportSignature'
    | 'qeReportData'
    | 'quoteSignature'
    | 'debugDisabled'
    | 'policyAllowed';

/** A quote that passed every check. */
export interface TdxQuoteVerification {
    readonly quote: ParsedTdxQuote;
    /** The verified PCK chain (leaf, intermediate, root). */
    readonly pckChain: VerifiedPckChain;
    /** The measurements the policy hash is computed from. */
    readonly measurements: PolicyMeasurements;
    /** {@link measurementPolicyHash} of the quote, 32 bytes. */
    readonly policyHash: Buffer;
    /** The 64-byte REPORTDATA of the TD (attested, but not interpreted here). */
    readonly reportData: Buffer;
    /** The checks that passed, in the order they were made. */
    readonly checks: readonly QuoteCheck[];
}

/**
 * Verifies an Intel TDX DCAP v4 quote and returns its measurement policy hash.
 *
 * Trust flows from the pinned root down to the TD, and the checks run in that order:
 * 1. PCK chain: leaf ← PCK CA ← self-signed root, CA constraints (`BAD_CERTIFICATE`,
 *    `BAD_PCK_CHAIN`); root key equal to the pinned key (`UNTRUSTED_ROOT`); validity periods at
 *    `now` (`CERT_NOT_YET_VALID`, `CERT_EXPIRED`);
 * 2. the QE report (384 bytes) is signed by the PCK certificate key (`BAD_QE_REPORT_SIGNATURE`);
 * 3. QE report data[0..32) = SHA-256(attestation key || QE auth data) and data[32..64) = 0
 *    (`BAD_QE_REPORT_DATA`);
 * 4. the quote signature by the attestation key over bytes [0, 632), header + TD report body
 *    (`BAD_ATTESTATION_KEY`, `BAD_QUOTE_SIGNATURE`);
 * 5. policy: TDATTRIBUTES bit 0 (DEBUG) is clear (`DEBUG_TD`), and, if an allowlist is given,
 *    the policy hash is on it (`POLICY_NOT_ALLOWED`).
 *
 * Structural errors come from {@link parseTdxQuote}. Not evaluated (they need Intel PCS
 * collateral): PCK CRLs, TCB info status, QE identity. ECDSA is ECDSA P-256 with SHA-256 from
 * node:crypto (raw r||s signatures, `dsaEncoding: 'ieee-p1363'`).
 *
 * @throws AttestationError
 */
export function verifyTdxQuote(quote: Buffer | Uint8Array, opts: VerifyTdxQuoteOptions = {}): TdxQuoteVerification {
    const pinned = normalizeP256PublicKey(
        opts.rootPublicKey ?? INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX,
        'BAD_ROOT_KEY',
        'pinned root key',
    );
    const now = opts.now ?? new Date();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
        throw new AttestationError('BAD_ARGUMENT', 'now must be a valid Date');
    }
    const allowed = opts.allowedPolicyHashes === undefined ? undefined : policySet(opts.allowedPolicyHashes);

    const q = parseTdxQuote(quote);
    const checks: QuoteCheck[] = [];

    const pckChain = verifyPckChain(q.certificates, pinned, now);
    checks.push('pckChain', 'rootPinned', 'certificateValidity');

    if (!verifyP256(q.qeReport.raw, q.qeReportSignature, pckChain.pckKey)) {
        throw new AttestationError('BAD_QE_REPORT_SIGNATURE', 'the QE report is not signed by the PCK certificate key');
    }
    checks.push('qeReportSignature');

    const binding = createHash('sha256').update(q.attestationKey).update(q.qeAuthData).digest();
    if (!q.qeReport.reportData.subarray(0, 32).equals(binding)) {
        throw new AttestationError('BAD_QE_REPORT_DATA', 'QE report data does not bind the attestation key and QE auth data');
    }
    if (!q.qeReport.reportData.subarray(32).equals(Buffer.alloc(32))) {
        throw new AttestationError('BAD_QE_REPORT_DATA', 'QE report data bytes 32..64 are not zero');
    }
    checks.push('qeReportData');

    const attestationKey = p256KeyFromRaw(q.attestationKey, 'BAD_ATTESTATION_KEY', 'attestation key');
    if (!verifyP256(q.signedRegion, q.signature, attestationKey)) {
        throw new AttestationError('BAD_QUOTE_SIGNATURE', 'header + TD report body are not signed by the attestation key');
    }
    checks.push('quoteSignature');

    if ((q.body.tdAttributes[0] & TD_ATTRIBUTES_DEBUG_BIT) !== 0) {
        throw new AttestationError('DEBUG_TD', `TD attributes ${q.body.tdAttributes.toString('hex')} have the DEBUG bit set`);
    }
    checks.push('debugDisabled');

    const measurements = policyMeasurementsOf(q.body);
    const policyHash = measurementPolicyHash(measurements);
    if (allowed !== undefined) {
        if (!allowed.has(policyHash.toString('hex'))) {
            throw new AttestationError('POLICY_NOT_ALLOWED', `policy hash ${policyHash.toString('hex')} is not allowlisted`);
        }
        checks.push('policyAllowed');
    }

    return { quote: q, pckChain, measurements, policyHash, reportData: q.body.reportData, checks };
}

function policySet(hashes: Iterable<Buffer | string>): Set<string> {
    const out = new Set<string>();
    for (const h of hashes) {
        const hex = typeof h === 'string' ? h.toLowerCase() : Buffer.from(h).toString('hex');
        if (!/^[0-9a-f]{64}$/.test(hex)) {
            throw new AttestationError('BAD_ARGUMENT', `allowed policy hash ${hex} is not 32 bytes`);
        }
        out.add(hex);
    }
    return out;
}
