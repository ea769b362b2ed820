import { createHash } from 'node:crypto';
import { Address } from '@ton/core';
import {
    REPORTDATA_DOMAIN,
    SimulatedTdxCa,
    buildReportData,
    checkReportData,
    createSimulatedTdxCa,
    createSimulatedTdxQuote,
    reportDataKeyBinding,
    verifyTdxQuote,
} from '../../attestation';
import { bytes32, expectCode, testAddress } from './helpers';

const OPERATOR = bytes32(0xaa);
const ENCRYPTION = bytes32(0xbb);
const OWNER = testAddress(0xcc);

describe('buildReportData', () => {
    it('is SHA-256("cocoon.tdx.keys.v1" || operator || encryption || wc int8 || account hash) followed by 32 zero bytes', () => {
        const rd = buildReportData(OPERATOR, ENCRYPTION, OWNER);
        const independent = createHash('sha256')
            .update(Buffer.concat([Buffer.from('cocoon.tdx.keys.v1', 'ascii'), OPERATOR, ENCRYPTION, Buffer.from([0x00]), Buffer.alloc(32, 0xcc)]))
            .digest('hex');
        expect(independent).toBe('72a38023d2760294870dc88b305444aec3261ff3e594cd962aafa6c2a4f4b7aa');
        expect(rd).toHaveLength(64);
        expect(rd.subarray(0, 32).toString('hex')).toBe(independent);
        expect(rd.subarray(32).equals(Buffer.alloc(32))).toBe(true);
        expect(reportDataKeyBinding(OPERATOR, ENCRYPTION, OWNER).toString('hex')).toBe(independent);
        expect(REPORTDATA_DOMAIN).toHaveLength(18);
    });

    it('encodes the masterchain workchain -1 as the byte 0xff', () => {
        const rd = buildReportData(OPERATOR, ENCRYPTION, testAddress(0xcc, -1));
        expect(rd.subarray(0, 32).toString('hex')).toBe('8f236939747f358fcb5db9aabf5225a5111bde4702438660e0cdba5d1173dc96');
    });

    it('depends on every input', () => {
        const base = buildReportData(OPERATOR, ENCRYPTION, OWNER);
        expect(buildReportData(bytes32(0xab), ENCRYPTION, OWNER).equals(base)).toBe(false);
        expect(buildReportData(OPERATOR, bytes32(0xbc), OWNER).equals(base)).toBe(false);
        expect(buildReportData(OPERATOR, ENCRYPTION, testAddress(0xcd)).equals(base)).toBe(false);
        expect(buildReportData(OPERATOR, ENCRYPTION, testAddress(0xcc, -1)).equals(base)).toBe(false);
        // the operator and encryption keys are not interchangeable
        expect(buildReportData(ENCRYPTION, OPERATOR, OWNER).equals(base)).toBe(false);
    });

    it('rejects keys that are not 32 bytes and owners that are not addresses with BAD_ARGUMENT', () => {
        expectCode(() => buildReportData(Buffer.alloc(31), ENCRYPTION, OWNER), 'BAD_ARGUMENT');
        expectCode(() => buildReportData(OPERATOR, Buffer.alloc(33), OWNER), 'BAD_ARGUMENT');
        expectCode(() => buildReportData(OPERATOR, ENCRYPTION, 'EQ...' as unknown as Address), 'BAD_ARGUMENT');
    });
});

describe('checkReportData', () => {
    it('accepts REPORTDATA built for the same keys and owner', () => {
        expect(() => checkReportData(buildReportData(OPERATOR, ENCRYPTION, OWNER), OPERATOR, ENCRYPTION, OWNER)).not.toThrow();
    });

    it.each([
        ['a different operator key', bytes32(0x01), ENCRYPTION, OWNER],
        ['a different encryption key', OPERATOR, bytes32(0x02), OWNER],
        ['a different owner account', OPERATOR, ENCRYPTION, testAddress(0x03)],
        ['the same account on another workchain', OPERATOR, ENCRYPTION, testAddress(0xcc, -1)],
    ])('rejects %s with REPORTDATA_MISMATCH', (_name, op, enc, owner) => {
        const rd = buildReportData(OPERATOR, ENCRYPTION, OWNER);
        expectCode(() => checkReportData(rd, op as Buffer, enc as Buffer, owner as Address), 'REPORTDATA_MISMATCH');
    });

    it('rejects a correct binding followed by non-zero bytes with REPORTDATA_MISMATCH', () => {
        const rd = buildReportData(OPERATOR, ENCRYPTION, OWNER);
        rd[63] = 1;
        const e = expectCode(() => checkReportData(rd, OPERATOR, ENCRYPTION, OWNER), 'REPORTDATA_MISMATCH');
        expect(e.message).toContain('not zero');
    });

    it('rejects REPORTDATA that is not 64 bytes with BAD_ARGUMENT', () => {
        expectCode(() => checkReportData(Buffer.alloc(32), OPERATOR, ENCRYPTION, OWNER), 'BAD_ARGUMENT');
    });
});

describe('REPORTDATA binding in simulated quotes', () => {
    let ca: SimulatedTdxCa;
    let quote: Buffer;
    beforeAll(async () => {
        ca = await createSimulatedTdxCa();
        quote = createSimulatedTdxQuote(ca, { reportData: buildReportData(OPERATOR, ENCRYPTION, OWNER) });
    });

    it('is accepted for the keys and owner the quote was made for', () => {
        const { reportData } = verifyTdxQuote(quote, { rootPublicKey: ca.rootPublicKey });
        expect(() => checkReportData(reportData, OPERATOR, ENCRYPTION, OWNER)).not.toThrow();
    });

    it('is rejected for another operator key, encryption key or owner', () => {
        const { reportData } = verifyTdxQuote(quote, { rootPublicKey: ca.rootPublicKey });
        expectCode(() => checkReportData(reportData, bytes32(0x01), ENCRYPTION, OWNER), 'REPORTDATA_MISMATCH');
        expectCode(() => checkReportData(reportData, OPERATOR, bytes32(0x02), OWNER), 'REPORTDATA_MISMATCH');
        expectCode(() => checkReportData(reportData, OPERATOR, ENCRYPTION, testAddress(0x03)), 'REPORTDATA_MISMATCH');
    });
});
