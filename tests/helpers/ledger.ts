import { Address, Cell, Transaction } from '@ton/core';

/** Sum of the fees of the transactions on `on` and of the forward fees of the messages they sent. */
export function networkCost(txs: Transaction[], on: Address[]): bigint {
    let sum = 0n;
    for (const tx of txs) {
        const dest = tx.inMessage?.info.dest;
        if (!dest || !(dest instanceof Address) || !on.some((a) => a.equals(dest))) continue;
        sum += tx.totalFees.coins;
        for (const out of tx.outMessages.values()) if (out.info.type === 'internal') sum += out.info.forwardFee;
    }
    return sum;
}

/** Bits and cells of a set of cell trees, each distinct cell counted once (as forward and storage fees count them). */
export function cellTreeSize(roots: Cell[]): { bits: number; cells: number } {
    const seen = new Set<string>();
    let bits = 0;
    let cells = 0;
    const walk = (c: Cell) => {
        const h = c.hash().toString('hex');
        if (seen.has(h)) return;
        seen.add(h);
        bits += c.bits.length;
        cells += 1;
        c.refs.forEach(walk);
    };
    roots.forEach(walk);
    return { bits, cells };
}
