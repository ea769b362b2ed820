import { AttestationError } from './errors';
import {
    ATTESTATION_KEY_TYPE_ECDSA_P256,
    CERT_DATA_TYPE_PCK_CHAIN,
    CERT_DATA_TYPE_QE_REPORT,
    ECDSA_PUBLIC_KEY_SIZE,
    ECDSA_SIGNATURE_SIZE,
    HEADER,
    HEADER_SIZE,
    QE_REPORT_FIELDS,
    QE_REPORT_SIZE,
    QUOTE_VERSION_4,
    SIGNED_REGION_SIZE,
    TD_REPORT_BODY_SIZE,
    TD_REPORT_FIELDS,
    TEE_TYPE_TDX,
} from './layout';
import { PemCertificate, splitPemChain } from './pem';
import { ByteReader } from './reader';

/** The 48-byte quote header. */
export interface TdxQuoteHeader {
    readonly version: number;
    readonly attestationKeyType: number;
    readonly teeType: number;
    readonly qeSvn: number;
    readonly pceSvn: number;
    /** 16 bytes; Intel's QE uses 939a7233-f79c-4ca9-940a-0db3957f0607. */
    readonly qeVendorId: Buffer;
    /** 20 bytes of QE-defined user data. */
    readonly userData: Buffer;
}

/** The 584-byte TD report body (TDX 1.0). Every field is the raw bytes as they appear in the quote. */
export interface TdReportBody {
    readonly teeTcbSvn: Buffer; // 16
    readonly mrSeam: Buffer; // 48
    readonly mrSignerSeam: Buffer; // 48
    readonly seamAttributes: Buffer; // 8
    readonly tdAttributes: Buffer; // 8
    readonly xfam: Buffer; // 8
    readonly mrTd: Buffer; // 48
    readonly mrConfigId: Buffer; // 48
    readonly mrOwner: Buffer; // 48
    readonly mrOwnerConfig: Buffer; // 48
    readonly rtmr0: Buffer; // 48
    readonly rtmr1: Buffer; // 48
    readonly rtmr2: Buffer; // 48
    readonly rtmr3: Buffer; // 48
    readonly reportData: Buffer; // 64
}

/** The Quoting Enclave's 384-byte SGX report body. */
export interface QeReport {
    /** All 384 bytes, as signed by the PCK key. */
    readonly raw: Buffer;
    readonly cpuSvn: Buffer; // 16
    readonly miscSelect: number;
    readonly attributes: Buffer; // 16
    readonly mrEnclave: Buffer; // 32
    readonly mrSigner: Buffer; // 32
    readonly isvProdId: number;
    readonly isvSvn: number;
    /** 64 bytes: SHA-256(attestation key || QE auth data) followed by 32 zero bytes. */
    readonly reportData: Buffer;
}

/** A structurally valid TDX v4 quote. Buffers are views of a private copy of the input. */
export interface ParsedTdxQuote {
    /** The quote bytes through the end of the signature data (trailing zero padding excluded). */
    readonly raw: Buffer;
    readonly header: TdxQuoteHeader;
    readonly body: TdReportBody;
    /** Bytes [0, 632): header + TD report body, the message of the quote signature. */
    readonly signedRegion: Buffer;
    readonly signatureDataLength: number;
    /** ECDSA P-256 signature r||s (64 bytes) over {@link signedRegion} by the attestation key. */
    readonly signature: Buffer;
    /** Attestation public key x||y (64 bytes, P-256). */
    readonly attestationKey: Buffer;
    /** Outer certification data type (always 6, QE report certification data). */
    readonly certificationDataType: number;
    readonly qeReport: QeReport;
    /** ECDSA P-256 signature r||s (64 bytes) over the 384-byte QE report by the PCK key. */
    readonly qeReportSignature: Buffer;
    readonly qeAuthData: Buffer;
    /** Inner certification data type (always 5, PEM PCK certificate chain). */
    readonly pckCertDataType: number;
    /** The chain bytes exactly as carried (including any trailing NUL). */
    readonly pckChainData: Buffer;
    /** The chain split into certificates, leaf first (as ordered in the quote). */
    readonly certificates: readonly PemCertificate[];
    /** Number of zero bytes after the signature data (accepted padding). */
    readonly trailingPadding: number;
}

/**
 * Parses an Intel TDX DCAP v4 quote (ECDSA P-256 attestation key, QE report certification data,
 * PEM PCK chain). Performs structural checks only; no signature is verified here.
 *
 * Checks: version 4 (`BAD_VERSION`), attestation key type 2 (`BAD_KEY_TYPE`), TEE type 0x81
 * (`BAD_TEE_TYPE`), certification data types 6 then 5 (`BAD_CERT_DATA_TYPE`), every declared
 * length fits its container (`QUOTE_TRUNCATED` when the buffer is too short,
 * `LENGTH_MISMATCH` when a nested length disagrees with its container), the PEM chain encoding
 * (`BAD_CERT_CHAIN_ENCODING`), and that nothing but zero padding follows the signature data
 * (`TRAILING_DATA`; quotes read from configfs-tsm may be zero-padded).
 *
 * @throws AttestationError
 */
export function parseTdxQuote(input: Buffer | Uint8Array): ParsedTdxQuote {
    if (!(input instanceof Uint8Array)) {
        throw new AttestationError('BAD_ARGUMENT', 'quote must be a Buffer');
    }
    const buf = Buffer.from(input); // private copy: later mutation of `input` cannot affect the result
    const top = new ByteReader(buf, 0, buf.length, 'QUOTE_TRUNCATED', 'quote');

    const header = parseHeader(top.bytes(HEADER_SIZE, 'header'));
    const body = parseTdReportBody(top.bytes(TD_REPORT_BODY_SIZE, 'TD report body'));
    const signatureDataLength = top.u32('signature data length');
    const sig = top.sub(signatureDataLength, 'signature data', 'LENGTH_MISMATCH');

    const signature = sig.bytes(ECDSA_SIGNATURE_SIZE, 'quote signature');
    const attestationKey = sig.bytes(ECDSA_PUBLIC_KEY_SIZE, 'attestation key');
    const certificationDataType = sig.u16('certification data type');
    if (certificationDataType !== CERT_DATA_TYPE_QE_REPORT) {
        throw new AttestationError(
            'BAD_CERT_DATA_TYPE',
            `certification data type ${certificationDataType}, expected ${CERT_DATA_TYPE_QE_REPORT} (QE report)`,
        );
    }
    const cert = sig.sub(sig.u32('certification data size'), 'QE report certification data', 'LENGTH_MISMATCH');
    sig.expectEnd();

    const qeReport = parseQeReport(cert.bytes(QE_REPORT_SIZE, 'QE report'));
    const qeReportSignature = cert.bytes(ECDSA_SIGNATURE_SIZE, 'QE report signature');
    const qeAuthData = cert.bytes(cert.u16('QE auth data size'), 'QE auth data');
    const pckCertDataType = cert.u16('PCK certification data type');
    if (pckCertDataType !== CERT_DATA_TYPE_PCK_CHAIN) {
        throw new AttestationError(
            'BAD_CERT_DATA_TYPE',
            `inner certification data type ${pckCertDataType}, expected ${CERT_DATA_TYPE_PCK_CHAIN} (PEM PCK chain)`,
        );
    }
    const pckChainData = cert.bytes(cert.u32('PCK certification data size'), 'PCK certificate chain');
    cert.expectEnd();
    const certificates = splitPemChain(pckChainData);

    const end = top.offset;
    for (let i = end; i < buf.length; i++) {
        if (buf[i] !== 0) {
            throw new AttestationError('TRAILING_DATA', `non-zero byte at offset ${i}, after the signature data ending at ${end}`);
        }
    }

    return {
        raw: buf.subarray(0, end),
        header,
        body,
        signedRegion: buf.subarray(0, SIGNED_REGION_SIZE),
        signatureDataLength,
        signature,
        attestationKey,
        certificationDataType,
        qeReport,
        qeReportSignature,
        qeAuthData,
        pckCertDataType,
        pckChainData,
        certificates,
        trailingPadding: buf.length - end,
    };
}

function parseHeader(h: Buffer): TdxQuoteHeader {
    const version = h.readUInt16LE(HEADER.version);
    if (version !== QUOTE_VERSION_4) {
        throw new AttestationError('BAD_VERSION', `quote version ${version}, expected ${QUOTE_VERSION_4}`);
    }
    const attestationKeyType = h.readUInt16LE(HEADER.attestationKeyType);
    if (attestationKeyType !== ATTESTATION_KEY_TYPE_ECDSA_P256) {
        throw new AttestationError(
            'BAD_KEY_TYPE',
            `attestation key type ${attestationKeyType}, expected ${ATTESTATION_KEY_TYPE_ECDSA_P256} (ECDSA-256 P-256)`,
        );
    }
    const teeType = h.readUInt32LE(HEADER.teeType);
    if (teeType !== TEE_TYPE_TDX) {
        throw new AttestationError('BAD_TEE_TYPE', `TEE type 0x${teeType.toString(16)}, expected 0x81 (TDX)`);
    }
    return {
        version,
        attestationKeyType,
        teeType,
        qeSvn: h.readUInt16LE(HEADER.qeSvn),
        pceSvn: h.readUInt16LE(HEADER.pceSvn),
        qeVendorId: h.subarray(HEADER.qeVendorId, HEADER.qeVendorId + 16),
        userData: h.subarray(HEADER.userData, HEADER.userData + 20),
    };
}

function parseTdReportBody(b: Buffer): TdReportBody {
    const f = (name: keyof typeof TD_REPORT_FIELDS): Buffer => {
        const [off, len] = TD_REPORT_FIELDS[name];
        return b.subarray(off, off + len);
    };
    return {
        teeTcbSvn: f('teeTcbSvn'),
        mrSeam: f('mrSeam'),
        mrSignerSeam: f('mrSignerSeam'),
        seamAttributes: f('seamAttributes'),
        tdAttributes: f('tdAttributes'),
        xfam: f('xfam'),
        mrTd: f('mrTd'),
        mrConfigId: f('mrConfigId'),
        mrOwner: f('mrOwner'),
        mrOwnerConfig: f('mrOwnerConfig'),
        rtmr0: f('rtmr0'),
        rtmr1: f('rtmr1'),
        rtmr2: f('rtmr2'),
        rtmr3: f('rtmr3'),
        reportData: f('reportData'),
    };
}

/** Decodes a 384-byte QE report (SGX report body). */
export function parseQeReport(raw: Buffer): QeReport {
    if (raw.length !== QE_REPORT_SIZE) {
        throw new AttestationError('BAD_ARGUMENT', `QE report must be ${QE_REPORT_SIZE} bytes, got ${raw.length}`);
    }
    const f = (name: keyof typeof QE_REPORT_FIELDS): Buffer => {
        const [off, len] = QE_REPORT_FIELDS[name];
        return raw.subarray(off, off + len);
    };
    return {
        raw,
        cpuSvn: f('cpuSvn'),
        miscSelect: f('miscSelect').readUInt32LE(0),
        attributes: f('attributes'),
        mrEnclave: f('mrEnclave'),
        mrSigner: f('mrSigner'),
        isvProdId: f('isvProdId').readUInt16LE(0),
        isvSvn: f('isvSvn').readUInt16LE(0),
        reportData: f('reportData'),
    };
}
