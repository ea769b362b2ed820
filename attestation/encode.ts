import { AttestationError, requireBytes } from './errors';
import {
    CERT_DATA_TYPE_PCK_CHAIN,
    CERT_DATA_TYPE_QE_REPORT,
    ECDSA_PUBLIC_KEY_SIZE,
    ECDSA_SIGNATURE_SIZE,
    HEADER,
    HEADER_SIZE,
    QE_REPORT_FIELDS,
    QE_REPORT_SIZE,
    TD_REPORT_BODY_SIZE,
    TD_REPORT_FIELDS,
    TdReportField,
} from './layout';
import { TdReportBody, TdxQuoteHeader } from './quote';

/** Fields of a QE report that {@link encodeQeReport} writes; reserved bytes are zero. */
export interface QeReportFields {
    readonly cpuSvn: Buffer;
    readonly miscSelect: number;
    readonly attributes: Buffer;
    readonly mrEnclave: Buffer;
    readonly mrSigner: Buffer;
    readonly isvProdId: number;
    readonly isvSvn: number;
    readonly reportData: Buffer;
}

/** Everything needed to serialize a TDX v4 quote. Signatures are taken as given (not computed). */
export interface TdxQuoteParts {
    readonly header: TdxQuoteHeader;
    readonly body: TdReportBody;
    readonly signature: Buffer;
    readonly attestationKey: Buffer;
    /** The 384-byte QE report. */
    readonly qeReport: Buffer;
    readonly qeReportSignature: Buffer;
    readonly qeAuthData: Buffer;
    /** The PEM chain bytes (as carried, e.g. with a trailing NUL). */
    readonly pckChainData: Buffer;
    /** Zero bytes appended after the signature data (default 0). */
    readonly padding?: number;
}

/** Serializes the 48-byte quote header. */
export function encodeQuoteHeader(h: TdxQuoteHeader): Buffer {
    const out = Buffer.alloc(HEADER_SIZE);
    out.writeUInt16LE(h.version, HEADER.version);
    out.writeUInt16LE(h.attestationKeyType, HEADER.attestationKeyType);
    out.writeUInt32LE(h.teeType, HEADER.teeType);
    out.writeUInt16LE(h.qeSvn, HEADER.qeSvn);
    out.writeUInt16LE(h.pceSvn, HEADER.pceSvn);
    requireBytes(h.qeVendorId, 16, 'qeVendorId').copy(out, HEADER.qeVendorId);
    requireBytes(h.userData, 20, 'userData').copy(out, HEADER.userData);
    return out;
}

/** Serializes the 584-byte TD report body. */
export function encodeTdReportBody(b: TdReportBody): Buffer {
    const out = Buffer.alloc(TD_REPORT_BODY_SIZE);
    for (const name of Object.keys(TD_REPORT_FIELDS) as TdReportField[]) {
        const [off, len] = TD_REPORT_FIELDS[name];
        requireBytes(b[name], len, name).copy(out, off);
    }
    return out;
}

/** Serializes a 384-byte QE report (SGX report body) with zero reserved bytes. */
export function encodeQeReport(f: QeReportFields): Buffer {
    const out = Buffer.alloc(QE_REPORT_SIZE);
    const put = (name: 'cpuSvn' | 'attributes' | 'mrEnclave' | 'mrSigner' | 'reportData') => {
        const [off, len] = QE_REPORT_FIELDS[name];
        requireBytes(f[name], len, name).copy(out, off);
    };
    put('cpuSvn');
    put('attributes');
    put('mrEnclave');
    put('mrSigner');
    put('reportData');
    out.writeUInt32LE(f.miscSelect, QE_REPORT_FIELDS.miscSelect[0]);
    out.writeUInt16LE(f.isvProdId, QE_REPORT_FIELDS.isvProdId[0]);
    out.writeUInt16LE(f.isvSvn, QE_REPORT_FIELDS.isvSvn[0]);
    return out;
}

/**
 * Serializes a TDX v4 quote from its parts (the inverse of `parseTdxQuote` on well-formed input:
 * `encodeTdxQuote({ ...q, qeReport: q.qeReport.raw, padding: q.trailingPadding })` gives back the
 * input bytes). No signature is computed or checked: the signatures are copied as given.
 */
export function encodeTdxQuote(p: TdxQuoteParts): Buffer {
    const signature = requireBytes(p.signature, ECDSA_SIGNATURE_SIZE, 'signature');
    const attestationKey = requireBytes(p.attestationKey, ECDSA_PUBLIC_KEY_SIZE, 'attestationKey');
    const qeReport = requireBytes(p.qeReport, QE_REPORT_SIZE, 'qeReport');
    const qeReportSignature = requireBytes(p.qeReportSignature, ECDSA_SIGNATURE_SIZE, 'qeReportSignature');
    if (p.qeAuthData.length > 0xffff) {
        throw new AttestationError('BAD_ARGUMENT', 'qeAuthData longer than 65535 bytes');
    }
    const padding = p.padding ?? 0;
    if (!Number.isSafeInteger(padding) || padding < 0) {
        throw new AttestationError('BAD_ARGUMENT', `padding must be a non-negative integer, got ${padding}`);
    }

    const pckBlock = Buffer.concat([u16(CERT_DATA_TYPE_PCK_CHAIN), u32(p.pckChainData.length), p.pckChainData]);
    const qeCertData = Buffer.concat([qeReport, qeReportSignature, u16(p.qeAuthData.length), p.qeAuthData, pckBlock]);
    const signatureData = Buffer.concat([
        signature,
        attestationKey,
        u16(CERT_DATA_TYPE_QE_REPORT),
        u32(qeCertData.length),
        qeCertData,
    ]);
    return Buffer.concat([
        encodeQuoteHeader(p.header),
        encodeTdReportBody(p.body),
        u32(signatureData.length),
        signatureData,
        Buffer.alloc(padding),
    ]);
}

function u16(v: number): Buffer {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return b;
}

function u32(v: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
}
