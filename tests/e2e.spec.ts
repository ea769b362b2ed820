/**
 * End to end: the demo flow (demo/flow.ts) through the SDK and the reference worker, with a
 * short session. It checks the decrypted answer, the job states, the value flow (payments,
 * fees, slash shares, a balance sheet that adds up) — and that no prompt or answer plaintext
 * appears in any message body of any transaction of the flow.
 */
import { Address, beginCell, Cell, Transaction } from '@ton/core';
import { Blockchain } from '@ton/sandbox';
import { runDemo, DemoResult, DEMO_PRICE } from '../demo/flow';
import { paymentFor } from '../sdk';
import { JobState, Op } from '../wrappers/constants';

const WINDOW = 16;

/** Every WINDOW-byte substring of the secrets, as hex. */
function windowsOf(secrets: string[]): Set<string> {
    const set = new Set<string>();
    for (const s of secrets) {
        const b = Buffer.from(s, 'utf8');
        for (let i = 0; i + WINDOW <= b.length; i++) set.add(b.subarray(i, i + WINDOW).toString('hex'));
    }
    return set;
}

/** The bits of a cell tree in depth-first order, and each cell's bits on its own. */
function bitStreams(root: Cell): boolean[][] {
    const streams: boolean[][] = [];
    const all: boolean[] = [];
    const walk = (c: Cell) => {
        const bits: boolean[] = [];
        for (let i = 0; i < c.bits.length; i++) bits.push(c.bits.at(i));
        streams.push(bits);
        all.push(...bits);
        c.refs.forEach(walk);
    };
    walk(root);
    streams.push(all);
    return streams;
}

/** Whether any window of a secret occurs in the cell tree, at any bit offset, within a cell or across cells. */
function leaks(root: Cell, windows: Set<string>): boolean {
    for (const bits of bitStreams(root)) {
        for (let shift = 0; shift < 8; shift++) {
            const n = Math.floor((bits.length - shift) / 8);
            if (n < WINDOW) continue;
            const bytes = Buffer.alloc(n);
            for (let i = 0; i < n; i++) {
                let v = 0;
                for (let k = 0; k < 8; k++) v = (v << 1) | (bits[shift + i * 8 + k] ? 1 : 0);
                bytes[i] = v;
            }
            for (let i = 0; i + WINDOW <= n; i++) if (windows.has(bytes.subarray(i, i + WINDOW).toString('hex'))) return true;
        }
    }
    return false;
}

/** Every cell a transaction carries in its inbound and outbound messages (bodies and state inits). */
function messageCells(tx: Transaction): Cell[] {
    const cells: Cell[] = [];
    const add = (m: Transaction['inMessage']) => {
        if (!m) return;
        cells.push(m.body);
        if (m.init?.code) cells.push(m.init.code);
        if (m.init?.data) cells.push(m.init.data);
    };
    add(tx.inMessage);
    for (const m of tx.outMessages.values()) add(m);
    return cells;
}

/** Every transaction of every account the flow touched (breadth first over message endpoints). */
async function allTransactions(blockchain: Blockchain, seed: Transaction[]): Promise<Transaction[]> {
    const seen = new Set<string>();
    const queue: Address[] = [];
    const visit = (a: unknown) => {
        if (!Address.isAddress(a)) return;
        const k = a.toRawString();
        if (seen.has(k)) return;
        seen.add(k);
        queue.push(a);
    };
    for (const tx of seed) {
        visit(tx.inMessage?.info.src);
        visit(tx.inMessage?.info.dest);
    }
    const byHash = new Map<string, Transaction>();
    while (queue.length) {
        for (const tx of await blockchain.getTransactions(queue.shift()!)) {
            byHash.set(tx.hash().toString('hex'), tx);
            for (const m of tx.outMessages.values()) visit(m.info.dest);
            visit(tx.inMessage?.info.src);
        }
    }
    return [...byHash.values()];
}

function messages(txs: Transaction[], op: number) {
    return txs
        .filter((t) => {
            const b = t.inMessage?.body.beginParse();
            return t.inMessage?.info.type === 'internal' && b !== undefined && b.remainingBits >= 32 && b.loadUint(32) === op;
        })
        .map((t) => ({ from: t.inMessage!.info.src as Address, to: t.inMessage!.info.dest as Address, value: (t.inMessage!.info as { value: { coins: bigint } }).value.coins }));
}

describe('End to end: client SDK, reference worker and contracts', () => {
    let r: DemoResult;
    let txs: Transaction[];

    beforeAll(async () => {
        r = await runDemo({ sessionRequests: 25, out: () => {} });
        txs = await allTransactions(r.blockchain, r.transactions);
    });

    it('the client decrypts a verified answer to its prompt', () => {
        expect(r.oneShot.answer.ok).toBe(true);
        if (!r.oneShot.answer.ok) return;
        expect(r.oneShot.answer.content).toMatch(/embedded test backend, not a language model/);
        expect(r.oneShot.answer.content).toContain('Explain in two sentences why a GPU provider stakes TON');
        expect(r.oneShot.usage).toBe(BigInt(r.oneShot.answer.usage.totalTokens));
    });

    it('every job ends in the expected state and the providers keep the right records', () => {
        expect(r.oneShot.state).toBe(JobState.settled);
        expect(r.session.state).toBe(JobState.settled);
        expect(r.session.requests).toBe(25);
        expect(r.expired.state).toBe(JobState.expired);
        expect(r.providers[0]).toMatchObject({ completed: 2, failed: 0, slashed: 0n });
        expect(r.providers[1]).toMatchObject({ completed: 0, failed: 1, slashed: r.expired.bond });
        expect(r.workers[0].totals.served).toBe(1 + 25);
        expect(Object.values(r.workers[0].jobs).every((j) => j.phase === 'done')).toBe(true);
    });

    it('pays the provider owner usage × price less the protocol fee, and the treasury the fee', () => {
        const provider = r.providers[0];
        const payments = messages(txs, Op.jobPayment).filter((m) => m.to.equals(provider.owner));
        const fees = messages(txs, Op.protocolFee);
        const one = paymentFor(r.oneShot.usage, DEMO_PRICE, r.oneShot.feeBps);
        const sess = paymentFor(r.session.usage, DEMO_PRICE, r.oneShot.feeBps);
        expect(payments.map((p) => p.value).sort()).toEqual([one.owner, sess.owner].sort());
        expect(fees.map((f) => f.value).sort()).toEqual([one.fee, sess.fee].sort());
        const earned = BigInt(r.workers[0].totals.earned);
        expect(earned).toBe(one.owner + sess.owner);
        // 25 requests settled with one claim.
        expect(messages(txs, Op.claimSession)).toHaveLength(1);
        expect(messages(txs, Op.submitResult)).toHaveLength(1);
    });

    it('slashes the offline provider’s bond and splits it 50 / 10 / 40', () => {
        const shares = messages(txs, Op.slashShare).map((m) => m.value);
        expect(shares.sort((a, b) => (a < b ? -1 : 1))).toEqual([r.expired.bond / 10n, (r.expired.bond * 4n) / 10n, r.expired.bond / 2n]);
    });

    it('has a balance sheet that adds up, with every job left holding only its storage reserve', () => {
        expect(r.addsUp).toBe(true);
        const sum = r.balances.reduce((s, b) => s + b.after - b.before, 0n);
        expect(sum + r.fees).toBe(0n);
        for (const name of ['job', 'session', 'expired job']) {
            const row = r.balances.find((b) => b.name === name)!;
            expect(row.after).toBeGreaterThan(0n);
            expect(row.after).toBeLessThan(10_000_000n);
        }
    });

    it('never puts prompt or answer plaintext in any message body of the flow', () => {
        const secrets = [r.prompt, ...r.session.prompts.slice(0, 5), r.oneShot.answer.ok ? r.oneShot.answer.content : ''];
        const windows = windowsOf(secrets);
        // The scanner finds a planted secret, even at an odd bit offset and split across cells.
        const planted = Buffer.from(r.prompt, 'utf8');
        const tail = beginCell().storeBuffer(planted.subarray(60)).endCell();
        const probe = beginCell().storeUint(5, 3).storeBuffer(planted.subarray(0, 60)).storeRef(tail).endCell();
        expect(leaks(probe, windows)).toBe(true);
        expect(leaks(beginCell().storeRef(beginCell().storeUint(1, 1).storeBuffer(planted.subarray(70, 100)).endCell()).endCell(), windows)).toBe(true);

        expect(txs.length).toBeGreaterThanOrEqual(r.transactions.length);
        let cells = 0;
        for (const tx of txs) {
            for (const cell of messageCells(tx)) {
                cells += 1;
                if (leaks(cell, windows)) throw new Error(`plaintext found in a message of transaction ${tx.hash().toString('hex')}`);
            }
        }
        expect(cells).toBeGreaterThan(100);
    });
});
