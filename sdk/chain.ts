/**
 * The little the SDK needs from a chain: open a wrapper (getters and senders)
 * and tell the time. Two adapters: the local sandbox (tests, demo) and
 * @ton/ton's TonClient (testnet / mainnet).
 */
import { Contract, OpenedContract } from '@ton/core';
import type { Blockchain, BlockchainTransaction } from '@ton/sandbox';
import type { TonClient } from '@ton/ton';
import { JobStateError } from './errors';

export interface ChainAccess {
    /** A wrapper bound to this chain (its getters and senders). */
    open<T extends Contract>(contract: T): OpenedContract<T>;
    /** Chain time, unix seconds. */
    now(): Promise<number>;
    /**
     * Called after each message the SDK sends with what the wrapper's sender returned
     * (in the sandbox: the transactions it caused). Optional.
     */
    sent?(label: string, result: unknown): void | Promise<void>;
    /** Interval between two polls of a getter while waiting for an effect, ms (0 in the sandbox). */
    readonly pollMs?: number;
}

/** The transactions of a sandbox send result, or [] for anything else. */
export function transactionsOf(result: unknown): BlockchainTransaction[] {
    const txs = (result as { transactions?: unknown } | null)?.transactions;
    return Array.isArray(txs) ? (txs as BlockchainTransaction[]) : [];
}

/** The local sandbox: every send is executed at once; `onTransactions` sees what each caused. */
export function sandboxChain(
    blockchain: Blockchain,
    opts: { onTransactions?: (label: string, txs: BlockchainTransaction[]) => void } = {},
): ChainAccess {
    return {
        open: <T extends Contract>(c: T) => blockchain.openContract(c) as unknown as OpenedContract<T>,
        now: async () => blockchain.now ?? Math.floor(Date.now() / 1000),
        sent: (label, result) => opts.onTransactions?.(label, transactionsOf(result)),
        pollMs: 0,
    };
}

/** A real network through toncenter's HTTP API (TonClient). Sends are only queued: wait for their effect. */
export function tonClientChain(client: TonClient, opts: { pollMs?: number } = {}): ChainAccess {
    return {
        open: <T extends Contract>(c: T) => client.open(c),
        now: async () => Math.floor(Date.now() / 1000),
        pollMs: opts.pollMs ?? 3000,
    };
}

/** Polls `read` until `done` holds (at once in the sandbox), or throws JobStateError('TIMEOUT'). */
export async function waitFor<T>(
    chain: ChainAccess,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    opts: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
    const pollMs = chain.pollMs ?? 0;
    const deadline = Date.now() + (opts.timeoutMs ?? (pollMs === 0 ? 0 : 120_000));
    for (;;) {
        let value: T | undefined;
        try {
            value = await read();
        } catch (e) {
            // On a real network a freshly deployed contract may not answer getters yet.
            if (pollMs === 0) throw e;
        }
        if (value !== undefined && done(value)) return value;
        if (Date.now() >= deadline) {
            throw new JobStateError('TIMEOUT', `timed out waiting for ${opts.what ?? 'an on-chain effect'}`);
        }
        await new Promise((r) => setTimeout(r, pollMs));
    }
}
