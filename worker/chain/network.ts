/**
 * The worker's chain on a real network (testnet / mainnet): @ton/ton's
 * TonClient over a toncenter-compatible HTTP API, and the provider owner's
 * wallet (V4 or V5R1) from a mnemonic. Implemented and typed; not exercised by
 * the tests (they never leave 127.0.0.1).
 */
import { Address, Contract, OpenedContract, Sender, Transaction } from '@ton/core';
import { mnemonicToPrivateKey, KeyPair } from '@ton/crypto';
import { TonClient, WalletContractV4, WalletContractV5R1 } from '@ton/ton';
import { AccountStatus, JobOffer, parseOffer, ScanCursor, SendOutcome, WorkerChain } from './types';

export type NetworkName = 'testnet' | 'mainnet';
export type WalletVersion = 'v4' | 'v5r1';

export const DEFAULT_ENDPOINTS: Record<NetworkName, string> = {
    testnet: 'https://testnet.toncenter.com/api/v2/jsonRPC',
    mainnet: 'https://toncenter.com/api/v2/jsonRPC',
};

/** network_global_id of V5R1 wallet ids. */
const GLOBAL_ID: Record<NetworkName, number> = { testnet: -3, mainnet: -239 };

export type NetworkChainOptions = {
    network: NetworkName;
    /** toncenter v2 JSON-RPC URL; default per network. */
    endpoint?: string;
    apiKey?: string;
    /** The owner wallet's 24 words. */
    mnemonic: string[];
    walletVersion: WalletVersion;
    /** How long to wait for a sent message to be accepted (wallet seqno moves), ms. */
    sendTimeoutMs?: number;
    /** How many transactions a first scan (no cursor) looks back. */
    firstScanDepth?: number;
    pollMs?: number;
};

export class NetworkChain implements WorkerChain {
    readonly pollMs: number;

    private constructor(
        readonly network: NetworkName,
        readonly client: TonClient,
        private readonly keys: KeyPair,
        private readonly walletContract: WalletContractV4 | WalletContractV5R1,
        private readonly opts: NetworkChainOptions,
    ) {
        this.pollMs = opts.pollMs ?? 3000;
    }

    static async create(opts: NetworkChainOptions): Promise<NetworkChain> {
        if (opts.mnemonic.length !== 24 && opts.mnemonic.length !== 12) {
            throw new Error(`the wallet mnemonic must have 24 (or 12) words, got ${opts.mnemonic.length}`);
        }
        const keys = await mnemonicToPrivateKey(opts.mnemonic);
        const client = new TonClient({ endpoint: opts.endpoint ?? DEFAULT_ENDPOINTS[opts.network], apiKey: opts.apiKey });
        const wallet =
            opts.walletVersion === 'v4'
                ? WalletContractV4.create({ workchain: 0, publicKey: keys.publicKey })
                : WalletContractV5R1.create({
                      publicKey: keys.publicKey,
                      walletId: { networkGlobalId: GLOBAL_ID[opts.network], context: { walletVersion: 'v5r1', workchain: 0, subwalletNumber: 0 } },
                  });
        return new NetworkChain(opts.network, client, keys, wallet, opts);
    }

    get wallet(): Address {
        return this.walletContract.address;
    }

    open<T extends Contract>(contract: T): OpenedContract<T> {
        return this.client.open(contract);
    }

    async now(): Promise<number> {
        return Math.floor(Date.now() / 1000);
    }

    sender(): Sender {
        return this.walletContract.sender(this.client.provider(this.walletContract.address, this.walletContract.init), this.keys.secretKey);
    }

    private async seqno(): Promise<number> {
        return retry(() => this.client.open(this.walletContract).getSeqno());
    }

    /** Sends through the wallet and waits until its seqno moves (the external message was accepted). */
    async send(_label: string, _target: Address, action: (via: Sender) => Promise<unknown>): Promise<SendOutcome> {
        const before = await this.seqno();
        // Not retried: a retry after an accepted external would build a second transfer.
        await action(this.sender());
        const deadline = Date.now() + (this.opts.sendTimeoutMs ?? 90_000);
        while (Date.now() < deadline) {
            await sleep(this.pollMs);
            if ((await this.seqno().catch(() => before)) > before) return { ok: true };
        }
        return { ok: false };
    }

    async balance(address: Address): Promise<bigint> {
        return retry(() => this.client.getBalance(address));
    }

    async status(address: Address): Promise<AccountStatus> {
        const s = await retry(() => this.client.getContractState(address));
        if (s.state === 'active') return 'active';
        if (s.state === 'frozen') return 'frozen';
        return s.lastTransaction ? 'uninit' : 'nonexist';
    }

    /** Pages back through the provider's transactions (newest first) down to the cursor. */
    async offeredJobs(provider: Address, after: ScanCursor | null): Promise<{ offers: JobOffer[]; cursor: ScanCursor | null }> {
        const collected: Transaction[] = [];
        const since = after ? BigInt(after.lt) : null;
        const depth = this.opts.firstScanDepth ?? 200;
        let page: { lt?: string; hash?: string } = {};
        for (;;) {
            const batch = await retry(() =>
                this.client.getTransactions(provider, { limit: 50, lt: page.lt, hash: page.hash, archival: true, inclusive: false }),
            );
            let reached = false;
            for (const tx of batch) {
                if (since !== null && tx.lt <= since) {
                    reached = true;
                    break;
                }
                collected.push(tx);
            }
            if (reached || batch.length < 50 || (since === null && collected.length >= depth)) break;
            const oldest = batch[batch.length - 1];
            page = { lt: oldest.lt.toString(), hash: oldest.hash().toString('base64') };
        }
        collected.sort((a, b) => (a.lt < b.lt ? -1 : a.lt > b.lt ? 1 : 0));
        const offers = collected.map(parseOffer).filter((o): o is JobOffer => o !== null);
        const last = collected[collected.length - 1];
        return { offers, cursor: last ? { lt: last.lt.toString(), hash: last.hash().toString('base64') } : after };
    }
}

async function retry<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
    let delay = 1000;
    for (let i = 1; ; i++) {
        try {
            return await fn();
        } catch (e) {
            const status = (e as { response?: { status?: number } }).response?.status;
            if (i >= attempts || (status !== undefined && status !== 429 && status < 500)) throw e;
            await sleep(delay);
            delay *= 2;
        }
    }
}

function sleep(ms: number) {
    return new Promise((r) => setTimeout(r, ms));
}
