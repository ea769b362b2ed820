/** Test-only helpers: hand-made PCK chains (e.g. with wrong CA flags) and quotes re-wrapped around them. */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { KeyObject, sign, webcrypto } from 'node:crypto';
import { encodeTdxQuote, parseTdxQuote } from '../../attestation';

type KeyPair = webcrypto.CryptoKeyPair;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** Shape of a custom three-certificate chain. */
export interface ChainShape {
    /** basicConstraints cA of the intermediate (its key usage always allows keyCertSign). */
    readonly intermediateIsCa: boolean;
    /** basicConstraints cA of the leaf. */
    readonly leafIsCa: boolean;
}

/** A custom chain as carried in a quote, with the leaf private key. */
export interface CustomChain {
    readonly chainData: Buffer;
    readonly pckPrivateKey: KeyObject;
    readonly rootPublicKey: KeyObject;
}

async function keyPair(): Promise<KeyPair> {
    return webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as Promise<KeyPair>;
}

/** Issues root → intermediate → leaf with the requested CA flags (all other fields well-formed). */
export async function makeChain(shape: ChainShape): Promise<CustomChain> {
    const [root, inter, leaf] = [await keyPair(), await keyPair(), await keyPair()];
    const notBefore = new Date(Date.now() - 86_400_000);
    const notAfter = new Date(Date.now() + 365 * 86_400_000);
    const certSign = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;
    const rootCert = await x509.X509CertificateGenerator.createSelfSigned(
        {
            name: 'CN=Custom Test Root',
            notBefore,
            notAfter,
            keys: root,
            signingAlgorithm: SIGNING,
            extensions: [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(certSign, true)],
        },
        webcrypto,
    );
    const issue = (subject: KeyPair, issuer: KeyPair, cn: string, issuerCn: string, ca: boolean, usage: number) =>
        x509.X509CertificateGenerator.create(
            {
                subject: `CN=${cn}`,
                issuer: `CN=${issuerCn}`,
                notBefore,
                notAfter,
                signingAlgorithm: SIGNING,
                publicKey: subject.publicKey,
                signingKey: issuer.privateKey,
                extensions: [new x509.BasicConstraintsExtension(ca, undefined, true), new x509.KeyUsagesExtension(usage, true)],
            },
            webcrypto,
        );
    const interCert = await issue(inter, root, 'Custom Test Intermediate', 'Custom Test Root', shape.intermediateIsCa, certSign);
    const leafUsage = x509.KeyUsageFlags.digitalSignature | (shape.leafIsCa ? certSign : 0);
    const leafCert = await issue(leaf, inter, 'Custom Test PCK', 'Custom Test Intermediate', shape.leafIsCa, leafUsage);
    const pem = [leafCert, interCert, rootCert].map((c) => c.toString('pem').replace(/\r\n/g, '\n').trimEnd() + '\n').join('');
    return {
        chainData: Buffer.from(pem, 'ascii'),
        pckPrivateKey: KeyObject.from(leaf.privateKey),
        rootPublicKey: KeyObject.from(root.publicKey),
    };
}

/**
 * Re-wraps a valid quote around another PCK chain: the QE report is re-signed by `pckPrivateKey`
 * (when given) and the chain replaced; everything else is kept byte for byte.
 */
export function withChain(quote: Buffer, chainData: Buffer, pckPrivateKey?: KeyObject): Buffer {
    const q = parseTdxQuote(quote);
    const qeReportSignature = pckPrivateKey
        ? sign('sha256', q.qeReport.raw, { key: pckPrivateKey, dsaEncoding: 'ieee-p1363' })
        : q.qeReportSignature;
    return encodeTdxQuote({ ...q, qeReport: q.qeReport.raw, qeReportSignature, pckChainData: chainData });
}

/** Replaces certificate `index` of a quote's chain by `pem`, keeping the other certificates. */
export function withCertificate(quote: Buffer, index: number, pem: string): Buffer {
    const q = parseTdxQuote(quote);
    const pems = q.certificates.map((c) => c.pem);
    pems[index] = pem;
    return withChain(quote, Buffer.concat([Buffer.from(pems.join(''), 'ascii'), Buffer.from([0])]));
}
