/** The worker's chain in the local sandbox (@ton/sandbox): the default, used by the demo and the tests. */
import { Address, Contract, OpenedContract, Sender, Transaction } from '@ton/core';
import { Blockchain, BlockchainTransaction, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { transactionsOf } from '../../sdk/chain';
import { AccountStatus, JobOffer, parseOffer, ScanCursor, SendOutcome, WorkerChain } from './types';

export class SandboxChain implements WorkerChain {
    readonly network = 'sandbox' as const;
    readonly pollMs = 0;

    constructor(
        readonly blockchain: Blockchain,
        readonly owner: SandboxContract<TreasuryContract>,
        private readonly opts: { onTransactions?: (label: string, txs: BlockchainTransaction[]) => void } = {},
    ) {}

    get wallet(): Address {
        return this.owner.address;
    }

    open<T extends Contract>(contract: T): OpenedContract<T> {
        return this.blockchain.openContract(contract) as unknown as OpenedContract<T>;
    }

    async now(): Promise<number> {
        return this.blockchain.now ?? Math.floor(Date.now() / 1000);
    }

    sender(): Sender {
        return this.owner.getSender();
    }

    async send(label: string, target: Address, action: (via: Sender) => Promise<unknown>): Promise<SendOutcome> {
        const result = await action(this.sender());
        const txs = transactionsOf(result);
        this.opts.onTransactions?.(label, txs);
        const first = txs.find((t) => t.inMessage?.info.type === 'internal' && t.inMessage.info.dest.equals(target));
        const d = first?.description;
        if (!first || !d || d.type !== 'generic') return { ok: false, transactions: txs };
        const exitCode = d.computePhase.type === 'vm' ? d.computePhase.exitCode : undefined;
        return { ok: !d.aborted, exitCode, transactions: txs };
    }

    async balance(address: Address): Promise<bigint> {
        return (await this.blockchain.getContract(address)).balance;
    }

    async status(address: Address): Promise<AccountStatus> {
        const s = (await this.blockchain.getContract(address)).accountState;
        if (!s) return 'nonexist';
        return s.type === 'active' ? 'active' : s.type === 'frozen' ? 'frozen' : 'uninit';
    }

    /**
     * Scans the provider's incoming transactions. (The sandbox's getTransactions reverses its
     * own list in place on every call, so the order it returns is not relied upon: sorted by lt.)
     */
    async offeredJobs(provider: Address, after: ScanCursor | null): Promise<{ offers: JobOffer[]; cursor: ScanCursor | null }> {
        const since = after ? BigInt(after.lt) : -1n;
        const txs = [...(await this.blockchain.getTransactions(provider))]
            .filter((t: Transaction) => t.lt > since)
            .sort((a, b) => (a.lt < b.lt ? -1 : a.lt > b.lt ? 1 : 0));
        const offers = txs.map(parseOffer).filter((o): o is JobOffer => o !== null);
        const last = txs[txs.length - 1];
        return { offers, cursor: last ? { lt: last.lt.toString(), hash: last.hash().toString('base64') } : after };
    }
}
