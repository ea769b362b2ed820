import { createHash } from 'node:crypto';
import { Address } from '@ton/core';
import { AttestationError, requireBytes } from './errors';

/** ASCII domain separator of the key binding (18 bytes, no terminator). */
export const REPORTDATA_DOMAIN = 'cocoon.tdx.keys.v1';

/**
 * The key binding hash placed in REPORTDATA[0..32).
 *
 * ```
 * key_binding = SHA-256( domain || operator_key || encryption_key || owner_wc || owner_hash )
 *
 *   offset  size  field
 *   0       18    domain          ASCII "cocoon.tdx.keys.v1", no length prefix, no terminator
 *   18      32    operator_key    ed25519 public key of the operator (signs job results)
 *   50      32    encryption_key  X25519 public key prompts are encrypted to
 *   82      1     owner_wc        owner workchain as a two's complement int8 (0 -> 0x00, -1 -> 0xff)
 *   83      32    owner_hash      owner account id (the 256-bit hash part of the address)
 *   total   115 bytes hashed
 * ```
 *
 * @throws AttestationError `BAD_ARGUMENT` for wrong key lengths or a workchain outside int8.
 */
export function reportDataKeyBinding(operatorKey: Buffer, encryptionKey: Buffer, owner: Address): Buffer {
    if (!(owner instanceof Address)) {
        throw new AttestationError('BAD_ARGUMENT', 'owner must be an Address');
    }
    if (!Number.isInteger(owner.workChain) || owner.workChain < -128 || owner.workChain > 127) {
        throw new AttestationError('BAD_ARGUMENT', `owner workchain ${owner.workChain} does not fit int8`);
    }
    const wc = Buffer.alloc(1);
    wc.writeInt8(owner.workChain);
    return createHash('sha256')
        .update(Buffer.from(REPORTDATA_DOMAIN, 'ascii'))
        .update(requireBytes(operatorKey, 32, 'operatorKey'))
        .update(requireBytes(encryptionKey, 32, 'encryptionKey'))
        .update(wc)
        .update(requireBytes(owner.hash, 32, 'owner hash'))
        .digest();
}

/**
 * Builds the 64-byte TDX REPORTDATA a worker asks its TD to attest:
 * bytes [0, 32) = {@link reportDataKeyBinding}, bytes [32, 64) = zero.
 */
export function buildReportData(operatorKey: Buffer, encryptionKey: Buffer, owner: Address): Buffer {
    return Buffer.concat([reportDataKeyBinding(operatorKey, encryptionKey, owner), Buffer.alloc(32)]);
}

/** ASCII domain separator of the root binding of a quote-mode registration (18 bytes). */
export const REPORTDATA_ROOT_DOMAIN = 'cocoon.tdx.root.v1';

/**
 * The root binding placed in REPORTDATA[32..64) of a quote that registers a provider on chain
 * (quote mode, SPEC §6.5): SHA-256( "cocoon.tdx.root.v1" || root_wc (int8) || root_hash ).
 * It ties the quote to one root deployment (the owner of the quote verifier) the way a
 * statement's `subject.root` does.
 */
export function reportDataRootBinding(root: Address): Buffer {
    const wc = Buffer.alloc(1);
    wc.writeInt8(root.workChain);
    return createHash('sha256').update(Buffer.from(REPORTDATA_ROOT_DOMAIN, 'ascii')).update(wc).update(root.hash).digest();
}

/**
 * The 64-byte REPORTDATA of a quote for a quote-mode registration: {@link reportDataKeyBinding}
 * followed by {@link reportDataRootBinding} (a statement-mode quote has zeros there instead).
 */
export function buildQuoteModeReportData(operatorKey: Buffer, encryptionKey: Buffer, owner: Address, root: Address): Buffer {
    return Buffer.concat([reportDataKeyBinding(operatorKey, encryptionKey, owner), reportDataRootBinding(root)]);
}

/**
 * Checks that `reportData` (the quote's 64-byte REPORTDATA) is exactly
 * `buildReportData(operatorKey, encryptionKey, owner)`.
 *
 * @throws AttestationError `REPORTDATA_MISMATCH` when it binds other keys or another owner, or
 *   when bytes [32, 64) are not zero; `BAD_ARGUMENT` for malformed inputs.
 */
export function checkReportData(reportData: Buffer, operatorKey: Buffer, encryptionKey: Buffer, owner: Address): void {
    const actual = requireBytes(reportData, 64, 'reportData');
    const expected = buildReportData(operatorKey, encryptionKey, owner);
    if (!actual.equals(expected)) {
        const tail = actual.subarray(32).equals(Buffer.alloc(32)) ? '' : ' (and bytes 32..64 are not zero)';
        throw new AttestationError(
            'REPORTDATA_MISMATCH',
            `REPORTDATA does not bind operator key ${operatorKey.toString('hex')}, encryption key ` +
                `${encryptionKey.toString('hex')} and owner ${owner.toRawString()}${tail}`,
        );
    }
}
