/**
 * Readable traces for the sandbox demo: each step's transactions (who sent
 * what to whom, with which op, and the fees of each transaction) and a final
 * table of balances that adds up (deltas + fees = 0).
 */
import { Address, fromNano, Transaction } from '@ton/core';
import { Op } from '../wrappers/constants';

const OP_NAMES = new Map<number, string>(Object.entries(Op).map(([name, code]) => [code, name]));

export class Trace {
    private readonly labels = new Map<string, string>();
    private totalFees = 0n;
    private step = 0;
    /** Every transaction printed, in order (the e2e test scans their message bodies). */
    readonly all: Transaction[] = [];

    /** @param out where lines go (default stdout). */
    constructor(private readonly out: (line: string) => void = (l) => console.log(l)) {}

    label(address: Address, name: string) {
        this.labels.set(address.toRawString(), name);
    }

    name(address: Address | null | undefined): string {
        if (!address) return 'external';
        return this.labels.get(address.toRawString()) ?? address.toString().slice(0, 10) + '…';
    }

    header(title: string) {
        this.step += 1;
        this.out(`\n== ${this.step}. ${title}`);
    }

    info(text: string) {
        this.out(`   ${text}`);
    }

    /** Prints one line per transaction and returns the step's total fees. */
    transactions(txs: Transaction[]): bigint {
        let stepFees = 0n;
        for (const tx of txs) {
            this.all.push(tx);
            const msg = tx.inMessage;
            if (!msg || msg.info.type !== 'internal') {
                // A wallet's external message: its fees count, it moves no value by itself.
                stepFees += tx.totalFees.coins;
                continue;
            }
            const body = msg.body.beginParse();
            const op = body.remainingBits >= 32 ? body.loadUint(32) : 0;
            const opName = msg.info.bounced
                ? 'bounce'
                : OP_NAMES.get(op) ?? (op !== 0 ? `0x${op.toString(16)}` : msg.init ? 'deploy' : 'transfer');
            const d = tx.description;
            const ok = d.type === 'generic' && !d.aborted;
            // A non-bounceable message too small to run the recipient's code is credited all the same.
            const creditedOnly =
                !ok &&
                !msg.info.bounce &&
                d.type === 'generic' &&
                (d.computePhase.type === 'skipped' || (d.computePhase.type === 'vm' && d.computePhase.exitCode === -14));
            const fees = tx.totalFees.coins + msg.info.forwardFee;
            stepFees += fees;
            this.out(
                `   ${this.name(msg.info.src).padEnd(12)} → ${this.name(msg.info.dest).padEnd(12)} ${opName.padEnd(20)} ` +
                    `${fromNano(msg.info.value.coins).padStart(14)} TON   fees ${fromNano(fees).padStart(11)} TON` +
                    (ok ? '' : creditedOnly ? '   (credited; too little value to run the wallet code)' : '   FAILED'),
            );
        }
        this.totalFees += stepFees;
        this.out(`   step fees: ${fromNano(stepFees)} TON`);
        return stepFees;
    }

    get fees(): bigint {
        return this.totalFees;
    }
}

export type BalanceRow = { name: string; before: bigint; after: bigint };

/** Prints balances before/after and checks that the deltas plus the fees add up to zero. */
export function printBalances(
    rows: BalanceRow[],
    externalIn: bigint,
    fees: bigint,
    out: (line: string) => void = (l) => console.log(l),
): boolean {
    out('\n== Balances (TON)');
    out(`   ${'account'.padEnd(14)} ${'before'.padStart(18)} ${'after'.padStart(18)} ${'change'.padStart(18)}`);
    let sum = 0n;
    for (const r of rows) {
        const delta = r.after - r.before;
        sum += delta;
        out(`   ${r.name.padEnd(14)} ${fromNano(r.before).padStart(18)} ${fromNano(r.after).padStart(18)} ${fromNano(delta).padStart(18)}`);
    }
    out(`   ${'fees burnt'.padEnd(14)} ${''.padStart(18)} ${''.padStart(18)} ${fromNano(fees).padStart(18)}`);
    if (externalIn !== 0n) out(`   ${'minted (test)'.padEnd(14)} ${''.padStart(37)} ${fromNano(-externalIn).padStart(18)}`);
    const total = sum + fees - externalIn;
    out(`   ${'sum'.padEnd(14)} ${''.padStart(37)} ${fromNano(total).padStart(18)}  ${total === 0n ? '(adds up)' : '(DOES NOT ADD UP)'}`);
    return total === 0n;
}
