import { createHash } from 'node:crypto';
import {
    POLICY_HASH_DOMAIN,
    PolicyMeasurements,
    hashToBigInt,
    measurementPolicyHash,
    measurementPolicyHashBigInt,
    parseTdxQuote,
    policyMeasurementsOf,
} from '../../attestation';
import { describeWithRealQuote, expectCode } from './helpers';

/** Fixed inputs of the known-answer vector (also quoted in SPEC.md). */
const KAT: PolicyMeasurements = {
    tdAttributes: Buffer.from('0001020304050607', 'hex'),
    mrTd: Buffer.alloc(48, 0x11),
    rtmr0: Buffer.alloc(48, 0x20),
    rtmr1: Buffer.alloc(48, 0x21),
    rtmr2: Buffer.alloc(48, 0x22),
    rtmr3: Buffer.alloc(48, 0x23),
};
/** SHA-256 of the concatenation above, computed outside this code base (Python hashlib). */
const KAT_HASH = '846229571517b1e015c328f4be7f3a0c0dd1fa47d9b878c6908f3f6824f13602';

const FIELDS = ['tdAttributes', 'mrTd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'] as const;

function clone(m: PolicyMeasurements): { -readonly [K in keyof PolicyMeasurements]: Buffer } {
    return {
        tdAttributes: Buffer.from(m.tdAttributes),
        mrTd: Buffer.from(m.mrTd),
        rtmr0: Buffer.from(m.rtmr0),
        rtmr1: Buffer.from(m.rtmr1),
        rtmr2: Buffer.from(m.rtmr2),
        rtmr3: Buffer.from(m.rtmr3),
    };
}

describe('measurementPolicyHash', () => {
    it('is SHA-256("cocoon.tdx.policy.v1" || TDATTRIBUTES || MRTD || RTMR0 || RTMR1 || RTMR2 || RTMR3)', () => {
        const independent = createHash('sha256')
            .update(Buffer.concat([Buffer.from('cocoon.tdx.policy.v1', 'ascii'), KAT.tdAttributes, KAT.mrTd, KAT.rtmr0, KAT.rtmr1, KAT.rtmr2, KAT.rtmr3]))
            .digest();
        expect(independent.toString('hex')).toBe(KAT_HASH);
        expect(measurementPolicyHash(KAT).toString('hex')).toBe(KAT_HASH);
    });

    it('hashes exactly 268 bytes with a 20-byte ASCII domain separator', () => {
        expect(Buffer.from(POLICY_HASH_DOMAIN, 'ascii').toString('hex')).toBe('636f636f6f6e2e7464782e706f6c6963792e7631');
        const input = Buffer.concat([Buffer.from(POLICY_HASH_DOMAIN), KAT.tdAttributes, KAT.mrTd, KAT.rtmr0, KAT.rtmr1, KAT.rtmr2, KAT.rtmr3]);
        expect(input).toHaveLength(268);
    });

    it('is deterministic and returns a 32-byte Buffer', () => {
        const a = measurementPolicyHash(KAT);
        const b = measurementPolicyHash(clone(KAT));
        expect(a).toHaveLength(32);
        expect(a.equals(b)).toBe(true);
    });

    it('changes when any single byte of any measurement changes', () => {
        const seen = new Set<string>([measurementPolicyHash(KAT).toString('hex')]);
        let variants = 0;
        for (const field of FIELDS) {
            for (let i = 0; i < KAT[field].length; i++) {
                const m = clone(KAT);
                m[field][i] ^= 0x01;
                seen.add(measurementPolicyHash(m).toString('hex'));
                variants++;
            }
        }
        expect(variants).toBe(8 + 5 * 48);
        expect(seen.size).toBe(variants + 1);
    });

    it('distinguishes swapped RTMRs (the field order is part of the definition)', () => {
        const swapped = { ...KAT, rtmr0: KAT.rtmr1, rtmr1: KAT.rtmr0 };
        expect(measurementPolicyHash(swapped).equals(measurementPolicyHash(KAT))).toBe(false);
    });

    it('exposes the hash as a big-endian uint256', () => {
        expect(measurementPolicyHashBigInt(KAT)).toBe(BigInt('0x' + KAT_HASH));
        expect(hashToBigInt(Buffer.alloc(32, 0xff))).toBe((1n << 256n) - 1n);
        expect(hashToBigInt(Buffer.concat([Buffer.alloc(31), Buffer.from([1])]))).toBe(1n);
    });

    it('rejects measurements of the wrong length with BAD_ARGUMENT', () => {
        for (const field of FIELDS) {
            const m = clone(KAT);
            m[field] = Buffer.alloc(m[field].length - 1);
            expectCode(() => measurementPolicyHash(m), 'BAD_ARGUMENT');
        }
        expectCode(() => hashToBigInt(Buffer.alloc(31)), 'BAD_ARGUMENT');
    });
});

describeWithRealQuote('measurementPolicyHash of the real quote', (realQuote) => {
    it('matches the independently computed value and ignores fields outside the policy (REPORTDATA, MRCONFIGID, XFAM)', () => {
        const body = parseTdxQuote(realQuote()).body;
        const m = policyMeasurementsOf(body);
        const independent = createHash('sha256')
            .update(Buffer.from('cocoon.tdx.policy.v1'))
            .update(realQuote().subarray(168, 176))
            .update(realQuote().subarray(184, 232))
            .update(realQuote().subarray(376, 568))
            .digest('hex');
        expect(measurementPolicyHash(m).toString('hex')).toBe(independent);
        expect(independent).toBe('3b578e38c87cd8ff93a26c3b509e46bdf003319689bbe450177b981338cf3a56');
        const other = policyMeasurementsOf({ ...body, reportData: Buffer.alloc(64, 9), mrConfigId: Buffer.alloc(48, 9), xfam: Buffer.alloc(8, 9) });
        expect(measurementPolicyHash(other).toString('hex')).toBe(independent);
    });
});
