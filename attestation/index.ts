/**
 * Cocoon Protocol off-chain attestation toolkit.
 *
 * - quote.ts / encode.ts: Intel TDX DCAP v4 quote parsing and serialization;
 * - verify.ts (+ pck.ts, p256.ts, intel.ts): quote verification against a pinned root key;
 * - policy.ts: the canonical measurement policy hash (the allowlist key);
 * - reportdata.ts: the REPORTDATA binding of operator key, encryption key and owner;
 * - statement.ts: the verifier's signed statement (TL-B `SignedStatement`);
 * - verifier.ts: the attestation-verifier service logic (quote → signed statement);
 * - simulated.ts: SIMULATED quotes from a local test CA (never Intel).
 */
export { ATTESTATION_ERROR_CODES, AttestationError, isAttestationError } from './errors';
export type { AttestationErrorCode } from './errors';

export {
    ATTESTATION_KEY_TYPE_ECDSA_P256,
    CERT_DATA_TYPE_PCK_CHAIN,
    CERT_DATA_TYPE_QE_REPORT,
    HEADER_SIZE,
    QE_REPORT_SIZE,
    QUOTE_VERSION_4,
    SIGNED_REGION_SIZE,
    TD_ATTRIBUTES_DEBUG_BIT,
    TD_REPORT_BODY_SIZE,
    TEE_TYPE_TDX,
} from './layout';
export { parseQeReport, parseTdxQuote } from './quote';
export type { ParsedTdxQuote, QeReport, TdReportBody, TdxQuoteHeader } from './quote';
export { splitPemChain } from './pem';
export type { PemCertificate } from './pem';
export { encodeQeReport, encodeQuoteHeader, encodeTdReportBody, encodeTdxQuote } from './encode';
export type { QeReportFields, TdxQuoteParts } from './encode';

export { INTEL_QE_VENDOR_ID_HEX, INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX, intelSgxRootCaPublicKey } from './intel';
export { normalizeP256PublicKey } from './p256';
export type { P256PublicKeyInput } from './p256';
export { verifyPckChain } from './pck';
export type { VerifiedPckChain } from './pck';
export { verifyTdxQuote } from './verify';
export type { QuoteCheck, TdxQuoteVerification, VerifyTdxQuoteOptions } from './verify';

export {
    POLICY_HASH_DOMAIN,
    hashToBigInt,
    measurementPolicyHash,
    measurementPolicyHashBigInt,
    policyMeasurementsOf,
} from './policy';
export type { PolicyMeasurements } from './policy';
export {
    REPORTDATA_DOMAIN,
    REPORTDATA_ROOT_DOMAIN,
    buildQuoteModeReportData,
    buildReportData,
    checkReportData,
    reportDataKeyBinding,
    reportDataRootBinding,
} from './reportdata';

export {
    buildStatementCell,
    parseSignedStatement,
    signStatement,
    toAttestationStatement,
    verifySignedStatement,
} from './statement';
export type { ParsedSignedStatement, StatementFields, VerifyStatementOptions } from './statement';
export { attestQuote } from './verifier';
export type { AttestQuoteRequest, AttestQuoteResult } from './verifier';

export {
    SIMULATED_ORGANIZATION,
    SIMULATED_PCK_CA_NAME,
    SIMULATED_PCK_CERT_NAME,
    SIMULATED_QE_VENDOR_ID,
    SIMULATED_QUOTE_USER_DATA,
    SIMULATED_ROOT_CA_NAME,
    createSimulatedTdxCa,
    createSimulatedTdxQuote,
} from './simulated';
export type { SimulatedCaKeys, SimulatedCaOptions, SimulatedQuoteOptions, SimulatedTdxCa } from './simulated';
