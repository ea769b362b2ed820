import { keyPairFromSeed } from '@ton/crypto';
import {
    AttestQuoteRequest,
    SimulatedTdxCa,
    attestQuote,
    buildReportData,
    createSimulatedTdxCa,
    createSimulatedTdxQuote,
    measurementPolicyHash,
    parseSignedStatement,
    verifySignedStatement,
} from '../../attestation';
import { bytes32, describeWithRealQuote, expectCode, testAddress } from './helpers';

const VERIFIER = keyPairFromSeed(Buffer.alloc(32, 0x07));
const OPERATOR = bytes32(0xa1);
const ENCRYPTION = bytes32(0xb2);
const OWNER = testAddress(0xc3);
const ROOT = testAddress(0xd4, -1);
const MEASUREMENTS = {
    tdAttributes: Buffer.from('0000001000000000', 'hex'),
    mrTd: Buffer.alloc(48, 0x31),
    rtmr0: Buffer.alloc(48, 0x32),
    rtmr1: Buffer.alloc(48, 0x33),
    rtmr2: Buffer.alloc(48, 0x34),
    rtmr3: Buffer.alloc(48, 0x35),
};

describe('attestQuote (attestation-verifier service)', () => {
    let ca: SimulatedTdxCa;
    let request: AttestQuoteRequest;
    beforeAll(async () => {
        ca = await createSimulatedTdxCa();
        request = {
            quote: createSimulatedTdxQuote(ca, { reportData: buildReportData(OPERATOR, ENCRYPTION, OWNER), measurements: MEASUREMENTS }),
            operatorKey: OPERATOR,
            encryptionKey: ENCRYPTION,
            owner: OWNER,
            root: ROOT,
            issuedAt: 1_800_000_000,
            lifetime: 7 * 86_400,
            verifierSecretKey: VERIFIER.secretKey,
            trust: { rootPublicKey: ca.rootPublicKey },
        };
    });

    it('signs a statement binding the policy hash, keys, root and owner for issuedAt + lifetime', () => {
        const r = attestQuote(request);
        const expectedPolicy = measurementPolicyHash(MEASUREMENTS);
        expect(r.policyHash.equals(expectedPolicy)).toBe(true);
        const s = verifySignedStatement(r.signedStatement, [VERIFIER.publicKey], { now: 1_800_000_000 });
        expect(s.statement.policyHash.equals(expectedPolicy)).toBe(true);
        expect(s.statement.operatorKey.equals(OPERATOR)).toBe(true);
        expect(s.statement.encryptionKey.equals(ENCRYPTION)).toBe(true);
        expect(s.statement.owner.equals(OWNER)).toBe(true);
        expect(s.statement.root.equals(ROOT)).toBe(true);
        expect(s.statement.issuedAt).toBe(1_800_000_000);
        expect(s.statement.expiresAt).toBe(1_800_000_000 + 7 * 86_400);
        expect(s.verifierKey.equals(VERIFIER.publicKey)).toBe(true);
        expect(r.verification.checks).toContain('quoteSignature');
    });

    it('refuses a quote whose REPORTDATA binds another operator key, encryption key or owner', () => {
        expectCode(() => attestQuote({ ...request, operatorKey: bytes32(0x01) }), 'REPORTDATA_MISMATCH');
        expectCode(() => attestQuote({ ...request, encryptionKey: bytes32(0x02) }), 'REPORTDATA_MISMATCH');
        expectCode(() => attestQuote({ ...request, owner: testAddress(0x03) }), 'REPORTDATA_MISMATCH');
    });

    it('refuses a zero, negative, fractional or overflowing lifetime with BAD_LIFETIME', () => {
        for (const lifetime of [0, -1, -86_400, 1.5, Number.NaN]) {
            expectCode(() => attestQuote({ ...request, lifetime }), 'BAD_LIFETIME');
        }
        expectCode(() => attestQuote({ ...request, issuedAt: 0xffffff00, lifetime: 0x100 }), 'BAD_LIFETIME');
        expect(parseSignedStatement(attestQuote({ ...request, issuedAt: 0xffffff00, lifetime: 0xff }).signedStatement).statement.expiresAt).toBe(
            0xffffffff,
        );
    });

    it('refuses an issuedAt outside uint32 with BAD_ARGUMENT', () => {
        expectCode(() => attestQuote({ ...request, issuedAt: -5 }), 'BAD_ARGUMENT');
        expectCode(() => attestQuote({ ...request, issuedAt: 2 ** 32 }), 'BAD_ARGUMENT');
    });

    it('refuses the simulated quote under the default Intel pin with UNTRUSTED_ROOT', () => {
        expectCode(() => attestQuote({ ...request, trust: undefined }), 'UNTRUSTED_ROOT');
    });

    it('refuses a tampered quote with the verification error', () => {
        const quote = Buffer.from(request.quote);
        quote[48 + 136] ^= 1; // MRTD
        expectCode(() => attestQuote({ ...request, quote }), 'BAD_QUOTE_SIGNATURE');
    });

    it('refuses a debug TD with DEBUG_TD', () => {
        const quote = createSimulatedTdxQuote(ca, {
            reportData: buildReportData(OPERATOR, ENCRYPTION, OWNER),
            measurements: { ...MEASUREMENTS, tdAttributes: Buffer.from('0100001000000000', 'hex') },
        });
        expectCode(() => attestQuote({ ...request, quote }), 'DEBUG_TD');
    });

    it('applies an optional policy allowlist', () => {
        const allowed = measurementPolicyHash(MEASUREMENTS);
        expect(() => attestQuote({ ...request, trust: { rootPublicKey: ca.rootPublicKey, allowedPolicyHashes: [allowed] } })).not.toThrow();
        expectCode(
            () => attestQuote({ ...request, trust: { rootPublicKey: ca.rootPublicKey, allowedPolicyHashes: [bytes32(0)] } }),
            'POLICY_NOT_ALLOWED',
        );
    });

    it('refuses a malformed verifier secret key with BAD_VERIFIER_KEY', () => {
        expectCode(() => attestQuote({ ...request, verifierSecretKey: Buffer.alloc(16) }), 'BAD_VERIFIER_KEY');
    });
});

describeWithRealQuote('attestQuote on the real Intel quote', (realQuote) => {
    it('verifies the quote under the Intel pin but refuses keys its REPORTDATA does not bind', () => {
        expectCode(
            () =>
                attestQuote({
                    quote: realQuote(),
                    operatorKey: OPERATOR,
                    encryptionKey: ENCRYPTION,
                    owner: OWNER,
                    root: ROOT,
                    issuedAt: 1_800_000_000,
                    lifetime: 3600,
                    verifierSecretKey: VERIFIER.secretKey,
                }),
            'REPORTDATA_MISMATCH',
        );
    });
});
