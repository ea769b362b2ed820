/**
 * The worker's view of the chain: one interface, two implementations —
 * the local sandbox (`SandboxChain`: default, demo, tests) and a real network
 * (`NetworkChain`: testnet / mainnet through toncenter with a V4 or V5R1 wallet).
 */
import { Address, Cell, Sender, Transaction } from '@ton/core';
import { ChainAccess } from '../../sdk/chain';
import { Op } from '../../wrappers/constants';

/** A job that offered itself to our provider (an incoming offer_job that the provider processed). */
export type JobOffer = {
    job: Address;
    client: Address;
    nonce: bigint;
    modelHash: bigint;
    budget: bigint;
    maxPrice: bigint;
    deadline: number;
    createdAt: number;
    session: boolean;
    lt: bigint;
    hash: string;
    /** The provider's answer in the same transaction: accepted, or rejected with an error code. */
    answer: { accepted: true } | { accepted: false; error: number };
};

export type ScanCursor = { lt: string; hash: string };

export type SendOutcome = {
    /** Sandbox: whether the message's first transaction succeeded. Network: the wallet accepted it. */
    ok: boolean;
    exitCode?: number;
    /** Sandbox: the transactions the message caused. */
    transactions?: Transaction[];
};

export type AccountStatus = 'active' | 'uninit' | 'frozen' | 'nonexist';

export interface WorkerChain extends ChainAccess {
    readonly network: 'sandbox' | 'testnet' | 'mainnet';
    /** The provider owner's wallet: the worker sends from it and is paid to it. */
    readonly wallet: Address;
    sender(): Sender;
    /**
     * Runs `action` with the owner's sender (a wrapper's send method). Sandbox: executes it and
     * reports the first transaction's success. Network: waits until the wallet's seqno moves.
     */
    send(label: string, target: Address, action: (via: Sender) => Promise<unknown>): Promise<SendOutcome>;
    balance(address: Address): Promise<bigint>;
    status(address: Address): Promise<AccountStatus>;
    /** Offers received by `provider` after `after` (oldest first), and the new cursor. */
    offeredJobs(provider: Address, after: ScanCursor | null): Promise<{ offers: JobOffer[]; cursor: ScanCursor | null }>;
}

/** Parses an offer_job transaction on the provider; null for anything else (or a failed one). */
export function parseOffer(tx: Transaction): JobOffer | null {
    const msg = tx.inMessage;
    if (!msg || msg.info.type !== 'internal' || msg.info.bounced) return null;
    const d = tx.description;
    if (d.type !== 'generic' || d.aborted || d.computePhase.type !== 'vm' || !d.computePhase.success) return null;
    try {
        const s = msg.body.beginParse();
        if (s.remainingBits < 32 || s.loadUint(32) !== Op.offerJob) return null;
        s.loadUintBig(64);
        const client = s.loadAddress();
        const nonce = s.loadUintBig(64);
        const budget = s.loadCoins();
        const o = s.loadRef().beginParse(); // JobRequest, as the job stores it
        o.loadAddress(); // provider
        const offer = {
            modelHash: o.loadUintBig(256),
            budget,
            maxPrice: o.loadCoins(),
            deadline: o.loadUint(32),
            createdAt: o.loadUint(32),
            session: o.loadBit(),
        };
        let answer: JobOffer['answer'] = { accepted: true };
        for (const out of tx.outMessages.values()) {
            const b = out.body.beginParse();
            if (b.remainingBits >= 32 + 64 + 16 && b.loadUint(32) === Op.jobRejected) {
                b.loadUintBig(64);
                answer = { accepted: false, error: b.loadUint(16) };
            }
        }
        return { job: msg.info.src, client, nonce, ...offer, lt: tx.lt, hash: tx.hash().toString('base64'), answer };
    } catch {
        return null;
    }
}

export function bodyOp(body: Cell): number | null {
    const s = body.beginParse();
    return s.remainingBits >= 32 ? s.loadUint(32) : null;
}
