/**
 * Helpers of the adversarial suite (tests/adversarial/*.spec.ts): raw
 * messages from arbitrary addresses, account views (status, data and code
 * hashes, balance), and the three ways a protocol contract may dispose of an
 * attacker's value, each checked to the nanoton from the transactions:
 *
 * - `expectBounce`: the message throws with the documented exit code; the
 *   value goes back to the sender minus the compute fee and the bounce's
 *   forward fee, and no watched account changes (data, code, status; its
 *   balance moves only by the storage fee it was charged);
 * - `expectRefund`: the message is answered with a refusal (`request_refused`,
 *   `job_rejected`, ...) that carries everything back, minus the fees of the
 *   chain; no watched account changes state and none keeps any value;
 * - `expectKept`: the message is accepted and ignored; the contract keeps the
 *   value (the documented destination of, e.g., a bounce reaching the root).
 *
 * Lookalike contracts (same data, different code) are compiled inline with
 * @ton-community/func-js.
 */
import '@ton/test-utils'; // expect(...).toHaveTransaction, used by the fixtures
import { Address, beginCell, Cell, contractAddress, StateInit, Transaction } from '@ton/core';
import { Blockchain, BlockchainTransaction, createShardAccount, internal } from '@ton/sandbox';
import { compileFunc } from '@ton-community/func-js';
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';
import { Op } from '../../wrappers/constants';

/** A deterministic basechain address for an actor that needs no contract (an attacker's wallet). */
export function actor(label: string, workchain = 0): Address {
    return new Address(workchain, createHash('sha256').update(`actor: ${label}`).digest());
}

export type AccountView = { status: string; data: string; code: string; balance: bigint };

export async function viewAccount(bc: Blockchain, a: Address): Promise<AccountView> {
    const c = await bc.getContract(a);
    const st = c.accountState;
    if (!st) return { status: 'none', data: '', code: '', balance: c.balance };
    if (st.type !== 'active') return { status: st.type, data: '', code: '', balance: c.balance };
    return {
        status: 'active',
        data: st.state.data?.hash().toString('hex') ?? '',
        code: st.state.code?.hash().toString('hex') ?? '',
        balance: c.balance,
    };
}

export async function viewAccounts(bc: Blockchain, list: Address[]): Promise<AccountView[]> {
    return Promise.all(list.map((a) => viewAccount(bc, a)));
}

/** The state of an account without its balance: what a rejected message must leave alone. */
export function stateOf(v: AccountView): string {
    return `${v.status}:${v.data}:${v.code}`;
}

export function exitCodeOf(tx: Transaction): number | undefined {
    const d = tx.description;
    if (d.type !== 'generic') return undefined;
    return d.computePhase.type === 'vm' ? d.computePhase.exitCode : undefined;
}

export function succeeded(tx: Transaction): boolean {
    const d = tx.description;
    if (d.type !== 'generic') return false;
    return d.computePhase.type === 'vm' && d.computePhase.success && !d.aborted;
}

export function storageFeeOf(tx: Transaction): bigint {
    const d = tx.description;
    return d.type === 'generic' ? (d.storagePhase?.storageFeesCollected ?? 0n) : 0n;
}

export function computeFeeOf(tx: Transaction): bigint {
    const d = tx.description;
    return d.type === 'generic' && d.computePhase.type === 'vm' ? d.computePhase.gasFees : 0n;
}

export function destOf(tx: Transaction): Address | undefined {
    const d = tx.inMessage?.info.dest;
    return d instanceof Address ? d : undefined;
}

export function inValueOf(tx: Transaction): bigint {
    const info = tx.inMessage?.info;
    return info?.type === 'internal' ? info.value.coins : 0n;
}

export function opOfBody(body: Cell | undefined): number | undefined {
    if (!body) return undefined;
    const s = body.beginParse();
    return s.remainingBits >= 32 ? s.preloadUint(32) : undefined;
}

/** Internal messages a transaction sent: destination, value, remaining forward fee, op, bounce flags. */
export function outMessagesOf(tx: Transaction) {
    const out: { to: Address; value: bigint; forwardFee: bigint; op?: number; body: Cell; bounce: boolean; bounced: boolean }[] = [];
    for (const m of tx.outMessages.values()) {
        if (m.info.type !== 'internal') continue;
        out.push({
            to: m.info.dest,
            value: m.info.value.coins,
            forwardFee: m.info.forwardFee,
            op: opOfBody(m.body),
            body: m.body,
            bounce: m.info.bounce,
            bounced: m.info.bounced,
        });
    }
    return out;
}

/** What the network burnt in `txs` on the `on` accounts: their fees but storage, plus the forward fees they paid on. */
export function burntOn(txs: Transaction[], on: Address[]): bigint {
    let sum = 0n;
    for (const tx of txs) {
        const dest = destOf(tx);
        if (!dest || !on.some((a) => a.equals(dest))) continue;
        sum += tx.totalFees.coins - storageFeeOf(tx);
        for (const m of outMessagesOf(tx)) sum += m.forwardFee;
    }
    return sum;
}

/** Storage fees charged to each of `on` in `txs`. */
export function storageFeesOn(txs: Transaction[], a: Address): bigint {
    return txs.filter((tx) => destOf(tx)?.equals(a)).reduce((s, tx) => s + storageFeeOf(tx), 0n);
}

/** Total value of the messages `from` sent to `to` in `txs`. */
export function paidTo(txs: Transaction[], from: Address[], to: Address): bigint {
    let sum = 0n;
    for (const tx of txs) {
        const src = destOf(tx);
        if (!src || !from.some((a) => a.equals(src))) continue;
        for (const m of outMessagesOf(tx)) if (m.to.equals(to)) sum += m.value;
    }
    return sum;
}

export type Raw = {
    from: Address;
    to: Address;
    value: bigint;
    body?: Cell;
    stateInit?: StateInit;
    /** Default true: an attacker wants its value back. */
    bounce?: boolean;
    /** Simulates a bounce created by the network (only the network can set this flag). */
    bounced?: boolean;
};

export async function sendRaw(bc: Blockchain, m: Raw): Promise<BlockchainTransaction[]> {
    const r = await bc.sendMessage(
        internal({
            from: m.from,
            to: m.to,
            value: m.value,
            body: m.body ?? beginCell().endCell(),
            stateInit: m.stateInit,
            bounce: m.bounce ?? true,
            bounced: m.bounced ?? false,
        }),
    );
    return r.transactions;
}

/** The transaction that processed the message from `from` to `to` (the first such). */
export function entryOf(txs: BlockchainTransaction[], from: Address, to: Address): BlockchainTransaction {
    const tx = txs.find((t) => {
        const info = t.inMessage?.info;
        return info?.type === 'internal' && info.src.equals(from) && info.dest.equals(to);
    });
    if (!tx) throw new Error(`no transaction ${from} -> ${to}`);
    return tx;
}

export type Outcome = {
    txs: BlockchainTransaction[];
    /** Value that came back to the sender (or the refund address). */
    returned: bigint;
    /** Fees burnt on the protocol's side. */
    burnt: bigint;
};

/**
 * Sends `m` and asserts it was rejected with `exitCode`: the value bounced back to the
 * sender minus exactly the compute fee and the bounce's forward fee, nothing else ran on a
 * watched account, and no watched account changed (state; balance only by storage fees).
 */
export async function expectBounce(bc: Blockchain, m: Raw, exitCode: number, watch: Address[] = [m.to]): Promise<Outcome> {
    const all = uniq([m.to, ...watch]);
    const before = await viewAccounts(bc, all);
    const txs = await sendRaw(bc, m);
    const i = all.findIndex((a) => a.equals(m.to));
    if (m.stateInit && before[i].status !== 'active') {
        // TON applies a message's state init before the compute phase, and keeps it when the
        // phase fails: the account then holds exactly what its address commits to (the
        // contract's uninitialised data) and none of the value.
        before[i] = { status: 'active', data: m.stateInit.data!.hash().toString('hex'), code: m.stateInit.code!.hash().toString('hex'), balance: before[i].balance };
    }
    return checkBounce(bc, txs, m.from, m.to, exitCode, all, before);
}

/**
 * The same through a contract the attacker controls (`relay`, see deployLookalike): the
 * attacker's message makes the relay send `body` to `to`; the bounce returns to the relay.
 */
export async function expectBounceVia(
    bc: Blockchain,
    m: { from: Address; relay: Address; to: Address; value: bigint; body: Cell; flags?: number },
    exitCode: number,
    watch: Address[] = [m.to],
): Promise<Outcome> {
    const all = uniq([m.to, ...watch]);
    const before = await viewAccounts(bc, all);
    const txs = await sendRaw(bc, { from: m.from, to: m.relay, value: m.value, body: relayBody(m.to, m.body, m.flags) });
    return checkBounce(bc, txs, m.relay, m.to, exitCode, all, before);
}

async function checkBounce(
    bc: Blockchain,
    txs: BlockchainTransaction[],
    from: Address,
    to: Address,
    exitCode: number,
    all: Address[],
    before: AccountView[],
): Promise<Outcome> {
    const entry = entryOf(txs, from, to);
    const value = inValueOf(entry);
    expect({ to: to.toString(), exitCode: exitCodeOf(entry) }).toEqual({ to: to.toString(), exitCode });
    const d = entry.description;
    expect(d.type === 'generic' && d.aborted).toBe(true);
    // Nothing else ran on a protocol contract: the only message out is the bounce.
    const outs = outMessagesOf(entry);
    expect(outs.map((o) => [o.to.toString(), o.bounced])).toEqual([[from.toString(), true]]);
    for (const tx of txs) {
        if (tx === entry) continue;
        const dest = destOf(tx);
        if (dest && dest.equals(from)) continue; // the sender's own transactions, the bounce included
        expect(all.some((a) => dest && a.equals(dest))).toBe(false);
    }
    const bounce = outs[0];
    const burnt = entry.totalFees.coins - storageFeeOf(entry) + bounce.forwardFee;
    expect(bounce.value).toBe(value - burnt);
    expect(bounce.value).toBeGreaterThan(0n);
    const after = await viewAccounts(bc, all);
    expectUnchanged(all, before, after, txs);
    return { txs, returned: bounce.value, burnt };
}

/**
 * Sends `m` and asserts every watched account kept its state and none kept any value
 * (balances moved only by storage fees): whatever the protocol did not burn in fees
 * reached `refundTo`. Optionally checks the refusal op and its error field.
 */
export async function expectRefund(
    bc: Blockchain,
    m: Raw,
    refundTo: Address,
    watch: Address[],
    refusal?: { op: number; error?: number; from?: Address },
): Promise<Outcome> {
    const all = uniq([m.to, ...watch]);
    const before = await viewAccounts(bc, all);
    const txs = await sendRaw(bc, m);
    for (const tx of txs) {
        const dest = destOf(tx);
        if (dest && all.some((a) => a.equals(dest))) {
            expect({ on: dest.toString(), ok: succeeded(tx) }).toEqual({ on: dest.toString(), ok: true });
        }
    }
    if (refusal) {
        const found = txs.some((tx) => {
            const src = destOf(tx);
            if (refusal.from && !(src && src.equals(refusal.from))) return false;
            return outMessagesOf(tx).some((o) => {
                if (!o.to.equals(refundTo) || o.op !== refusal.op) return false;
                if (refusal.error === undefined) return true;
                const s = o.body.beginParse().skip(32 + 64);
                return s.loadUint(16) === refusal.error;
            });
        });
        expect({ refusal: refusal.op.toString(16), error: refusal.error, found }).toEqual({ refusal: refusal.op.toString(16), error: refusal.error, found: true });
    }
    const after = await viewAccounts(bc, all);
    expectUnchanged(all, before, after, txs);
    const returned = paidTo(txs, all, refundTo);
    const burnt = burntOn(txs, all);
    expect(returned).toBe(m.value - burnt);
    return { txs, returned, burnt };
}

/** Sends `m` and asserts `m.to` accepted it without acting: no message out, no state change, the value kept. */
export async function expectKept(bc: Blockchain, m: Raw, watch: Address[] = []): Promise<Outcome> {
    const all = uniq([m.to, ...watch]);
    const before = await viewAccounts(bc, all);
    const txs = await sendRaw(bc, m);
    const entry = entryOf(txs, m.from, m.to);
    expect(succeeded(entry)).toBe(true);
    expect(outMessagesOf(entry)).toEqual([]);
    expect(txs).toHaveLength(1);
    const after = await viewAccounts(bc, all);
    all.forEach((a, i) => expect({ at: a.toString(), state: stateOf(after[i]) }).toEqual({ at: a.toString(), state: stateOf(before[i]) }));
    const i = all.findIndex((a) => a.equals(m.to));
    const burnt = entry.totalFees.coins - storageFeeOf(entry);
    expect(after[i].balance - before[i].balance).toBe(m.value - entry.totalFees.coins);
    return { txs, returned: 0n, burnt };
}

function uniq(list: Address[]): Address[] {
    const out: Address[] = [];
    for (const a of list) if (!out.some((b) => b.equals(a))) out.push(a);
    return out;
}

function expectUnchanged(all: Address[], before: AccountView[], after: AccountView[], txs: Transaction[]) {
    all.forEach((a, i) => {
        expect({ at: a.toString(), state: stateOf(after[i]) }).toEqual({ at: a.toString(), state: stateOf(before[i]) });
        expect({ at: a.toString(), balanceDelta: after[i].balance - before[i].balance }).toEqual({
            at: a.toString(),
            balanceDelta: -storageFeesOn(txs, a),
        });
    });
}

// ---------------------------------------------------------------------------
// Lookalike contracts
// ---------------------------------------------------------------------------

/**
 * A relay: on a message whose body is `flags:uint6 dest:MsgAddressInt body:^Cell`,
 * it sends `body` to `dest` with the flags given and all the value it received
 * (mode 64). It ignores bounced messages, so a bounce's value stays with it.
 */
const RELAY_SOURCE = `
#include "stdlib.fc";
() recv_internal(int balance, int msg_value, cell in_msg_full, slice in_msg_body) impure {
    slice cs = in_msg_full.begin_parse();
    if (cs~load_uint(4) & 1) { return (); }
    if (in_msg_body.slice_empty?()) { return (); }
    int flags = in_msg_body~load_uint(6);
    slice dest = in_msg_body~load_msg_addr();
    cell body = in_msg_body~load_ref();
    send_raw_message(begin_cell().store_uint(flags, 6).store_slice(dest).store_coins(0)
        .store_uint(1, 1 + 4 + 4 + 64 + 32 + 1 + 1).store_ref(body).end_cell(), 64);
}
`;

let relayCode: Cell | undefined;

export async function compileRelay(): Promise<Cell> {
    if (relayCode) return relayCode;
    const stdlib = readFileSync(path.resolve(__dirname, '../../contracts/imports/stdlib.fc'), 'utf8');
    const r = await compileFunc({ targets: ['relay.fc'], sources: { 'stdlib.fc': stdlib, 'relay.fc': RELAY_SOURCE } });
    if (r.status !== 'ok') throw new Error(r.message);
    relayCode = Cell.fromBase64(r.codeBoc);
    return relayCode;
}

/** Deploys the relay code with `data` (a real contract's state init data): the lookalike's address. */
export async function deployLookalike(bc: Blockchain, data: Cell, balance = 1_000_000_000n): Promise<Address> {
    const code = await compileRelay();
    const address = contractAddress(0, { code, data });
    await bc.setShardAccount(address, createShardAccount({ address, code, data, balance }));
    return address;
}

/** The body that makes a relay send `body` to `dest` (bounceable by default). */
export function relayBody(dest: Address, body: Cell, flags = 0x18): Cell {
    return beginCell().storeUint(flags, 6).storeAddress(dest).storeRef(body).endCell();
}

// ---------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------

/** `body` with one trailing bit. */
export function withBit(body: Cell): Cell {
    return beginCell().storeSlice(body.beginParse()).storeBit(1).endCell();
}

/** `body` with one more (empty) reference. */
export function withRef(body: Cell): Cell {
    return beginCell().storeSlice(body.beginParse()).storeRef(beginCell().endCell()).endCell();
}

/** `body` without its last field: its last reference if it has any, else its last bit. */
export function truncated(body: Cell): Cell {
    const s = body.beginParse();
    const b = beginCell();
    if (body.refs.length > 0) {
        b.storeBits(s.loadBits(s.remainingBits));
        body.refs.slice(0, -1).forEach((r) => b.storeRef(r));
    } else {
        b.storeBits(s.loadBits(s.remainingBits - 1));
    }
    return b.endCell();
}

/** Only the first 32 bits (the op): the query_id is missing. */
export function opOnly(body: Cell): Cell {
    return beginCell().storeUint(body.beginParse().preloadUint(32), 32).endCell();
}

// ---------------------------------------------------------------------------
// Bodies of the messages only contracts send (TL-B in contracts/schema.tlb)
// ---------------------------------------------------------------------------


/** What offer_job carries: the budget, and the job's JobRequest (provider, model, max price, deadline, created_at, session, request commitment). */
export type OfferFields = {
    modelHash: bigint;
    budget: bigint;
    maxPrice: bigint;
    deadline: number;
    createdAt: number;
    session: boolean;
    /** The provider named in the request (any address: a forged offer is refused before it is read). */
    provider?: Address;
    requestCommitment?: bigint;
};

const ANY_PROVIDER = new Address(0, Buffer.alloc(32));

export const Bodies = {
    offerJob: (client: Address, nonce: bigint, o: OfferFields, queryId = 0n) =>
        beginCell()
            .storeUint(Op.offerJob, 32)
            .storeUint(queryId, 64)
            .storeAddress(client)
            .storeUint(nonce, 64)
            .storeCoins(o.budget)
            .storeRef(
                beginCell()
                    .storeAddress(o.provider ?? ANY_PROVIDER)
                    .storeUint(o.modelHash, 256)
                    .storeCoins(o.maxPrice)
                    .storeUint(o.deadline, 32)
                    .storeUint(o.createdAt, 32)
                    .storeBit(o.session)
                    .storeUint(o.requestCommitment ?? 0n, 256)
                    .endCell(),
            )
            .endCell(),
    jobClosed: (client: Address, nonce: bigint, bond: bigint, outcome: number, queryId = 0n) =>
        beginCell()
            .storeUint(Op.jobClosed, 32)
            .storeUint(queryId, 64)
            .storeAddress(client)
            .storeUint(nonce, 64)
            .storeCoins(bond)
            .storeUint(outcome, 2)
            .storeBit(false)                // no settlement report
            .endCell(),
    slashBond: (client: Address, nonce: bigint, bond: bigint, amount: bigint, reason: number, reporter: Address, queryId = 0n) =>
        beginCell()
            .storeUint(Op.slashBond, 32)
            .storeUint(queryId, 64)
            .storeAddress(client)
            .storeUint(nonce, 64)
            .storeCoins(bond)
            .storeCoins(amount)
            .storeUint(reason, 2)
            .storeAddress(reporter)
            .endCell(),
    jobAccepted: (terms: { price: bigint; bond: bigint; operatorKey: bigint; owner: Address; params: Cell }, queryId = 0n) =>
        beginCell()
            .storeUint(Op.jobAccepted, 32)
            .storeUint(queryId, 64)
            .storeRef(
                beginCell()
                    .storeCoins(terms.price)
                    .storeCoins(terms.bond)
                    .storeUint(terms.operatorKey, 256)
                    .storeAddress(terms.owner)
                    .storeRef(terms.params)
                    .endCell(),
            )
            .endCell(),
    jobRejected: (error: number, queryId = 0n) => beginCell().storeUint(Op.jobRejected, 32).storeUint(queryId, 64).storeUint(error, 16).endCell(),
    disputeVerdict: (forClient: boolean, slash: bigint, queryId = 0n) =>
        beginCell().storeUint(Op.disputeVerdict, 32).storeUint(queryId, 64).storeBit(forClient).storeCoins(slash).endCell(),
    /** provider_init as the root builds it. */
    providerInit: (stake: bigint, attestation: Cell, offer: Cell, models: Cell | null, params: Cell, queryId = 0n) =>
        beginCell()
            .storeUint(Op.providerInit, 32)
            .storeUint(queryId, 64)
            .storeCoins(stake)
            .storeRef(attestation)
            .storeRef(offer)
            .storeMaybeRef(models)
            .storeRef(params)
            .endCell(),
    providerReattest: (attestation: Cell, params: Cell, queryId = 0n) =>
        beginCell().storeUint(Op.providerReattest, 32).storeUint(queryId, 64).storeRef(attestation).storeRef(params).endCell(),
    providerSetModels: (models: Cell | null, params: Cell, queryId = 0n) =>
        beginCell().storeUint(Op.providerSetModels, 32).storeUint(queryId, 64).storeMaybeRef(models).storeRef(params).endCell(),
    providerRevoke: (kind: number, hash: bigint, keeper: Address, queryId = 0n) =>
        beginCell().storeUint(Op.providerRevoke, 32).storeUint(queryId, 64).storeUint(kind, 2).storeUint(hash, 256).storeAddress(keeper).endCell(),
    simple: (op: number, queryId = 0n) => beginCell().storeUint(op, 32).storeUint(queryId, 64).endCell(),
};

/** A ProviderAttestation cell as the root builds it from a statement. */
export function attestationCell(a: { policyHash: bigint; operatorKey: bigint; encryptionKey: bigint; attestedAt: number; expiresAt: number; verifierKey: bigint }): Cell {
    return beginCell()
        .storeUint(a.policyHash, 256)
        .storeUint(a.operatorKey, 256)
        .storeUint(a.encryptionKey, 256)
        .storeUint(a.attestedAt, 32)
        .storeUint(a.expiresAt, 32)
        .storeRef(beginCell().storeUint(a.verifierKey, 256).endCell())
        .endCell();
}

/** A ProviderParams cell as the root builds it. */
export function providerParamsCell(minStake: bigint, unbondingPeriod: number, rootVersion: number, treasury: Address, jobs: Cell): Cell {
    return beginCell().storeCoins(minStake).storeUint(unbondingPeriod, 32).storeUint(rootVersion, 32).storeAddress(treasury).storeRef(jobs).endCell();
}
