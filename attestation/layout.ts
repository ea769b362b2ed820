/**
 * Byte layout of an Intel TDX DCAP quote, version 4 (all integers little-endian).
 *
 * ```
 * offset  size  field
 * 0       48    quote header
 * 48      584   TD report body (TDX 1.0)
 * 632     4     signature data length L
 * 636     L     signature data:
 *                 64   ECDSA P-256 signature r||s over bytes [0, 632) by the attestation key
 *                 64   attestation public key x||y
 *                 2    certification data type (6 = QE report certification data)
 *                 4    certification data size S
 *                 S    QE report certification data:
 *                        384  QE report (SGX report body)
 *                        64   QE report signature r||s by the PCK certificate key
 *                        2    QE auth data size A
 *                        A    QE auth data
 *                        2    certification data type (5 = PEM PCK certificate chain)
 *                        4    certification data size P
 *                        P    PEM chain: PCK leaf, PCK Platform/Processor CA, Root CA
 * ```
 */

export const QUOTE_VERSION_4 = 4;
/** Attestation key type 2: ECDSA-256 with P-256. */
export const ATTESTATION_KEY_TYPE_ECDSA_P256 = 2;
/** TEE type 0x81: Intel TDX. */
export const TEE_TYPE_TDX = 0x81;
/** Outer certification data type 6: QE report certification data. */
export const CERT_DATA_TYPE_QE_REPORT = 6;
/** Inner certification data type 5: concatenated PEM PCK certificate chain. */
export const CERT_DATA_TYPE_PCK_CHAIN = 5;

export const HEADER_SIZE = 48;
export const TD_REPORT_BODY_SIZE = 584;
/** Bytes covered by the quote signature: header + TD report body. */
export const SIGNED_REGION_SIZE = HEADER_SIZE + TD_REPORT_BODY_SIZE; // 632
export const SIGNATURE_DATA_OFFSET = SIGNED_REGION_SIZE + 4; // 636
export const ECDSA_SIGNATURE_SIZE = 64;
export const ECDSA_PUBLIC_KEY_SIZE = 64;
export const QE_REPORT_SIZE = 384;

/** Header field offsets (relative to the quote start). */
export const HEADER = {
    version: 0, // u16
    attestationKeyType: 2, // u16
    teeType: 4, // u32
    qeSvn: 8, // u16 (reserved in the v4 specification; labelled QE SVN by DCAP tooling)
    pceSvn: 10, // u16 (reserved in the v4 specification; labelled PCE SVN by DCAP tooling)
    qeVendorId: 12, // 16 bytes
    userData: 28, // 20 bytes
} as const;

/** TD report body field offsets (relative to the body start, quote offset 48) and sizes. */
export const TD_REPORT_FIELDS = {
    teeTcbSvn: [0, 16],
    mrSeam: [16, 48],
    mrSignerSeam: [64, 48],
    seamAttributes: [112, 8],
    tdAttributes: [120, 8],
    xfam: [128, 8],
    mrTd: [136, 48],
    mrConfigId: [184, 48],
    mrOwner: [232, 48],
    mrOwnerConfig: [280, 48],
    rtmr0: [328, 48],
    rtmr1: [376, 48],
    rtmr2: [424, 48],
    rtmr3: [472, 48],
    reportData: [520, 64],
} as const;

/** Names of the TD report body fields, in layout order. */
export type TdReportField = keyof typeof TD_REPORT_FIELDS;

/** QE report (SGX report body, 384 bytes) field offsets and sizes. */
export const QE_REPORT_FIELDS = {
    cpuSvn: [0, 16],
    miscSelect: [16, 4], // u32
    attributes: [48, 16],
    mrEnclave: [64, 32],
    mrSigner: [128, 32],
    isvProdId: [256, 2], // u16
    isvSvn: [258, 2], // u16
    reportData: [320, 64],
} as const;

/** Bit 0 of TDATTRIBUTES (byte 0 of the 8-byte little-endian field): the TD is debuggable. */
export const TD_ATTRIBUTES_DEBUG_BIT = 0x01;
