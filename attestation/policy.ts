import { createHash } from 'node:crypto';
import { requireBytes } from './errors';
import { TdReportBody } from './quote';

/** ASCII domain separator of the measurement policy hash (20 bytes, no terminator). */
export const POLICY_HASH_DOMAIN = 'cocoon.tdx.policy.v1';

/** The TD measurements that make up a measurement policy. */
export interface PolicyMeasurements {
    /** TDATTRIBUTES, 8 bytes exactly as in the quote (little-endian 64-bit field). */
    readonly tdAttributes: Buffer;
    /** MRTD, 48 bytes. */
    readonly mrTd: Buffer;
    /** RTMR0..RTMR3, 48 bytes each. */
    readonly rtmr0: Buffer;
    readonly rtmr1: Buffer;
    readonly rtmr2: Buffer;
    readonly rtmr3: Buffer;
}

/**
 * The canonical measurement policy hash: the key of the protocol's attestation allowlist.
 *
 * ```
 * policy_hash = SHA-256( domain || td_attributes || mr_td || rtmr0 || rtmr1 || rtmr2 || rtmr3 )
 *
 *   offset  size  field
 *   0       20    domain        ASCII "cocoon.tdx.policy.v1" (63 6f 63 6f 6f 6e 2e 74 64 78
 *                               2e 70 6f 6c 69 63 79 2e 76 31), no length prefix, no terminator
 *   20      8     td_attributes TDATTRIBUTES, the 8 bytes at TD report body offset 120
 *                               (quote offset 168), byte order as in the quote
 *   28      48    mr_td         MRTD, TD report body offset 136 (quote offset 184)
 *   76      48    rtmr0         RTMR0, TD report body offset 328 (quote offset 376)
 *   124     48    rtmr1         RTMR1, TD report body offset 376 (quote offset 424)
 *   172     48    rtmr2         RTMR2, TD report body offset 424 (quote offset 472)
 *   220     48    rtmr3         RTMR3, TD report body offset 472 (quote offset 520)
 *   total   268 bytes hashed; the result is 32 bytes, used on chain as a uint256 / bits256
 *                               (big-endian: byte 0 is the most significant)
 * ```
 *
 * @returns the 32-byte hash.
 * @throws AttestationError `BAD_ARGUMENT` when a field has the wrong length.
 */
export function measurementPolicyHash(m: PolicyMeasurements): Buffer {
    return createHash('sha256')
        .update(Buffer.from(POLICY_HASH_DOMAIN, 'ascii'))
        .update(requireBytes(m.tdAttributes, 8, 'tdAttributes'))
        .update(requireBytes(m.mrTd, 48, 'mrTd'))
        .update(requireBytes(m.rtmr0, 48, 'rtmr0'))
        .update(requireBytes(m.rtmr1, 48, 'rtmr1'))
        .update(requireBytes(m.rtmr2, 48, 'rtmr2'))
        .update(requireBytes(m.rtmr3, 48, 'rtmr3'))
        .digest();
}

/** {@link measurementPolicyHash} as an unsigned 256-bit integer (big-endian), as stored on chain. */
export function measurementPolicyHashBigInt(m: PolicyMeasurements): bigint {
    return hashToBigInt(measurementPolicyHash(m));
}

/** Interprets a 32-byte hash as an unsigned big-endian integer. */
export function hashToBigInt(hash: Buffer): bigint {
    return BigInt('0x' + requireBytes(hash, 32, 'hash').toString('hex'));
}

/** Extracts the policy measurements from a parsed TD report body. */
export function policyMeasurementsOf(body: TdReportBody): PolicyMeasurements {
    return {
        tdAttributes: body.tdAttributes,
        mrTd: body.mrTd,
        rtmr0: body.rtmr0,
        rtmr1: body.rtmr1,
        rtmr2: body.rtmr2,
        rtmr3: body.rtmr3,
    };
}
