/**
 * SIMULATED Intel TDX quotes, signed by the project's OWN local test CA — never by Intel.
 *
 * For development machines without TDX hardware, tests and the demo. A simulated quote has the
 * exact DCAP v4 layout and passes `verifyTdxQuote` only when the caller pins this module's test
 * root key; under the default Intel pin it is rejected with `UNTRUSTED_ROOT`. The certificates
 * are named "... SIMULATED ... - NOT INTEL", the header QE vendor ID is {@link SIMULATED_QE_VENDOR_ID}
 * and the header user data is {@link SIMULATED_QUOTE_USER_DATA}.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { KeyObject, createHash, createPublicKey, generateKeyPairSync, webcrypto } from 'node:crypto';
import { AttestationError, requireBytes } from './errors';
import { encodeQeReport, encodeTdxQuote } from './encode';
import {
    ATTESTATION_KEY_TYPE_ECDSA_P256,
    QE_REPORT_FIELDS,
    QUOTE_VERSION_4,
    SIGNED_REGION_SIZE,
    TEE_TYPE_TDX,
    TD_REPORT_FIELDS,
    TdReportField,
} from './layout';
import { rawP256Point, signP256 } from './p256';
import { PolicyMeasurements } from './policy';
import { ParsedTdxQuote, TdReportBody, TdxQuoteHeader, parseTdxQuote } from './quote';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** Subject CN of the simulated root CA. */
export const SIMULATED_ROOT_CA_NAME = 'Cocoon SIMULATED TDX Root CA - NOT INTEL';
/** Subject CN of the simulated intermediate (stands in for Intel SGX PCK Platform CA). */
export const SIMULATED_PCK_CA_NAME = 'Cocoon SIMULATED PCK Platform CA - NOT INTEL';
/** Subject CN of the simulated PCK leaf certificate. */
export const SIMULATED_PCK_CERT_NAME = 'Cocoon SIMULATED PCK Certificate - NOT INTEL';
/** Organization of every simulated certificate. */
export const SIMULATED_ORGANIZATION = 'Cocoon Protocol (SIMULATED, NOT INTEL)';
/** Header QE vendor ID of simulated quotes: ASCII "cocoon.sim.qe.v1" (Intel's is 939a7233…). */
export const SIMULATED_QE_VENDOR_ID = Buffer.from('cocoon.sim.qe.v1', 'ascii');
/** Header user data of simulated quotes: ASCII "COCOON-SIMULATED-TDX" (20 bytes). */
export const SIMULATED_QUOTE_USER_DATA = Buffer.from('COCOON-SIMULATED-TDX', 'ascii');

const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Optional pre-generated keys (ECDSA P-256 WebCrypto key pairs) for a reproducible CA. */
export interface SimulatedCaKeys {
    readonly root?: CryptoKeyPair;
    readonly intermediate?: CryptoKeyPair;
    readonly pck?: CryptoKeyPair;
}

/** Options of {@link createSimulatedTdxCa}. */
export interface SimulatedCaOptions {
    /** Reference time: certificates are valid from now − 1 day for 10 years. Default: current time. */
    readonly now?: Date;
    readonly keys?: SimulatedCaKeys;
}

/** A local SIMULATED PCK hierarchy: root CA → PCK CA → PCK certificate. */
export interface SimulatedTdxCa {
    readonly rootCertificatePem: string;
    readonly intermediateCertificatePem: string;
    readonly pckCertificatePem: string;
    /** The chain as carried in a quote: PCK, PCK CA, root, then a NUL byte (like Intel's QE). */
    readonly chainData: Buffer;
    /** The test root's public key, 0x04||x||y: pin it as `rootPublicKey` to accept simulated quotes. */
    readonly rootPublicKey: Buffer;
    /** The PCK private key that signs QE reports. */
    readonly pckPrivateKey: KeyObject;
    readonly keys: Required<SimulatedCaKeys>;
}

/** Options of {@link createSimulatedTdxQuote}. */
export interface SimulatedQuoteOptions {
    /** The 64-byte REPORTDATA (e.g. from `buildReportData`). */
    readonly reportData: Buffer;
    /**
     * A quote (raw or parsed) whose TD report body, QE report and header SVNs are copied; the
     * default source of the measurements. Without it those fields are zero.
     */
    readonly template?: Buffer | ParsedTdxQuote;
    /** Measurements overriding the template's (TD attributes, MRTD, RTMR0-3). */
    readonly measurements?: Partial<PolicyMeasurements>;
    /** P-256 private key used as the attestation key. Default: a fresh key. */
    readonly attestationKey?: KeyObject;
    /** QE auth data. Default: bytes 0x00..0x1f, as Intel's QE emits. */
    readonly qeAuthData?: Buffer;
    /** Zero bytes appended after the quote (configfs-tsm style padding). Default 0. */
    readonly padding?: number;
}

/**
 * Creates a SIMULATED (NOT INTEL) PCK certificate hierarchy with @peculiar/x509 over node's
 * WebCrypto: a self-signed P-256 root CA ({@link SIMULATED_ROOT_CA_NAME}, cA, pathLen 1), a PCK
 * CA ({@link SIMULATED_PCK_CA_NAME}, cA, pathLen 0) and a PCK leaf
 * ({@link SIMULATED_PCK_CERT_NAME}), each valid from `now − 1 day` for 10 years. Serial numbers
 * are derived from the subject key, so given `keys` only the ECDSA signatures vary between runs.
 */
export async function createSimulatedTdxCa(opts: SimulatedCaOptions = {}): Promise<SimulatedTdxCa> {
    const now = opts.now ?? new Date();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
        throw new AttestationError('BAD_ARGUMENT', 'now must be a valid Date');
    }
    const notBefore = new Date(now.getTime() - DAY_MS);
    const notAfter = new Date(notBefore.getTime());
    notAfter.setUTCFullYear(notAfter.getUTCFullYear() + 10);

    const root = opts.keys?.root ?? (await newKeyPair());
    const intermediate = opts.keys?.intermediate ?? (await newKeyPair());
    const pck = opts.keys?.pck ?? (await newKeyPair());
    const name = (cn: string): x509.JsonName => [{ CN: [cn] }, { O: [SIMULATED_ORGANIZATION] }];

    const rootCert = await x509.X509CertificateGenerator.createSelfSigned(
        {
            serialNumber: await serialFor(root.publicKey),
            name: name(SIMULATED_ROOT_CA_NAME),
            notBefore,
            notAfter,
            signingAlgorithm: SIGNING,
            keys: root,
            extensions: [
                new x509.BasicConstraintsExtension(true, 1, true),
                new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
                await x509.SubjectKeyIdentifierExtension.create(root.publicKey, false, webcrypto),
                await x509.AuthorityKeyIdentifierExtension.create(root.publicKey, false, webcrypto),
            ],
        },
        webcrypto,
    );
    const issue = async (subject: CryptoKeyPair, issuer: CryptoKeyPair, cn: string, issuerCn: string, ca: boolean) =>
        x509.X509CertificateGenerator.create(
            {
                serialNumber: await serialFor(subject.publicKey),
                subject: name(cn),
                issuer: name(issuerCn),
                notBefore,
                notAfter,
                signingAlgorithm: SIGNING,
                publicKey: subject.publicKey,
                signingKey: issuer.privateKey,
                extensions: [
                    ca ? new x509.BasicConstraintsExtension(true, 0, true) : new x509.BasicConstraintsExtension(false, undefined, true),
                    new x509.KeyUsagesExtension(
                        ca
                            ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
                            : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
                        true,
                    ),
                    await x509.SubjectKeyIdentifierExtension.create(subject.publicKey, false, webcrypto),
                    await x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey, false, webcrypto),
                ],
            },
            webcrypto,
        );
    const intermediateCert = await issue(intermediate, root, SIMULATED_PCK_CA_NAME, SIMULATED_ROOT_CA_NAME, true);
    const pckCert = await issue(pck, intermediate, SIMULATED_PCK_CERT_NAME, SIMULATED_PCK_CA_NAME, false);

    const rootCertificatePem = pemOf(rootCert);
    const intermediateCertificatePem = pemOf(intermediateCert);
    const pckCertificatePem = pemOf(pckCert);
    return {
        rootCertificatePem,
        intermediateCertificatePem,
        pckCertificatePem,
        chainData: Buffer.concat([
            Buffer.from(pckCertificatePem + intermediateCertificatePem + rootCertificatePem, 'ascii'),
            Buffer.from([0]),
        ]),
        rootPublicKey: rawP256Point(KeyObject.from(root.publicKey), 'BAD_ARGUMENT', 'simulated root key'),
        pckPrivateKey: KeyObject.from(pck.privateKey),
        keys: { root, intermediate, pck },
    };
}

/**
 * Builds a SIMULATED TDX v4 quote signed through `ca`:
 * the QE report (template's, or zeros) gets report data SHA-256(attestation key || QE auth data)
 * || 0^32 and is signed by the simulated PCK key; the TD report body (template's, or zeros) gets
 * the chosen measurements and `reportData`; header + body are signed by the attestation key.
 *
 * The result parses with `parseTdxQuote` and verifies with
 * `verifyTdxQuote(quote, { rootPublicKey: ca.rootPublicKey })`.
 */
export function createSimulatedTdxQuote(ca: SimulatedTdxCa, opts: SimulatedQuoteOptions): Buffer {
    const reportData = requireBytes(opts.reportData, 64, 'reportData');
    const template = opts.template instanceof Uint8Array ? parseTdxQuote(opts.template) : opts.template;
    const attestationPrivateKey = opts.attestationKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    if (attestationPrivateKey.type !== 'private') {
        throw new AttestationError('BAD_ARGUMENT', 'attestationKey must be a P-256 private key');
    }
    const attestationKey = rawP256Point(createPublicKey(attestationPrivateKey), 'BAD_ARGUMENT', 'attestationKey').subarray(1);
    const qeAuthData = Buffer.from(opts.qeAuthData ?? Array.from({ length: 32 }, (_, i) => i));

    const header: TdxQuoteHeader = {
        version: QUOTE_VERSION_4,
        attestationKeyType: ATTESTATION_KEY_TYPE_ECDSA_P256,
        teeType: TEE_TYPE_TDX,
        qeSvn: template?.header.qeSvn ?? 0,
        pceSvn: template?.header.pceSvn ?? 0,
        qeVendorId: SIMULATED_QE_VENDOR_ID,
        userData: SIMULATED_QUOTE_USER_DATA,
    };
    const body = buildBody(template?.body, opts.measurements ?? {}, reportData);

    const qeReportData = Buffer.concat([createHash('sha256').update(attestationKey).update(qeAuthData).digest(), Buffer.alloc(32)]);
    const qeReport = template ? Buffer.from(template.qeReport.raw) : emptyQeReport();
    qeReportData.copy(qeReport, QE_REPORT_FIELDS.reportData[0]);
    const qeReportSignature = signP256(qeReport, ca.pckPrivateKey);

    const unsigned = encodeTdxQuote({
        header,
        body,
        signature: Buffer.alloc(64),
        attestationKey,
        qeReport,
        qeReportSignature,
        qeAuthData,
        pckChainData: ca.chainData,
        padding: opts.padding,
    });
    signP256(unsigned.subarray(0, SIGNED_REGION_SIZE), attestationPrivateKey).copy(unsigned, SIGNED_REGION_SIZE + 4);
    return unsigned;
}

function buildBody(base: TdReportBody | undefined, m: Partial<PolicyMeasurements>, reportData: Buffer): TdReportBody {
    const fields = {} as Record<TdReportField, Buffer>;
    for (const name of Object.keys(TD_REPORT_FIELDS) as TdReportField[]) {
        fields[name] = base ? Buffer.from(base[name]) : Buffer.alloc(TD_REPORT_FIELDS[name][1]);
    }
    for (const name of ['tdAttributes', 'mrTd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'] as const) {
        const v = m[name];
        if (v !== undefined) fields[name] = requireBytes(v, TD_REPORT_FIELDS[name][1], name);
    }
    fields.reportData = reportData;
    return fields;
}

function emptyQeReport(): Buffer {
    const z = (n: number) => Buffer.alloc(n);
    return encodeQeReport({
        cpuSvn: z(16),
        miscSelect: 0,
        attributes: z(16),
        mrEnclave: z(32),
        mrSigner: z(32),
        isvProdId: 0,
        isvSvn: 0,
        reportData: z(64),
    });
}

async function newKeyPair(): Promise<CryptoKeyPair> {
    return webcrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function serialFor(publicKey: webcrypto.CryptoKey): Promise<string> {
    const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', publicKey));
    const serial = createHash('sha256').update(spki).digest().subarray(0, 16);
    serial[0] &= 0x7f; // positive INTEGER
    serial[0] |= 0x01; // non-zero leading byte keeps the DER length fixed
    return serial.toString('hex');
}

function pemOf(cert: x509.X509Certificate): string {
    return cert.toString('pem').replace(/\r\n/g, '\n').trimEnd() + '\n';
}
