/**
 * Helpers for tests/codec.spec.ts: decode message bodies and storage cells
 * with the codecs generated from contracts/schema.tlb
 * (wrappers/generated/schema.ts) and check that a decode is exact: the whole
 * cell is consumed and re-encoding the decoded value gives the same cell hash.
 */
import { Address, beginCell, BitString, Builder, Cell, Dictionary, Slice } from '@ton/core';
import { InMsgBody, loadInMsgBody, storeInMsgBody } from '../../wrappers/generated/schema';

/** Value of a `bitsN` field (BitString) as an unsigned integer. */
export function bitsToBigint(bits: BitString): bigint {
    if (bits.length === 0) return 0n;
    return beginCell().storeBits(bits).endCell().beginParse().loadUintBig(bits.length);
}

/** A `bitsN` field as lower-case hex, for readable comparisons. */
export function bitsHex(bits: BitString): string {
    return bitsToBigint(bits).toString(16).padStart(Math.ceil(bits.length / 4), '0');
}

export function hex(n: bigint, bits = 256): string {
    return n.toString(16).padStart(Math.ceil(bits / 4), '0');
}

export function bufHex(b: Buffer): string {
    return b.toString('hex');
}

/** Sorted keys of a dictionary (HashmapE): compare key sets independent of order. */
export function dictKeys<K extends bigint | number, V>(dict: Dictionary<K, V>): K[] {
    return [...dict.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function sortedBigints(xs: bigint[]): bigint[] {
    return [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Address equality with `.equals`, failing with both addresses in the message. */
export function expectAddress(actual: Address | null | undefined, expected: Address, label: string): void {
    if (!actual || !actual.equals(expected)) {
        throw new Error(`${label}: address ${actual?.toString() ?? 'null'} != expected ${expected.toString()}`);
    }
}

/** Encodes a value with a generated `storeX` function. */
export function encode<T>(store: (x: T) => (b: Builder) => void, value: T): Cell {
    const b = beginCell();
    store(value)(b);
    return b.endCell();
}

/**
 * Decodes `cell` with a generated `loadX` and checks the decode is exact:
 * no bits or refs left in the root slice, and `storeX(loadX(cell))` has the
 * same representation hash as `cell` (which also proves that every nested
 * cell was consumed: the generated loaders do not check nested slices).
 */
export function decodeExact<T>(
    cell: Cell,
    load: (s: Slice) => T,
    store: (x: T) => (b: Builder) => void,
    label: string,
): T {
    const s = cell.beginParse(true);
    const value = load(s);
    if (s.remainingBits !== 0 || s.remainingRefs !== 0) {
        throw new Error(`${label}: decode left ${s.remainingBits} bits and ${s.remainingRefs} refs unread`);
    }
    const again = encode(store, value);
    if (!again.equals(cell)) {
        throw new Error(
            `${label}: re-encoding the decoded value changes the cell (hash ${again.hash().toString('hex')} != ${cell
                .hash()
                .toString('hex')})`,
        );
    }
    return value;
}

/** A message body decoded with the generated `loadInMsgBody`, checked exact. */
export function decodeBody(cell: Cell, label = 'body'): InMsgBody {
    return decodeExact(cell, loadInMsgBody, storeInMsgBody, label);
}

/**
 * Narrows a decoded body to one constructor, failing with the actual kind.
 * `kind` is the generated kind, `InMsgBody_<TL-B constructor name>`.
 */
export function asKind<K extends InMsgBody['kind']>(body: InMsgBody, kind: K): Extract<InMsgBody, { kind: K }> {
    if (body.kind !== kind) throw new Error(`expected ${kind}, decoded ${body.kind}`);
    return body as Extract<InMsgBody, { kind: K }>;
}

/** The opcode (first 32 bits) of a body, or null when it has fewer bits. */
export function opOf(cell: Cell): number | null {
    const s = cell.beginParse(true);
    return s.remainingBits >= 32 ? s.preloadUint(32) : null;
}

/**
 * query_id of an `op query_id ...` body as a bigint, exact over the whole
 * uint64 range. The generated codec types query_id (uint64) as a JS number,
 * and @ton/core's Slice.loadUint throws for values above 2^53 - 1, so
 * integrators who use large query ids must read it this way.
 */
export function queryIdOf(cell: Cell): bigint {
    const s = cell.beginParse(true);
    s.skip(32);
    return s.loadUintBig(64);
}

export const BOUNCE_PREFIX = 0xffffffff;

export function isBounceBody(cell: Cell): boolean {
    return opOf(cell) === BOUNCE_PREFIX;
}

export function isEmptyBody(cell: Cell): boolean {
    return cell.bits.length === 0 && cell.refs.length === 0;
}
