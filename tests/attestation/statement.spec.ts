import { Address, BitString, Cell, beginCell } from '@ton/core';
import { keyPairFromSeed, sign, signVerify } from '@ton/crypto';
import {
    SignedStatement,
    loadAttestationStatement,
    loadSignedStatement,
    storeSignedStatement,
} from '../../wrappers/generated/schema';
import {
    StatementFields,
    buildStatementCell,
    parseSignedStatement,
    signStatement,
    verifySignedStatement,
} from '../../attestation';
import { bytes32, expectCode, testAddress } from './helpers';

const VERIFIER = keyPairFromSeed(Buffer.alloc(32, 0x01));
const OTHER = keyPairFromSeed(Buffer.alloc(32, 0x02));

const FIELDS: StatementFields = {
    issuedAt: 1_750_000_000,
    expiresAt: 1_750_086_400,
    policyHash: bytes32(0x11),
    operatorKey: bytes32(0x22),
    encryptionKey: bytes32(0x33),
    root: testAddress(0x44),
    owner: testAddress(0x55),
};

/** One variant of FIELDS per field, each differing from FIELDS in that field only. */
const VARIANTS: Array<[keyof StatementFields, StatementFields]> = [
    ['issuedAt', { ...FIELDS, issuedAt: FIELDS.issuedAt + 1 }],
    ['expiresAt', { ...FIELDS, expiresAt: FIELDS.expiresAt + 1 }],
    ['policyHash', { ...FIELDS, policyHash: bytes32(0x12) }],
    ['operatorKey', { ...FIELDS, operatorKey: bytes32(0x23) }],
    ['encryptionKey', { ...FIELDS, encryptionKey: bytes32(0x34) }],
    ['root', { ...FIELDS, root: testAddress(0x45) }],
    ['owner', { ...FIELDS, owner: testAddress(0x56) }],
];

function bits(buf: Buffer): BitString {
    return new BitString(buf, 0, buf.length * 8);
}

/** Re-encodes a signed statement with the given parts replaced (signature kept unless given). */
function reencode(cell: Cell, patch: Partial<SignedStatement>): Cell {
    const decoded = loadSignedStatement(cell.beginParse());
    return beginCell().store(storeSignedStatement({ ...decoded, ...patch })).endCell();
}

describe('buildStatementCell', () => {
    it('encodes attestation_statement#c0c0a77e in TL-B field order with the subject in a reference', () => {
        const cell = buildStatementCell(FIELDS);
        const s = cell.beginParse();
        expect(s.loadUint(32)).toBe(0xc0c0a77e);
        expect(s.loadUint(32)).toBe(FIELDS.issuedAt);
        expect(s.loadUint(32)).toBe(FIELDS.expiresAt);
        expect(s.loadBuffer(32).equals(FIELDS.policyHash)).toBe(true);
        expect(s.loadBuffer(32).equals(FIELDS.operatorKey)).toBe(true);
        expect(s.loadBuffer(32).equals(FIELDS.encryptionKey)).toBe(true);
        const subject = s.loadRef().beginParse();
        expect(subject.loadAddress().equals(FIELDS.root)).toBe(true);
        expect(subject.loadAddress().equals(FIELDS.owner)).toBe(true);
        expect(subject.remainingBits).toBe(0);
        expect(s.remainingBits).toBe(0);
        expect(s.remainingRefs).toBe(0);
    });

    it('decodes with the generated loadAttestationStatement to the same values', () => {
        const st = loadAttestationStatement(buildStatementCell(FIELDS).beginParse());
        expect(st.issued_at).toBe(FIELDS.issuedAt);
        expect(st.expires_at).toBe(FIELDS.expiresAt);
        expect(st.subject.owner.equals(FIELDS.owner)).toBe(true);
    });

    it('changes the cell hash when any single field changes', () => {
        const base = buildStatementCell(FIELDS).hash().toString('hex');
        const hashes = new Set([base]);
        for (const [, variant] of VARIANTS) hashes.add(buildStatementCell(variant).hash().toString('hex'));
        expect(hashes.size).toBe(VARIANTS.length + 1);
    });

    it('rejects expiresAt <= issuedAt with BAD_LIFETIME and malformed fields with BAD_ARGUMENT', () => {
        expectCode(() => buildStatementCell({ ...FIELDS, expiresAt: FIELDS.issuedAt }), 'BAD_LIFETIME');
        expectCode(() => buildStatementCell({ ...FIELDS, issuedAt: -1 }), 'BAD_ARGUMENT');
        expectCode(() => buildStatementCell({ ...FIELDS, expiresAt: 2 ** 32 }), 'BAD_ARGUMENT');
        expectCode(() => buildStatementCell({ ...FIELDS, issuedAt: 1.5 }), 'BAD_ARGUMENT');
        expectCode(() => buildStatementCell({ ...FIELDS, policyHash: Buffer.alloc(31) }), 'BAD_ARGUMENT');
        expectCode(() => buildStatementCell({ ...FIELDS, operatorKey: Buffer.alloc(33) }), 'BAD_ARGUMENT');
        expectCode(() => buildStatementCell({ ...FIELDS, root: 'EQ' as unknown as Address }), 'BAD_ARGUMENT');
    });
});

describe('signStatement / parseSignedStatement', () => {
    it('round-trips every field through the generated TL-B codec', () => {
        const signed = signStatement(FIELDS, VERIFIER.secretKey);
        const p = parseSignedStatement(signed);
        expect(p.statement.issuedAt).toBe(FIELDS.issuedAt);
        expect(p.statement.expiresAt).toBe(FIELDS.expiresAt);
        expect(p.statement.policyHash.equals(FIELDS.policyHash)).toBe(true);
        expect(p.statement.operatorKey.equals(FIELDS.operatorKey)).toBe(true);
        expect(p.statement.encryptionKey.equals(FIELDS.encryptionKey)).toBe(true);
        expect(p.statement.root.equals(FIELDS.root)).toBe(true);
        expect(p.statement.owner.equals(FIELDS.owner)).toBe(true);
        expect(p.verifierKey.equals(VERIFIER.publicKey)).toBe(true);
        expect(p.statementCell.equals(buildStatementCell(FIELDS))).toBe(true);
        // And the generated loader agrees on the outer layout.
        const g = loadSignedStatement(signed.beginParse());
        expect(g.verifier_key.equals(bits(VERIFIER.publicKey))).toBe(true);
        expect(g.signature.equals(bits(p.signature))).toBe(true);
    });

    it('signs the representation hash of the statement cell with ed25519', () => {
        const p = parseSignedStatement(signStatement(FIELDS, VERIFIER.secretKey));
        const hash = buildStatementCell(FIELDS).hash();
        expect(signVerify(hash, p.signature, VERIFIER.publicKey)).toBe(true);
        expect(p.signature.equals(sign(hash, VERIFIER.secretKey))).toBe(true); // ed25519 is deterministic
    });

    it('rejects a malformed verifier secret key with BAD_VERIFIER_KEY', () => {
        expectCode(() => signStatement(FIELDS, Buffer.alloc(32)), 'BAD_VERIFIER_KEY');
        const mismatched = Buffer.concat([VERIFIER.secretKey.subarray(0, 32), OTHER.publicKey]);
        expectCode(() => signStatement(FIELDS, mismatched), 'BAD_VERIFIER_KEY');
    });

    it('rejects cells that are not a SignedStatement with BAD_STATEMENT', () => {
        expectCode(() => parseSignedStatement(beginCell().storeUint(1, 8).endCell()), 'BAD_STATEMENT');
        const wrongTag = beginCell()
            .storeBuffer(VERIFIER.publicKey)
            .storeBuffer(Buffer.alloc(64))
            .storeRef(beginCell().storeUint(0xdeadbeef, 32).endCell())
            .endCell();
        expectCode(() => parseSignedStatement(wrongTag), 'BAD_STATEMENT');
    });

    it('rejects extra bits or references with NON_CANONICAL_STATEMENT', () => {
        const signed = signStatement(FIELDS, VERIFIER.secretKey);
        const extraBits = beginCell().storeSlice(signed.beginParse()).storeUint(0, 1).endCell();
        expectCode(() => parseSignedStatement(extraBits), 'NON_CANONICAL_STATEMENT');
        const extraRef = beginCell().storeSlice(signed.beginParse()).storeRef(beginCell().endCell()).endCell();
        expectCode(() => parseSignedStatement(extraRef), 'NON_CANONICAL_STATEMENT');
        const stmt = buildStatementCell(FIELDS);
        const paddedStmt = beginCell().storeSlice(stmt.beginParse()).storeUint(1, 3).endCell();
        const innerExtra = beginCell()
            .storeBuffer(VERIFIER.publicKey)
            .storeBuffer(sign(paddedStmt.hash(), VERIFIER.secretKey))
            .storeRef(paddedStmt)
            .endCell();
        expectCode(() => verifySignedStatement(innerExtra, [VERIFIER.publicKey]), 'NON_CANONICAL_STATEMENT');
    });
});

describe('verifySignedStatement', () => {
    const signed = signStatement(FIELDS, VERIFIER.secretKey);

    it('accepts a statement signed by a trusted key, given as Buffer, hex or uint256', () => {
        expect(verifySignedStatement(signed, [VERIFIER.publicKey]).statement.owner.equals(FIELDS.owner)).toBe(true);
        expect(() => verifySignedStatement(signed, [OTHER.publicKey, VERIFIER.publicKey.toString('hex')])).not.toThrow();
        expect(() => verifySignedStatement(signed, [BigInt('0x' + VERIFIER.publicKey.toString('hex'))])).not.toThrow();
    });

    it('rejects a statement signed by a key outside the trusted set with UNTRUSTED_VERIFIER_KEY', () => {
        expectCode(() => verifySignedStatement(signed, [OTHER.publicKey]), 'UNTRUSTED_VERIFIER_KEY');
        expectCode(() => verifySignedStatement(signed, []), 'UNTRUSTED_VERIFIER_KEY');
        expectCode(() => verifySignedStatement(signStatement(FIELDS, OTHER.secretKey), [VERIFIER.publicKey]), 'UNTRUSTED_VERIFIER_KEY');
    });

    it.each(VARIANTS)('rejects a statement whose %s was modified after signing with BAD_STATEMENT_SIGNATURE', (_field, variant) => {
        const p = parseSignedStatement(signed);
        const forged = beginCell()
            .storeBuffer(p.verifierKey)
            .storeBuffer(p.signature)
            .storeRef(buildStatementCell(variant))
            .endCell();
        expectCode(() => verifySignedStatement(forged, [VERIFIER.publicKey]), 'BAD_STATEMENT_SIGNATURE');
    });

    it('rejects another key\'s signature under a trusted verifier_key with BAD_STATEMENT_SIGNATURE', () => {
        const byOther = parseSignedStatement(signStatement(FIELDS, OTHER.secretKey));
        const claimed = reencode(signed, { signature: bits(byOther.signature) });
        expectCode(() => verifySignedStatement(claimed, [VERIFIER.publicKey]), 'BAD_STATEMENT_SIGNATURE');
    });

    it('rejects a flipped signature bit with BAD_STATEMENT_SIGNATURE', () => {
        const sig = Buffer.from(parseSignedStatement(signed).signature);
        sig[10] ^= 0x04;
        expectCode(() => verifySignedStatement(reencode(signed, { signature: bits(sig) }), [VERIFIER.publicKey]), 'BAD_STATEMENT_SIGNATURE');
    });

    it('checks issued_at <= now < expires_at when now is given', () => {
        expect(() => verifySignedStatement(signed, [VERIFIER.publicKey], { now: FIELDS.issuedAt })).not.toThrow();
        expect(() => verifySignedStatement(signed, [VERIFIER.publicKey], { now: FIELDS.expiresAt - 1 })).not.toThrow();
        expectCode(() => verifySignedStatement(signed, [VERIFIER.publicKey], { now: FIELDS.issuedAt - 1 }), 'STATEMENT_NOT_YET_VALID');
        expectCode(() => verifySignedStatement(signed, [VERIFIER.publicKey], { now: FIELDS.expiresAt }), 'STATEMENT_EXPIRED');
    });

    it('rejects a validly signed statement with expires_at <= issued_at with BAD_LIFETIME', () => {
        const stmt = beginCell()
            .storeUint(0xc0c0a77e, 32)
            .storeUint(100, 32)
            .storeUint(100, 32)
            .storeBuffer(FIELDS.policyHash)
            .storeBuffer(FIELDS.operatorKey)
            .storeBuffer(FIELDS.encryptionKey)
            .storeRef(beginCell().storeAddress(FIELDS.root).storeAddress(FIELDS.owner).endCell())
            .endCell();
        const cell = beginCell().storeBuffer(VERIFIER.publicKey).storeBuffer(sign(stmt.hash(), VERIFIER.secretKey)).storeRef(stmt).endCell();
        expectCode(() => verifySignedStatement(cell, [VERIFIER.publicKey]), 'BAD_LIFETIME');
    });

    it('rejects malformed trusted keys with BAD_ARGUMENT', () => {
        expectCode(() => verifySignedStatement(signed, [Buffer.alloc(31)]), 'BAD_ARGUMENT');
        expectCode(() => verifySignedStatement(signed, [-1n]), 'BAD_ARGUMENT');
    });
});
