import { KeyObject, X509Certificate } from 'node:crypto';
import { AttestationError } from './errors';
import { rawP256Point } from './p256';
import { PemCertificate } from './pem';

/** A verified PCK certificate chain. */
export interface VerifiedPckChain {
    readonly leaf: X509Certificate;
    readonly intermediate: X509Certificate;
    readonly root: X509Certificate;
    /** The PCK leaf's P-256 public key (signs the QE report). */
    readonly pckKey: KeyObject;
    /** The root's public key, 0x04||x||y (equal to the pinned key). */
    readonly rootPublicKey: Buffer;
}

/**
 * Verifies a DCAP PCK certificate chain `[PCK leaf, PCK Platform/Processor CA, Root CA]`:
 *
 * 1. exactly three certificates, each decodable X.509 in canonical DER (`BAD_CERTIFICATE`);
 * 2. leaf issued and signed by the intermediate, intermediate by the root, root self-issued and
 *    self-signed; intermediate and root are CAs (basicConstraints cA), the leaf is not; the leaf
 *    key is P-256 (`BAD_PCK_CHAIN`). Issuance (`checkIssued`) also matches names, key identifiers
 *    and the issuer's keyCertSign key usage;
 * 3. the root public key equals `pinnedRoot` (`UNTRUSTED_ROOT`);
 * 4. every certificate is within its validity period at `now` (`CERT_NOT_YET_VALID`,
 *    `CERT_EXPIRED`).
 *
 * Revocation (Intel's PCK CRLs) and TCB status are not evaluated: they need Intel PCS collateral.
 *
 * @param pinnedRoot 65-byte uncompressed P-256 point of the trusted root.
 * @throws AttestationError
 */
export function verifyPckChain(certs: readonly PemCertificate[], pinnedRoot: Buffer, now: Date): VerifiedPckChain {
    if (certs.length !== 3) {
        throw new AttestationError('BAD_PCK_CHAIN', `expected 3 certificates (PCK, PCK CA, root), got ${certs.length}`);
    }
    const [leaf, intermediate, root] = certs.map((c, i) => decode(c.der, i));

    link(leaf, intermediate, 'PCK certificate', 'PCK CA');
    link(intermediate, root, 'PCK CA', 'root CA');
    link(root, root, 'root CA', 'itself');
    if (!intermediate.ca) throw new AttestationError('BAD_PCK_CHAIN', 'the PCK CA certificate is not a CA (basicConstraints)');
    if (!root.ca) throw new AttestationError('BAD_PCK_CHAIN', 'the root certificate is not a CA (basicConstraints)');
    if (leaf.ca) throw new AttestationError('BAD_PCK_CHAIN', 'the PCK certificate must not be a CA');
    const pckKey = leaf.publicKey;
    rawP256Point(pckKey, 'BAD_PCK_CHAIN', 'PCK certificate key');

    const rootPublicKey = rawP256Point(root.publicKey, 'UNTRUSTED_ROOT', 'root certificate key');
    if (!rootPublicKey.equals(pinnedRoot)) {
        throw new AttestationError(
            'UNTRUSTED_ROOT',
            `chain root "${oneLine(root.subject)}" has key ${rootPublicKey.toString('hex')}, not the pinned ${pinnedRoot.toString('hex')}`,
        );
    }

    for (const [cert, what] of [
        [leaf, 'PCK certificate'],
        [intermediate, 'PCK CA certificate'],
        [root, 'root certificate'],
    ] as const) {
        const from = new Date(cert.validFrom);
        const to = new Date(cert.validTo);
        if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
            throw new AttestationError('BAD_CERTIFICATE', `${what}: unreadable validity period`);
        }
        if (now.getTime() < from.getTime()) {
            throw new AttestationError('CERT_NOT_YET_VALID', `${what} is valid from ${from.toISOString()}, now is ${now.toISOString()}`);
        }
        if (now.getTime() > to.getTime()) {
            throw new AttestationError('CERT_EXPIRED', `${what} expired at ${to.toISOString()}, now is ${now.toISOString()}`);
        }
    }
    return { leaf, intermediate, root, pckKey, rootPublicKey };
}

function decode(der: Buffer, index: number): X509Certificate {
    let cert: X509Certificate;
    try {
        cert = new X509Certificate(der);
    } catch (e) {
        throw new AttestationError('BAD_CERTIFICATE', `certificate ${index} of the PCK chain is not valid X.509`, { cause: e });
    }
    // OpenSSL tolerates trailing bytes and some non-DER encodings; require the exact DER encoding.
    if (!cert.raw.equals(der)) {
        throw new AttestationError('BAD_CERTIFICATE', `certificate ${index} of the PCK chain is not in canonical DER`);
    }
    return cert;
}

function link(child: X509Certificate, issuer: X509Certificate, childName: string, issuerName: string): void {
    if (!child.checkIssued(issuer)) {
        throw new AttestationError('BAD_PCK_CHAIN', `${childName} is not issued by ${issuerName} (names, key identifiers or key usage)`);
    }
    let ok: boolean;
    try {
        ok = child.verify(issuer.publicKey);
    } catch (e) {
        throw new AttestationError('BAD_PCK_CHAIN', `${childName}: signature by ${issuerName} cannot be checked`, { cause: e });
    }
    if (!ok) throw new AttestationError('BAD_PCK_CHAIN', `${childName} is not signed by ${issuerName}`);
}

function oneLine(name: string): string {
    return name.split('\n').join(', ');
}
