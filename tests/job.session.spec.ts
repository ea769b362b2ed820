/**
 * Job escrow, sessions: the client signs a cumulative usage receipt after
 * each request (off chain); anyone claims the latest one on chain. A session
 * of any length settles with one claim; partial claims pay the difference.
 * Amounts are checked to the nanoton from the transactions.
 */
import { Address, beginCell, Cell, toNano } from '@ton/core';
import { BlockchainSnapshot, BlockchainTransaction, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { KeyPair } from '@ton/crypto';
import { createHash, createPrivateKey, KeyObject, sign as nodeSign } from 'crypto';
import '@ton/test-utils';
import {
    balanceOf,
    createJob,
    deployProtocol,
    expectNoFailure,
    forwardFeeTo,
    forwardFeesOf,
    gasOf,
    JOB_PRICE,
    jobFees,
    keyFromLabel,
    phaseFees,
    Protocol,
    registerWorkingProvider,
    snapshotState,
    txOf,
    valueOf,
    workerResult,
} from './helpers/fixtures';
import { Job, signReceipt, usageReceiptCell, UsageReceiptFields } from '../wrappers/Job';
import { Provider } from '../wrappers/Provider';
import { JobParams, JobRequiredValues } from '../wrappers/Root';
import { Errors, JobState, Op, Outcome } from '../wrappers/constants';
import { bufferToBigint } from '../wrappers/common';

type Fees = ReturnType<typeof jobFees>;
type Result = { transactions: BlockchainTransaction[] };

/**
 * The same ed25519 signature as signReceipt (@ton/crypto, deterministic), through node's
 * crypto, which signs a thousand receipts in milliseconds instead of seconds.
 */
function fastSigner(keys: KeyPair): (r: UsageReceiptFields) => Cell {
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), keys.secretKey.subarray(0, 32)]);
    const key: KeyObject = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return (r) => {
        const payload = usageReceiptCell(r);
        return beginCell().storeBuffer(nodeSign(null, payload.hash(), key)).storeRef(payload).endCell();
    };
}

/** What the client keeps off chain: one signed receipt per request, each with the running result root. */
function receiptBook(job: Address, createdAt: number, keys: KeyPair) {
    const signFast = fastSigner(keys);
    let root = Buffer.alloc(32);
    let cumulative = 0n;
    const receipts: Cell[] = [];
    return {
        /** Request `seq` (1, 2, ...) used `units`: the client signs the new cumulative total. */
        record(units: bigint, resultHash: Buffer) {
            cumulative += units;
            root = createHash('sha256').update(root).update(resultHash).digest();
            receipts.push(signFast({ job, createdAt, seq: receipts.length + 1, cumulativeUsage: cumulative, resultRoot: bufferToBigint(root) }));
        },
        get latest() {
            return receipts[receipts.length - 1];
        },
        at(seq: number) {
            return receipts[seq - 1];
        },
        get cumulative() {
            return cumulative;
        },
        get root() {
            return bufferToBigint(root);
        },
    };
}

describe('Job sessions', () => {
    let p: Protocol;
    let owner: SandboxContract<TreasuryContract>;
    let client: SandboxContract<TreasuryContract>;
    let keeper: SandboxContract<TreasuryContract>;
    let provider: SandboxContract<Provider>;
    let operator: KeyPair;
    let fees: Fees;
    let req: JobRequiredValues;
    let jp: JobParams;
    let start: BlockchainSnapshot;

    beforeAll(async () => {
        p = await deployProtocol();
        owner = await p.blockchain.treasury('provider owner');
        client = await p.blockchain.treasury('client');
        keeper = await p.blockchain.treasury('keeper');
        ({ provider, operator } = await registerWorkingProvider(p, owner));
        fees = jobFees(p.blockchain);
        req = await p.root.getJobRequiredValues();
        jp = await p.root.getJobParams();
        start = p.blockchain.snapshot();
    });

    beforeEach(async () => {
        await p.blockchain.loadFrom(start);
    });

    const now = () => p.blockchain.now!;
    const feeOf = (amount: bigint) => (amount * BigInt(jp.protocolFeeBps)) / 10000n;

    async function openSession(opts: Parameters<typeof createJob>[3] = {}) {
        const created = await createJob(p, client, provider.address, { session: true, ...opts });
        expectNoFailure(created.result.transactions);
        const state = await created.job.getJobState();
        expect(state.state).toBe(JobState.accepted);
        expect(state.session).toBe(true);
        const book = receiptBook(created.job.address, state.createdAt, created.setup.clientKeys);
        return { ...created, createdAt: state.createdAt, book };
    }

    async function expectRejected(send: () => Promise<Result>, from: Address, to: Address, exitCode: number) {
        const before = await snapshotState(p, to);
        const result = await send();
        expect(result.transactions).toHaveTransaction({ from, to, success: false, exitCode });
        expect(result.transactions).toHaveTransaction({ from: to, to: from, inMessageBounced: true });
        expect(await snapshotState(p, to)).toBe(before);
        return result;
    }

    /** A claim: exact payment and fee, and the job's balance drops by exactly what it paid (plus its storage fee). */
    async function expectClaim(job: SandboxContract<Job>, claimer: SandboxContract<TreasuryContract>, receipt: Cell, delta: bigint) {
        const before = await balanceOf(p.blockchain, job.address);
        const r = await job.sendClaimSession(claimer.getSender(), req.claimSession, receipt);
        expectNoFailure(r.transactions);
        const amount = delta * JOB_PRICE;
        const tx = txOf(r.transactions, claimer.address, job.address, Op.claimSession);
        if (amount > 0n) {
            expect(valueOf(r.transactions, job.address, owner.address, Op.jobPayment)).toBe(amount - feeOf(amount));
            expect(r.transactions).toHaveTransaction({
                from: job.address,
                to: owner.address,
                op: Op.jobPayment,
                body: (b) => b!.beginParse().skip(96).loadUintBig(64) === delta,
            });
            if (feeOf(amount) > 0n) expect(valueOf(r.transactions, job.address, p.treasury.address, Op.protocolFee)).toBe(feeOf(amount));
        } else {
            expect(r.transactions).not.toHaveTransaction({ op: Op.jobPayment });
        }
        // The claimer funds the gas and the forward fees of the payments; the rest of its value comes back.
        expect(await balanceOf(p.blockchain, job.address)).toBe(before - phaseFees(tx).storage - amount);
        const excess = valueOf(r.transactions, job.address, claimer.address, Op.excesses);
        const forwards = forwardFeesOf(fees, tx).reduce((a, f) => a + f, 0n);
        expect(excess).toBe(req.claimSession - phaseFees(tx).compute - forwards);
        return r;
    }

    it('signs receipts exactly as the wrapper does (ed25519 is deterministic)', () => {
        const keys = keyFromLabel('any client');
        const r: UsageReceiptFields = { job: provider.address, createdAt: 1, seq: 2, cumulativeUsage: 3n, resultRoot: 4n };
        expect(fastSigner(keys)(r).hash()).toEqual(signReceipt(r, keys.secretKey).hash());
    });

    it('settles a 1,000-request session with one claim of the latest receipt, as cheaply as a 10-request one', async () => {
        const unitsPerRequest = 250n;
        const measure = async (requests: number) => {
            const s = await openSession();
            for (let i = 0; i < requests; i++) {
                s.book.record(unitsPerRequest, createHash('sha256').update(`answer ${i}`).digest());
            }
            const closeValue = req.claimSession;
            const r = await s.job.sendClaimSession(owner.getSender(), closeValue, s.book.latest, true);
            expectNoFailure(r.transactions);
            const usage = BigInt(requests) * unitsPerRequest;
            const amount = usage * JOB_PRICE;
            expect(valueOf(r.transactions, s.job.address, owner.address, Op.jobPayment)).toBe(amount - feeOf(amount));
            expect(valueOf(r.transactions, s.job.address, p.treasury.address, Op.protocolFee)).toBe(feeOf(amount));
            expect(valueOf(r.transactions, s.job.address, provider.address, Op.jobClosed)).toBe(fees.jobClosed);
            expect(r.transactions).toHaveTransaction({ from: s.job.address, to: client.address, op: Op.jobRefund });
            expect((await s.job.getJobState()).state).toBe(JobState.settled);
            const progress = await s.job.getJobProgress();
            expect(progress).toEqual({ resultCommitment: s.book.root, usage, seq: requests, paidUsage: usage, reasonHash: 0n });
            expect(await balanceOf(p.blockchain, s.job.address)).toBe(fees.jobStorageReserve);
            const jobTx = txOf(r.transactions, owner.address, s.job.address, Op.claimSession);
            return {
                transactions: r.transactions.length,
                jobGas: gasOf(r.transactions, s.job.address),
                fees: r.transactions.reduce((a, t) => a + t.totalFees.coins, 0n),
                jobFees: jobTx.totalFees.coins,
            };
        };
        const ten = await measure(10);
        const thousand = await measure(1000);
        console.log(
            'Session settlement with one claim (close = true):\n' +
                `   10 requests: ${ten.transactions} transactions, job gas ${ten.jobGas}, job fees ${ten.jobFees}, all fees ${ten.fees}\n` +
                ` 1000 requests: ${thousand.transactions} transactions, job gas ${thousand.jobGas}, job fees ${thousand.jobFees}, all fees ${thousand.fees}`,
        );
        expect(thousand.transactions).toBe(ten.transactions);
        const diff = thousand.jobGas > ten.jobGas ? thousand.jobGas - ten.jobGas : ten.jobGas - thousand.jobGas;
        expect(diff * 100n).toBeLessThanOrEqual(ten.jobGas); // within 1%
        expect(thousand.jobGas).toBeLessThanOrEqual(fees.C['gas::job_close']);
    });

    it('pays each partial claim the difference, then the owner closes with the final receipt', async () => {
        const s = await openSession();
        for (let i = 0; i < 9; i++) s.book.record(100n, Buffer.from([i]));
        // Anyone may claim: the owner's operator, a keeper.
        await expectClaim(s.job, keeper, s.book.at(3), 300n);
        expect(await s.job.getJobProgress()).toMatchObject({ seq: 3, usage: 300n, paidUsage: 300n });
        await expectClaim(s.job, owner, s.book.at(7), 400n);
        expect((await s.job.getJobState()).state).toBe(JobState.accepted);

        const r = await s.job.sendClaimSession(owner.getSender(), req.claimSession, s.book.at(9), true);
        expectNoFailure(r.transactions);
        const amount = 200n * JOB_PRICE;
        expect(valueOf(r.transactions, s.job.address, owner.address, Op.jobPayment)).toBe(amount - feeOf(amount));
        expect(valueOf(r.transactions, s.job.address, p.treasury.address, Op.protocolFee)).toBe(feeOf(amount));
        expect(r.transactions).toHaveTransaction({
            from: s.job.address,
            to: provider.address,
            op: Op.jobClosed,
            value: fees.jobClosed,
            body: (b) => {
                const c = b!.beginParse().skip(96);
                c.loadAddress();
                c.loadUintBig(64);
                return c.loadCoins() === toNano('2') && c.loadUint(2) === Outcome.completed;
            },
        });
        expect((await s.job.getJobState()).state).toBe(JobState.settled);
        expect(await s.job.getJobProgress()).toMatchObject({ seq: 9, usage: 900n, paidUsage: 900n });
        expect(await provider.getProviderJobs()).toMatchObject({ locked: 0n, openJobs: 0, completed: 1, failed: 0 });
        expect(await balanceOf(p.blockchain, s.job.address)).toBe(fees.jobStorageReserve);
        // No claim after the settlement.
        await expectRejected(() => s.job.sendClaimSession(keeper.getSender(), req.claimSession, s.book.at(9)), keeper.address, s.job.address, Errors.jobWrongState);
    });
    it('returns the owner its unused value when it closes the session', async () => {
        const s = await openSession();
        s.book.record(100n, Buffer.from('a'));
        const r = await s.job.sendClaimSession(owner.getSender(), toNano('1'), s.book.latest, true);
        expectNoFailure(r.transactions);
        expect(r.transactions).toHaveTransaction({
            from: s.job.address,
            to: owner.address,
            value: (v) => v! > toNano('0.9'),
        });
    });

    it('refuses a stale receipt: seq not above the last claimed one (208)', async () => {
        const s = await openSession();
        for (let i = 0; i < 5; i++) s.book.record(10n, Buffer.from([i]));
        await expectClaim(s.job, owner, s.book.at(4), 40n);
        await expectRejected(() => s.job.sendClaimSession(owner.getSender(), req.claimSession, s.book.at(4)), owner.address, s.job.address, Errors.staleReceipt);
        await expectRejected(() => s.job.sendClaimSession(owner.getSender(), req.claimSession, s.book.at(2)), owner.address, s.job.address, Errors.staleReceipt);
        const fresh = await openSession();
        const zero = signReceipt({ job: fresh.job.address, createdAt: fresh.createdAt, seq: 0, cumulativeUsage: 1n, resultRoot: 0n }, fresh.setup.clientKeys.secretKey);
        await expectRejected(() => fresh.job.sendClaimSession(owner.getSender(), req.claimSession, zero), owner.address, fresh.job.address, Errors.staleReceipt);
        await expectClaim(s.job, owner, s.book.at(5), 10n);
    });

    it('refuses a receipt whose cumulative usage decreases (209)', async () => {
        const s = await openSession();
        s.book.record(500n, Buffer.from('x'));
        await expectClaim(s.job, owner, s.book.latest, 500n);
        const lower = signReceipt({ job: s.job.address, createdAt: s.createdAt, seq: 2, cumulativeUsage: 499n, resultRoot: 1n }, s.setup.clientKeys.secretKey);
        await expectRejected(() => s.job.sendClaimSession(owner.getSender(), req.claimSession, lower), owner.address, s.job.address, Errors.badUsage);
        // The same total with a later seq pays nothing and is accepted.
        const same = signReceipt({ job: s.job.address, createdAt: s.createdAt, seq: 2, cumulativeUsage: 500n, resultRoot: 1n }, s.setup.clientKeys.secretKey);
        await expectClaim(s.job, owner, same, 0n);
    });

    it('refuses a receipt signed by another key than the client key (131)', async () => {
        const s = await openSession();
        for (const key of [operator, keyFromLabel('someone else')]) {
            const forged = signReceipt({ job: s.job.address, createdAt: s.createdAt, seq: 1, cumulativeUsage: 1000n, resultRoot: 0n }, key.secretKey);
            await expectRejected(() => s.job.sendClaimSession(owner.getSender(), req.claimSession, forged), owner.address, s.job.address, Errors.badSignature);
        }
    });

    it('refuses a receipt for another job, another created_at, or a result in place of a receipt (207)', async () => {
        const s = await openSession();
        const other = await openSession();
        const keys = s.setup.clientKeys;
        const cases = [
            signReceipt({ job: other.job.address, createdAt: s.createdAt, seq: 1, cumulativeUsage: 10n, resultRoot: 0n }, keys.secretKey),
            signReceipt({ job: s.job.address, createdAt: s.createdAt - 1, seq: 1, cumulativeUsage: 10n, resultRoot: 0n }, keys.secretKey),
            // A job_result (another tag) signed by the same key.
            workerResult(keys, s.job.address, s.createdAt, 10n, { seq: 1 }),
        ];
        for (const receipt of cases) {
            await expectRejected(() => s.job.sendClaimSession(owner.getSender(), req.claimSession, receipt), owner.address, s.job.address, Errors.wrongJob);
        }
        // The other job's own receipt, replayed here.
        other.book.record(10n, Buffer.from('r'));
        await expectRejected(() => s.job.sendClaimSession(owner.getSender(), req.claimSession, other.book.latest), owner.address, s.job.address, Errors.wrongJob);
    });

    it('refuses close = true from anyone but the provider owner (214)', async () => {
        const s = await openSession();
        s.book.record(10n, Buffer.from('r'));
        for (const who of [client, keeper]) {
            await expectRejected(() => s.job.sendClaimSession(who.getSender(), req.claimSession, s.book.latest, true), who.address, s.job.address, Errors.notRootOrOwner);
        }
    });

    it('lets the client close unilaterally: claims within the grace period are paid, then anyone settles', async () => {
        const s = await openSession();
        for (let i = 0; i < 4; i++) s.book.record(1_000n, Buffer.from([i]));
        await expectClaim(s.job, owner, s.book.at(2), 2_000n);

        p.blockchain.now = now() + 100;
        const close = await s.job.sendCloseSession(client.getSender(), req.clientOp);
        expectNoFailure(close.transactions);
        const closeTx = txOf(close.transactions, client.address, s.job.address, Op.closeSession);
        expect(valueOf(close.transactions, s.job.address, client.address, Op.excesses)).toBe(
            req.clientOp - phaseFees(closeTx).compute - forwardFeeTo(fees, closeTx, client.address),
        );
        const state = await s.job.getJobState();
        expect(state.state).toBe(JobState.closing);
        expect(state.timer).toBe(now() + jp.sessionGrace);
        await expectRejected(() => s.job.sendCloseSession(client.getSender(), req.clientOp), client.address, s.job.address, Errors.jobWrongState);

        // The provider claims its latest receipt within the grace period.
        p.blockchain.now = state.timer - 1;
        await expectRejected(() => s.job.sendSettle(keeper.getSender(), req.closeJob), keeper.address, s.job.address, Errors.graceNotOver);
        await expectClaim(s.job, owner, s.book.at(4), 2_000n);
        expect((await s.job.getJobState()).state).toBe(JobState.closing);

        p.blockchain.now = state.timer;
        const settle = await s.job.sendSettle(keeper.getSender(), req.closeJob);
        expectNoFailure(settle.transactions);
        expect(settle.transactions).not.toHaveTransaction({ op: Op.jobPayment });
        expect(valueOf(settle.transactions, s.job.address, provider.address, Op.jobClosed)).toBe(fees.jobClosed);
        const settleTx = txOf(settle.transactions, keeper.address, s.job.address, Op.settleJob);
        expect(valueOf(settle.transactions, s.job.address, keeper.address, Op.keeperReward)).toBe(
            jp.keeperReward + req.closeJob - phaseFees(settleTx).compute - forwardFeeTo(fees, settleTx, keeper.address),
        );
        expect(settle.transactions).toHaveTransaction({ from: s.job.address, to: client.address, op: Op.jobRefund });
        expect((await s.job.getJobState()).state).toBe(JobState.settled);
        expect(await provider.getProviderJobs()).toMatchObject({ locked: 0n, openJobs: 0, completed: 1, failed: 0, slashed: 0n });
        expect(await balanceOf(p.blockchain, s.job.address)).toBe(fees.jobStorageReserve);
    });

    it('refuses close_session from anyone but the client (200)', async () => {
        const s = await openSession();
        await expectRejected(() => s.job.sendCloseSession(owner.getSender(), req.clientOp), owner.address, s.job.address, Errors.notClient);
    });

    it('lets a keeper settle a session past its deadline (204 before it), for the keeper reward', async () => {
        const s = await openSession();
        s.book.record(700n, Buffer.from('a'));
        await expectClaim(s.job, owner, s.book.latest, 700n);
        p.blockchain.now = s.setup.deadline;
        await expectRejected(() => s.job.sendSettle(keeper.getSender(), req.closeJob), keeper.address, s.job.address, Errors.deadlineNotPassed);
        p.blockchain.now = s.setup.deadline + 1;
        const settle = await s.job.sendSettle(keeper.getSender(), req.closeJob);
        expectNoFailure(settle.transactions);
        expect(settle.transactions).not.toHaveTransaction({ op: Op.jobPayment });
        expect(settle.transactions).not.toHaveTransaction({ op: Op.slashShare });
        const settleTx = txOf(settle.transactions, keeper.address, s.job.address, Op.settleJob);
        expect(valueOf(settle.transactions, s.job.address, keeper.address, Op.keeperReward)).toBe(
            jp.keeperReward + req.closeJob - phaseFees(settleTx).compute - forwardFeeTo(fees, settleTx, keeper.address),
        );
        expect((await s.job.getJobState()).state).toBe(JobState.settled);
        expect(await provider.getProviderJobs()).toMatchObject({ locked: 0n, openJobs: 0, completed: 1, failed: 0, slashed: 0n });
        expect(await balanceOf(p.blockchain, s.job.address)).toBe(fees.jobStorageReserve);
        // The client got back the budget minus the 700 units paid, the keeper reward and fees.
        const refund = valueOf(settle.transactions, s.job.address, client.address, Op.jobRefund);
        expect(refund).toBeGreaterThan(s.setup.budget - 700n * JOB_PRICE - jp.keeperReward);
    });

    it('caps the cumulative usage at budget / price', async () => {
        const budget = toNano('1');
        const s = await openSession({ budget });
        const maxUsage = budget / JOB_PRICE;
        s.book.record(maxUsage + 12_345n, Buffer.from('a'));
        await expectClaim(s.job, owner, s.book.latest, maxUsage);
        expect((await s.job.getJobProgress()).paidUsage).toBe(maxUsage);
        s.book.record(1_000_000n, Buffer.from('b'));
        await expectClaim(s.job, owner, s.book.latest, 0n);
        const r = await s.job.sendClaimSession(owner.getSender(), req.claimSession, (() => {
            s.book.record(1n, Buffer.from('c'));
            return s.book.latest;
        })(), true);
        expectNoFailure(r.transactions);
        expect(r.transactions).not.toHaveTransaction({ op: Op.jobPayment });
        expect((await s.job.getJobState()).state).toBe(JobState.settled);
        expect(await balanceOf(p.blockchain, s.job.address)).toBe(fees.jobStorageReserve);
    });

    it('refuses the one-shot operations on a session (211) and too little value for a claim (100)', async () => {
        const s = await openSession();
        const result = workerResult(operator, s.job.address, s.createdAt, 10n);
        await expectRejected(() => s.job.sendSubmitResult(owner.getSender(), req.submitResult, result), owner.address, s.job.address, Errors.wrongKind);
        p.blockchain.now = s.setup.deadline + 1;
        await expectRejected(() => s.job.sendExpire(keeper.getSender(), req.closeJob), keeper.address, s.job.address, Errors.wrongKind);
        s.book.record(10n, Buffer.from('a'));
        await expectRejected(() => s.job.sendClaimSession(owner.getSender(), req.claimSession - 1n, s.book.latest), owner.address, s.job.address, Errors.notEnoughValue);
        const malformed = beginCell().storeUint(Op.claimSession, 32).storeUint(0, 64).storeBit(false).endCell();
        await expectRejected(() => s.job.sendBody(owner.getSender(), req.claimSession, malformed), owner.address, s.job.address, Errors.cellUnderflow);
        const trailing = beginCell().storeSlice(Job.claimSessionMessage(s.book.latest, false).beginParse()).storeBit(1).endCell();
        await expectRejected(() => s.job.sendBody(owner.getSender(), req.claimSession, trailing), owner.address, s.job.address, Errors.malformedBody);
    });
});
