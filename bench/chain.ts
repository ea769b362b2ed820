/**
 * Reading a chain of transactions the way the bench reports it: who sent
 * what to whom (with the op name), the compute gas of each transaction, the
 * fees, and the storage size of the protocol contracts it touched.
 */
import { Address, Cell, Transaction } from '@ton/core';
import { Blockchain } from '@ton/sandbox';
import { Op } from '../wrappers/constants';
import { P256Op } from '../wrappers/P256Harness';

export type Kind = 'root' | 'provider' | 'job' | 'harness' | 'wallet';

/** Contracts whose gas the bench sums ("protocol" gas). The P-256 harness counts for its own op only. */
export const PROTOCOL_KINDS: readonly Kind[] = ['root', 'provider', 'job', 'harness'];

const OP_NAMES = new Map<number, string>([
    ...Object.entries(Op).map(([name, code]): [number, string] => [code, name]),
    [P256Op.verify, 'p256Verify'],
    [P256Op.result, 'p256Result'],
]);

/** Names and kinds of the addresses a run knows about. */
export class Registry {
    private readonly entries = new Map<string, { name: string; kind: Kind }>();

    add(address: Address, name: string, kind: Kind) {
        this.entries.set(address.toRawString(), { name, kind });
    }

    get(address: Address): { name: string; kind: Kind } | undefined {
        return this.entries.get(address.toRawString());
    }

    name(address: Address | null | undefined): string {
        if (!address) return 'external';
        return this.get(address)?.name ?? `?${address.toRawString().slice(2, 10)}`;
    }

    kind(address: Address): Kind {
        return this.get(address)?.kind ?? 'wallet';
    }
}

export type TxRow = {
    from: string;
    to: string;
    /** Kind of the contract the transaction ran on. */
    kind: Kind;
    op: string;
    /** Compute gas, null when the compute phase was skipped. */
    gas: number | null;
    success: boolean;
    /** tx.totalFees plus the forward fee of its inbound internal message. */
    fees_nanoton: number;
};

export type StorageSize = {
    kind: Kind;
    /** Unique cells and bits of code + data (what storage fees are charged on, besides the account header). */
    cells: number;
    bits: number;
    data_cells: number;
    data_bits: number;
    balance_nanoton: number;
};

export type OpMeasure = {
    txs: number;
    /** Compute gas summed over protocol contracts (root, provider, job; the harness for its own op). */
    gas: number;
    gas_by_contract: Partial<Record<Kind, number>>;
    /** Sum of tx.totalFees of every transaction of the chain plus the forward fees of its internal messages. */
    fees_nanoton: number;
    fees_ton: string;
    /** Part of fees_nanoton paid by protocol contracts: their transactions' fees and the forward fees of what they sent. */
    fees_protocol_nanoton: number;
    chain: TxRow[];
    /** Storage of each protocol contract touched, after the operation. */
    storage: Record<string, StorageSize>;
};

export function opName(tx: Transaction): string {
    const msg = tx.inMessage;
    if (!msg) return 'tick-tock';
    if (msg.info.type !== 'internal') return 'external';
    if (msg.info.bounced) return 'bounce';
    const body = msg.body.beginParse();
    const op = body.remainingBits >= 32 ? body.loadUint(32) : 0;
    if (op !== 0) return OP_NAMES.get(op) ?? `0x${op.toString(16)}`;
    return msg.init ? 'deploy' : 'transfer';
}

function computeGas(tx: Transaction): number | null {
    const d = tx.description;
    if (d.type !== 'generic' || d.computePhase.type !== 'vm') return null;
    return Number(d.computePhase.gasUsed);
}

function succeeded(tx: Transaction): boolean {
    const d = tx.description;
    if (d.type !== 'generic') return false;
    if (d.aborted) return false;
    if (d.computePhase.type === 'vm' && !d.computePhase.success) return false;
    return true;
}

function inboundForwardFee(tx: Transaction): bigint {
    const info = tx.inMessage?.info;
    return info && info.type === 'internal' ? info.forwardFee : 0n;
}

function outboundForwardFees(tx: Transaction): bigint {
    let sum = 0n;
    for (const m of tx.outMessages.values()) if (m.info.type === 'internal') sum += m.info.forwardFee;
    return sum;
}

function destination(tx: Transaction): Address | null {
    const info = tx.inMessage?.info;
    if (!info) return null;
    if (info.type === 'internal' || info.type === 'external-in') return info.dest as Address;
    return null;
}

function source(tx: Transaction): Address | null {
    const info = tx.inMessage?.info;
    if (info && info.type === 'internal') return info.src;
    return null;
}

export function rowsOf(reg: Registry, txs: Transaction[]): TxRow[] {
    return txs.map((tx) => {
        const to = destination(tx);
        return {
            from: reg.name(source(tx)),
            to: reg.name(to),
            kind: to ? reg.kind(to) : 'wallet',
            op: opName(tx),
            gas: computeGas(tx),
            success: succeeded(tx),
            fees_nanoton: Number(tx.totalFees.coins + inboundForwardFee(tx)),
        };
    });
}

/** Throws when any transaction of the chain failed (a wallet skipping its compute phase is fine). */
export function requireSuccess(label: string, reg: Registry, txs: Transaction[]) {
    const rows = rowsOf(reg, txs);
    const bad = rows.filter((r) => !r.success);
    if (bad.length) {
        const lines = rows.map((r) => `  ${r.from} -> ${r.to} ${r.op} gas=${r.gas} ${r.success ? 'ok' : 'FAILED'}`);
        const codes = txs
            .map((tx) => tx.description)
            .map((d) => (d.type === 'generic' && d.computePhase.type === 'vm' ? d.computePhase.exitCode : '-'));
        throw new Error(`${label}: a transaction of the chain failed (exit codes ${codes.join(',')}):\n${lines.join('\n')}`);
    }
}

/** Unique cells and bits of a set of cell trees. */
export function cellStats(roots: (Cell | null | undefined)[]): { cells: number; bits: number } {
    const seen = new Set<string>();
    let cells = 0;
    let bits = 0;
    const walk = (c: Cell) => {
        const h = c.hash().toString('hex');
        if (seen.has(h)) return;
        seen.add(h);
        cells += 1;
        bits += c.bits.length;
        c.refs.forEach(walk);
    };
    for (const r of roots) if (r) walk(r);
    return { cells, bits };
}

export async function storageOf(blockchain: Blockchain, address: Address, kind: Kind): Promise<StorageSize | null> {
    const contract = await blockchain.getContract(address);
    const state = contract.accountState;
    if (!state || state.type !== 'active') return null;
    const all = cellStats([state.state.code, state.state.data]);
    const data = cellStats([state.state.data]);
    return { kind, cells: all.cells, bits: all.bits, data_cells: data.cells, data_bits: data.bits, balance_nanoton: Number(contract.balance) };
}

export function fromNanoString(n: bigint | number): string {
    const v = BigInt(n);
    const neg = v < 0n;
    const a = neg ? -v : v;
    const s = `${a / 1_000_000_000n}.${(a % 1_000_000_000n).toString().padStart(9, '0')}`;
    return (neg ? '-' : '') + s;
}

/** Measures a chain (or several chains summed): gas over protocol contracts, fees, storage afterwards. */
export async function measure(blockchain: Blockchain, reg: Registry, txs: Transaction[]): Promise<OpMeasure> {
    const chain = rowsOf(reg, txs);
    let gas = 0;
    const byKind: Partial<Record<Kind, number>> = {};
    let fees = 0n;
    let protocolFees = 0n;
    const touched = new Map<string, { address: Address; kind: Kind; name: string }>();
    txs.forEach((tx, i) => {
        const row = chain[i];
        fees += tx.totalFees.coins + inboundForwardFee(tx);
        const dest = destination(tx);
        if (dest && PROTOCOL_KINDS.includes(row.kind)) {
            gas += row.gas ?? 0;
            byKind[row.kind] = (byKind[row.kind] ?? 0) + (row.gas ?? 0);
            protocolFees += tx.totalFees.coins + outboundForwardFees(tx);
            touched.set(dest.toRawString(), { address: dest, kind: row.kind, name: row.to });
        }
    });
    const storage: Record<string, StorageSize> = {};
    for (const t of touched.values()) {
        const s = await storageOf(blockchain, t.address, t.kind);
        if (s) storage[t.name] = s;
    }
    return {
        txs: txs.length,
        gas,
        gas_by_contract: byKind,
        fees_nanoton: Number(fees),
        fees_ton: fromNanoString(fees),
        fees_protocol_nanoton: Number(protocolFees),
        chain,
        storage,
    };
}
