import { AttestationError } from './errors';

/** One certificate of a PEM chain. */
export interface PemCertificate {
    /** The PEM block, `-----BEGIN CERTIFICATE-----` through `-----END CERTIFICATE-----`, with `\n` line ends. */
    readonly pem: string;
    /** The DER encoding carried by the block. */
    readonly der: Buffer;
}

const BLOCK_SOURCE = /-----BEGIN CERTIFICATE-----\r?\n((?:[A-Za-z0-9+/=]+\r?\n)+)-----END CERTIFICATE-----(?:\r?\n|$)/.source;

/**
 * Splits the PCK certificate chain carried in a quote (certification data type 5) into certificates.
 *
 * The accepted encoding is strict so that no byte of the chain is malleable:
 * - the data is a sequence of `CERTIFICATE` PEM blocks with `\n` or `\r\n` line ends and nothing
 *   between them, optionally followed by NUL bytes (Intel's quoting library appends one `\0`);
 * - every block's base64 must be canonical (re-encoding the decoded DER gives the same text), and
 *   the decoded bytes must be exactly one DER SEQUENCE (no trailing bytes).
 *
 * Throws `BAD_CERT_CHAIN_ENCODING` otherwise. The certificates are not decoded as X.509 here.
 */
export function splitPemChain(data: Buffer): PemCertificate[] {
    let end = data.length;
    while (end > 0 && data[end - 1] === 0) end--;
    for (let i = 0; i < end; i++) {
        if (data[i] > 0x7e || data[i] === 0) {
            throw new AttestationError('BAD_CERT_CHAIN_ENCODING', `non-ASCII or NUL byte 0x${data[i].toString(16)} at chain offset ${i}`);
        }
    }
    const text = data.subarray(0, end).toString('latin1');
    const certs: PemCertificate[] = [];
    const block = new RegExp(BLOCK_SOURCE, 'y');
    while (block.lastIndex < text.length) {
        const at = block.lastIndex;
        const m = block.exec(text);
        if (!m) {
            throw new AttestationError('BAD_CERT_CHAIN_ENCODING', `no well-formed PEM certificate block at chain offset ${at}`);
        }
        const b64 = m[1].replace(/\r?\n/g, '');
        const der = Buffer.from(b64, 'base64');
        if (der.length === 0 || der.toString('base64') !== b64) {
            throw new AttestationError('BAD_CERT_CHAIN_ENCODING', `non-canonical base64 in certificate ${certs.length}`);
        }
        if (derLength(der) !== der.length) {
            throw new AttestationError('BAD_CERT_CHAIN_ENCODING', `certificate ${certs.length} is not exactly one DER SEQUENCE`);
        }
        certs.push({ pem: toPem(der), der });
    }
    if (certs.length === 0) {
        throw new AttestationError('BAD_CERT_CHAIN_ENCODING', 'the PCK chain holds no certificate');
    }
    return certs;
}

/** Encodes DER as a PEM `CERTIFICATE` block with 64-character lines and a final `\n`. */
export function toPem(der: Buffer): string {
    const b64 = der.toString('base64');
    const lines: string[] = [];
    for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
    return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * Total encoded length (header + content) of the DER SEQUENCE at the start of `der`, or -1 when it
 * does not start with a definite-length SEQUENCE header.
 */
function derLength(der: Buffer): number {
    if (der.length < 2 || der[0] !== 0x30) return -1;
    const first = der[1];
    if (first < 0x80) return 2 + first;
    const n = first & 0x7f;
    if (n === 0 || n > 4 || der.length < 2 + n || der[2] === 0) return -1;
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[2 + i];
    if (len < 0x80) return -1; // long form where the short form is required (not DER)
    return 2 + n + len;
}
