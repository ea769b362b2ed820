/**
 * Installing many providers and closed jobs without running their
 * transactions: each account is a copy of one that a real chain of
 * transactions produced, with the fields that make it another account
 * (a provider's owner, a job's nonce) changed, at the address that code and
 * data derive. The checks below confirm, on the contracts as built, that the
 * copies are exactly what real registrations and jobs would leave behind.
 */
import { Address, beginCell, Cell, ShardAccount } from '@ton/core';
import { Blockchain } from '@ton/sandbox';
import { Provider } from '../wrappers/Provider';
import { Job } from '../wrappers/Job';
import { World, dataOf } from './world';

async function shardAccountOf(blockchain: Blockchain, address: Address): Promise<ShardAccount> {
    const acc = (await blockchain.getContract(address)).account;
    if (!acc.account || acc.account.storage.state.type !== 'active') throw new Error(`no active account at ${address}`);
    return acc;
}

/** A copy of `template` at `address` with `data` (same code, balance, storage stats). */
function copyAccount(template: ShardAccount, address: Address, data: Cell): ShardAccount {
    const account = template.account!;
    const state = account.storage.state;
    if (state.type !== 'active') throw new Error('template account is not active');
    return {
        ...template,
        account: {
            ...account,
            addr: address,
            storage: { ...account.storage, state: { type: 'active', state: { ...state.state, data } } },
        },
    };
}

/** Provider data for another owner: (root, owner, rest) with the owner replaced. */
export function providerDataFor(template: Cell, owner: Address): Cell {
    const s = template.beginParse();
    const root = s.loadAddress();
    s.loadAddress();
    return beginCell().storeAddress(root).storeAddress(owner).storeSlice(s).endCell();
}

/**
 * Job data for another nonce. An initialized job (TL-B JobStorage) keeps
 * (root, client, nonce, client_key) in its JobIdent ref, the ref just before
 * the last (JobRequest): that ref is replaced, the rest kept as it is.
 */
export function jobDataFor(template: Cell, nonce: bigint): Cell {
    if (template.refs.length < 2) throw new Error('job data: expected an initialized job (ident and request refs)');
    const identAt = template.refs.length - 2;
    const s = template.refs[identAt].beginParse();
    const root = s.loadAddress();
    const client = s.loadAddress();
    s.loadUintBig(64);
    const ident = beginCell().storeAddress(root).storeAddress(client).storeUint(nonce, 64).storeSlice(s).endCell();
    const b = beginCell().storeBits(template.bits);
    template.refs.forEach((r, i) => b.storeRef(i === identAt ? ident : r));
    return b.endCell();
}

/**
 * The provider's data with some fields of its storage replaced (TL-B
 * ProviderStorage: root owner state:uint4 stake:Coins locked:Coins
 * open_jobs:uint32 revoked:Bool tombstoned:Bool unbond_at:uint32
 * reward_fees:Coins ^attestation ^params ^book models; ProviderBook: ^offer
 * job_code_hash:uint256 job_code_depth:uint16 completed:uint64 failed:uint64
 * slashed:Coins rewards:(HashmapE 256 RewardEntry) [entries:uint8]: the count of
 * reward entries, in the layout that has it). The caller checks the result
 * through the getters.
 */
export function providerDataWith(data: Cell, set: { completed?: bigint; rewardFees?: bigint; rewards?: Cell | null; entries?: number }): Cell {
    if (data.refs.length < 3) throw new Error('provider data: expected attestation, params and book refs');
    const book = data.refs[2].beginParse();
    const offer = book.loadRef();
    const hash = book.loadUintBig(256);
    const depth = book.loadUint(16);
    const completed = book.loadUintBig(64);
    const failed = book.loadUintBig(64);
    const slashed = book.loadCoins();
    const rewards = book.loadMaybeRef();
    const entryBits = book.remainingBits;
    if ((entryBits !== 0 && entryBits !== 8) || book.remainingRefs !== 0) throw new Error('provider book layout changed');
    const entries = entryBits === 8 ? book.loadUint(8) : 0;
    const newBook = beginCell()
        .storeRef(offer)
        .storeUint(hash, 256)
        .storeUint(depth, 16)
        .storeUint(set.completed ?? completed, 64)
        .storeUint(failed, 64)
        .storeCoins(slashed)
        .storeMaybeRef(set.rewards === undefined ? rewards : set.rewards)
        .storeUint(set.entries ?? entries, entryBits)
        .endCell();
    const s = data.beginParse();
    const head = beginCell()
        .storeAddress(s.loadAddress())
        .storeAddress(s.loadAddress())
        .storeUint(s.loadUint(4), 4)
        .storeCoins(s.loadCoins())
        .storeCoins(s.loadCoins())
        .storeUint(s.loadUint(32), 32)
        .storeBit(s.loadBit())
        .storeBit(s.loadBit())
        .storeUint(s.loadUint(32), 32);
    const rewardFees = s.loadCoins();
    const b = head.storeCoins(set.rewardFees ?? rewardFees).storeBits(s.loadBits(s.remainingBits));
    data.refs.forEach((r, i) => b.storeRef(i === 2 ? newBook : r));
    return b.endCell();
}

/** The provider's data with its book's `completed` counter set (everything else as it is). */
export function providerDataWithCompleted(data: Cell, completed: bigint): Cell {
    return providerDataWith(data, { completed });
}

/** Sets a provider's completed-jobs counter in place, checked through its getter. */
export async function setCompleted(w: World, provider: Address, completed: bigint) {
    const p = w.blockchain.openContract(Provider.createFromAddress(provider));
    const before = await p.getProviderJobs();
    const acc = await shardAccountOf(w.blockchain, provider);
    await w.blockchain.setShardAccount(provider, copyAccount(acc, provider, providerDataWithCompleted(await dataOf(w, provider), completed)));
    const after = await p.getProviderJobs();
    if (
        BigInt(after.completed) !== completed ||
        after.locked !== before.locked ||
        after.openJobs !== before.openJobs ||
        after.failed !== before.failed ||
        after.slashed !== before.slashed
    ) {
        throw new Error('setCompleted: the provider getter disagrees (provider book layout changed?)');
    }
}

/** Installs a copy of the template provider for each owner; returns their addresses. */
export async function installProviders(w: World, template: Address, owners: Address[]): Promise<Address[]> {
    const acc = await shardAccountOf(w.blockchain, template);
    const data = await dataOf(w, template);
    const out: Address[] = [];
    for (const owner of owners) {
        const p = Provider.createFromConfig({ root: w.root.address, owner, jobCode: w.codes.job }, w.codes.provider);
        await w.blockchain.setShardAccount(p.address, copyAccount(acc, p.address, providerDataFor(data, owner)));
        out.push(p.address);
    }
    // Spot checks: the root derives the same address, and the copy answers as a registered provider of that owner.
    for (const i of [0, owners.length - 1]) {
        if (i < 0) continue;
        const derived = await w.root.getProviderAddress(owners[i]);
        if (!derived.equals(out[i])) throw new Error('installProviders: address derivation differs from the root');
        const d = await w.blockchain.openContract(Provider.createFromAddress(out[i])).getProviderData();
        if (!d.owner.equals(owners[i]) || d.state !== 1) throw new Error('installProviders: copy is not an active provider of its owner');
    }
    return out;
}

/** Installs a copy of the template (closed) job for each nonce; returns their addresses. */
export async function installJobs(w: World, template: Address, client: Address, nonces: bigint[]): Promise<Address[]> {
    const acc = await shardAccountOf(w.blockchain, template);
    const data = await dataOf(w, template);
    const state = (await w.blockchain.openContract(Job.createFromAddress(template)).getJobState()).state;
    const out: Address[] = [];
    for (const nonce of nonces) {
        const j = Job.createFromConfig({ root: w.root.address, client, nonce }, w.codes.job);
        await w.blockchain.setShardAccount(j.address, copyAccount(acc, j.address, jobDataFor(data, nonce)));
        out.push(j.address);
    }
    for (const i of [0, nonces.length - 1]) {
        if (i < 0) continue;
        const derived = await w.root.getJobAddress(client, nonces[i]);
        if (!derived.equals(out[i])) throw new Error('installJobs: address derivation differs from the root');
        const job = w.blockchain.openContract(Job.createFromAddress(out[i]));
        const parties = await job.getJobParties();
        if (parties.nonce !== nonces[i] || (await job.getJobState()).state !== state) {
            throw new Error('installJobs: copy does not answer as the job of its nonce');
        }
    }
    return out;
}
