import { KeyObject, createPublicKey, sign, verify } from 'node:crypto';
import { AttestationError, AttestationErrorCode } from './errors';

/**
 * A P-256 public key as accepted by the toolkit:
 * - raw point: 64 bytes x||y or 65 bytes 0x04||x||y (Buffer, or hex string);
 * - DER SubjectPublicKeyInfo (Buffer) or PEM `PUBLIC KEY` (string);
 * - a node `KeyObject`.
 */
export type P256PublicKeyInput = Buffer | Uint8Array | string | KeyObject;

/** Builds a node KeyObject from a raw x||y (64 bytes) or 0x04||x||y (65 bytes) P-256 point. */
export function p256KeyFromRaw(raw: Buffer, code: AttestationErrorCode, what: string): KeyObject {
    let xy = raw;
    if (raw.length === 65 && raw[0] === 0x04) xy = raw.subarray(1);
    if (xy.length !== 64) {
        throw new AttestationError(code, `${what}: expected a 64-byte x||y P-256 point, got ${raw.length} bytes`);
    }
    try {
        return createPublicKey({
            key: { kty: 'EC', crv: 'P-256', x: xy.subarray(0, 32).toString('base64url'), y: xy.subarray(32).toString('base64url') },
            format: 'jwk',
        });
    } catch (e) {
        throw new AttestationError(code, `${what}: not a point on P-256`, { cause: e });
    }
}

/** Returns the uncompressed point 0x04||x||y (65 bytes) of a P-256 public key; throws `code` for other keys. */
export function rawP256Point(key: KeyObject, code: AttestationErrorCode, what: string): Buffer {
    if (key.type !== 'public' || key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new AttestationError(code, `${what}: not a P-256 public key`);
    }
    const jwk = key.export({ format: 'jwk' });
    if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
        throw new AttestationError(code, `${what}: cannot export the point`);
    }
    return Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
}

/**
 * Normalizes any {@link P256PublicKeyInput} to the 65-byte uncompressed point 0x04||x||y.
 * @throws AttestationError `code` when the input is not a P-256 public key.
 */
export function normalizeP256PublicKey(input: P256PublicKeyInput, code: AttestationErrorCode, what: string): Buffer {
    if (input instanceof KeyObject) return rawP256Point(input, code, what);
    if (typeof input === 'string') {
        const s = input.trim();
        if (s.startsWith('-----BEGIN')) return rawP256Point(parseKey(s, code, what), code, what);
        if (!/^(?:[0-9a-fA-F]{2})+$/.test(s)) throw new AttestationError(code, `${what}: neither PEM nor hex`);
        return normalizeP256PublicKey(Buffer.from(s, 'hex'), code, what);
    }
    if (input instanceof Uint8Array) {
        const b = Buffer.from(input);
        if (b.length === 64 || (b.length === 65 && b[0] === 0x04)) {
            return rawP256Point(p256KeyFromRaw(b, code, what), code, what);
        }
        return rawP256Point(parseKey(b, code, what), code, what);
    }
    throw new AttestationError(code, `${what}: unsupported key type`);
}

function parseKey(key: string | Buffer, code: AttestationErrorCode, what: string): KeyObject {
    try {
        return typeof key === 'string' ? createPublicKey(key) : createPublicKey({ key, format: 'der', type: 'spki' });
    } catch (e) {
        throw new AttestationError(code, `${what}: cannot decode the public key`, { cause: e });
    }
}

/** ECDSA P-256 / SHA-256 verification of a raw r||s (64-byte, IEEE P1363) signature. */
export function verifyP256(message: Buffer, signature: Buffer, key: KeyObject): boolean {
    if (signature.length !== 64) return false;
    return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
}

/** ECDSA P-256 / SHA-256 signing, returning a raw r||s (64-byte, IEEE P1363) signature. */
export function signP256(message: Buffer, privateKey: KeyObject): Buffer {
    return sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
}
