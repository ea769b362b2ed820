import { Address, BitString, Cell, beginCell } from '@ton/core';
import { keyPairFromSecretKey, sign, signVerify } from '@ton/crypto';
import {
    AttestationStatement,
    SignedStatement,
    loadSignedStatement,
    storeAttestationStatement,
    storeSignedStatement,
} from '../wrappers/generated/schema';
import { AttestationError, requireBytes, requireUint32 } from './errors';

/** The content of an `attestation_statement` (contracts/schema.tlb). */
export interface StatementFields {
    /** uint32 unix time; the per-provider replay counter (must strictly increase on chain). */
    readonly issuedAt: number;
    /** uint32 unix time; must be greater than `issuedAt`. */
    readonly expiresAt: number;
    /** 32-byte measurement policy hash (see policy.ts). */
    readonly policyHash: Buffer;
    /** 32-byte ed25519 operator public key. */
    readonly operatorKey: Buffer;
    /** 32-byte X25519 encryption public key. */
    readonly encryptionKey: Buffer;
    /** The protocol root contract the statement is for. */
    readonly root: Address;
    /** The provider's owner. */
    readonly owner: Address;
}

/** A decoded `signed_statement`. */
export interface ParsedSignedStatement {
    /** 32-byte ed25519 public key of the verifier. */
    readonly verifierKey: Buffer;
    /** 64-byte ed25519 signature over `statementCell.hash()`. */
    readonly signature: Buffer;
    readonly statement: StatementFields;
    /** The `attestation_statement` cell exactly as referenced by the signed statement. */
    readonly statementCell: Cell;
}

/** Options of {@link verifySignedStatement}. */
export interface VerifyStatementOptions {
    /** When given (unix seconds), the statement must satisfy issued_at <= now < expires_at. */
    readonly now?: number;
}

/**
 * Converts {@link StatementFields} to the generated TL-B type, validating every field
 * (`BAD_ARGUMENT` for wrong lengths/ranges, `BAD_LIFETIME` unless expiresAt > issuedAt).
 */
export function toAttestationStatement(f: StatementFields): AttestationStatement {
    const issuedAt = requireUint32(f.issuedAt, 'issuedAt');
    const expiresAt = requireUint32(f.expiresAt, 'expiresAt');
    if (expiresAt <= issuedAt) {
        throw new AttestationError('BAD_LIFETIME', `expiresAt ${expiresAt} must be after issuedAt ${issuedAt}`);
    }
    for (const [a, what] of [
        [f.root, 'root'],
        [f.owner, 'owner'],
    ] as const) {
        if (!(a instanceof Address)) throw new AttestationError('BAD_ARGUMENT', `${what} must be an Address`);
    }
    return {
        kind: 'AttestationStatement',
        issued_at: issuedAt,
        expires_at: expiresAt,
        policy_hash: bits(requireBytes(f.policyHash, 32, 'policyHash')),
        operator_key: bits(requireBytes(f.operatorKey, 32, 'operatorKey')),
        encryption_key: bits(requireBytes(f.encryptionKey, 32, 'encryptionKey')),
        subject: { kind: 'StatementSubject', root: f.root, owner: f.owner },
    };
}

/** Builds the `attestation_statement#c0c0a77e` cell (via the generated TL-B codec). */
export function buildStatementCell(f: StatementFields): Cell {
    return beginCell().store(storeAttestationStatement(toAttestationStatement(f))).endCell();
}

/**
 * Signs a statement and returns the `signed_statement` cell:
 * `verifier_key:bits256 signature:bits512 statement:^AttestationStatement`, where
 * `signature = ed25519_sign(statement_cell.hash(), verifier secret key)`.
 *
 * @param verifierSecretKey the 64-byte ed25519 secret key (seed || public key) as produced by
 *   `keyPairFromSeed` / `mnemonicToPrivateKey` of @ton/crypto.
 * @throws AttestationError `BAD_VERIFIER_KEY` for a malformed key, plus the field errors of
 *   {@link toAttestationStatement}.
 */
export function signStatement(f: StatementFields, verifierSecretKey: Buffer): Cell {
    const statement = toAttestationStatement(f);
    const statementCell = beginCell().store(storeAttestationStatement(statement)).endCell();
    if (!(verifierSecretKey instanceof Uint8Array) || verifierSecretKey.length !== 64) {
        throw new AttestationError('BAD_VERIFIER_KEY', 'the verifier secret key must be a 64-byte ed25519 secret key');
    }
    const secretKey = Buffer.from(verifierSecretKey);
    const publicKey = keyPairFromSecretKey(secretKey).publicKey;
    const signature = sign(statementCell.hash(), secretKey);
    if (!signVerify(statementCell.hash(), signature, publicKey)) {
        throw new AttestationError('BAD_VERIFIER_KEY', 'the secret key does not match its embedded public key');
    }
    const signed: SignedStatement = {
        kind: 'SignedStatement',
        verifier_key: bits(publicKey),
        signature: bits(signature),
        statement,
    };
    return beginCell().store(storeSignedStatement(signed)).endCell();
}

/**
 * Decodes a `signed_statement` cell (via the generated TL-B codec). The cell must be the
 * canonical encoding: re-encoding the decoded value must give the same cell, so no trailing bits
 * or references can ride along (`NON_CANONICAL_STATEMENT`). Decoding failures: `BAD_STATEMENT`.
 * The signature is not checked here (see {@link verifySignedStatement}).
 */
export function parseSignedStatement(cell: Cell): ParsedSignedStatement {
    if (!(cell instanceof Cell)) throw new AttestationError('BAD_ARGUMENT', 'expected a Cell');
    let decoded: SignedStatement;
    let statementCell: Cell;
    try {
        decoded = loadSignedStatement(cell.beginParse());
        statementCell = cell.refs[0];
    } catch (e) {
        throw new AttestationError('BAD_STATEMENT', `not a SignedStatement: ${(e as Error).message}`, { cause: e });
    }
    const reencoded = beginCell().store(storeSignedStatement(decoded)).endCell();
    if (!reencoded.hash().equals(cell.hash())) {
        throw new AttestationError('NON_CANONICAL_STATEMENT', 'the cell carries data beyond the canonical SignedStatement');
    }
    const s = decoded.statement;
    return {
        verifierKey: bitsToBuffer(decoded.verifier_key),
        signature: bitsToBuffer(decoded.signature),
        statementCell,
        statement: {
            issuedAt: s.issued_at,
            expiresAt: s.expires_at,
            policyHash: bitsToBuffer(s.policy_hash),
            operatorKey: bitsToBuffer(s.operator_key),
            encryptionKey: bitsToBuffer(s.encryption_key),
            root: s.subject.root,
            owner: s.subject.owner,
        },
    };
}

/**
 * Decodes and verifies a `signed_statement` cell the way the root contract does:
 * canonical encoding (`BAD_STATEMENT`, `NON_CANONICAL_STATEMENT`), verifier key in `trustedKeys`
 * (`UNTRUSTED_VERIFIER_KEY`), ed25519 signature over the statement cell's representation hash
 * (`BAD_STATEMENT_SIGNATURE`), expires_at > issued_at (`BAD_LIFETIME`) and, when `opts.now` is
 * given, issued_at <= now < expires_at (`STATEMENT_NOT_YET_VALID`, `STATEMENT_EXPIRED`).
 *
 * @param trustedKeys ed25519 public keys as 32-byte Buffers, 64-char hex strings or uint256 bigints.
 * @returns the decoded statement.
 */
export function verifySignedStatement(
    cell: Cell,
    trustedKeys: Iterable<Buffer | string | bigint>,
    opts: VerifyStatementOptions = {},
): ParsedSignedStatement {
    const trusted = keySet(trustedKeys);
    const parsed = parseSignedStatement(cell);
    if (!trusted.has(parsed.verifierKey.toString('hex'))) {
        throw new AttestationError('UNTRUSTED_VERIFIER_KEY', `verifier key ${parsed.verifierKey.toString('hex')} is not trusted`);
    }
    if (!signVerify(parsed.statementCell.hash(), parsed.signature, parsed.verifierKey)) {
        throw new AttestationError('BAD_STATEMENT_SIGNATURE', 'the signature does not verify under the verifier key');
    }
    const { issuedAt, expiresAt } = parsed.statement;
    if (expiresAt <= issuedAt) {
        throw new AttestationError('BAD_LIFETIME', `expires_at ${expiresAt} is not after issued_at ${issuedAt}`);
    }
    if (opts.now !== undefined) {
        const now = requireUint32(opts.now, 'now');
        if (now < issuedAt) {
            throw new AttestationError('STATEMENT_NOT_YET_VALID', `issued at ${issuedAt}, now is ${now}`);
        }
        if (now >= expiresAt) {
            throw new AttestationError('STATEMENT_EXPIRED', `expired at ${expiresAt}, now is ${now}`);
        }
    }
    return parsed;
}

function keySet(keys: Iterable<Buffer | string | bigint>): Set<string> {
    const out = new Set<string>();
    for (const k of keys) {
        let hex: string;
        if (typeof k === 'bigint') {
            if (k < 0n || k >= 1n << 256n) throw new AttestationError('BAD_ARGUMENT', 'trusted key out of uint256 range');
            hex = k.toString(16).padStart(64, '0');
        } else {
            hex = typeof k === 'string' ? k.toLowerCase() : Buffer.from(k).toString('hex');
        }
        if (!/^[0-9a-f]{64}$/.test(hex)) throw new AttestationError('BAD_ARGUMENT', `trusted key ${hex} is not 32 bytes`);
        out.add(hex);
    }
    return out;
}

function bits(buf: Buffer): BitString {
    return new BitString(buf, 0, buf.length * 8);
}

function bitsToBuffer(b: BitString): Buffer {
    const direct = b.subbuffer(0, b.length);
    if (direct) return Buffer.from(direct);
    return beginCell().storeBits(b).endCell().beginParse().loadBuffer(b.length / 8);
}
