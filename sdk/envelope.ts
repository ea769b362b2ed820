/**
 * Sealed envelopes: how a prompt travels to the provider's attested X25519
 * encryption key, and how the result travels back to a key the client chose.
 *
 * Only @noble primitives are used (X25519, HKDF-SHA256, XChaCha20-Poly1305);
 * this file only defines how they are put together and serialized.
 *
 * ```
 * shared = X25519(ephemeral_secret, recipient_public)          (low-order points are refused)
 * key    = HKDF-SHA256(ikm  = shared,
 *                      salt = ephemeral_public || recipient_public,            (64 bytes)
 *                      info = label || job_wc:int8 || job_hash:32 || seq:uint32be,
 *                      L    = 32)
 *   label = "cocoon.prompt.v1" (client → provider) | "cocoon.result.v1" (provider → client)
 *   seq   = 0 for a one-shot job; the request number (1, 2, ...) in a session
 * ciphertext = XChaCha20-Poly1305(key, nonce).encrypt(plaintext, aad = header)
 * ```
 *
 * Canonical serialization (big-endian; the commitment is SHA-256 of exactly these bytes):
 *
 * ```
 * offset  size  field
 * 0       4     magic        ASCII "CCNE"
 * 4       1     version      0x01
 * 5       1     kind         0x01 prompt, 0x02 result
 * 6       32    ephemeral    the sender's one-time X25519 public key
 * 38      24    nonce        XChaCha20 nonce (random)
 * 62      4     length       n = byte length of the ciphertext
 * 66      n     ciphertext   plaintext || 16-byte Poly1305 tag
 * ```
 *
 * The header (bytes 0..66) is the AEAD's associated data, so no header byte can be
 * changed without the tag failing. Parsing is exact: any other length, magic, version or
 * kind is refused, so one envelope has exactly one serialization and one commitment.
 * The job address and request number are bound through the HKDF info: an envelope sealed
 * for one job (or one request of a session) does not open for another.
 */
import { Address } from '@ton/core';
import { x25519 } from '@noble/curves/ed25519';
import { xchacha20poly1305 } from '@noble/ciphers/chacha';
import { hkdf } from '@noble/hashes/hkdf';
import { sha256 } from '@noble/hashes/sha2';
import { randomBytes } from 'crypto';
import { EnvelopeError } from './errors';

export const ENVELOPE_MAGIC = Buffer.from('CCNE', 'ascii');
export const ENVELOPE_VERSION = 1;
export const ENVELOPE_HEADER_BYTES = 66;
export const POLY1305_TAG_BYTES = 16;
/** Largest plaintext an envelope may carry (1 MiB). */
export const MAX_PLAINTEXT_BYTES = 1 << 20;

export const PROMPT_LABEL = 'cocoon.prompt.v1';
export const RESULT_LABEL = 'cocoon.result.v1';

export type EnvelopeKind = 'prompt' | 'result';
const KIND_BYTE: Record<EnvelopeKind, number> = { prompt: 0x01, result: 0x02 };
const LABEL: Record<EnvelopeKind, string> = { prompt: PROMPT_LABEL, result: RESULT_LABEL };

/** A sealed payload. Serialize with {@link serializeEnvelope}; commit with {@link envelopeCommitment}. */
export type Envelope = {
    kind: EnvelopeKind;
    /** The sender's one-time X25519 public key (32 bytes). */
    ephemeralPublicKey: Buffer;
    /** XChaCha20 nonce (24 bytes). */
    nonce: Buffer;
    /** Ciphertext including the 16-byte Poly1305 tag. */
    ciphertext: Buffer;
};

/** An X25519 key pair (32-byte secret, 32-byte public key). */
export type X25519KeyPair = { secretKey: Buffer; publicKey: Buffer };

/** A fresh X25519 key pair, e.g. the key a client wants its result encrypted to. */
export function generateX25519KeyPair(): X25519KeyPair {
    const secretKey = Buffer.from(x25519.utils.randomPrivateKey());
    return { secretKey, publicKey: Buffer.from(x25519.getPublicKey(secretKey)) };
}

/** The X25519 key pair of a 32-byte secret. */
export function x25519KeyPairFromSecret(secretKey: Buffer): X25519KeyPair {
    const sk = key32(secretKey, 'secret key');
    return { secretKey: sk, publicKey: Buffer.from(x25519.getPublicKey(sk)) };
}

/** The HKDF info of an envelope: label || job workchain (int8) || job hash || seq (uint32 BE). */
export function envelopeInfo(kind: EnvelopeKind, job: Address, seq: number): Buffer {
    if (!Number.isInteger(seq) || seq < 0 || seq > 0xffffffff) {
        throw new EnvelopeError('MALFORMED_ENVELOPE', `seq must be a uint32, got ${seq}`);
    }
    const tail = Buffer.alloc(1 + 32 + 4);
    tail.writeInt8(job.workChain, 0);
    job.hash.copy(tail, 1);
    tail.writeUInt32BE(seq, 33);
    return Buffer.concat([Buffer.from(LABEL[kind], 'ascii'), tail]);
}

function header(kind: EnvelopeKind, ephemeralPublicKey: Buffer, nonce: Buffer, ciphertextLength: number): Buffer {
    const h = Buffer.alloc(ENVELOPE_HEADER_BYTES);
    ENVELOPE_MAGIC.copy(h, 0);
    h[4] = ENVELOPE_VERSION;
    h[5] = KIND_BYTE[kind];
    ephemeralPublicKey.copy(h, 6);
    nonce.copy(h, 38);
    h.writeUInt32BE(ciphertextLength, 62);
    return h;
}

function key32(k: Buffer | Uint8Array, what: string): Buffer {
    if (!(k instanceof Uint8Array) || k.length !== 32) {
        throw new EnvelopeError('BAD_KEY', `${what} must be 32 bytes`);
    }
    return Buffer.from(k);
}

function sharedSecret(secretKey: Buffer, publicKey: Buffer): Uint8Array {
    try {
        const s = x25519.getSharedSecret(secretKey, publicKey);
        if (s.every((b) => b === 0)) throw new Error('all-zero shared secret');
        return s;
    } catch (e) {
        throw new EnvelopeError('BAD_KEY', `X25519 failed (low-order or malformed public key): ${(e as Error).message}`, { cause: e });
    }
}

function deriveKey(shared: Uint8Array, ephemeralPublicKey: Buffer, recipientPublicKey: Buffer, info: Buffer): Uint8Array {
    return hkdf(sha256, shared, Buffer.concat([ephemeralPublicKey, recipientPublicKey]), info, 32);
}

/** Seals `plaintext` to `recipientPublicKey` for (kind, job, seq). */
export function sealEnvelope(
    kind: EnvelopeKind,
    plaintext: Uint8Array | string,
    recipientPublicKey: Buffer,
    job: Address,
    seq = 0,
): Envelope {
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : Buffer.from(plaintext);
    if (data.length > MAX_PLAINTEXT_BYTES) {
        throw new EnvelopeError('TOO_LARGE', `plaintext of ${data.length} bytes exceeds ${MAX_PLAINTEXT_BYTES}`);
    }
    const recipient = key32(recipientPublicKey, 'recipient public key');
    const ephemeral = generateX25519KeyPair();
    const key = deriveKey(sharedSecret(ephemeral.secretKey, recipient), ephemeral.publicKey, recipient, envelopeInfo(kind, job, seq));
    const nonce = randomBytes(24);
    const aad = header(kind, ephemeral.publicKey, nonce, data.length + POLY1305_TAG_BYTES);
    const ciphertext = Buffer.from(xchacha20poly1305(key, nonce, aad).encrypt(data));
    ephemeral.secretKey.fill(0);
    return { kind, ephemeralPublicKey: ephemeral.publicKey, nonce, ciphertext };
}

/**
 * Opens an envelope with the recipient's secret key (or key pair, which saves deriving the
 * public key); throws EnvelopeError('DECRYPTION_FAILED') if anything differs.
 */
export function openEnvelope(
    envelope: Envelope | Uint8Array,
    expectedKind: EnvelopeKind,
    recipientKey: Buffer | X25519KeyPair,
    job: Address,
    seq = 0,
): Buffer {
    const env = envelope instanceof Uint8Array ? parseEnvelope(envelope) : envelope;
    if (env.kind !== expectedKind) {
        throw new EnvelopeError('WRONG_ENVELOPE_KIND', `expected a ${expectedKind} envelope, got a ${env.kind} envelope`);
    }
    const recipient = Buffer.isBuffer(recipientKey) || recipientKey instanceof Uint8Array
        ? x25519KeyPairFromSecret(recipientKey as Buffer)
        : { secretKey: key32(recipientKey.secretKey, 'secret key'), publicKey: key32(recipientKey.publicKey, 'public key') };
    const key = deriveKey(
        sharedSecret(recipient.secretKey, key32(env.ephemeralPublicKey, 'ephemeral public key')),
        env.ephemeralPublicKey,
        recipient.publicKey,
        envelopeInfo(env.kind, job, seq),
    );
    const aad = header(env.kind, env.ephemeralPublicKey, env.nonce, env.ciphertext.length);
    try {
        return Buffer.from(xchacha20poly1305(key, env.nonce, aad).decrypt(env.ciphertext));
    } catch (e) {
        throw new EnvelopeError(
            'DECRYPTION_FAILED',
            `the ${env.kind} envelope does not open: tampered, or sealed to another key, job ${job.toString()} or request ${seq}`,
            { cause: e },
        );
    }
}

/** Canonical bytes of an envelope (see the file header). */
export function serializeEnvelope(env: Envelope): Buffer {
    if (env.ephemeralPublicKey.length !== 32 || env.nonce.length !== 24 || env.ciphertext.length < POLY1305_TAG_BYTES) {
        throw new EnvelopeError('MALFORMED_ENVELOPE', 'envelope fields have wrong lengths');
    }
    return Buffer.concat([header(env.kind, env.ephemeralPublicKey, env.nonce, env.ciphertext.length), env.ciphertext]);
}

/** Parses canonical envelope bytes; anything else is MALFORMED_ENVELOPE. */
export function parseEnvelope(bytes: Uint8Array): Envelope {
    const b = Buffer.from(bytes);
    const fail = (why: string): never => {
        throw new EnvelopeError('MALFORMED_ENVELOPE', `not a v1 envelope: ${why}`);
    };
    if (b.length < ENVELOPE_HEADER_BYTES + POLY1305_TAG_BYTES) fail(`${b.length} bytes is too short`);
    if (!b.subarray(0, 4).equals(ENVELOPE_MAGIC)) fail('bad magic');
    if (b[4] !== ENVELOPE_VERSION) fail(`version ${b[4]}`);
    const kind = b[5] === 0x01 ? 'prompt' : b[5] === 0x02 ? 'result' : fail(`kind byte ${b[5]}`);
    const length = b.readUInt32BE(62);
    if (length !== b.length - ENVELOPE_HEADER_BYTES) fail(`length field ${length}, ${b.length - ENVELOPE_HEADER_BYTES} bytes follow`);
    if (length - POLY1305_TAG_BYTES > MAX_PLAINTEXT_BYTES) fail('too large');
    return {
        kind,
        ephemeralPublicKey: Buffer.from(b.subarray(6, 38)),
        nonce: Buffer.from(b.subarray(38, 62)),
        ciphertext: Buffer.from(b.subarray(66)),
    };
}

/** The commitment of an envelope as the contracts store it: SHA-256 of its canonical bytes, as a uint256. */
export function envelopeCommitment(env: Envelope | Uint8Array): bigint {
    const bytes = env instanceof Uint8Array ? Buffer.from(env) : serializeEnvelope(env);
    return BigInt('0x' + Buffer.from(sha256(bytes)).toString('hex'));
}

// ---- the two directions ----

/** Client side: seals a prompt to the provider's attested encryption key, for `job` (and request `seq` of a session). */
export function encryptPrompt(plaintext: Uint8Array | string, providerEncryptionKey: Buffer, job: Address, seq = 0): Envelope {
    return sealEnvelope('prompt', plaintext, providerEncryptionKey, job, seq);
}

/** Worker side: opens a prompt with the encryption secret generated inside the TEE. */
export function decryptPrompt(envelope: Envelope | Uint8Array, encryptionKey: Buffer | X25519KeyPair, job: Address, seq = 0): Buffer {
    return openEnvelope(envelope, 'prompt', encryptionKey, job, seq);
}

/** Worker side: seals a result to the X25519 key the client chose (carried inside its prompt). */
export function encryptResult(plaintext: Uint8Array | string, clientResultKey: Buffer, job: Address, seq = 0): Envelope {
    return sealEnvelope('result', plaintext, clientResultKey, job, seq);
}

/** Client side: opens a result with the secret of the key it chose. */
export function decryptResult(envelope: Envelope | Uint8Array, resultKey: Buffer | X25519KeyPair, job: Address, seq = 0): Buffer {
    return openEnvelope(envelope, 'result', resultKey, job, seq);
}
