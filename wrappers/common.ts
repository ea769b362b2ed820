import { Builder, Cell, Dictionary, DictionaryValue, Slice, beginCell } from '@ton/core';

/** Value type of `HashmapE 256 True`: a key set. */
export const TrueValue: DictionaryValue<true> = {
    serialize: (_src: true, _builder: Builder) => {},
    parse: (_src: Slice) => true,
};

/** A key set of 256-bit hashes (models served, trusted verifier keys). */
export function hashSet(hashes: Iterable<bigint>): Dictionary<bigint, true> {
    const dict = Dictionary.empty(Dictionary.Keys.BigUint(256), TrueValue);
    for (const h of hashes) dict.set(h, true);
    return dict;
}

export function hashSetKeys(cell: Cell | null): bigint[] {
    if (!cell) return [];
    return Dictionary.loadDirect(Dictionary.Keys.BigUint(256), TrueValue, cell).keys();
}

/** A map of 256-bit hash -> metadata cell (allowlists). */
export function metaMap(entries: Iterable<[bigint, Cell]>): Dictionary<bigint, Cell> {
    const dict = Dictionary.empty(Dictionary.Keys.BigUint(256), Dictionary.Values.Cell());
    for (const [k, v] of entries) dict.set(k, v);
    return dict;
}

/** Text stored as bytes in one cell (endpoint, metadata labels). */
export function textCell(text: string): Cell {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > 127) throw new Error(`text too long for one cell: ${bytes.length} bytes (max 127)`);
    return beginCell().storeBuffer(bytes).endCell();
}

export function readTextCell(cell: Cell): string {
    const s = cell.beginParse();
    return s.loadBuffer(s.remainingBits / 8).toString('utf8');
}

export function randomQueryId(): bigint {
    return BigInt(Math.floor(Math.random() * 2 ** 52));
}

export function bufferToBigint(b: Buffer): bigint {
    return BigInt('0x' + (b.length ? b.toString('hex') : '0'));
}

export function bigintToBuffer(n: bigint, bytes = 32): Buffer {
    return Buffer.from(n.toString(16).padStart(bytes * 2, '0'), 'hex');
}
