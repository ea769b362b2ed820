/**
 * Job escrow, one-shot jobs: creation and the provider's answer, result
 * submission, settlement (client, keeper), disputes and their arbitration,
 * cancellation, and every refusal at the job with its exit code.
 *
 * Amounts are checked to the nanoton from the transactions themselves: the
 * values of the messages each party receives, the fees of each transaction
 * and the forward fees of each message. The fee formulas of
 * contracts/common/gas.fc are evaluated from the sandbox's config
 * (tests/helpers/fixtures.ts, jobFees) and must agree with the root's getter.
 */
import { Address, beginCell, Cell, toNano, Transaction } from '@ton/core';
import { BlockchainSnapshot, BlockchainTransaction, internal, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { executeFrom, executeTill } from '@ton/test-utils';
import '@ton/test-utils';
import {
    balanceOf,
    createJob,
    deployProtocol,
    expectNoFailure,
    forwardFeeTo,
    HOUR,
    DAY,
    JOB_PRICE,
    jobFees,
    keyFromLabel,
    ledgerOf,
    MODEL_2,
    POLICY,
    Protocol,
    registerWorkingProvider,
    sha256n,
    slashParts,
    slashSharesIn,
    snapshotState,
    txOf,
    valueOf,
    workerResult,
    phaseFees,
} from './helpers/fixtures';
import { networkCost } from './helpers/ledger';
import { Job } from '../wrappers/Job';
import { Provider } from '../wrappers/Provider';
import { JobParams, JobRequiredValues } from '../wrappers/Root';
import { Errors, JobState, Op, Outcome, ProviderState, Slash } from '../wrappers/constants';
import { KeyPair } from '@ton/crypto';

type Fees = ReturnType<typeof jobFees>;
type Result = { transactions: BlockchainTransaction[] };


/** The forward fees the messages a transaction sent carry on (beyond its own action fees). */
function remainingForwardFee(tx: Transaction): bigint {
    let sum = 0n;
    for (const out of tx.outMessages.values()) if (out.info.type === 'internal') sum += out.info.forwardFee;
    return sum;
}

/** The outcome field of a job_closed body. */
function closedOutcome(body: Cell): number {
    const c = body.beginParse().skip(96);
    c.loadAddress();
    c.loadUintBig(64);
    c.loadCoins();
    return c.loadUint(2);
}

function rejectedWith(error: number) {
    return (body: Cell | undefined) => {
        const s = body!.beginParse();
        return s.loadUint(32) === Op.jobRejected && (s.loadUintBig(64), s.loadUint(16) === error);
    };
}

describe('Job escrow', () => {
    let p: Protocol;
    let owner: SandboxContract<TreasuryContract>;
    let client: SandboxContract<TreasuryContract>;
    let keeper: SandboxContract<TreasuryContract>;
    let stranger: SandboxContract<TreasuryContract>;
    let provider: SandboxContract<Provider>;
    let operator: KeyPair;
    let stake: bigint;
    let fees: Fees;
    let req: JobRequiredValues;
    let jp: JobParams;
    let start: BlockchainSnapshot;

    beforeAll(async () => {
        p = await deployProtocol();
        owner = await p.blockchain.treasury('provider owner');
        client = await p.blockchain.treasury('client');
        keeper = await p.blockchain.treasury('keeper');
        stranger = await p.blockchain.treasury('stranger');
        ({ provider, operator, stake } = await registerWorkingProvider(p, owner));
        fees = jobFees(p.blockchain);
        req = await p.root.getJobRequiredValues();
        jp = await p.root.getJobParams();
        start = p.blockchain.snapshot();
    });

    beforeEach(async () => {
        await p.blockchain.loadFrom(start);
    });

    const now = () => p.blockchain.now!;
    const bondOf = (budget: bigint) => {
        const b = (budget * BigInt(jp.bondBps)) / 10000n;
        return b > jp.bondFloor ? b : jp.bondFloor;
    };
    const feeOf = (amount: bigint) => (amount * BigInt(jp.protocolFeeBps)) / 10000n;

    /** A job the provider accepted (default budget 10 TON, deadline in an hour). */
    async function openJob(opts: Parameters<typeof createJob>[3] = {}) {
        const created = await createJob(p, client, provider.address, opts);
        expectNoFailure(created.result.transactions);
        const state = await created.job.getJobState();
        expect(state.state).toBe(JobState.accepted);
        return { ...created, createdAt: state.createdAt, value: opts.value ?? created.setup.budget + req.createJob };
    }

    async function submitted(usage: bigint, opts: Parameters<typeof createJob>[3] = {}) {
        const opened = await openJob(opts);
        const submit = await opened.job.sendSubmitResult(
            owner.getSender(),
            req.submitResult,
            workerResult(operator, opened.job.address, opened.createdAt, usage),
        );
        expectNoFailure(submit.transactions);
        return { ...opened, submit };
    }

    /** A refused message: the exit code, a bounce to the sender, and no state change. */
    async function expectRejected(send: () => Promise<Result>, from: Address, to: Address, exitCode: number) {
        const before = await snapshotState(p, to);
        const result = await send();
        expect(result.transactions).toHaveTransaction({ from, to, success: false, exitCode });
        expect(result.transactions).toHaveTransaction({ from: to, to: from, inMessageBounced: true });
        expect(await snapshotState(p, to)).toBe(before);
        return result;
    }

    async function disputed(usage: bigint) {
        const s = await submitted(usage);
        p.blockchain.now = now() + 60;
        const d = await s.job.sendDispute(client.getSender(), req.clientOp, sha256n('the answer is wrong'));
        expectNoFailure(d.transactions);
        return { ...s, disputedAt: now() };
    }

    describe('fee formulas', () => {
        it('computes the required values of the job entry points as the root reports them', async () => {
            expect(req.createJob).toBe(fees.jobOverhead);
            expect(req.closeJob).toBe(fees.compute(fees.C['gas::job_close']) + fees.notification);
            expect(req.submitResult).toBe(fees.compute(fees.C['gas::job_submit']) + fees.notification);
            expect(req.clientOp).toBe(fees.compute(fees.C['gas::job_client_op']) + fees.notification);
            expect(req.claimSession).toBe(fees.compute(fees.C['gas::job_claim']) + 3n * fees.notification);
        });
    });

    describe('creation and acceptance', () => {
        it('deploys at the address of (root, client, nonce), offers itself to the provider and locks the bond', async () => {
            const { job, result, setup, createdAt, value } = await openJob();
            expect(await p.root.getJobAddress(client.address, setup.nonce)).toEqualAddress(job.address);
            expect(result.transactions).toHaveTransaction({ from: client.address, to: job.address, op: Op.createJob, deploy: true, value });
            expect(valueOf(result.transactions, job.address, provider.address, Op.offerJob)).toBe(fees.offerValue);
            expect(result.transactions).toHaveTransaction({ from: provider.address, to: job.address, op: Op.jobAccepted, success: true });

            const state = await job.getJobState();
            expect(state).toEqual({
                state: JobState.accepted,
                session: false,
                budget: setup.budget,
                deadline: setup.deadline,
                createdAt: now(),
                timer: 0,
            });
            expect(createdAt).toBe(now());
            const bond = bondOf(setup.budget);
            expect(bond).toBe(toNano('2')); // 20% of 10 TON, above the 1 TON floor
            const terms = await job.getJobTerms();
            expect(terms.accepted).toBe(true);
            expect(terms.price).toBe(JOB_PRICE);
            expect(terms.bond).toBe(bond);
            expect(terms.operatorKey).toBe(BigInt('0x' + operator.publicKey.toString('hex')));
            expect(terms.owner).toEqualAddress(owner.address);
            expect(terms.feeBps).toBe(jp.protocolFeeBps);
            expect(terms.challengeWindow).toBe(jp.challengeWindow);
            const parties = await job.getJobParties();
            expect(parties.root).toEqualAddress(p.root.address);
            expect(parties.client).toEqualAddress(client.address);
            expect(parties.nonce).toBe(setup.nonce);
            expect(parties.provider).toEqualAddress(provider.address);

            const jobs = await provider.getProviderJobs();
            expect(jobs.locked).toBe(bond);
            expect(jobs.openJobs).toBe(1);
            expect((await provider.getProviderData()).stake).toBe(stake);
        });

        it('bonds the floor (1 TON) for a small budget', async () => {
            const { job } = await openJob({ budget: toNano('2') });
            expect((await job.getJobTerms()).bond).toBe(jp.bondFloor);
            expect((await provider.getProviderJobs()).locked).toBe(jp.bondFloor);
        });

        it('holds the budget and what closing it will cost; the provider keeps none of the offer value', async () => {
            const { job, result, value, setup } = await openJob();
            // Whatever way it closes, the job pays the close-out messages from its own balance.
            expect(await balanceOf(p.blockchain, job.address)).toBeGreaterThanOrEqual(
                setup.budget + fees.providerClose + 5n * fees.notification + fees.jobStorageReserve,
            );
            // Everything the job received, minus what it sent, its fees and forward fees, is its balance.
            const ledger = ledgerOf(result.transactions, job.address);
            expect(ledger.received).toBe(value + valueOf(result.transactions, provider.address, job.address, Op.jobAccepted));
            expect(await balanceOf(p.blockchain, job.address)).toBe(ledger.net);
            // The provider kept none of the offer's value: it only paid its own storage fee.
            const offerTx = txOf(result.transactions, job.address, provider.address, Op.offerJob);
            expect(ledgerOf(result.transactions, provider.address).net).toBe(-phaseFees(offerTx).storage);
        });
    });

    describe('one-shot settlement', () => {
        it('pays the provider owner price × usage minus the protocol fee and refunds the rest', async () => {
            const usage = 123_456n;
            const providerAtStart = await balanceOf(p.blockchain, provider.address);
            const s = await submitted(usage);
            const { job, setup, value } = s;
            expect((await job.getJobState()).state).toBe(JobState.submitted);
            expect((await job.getJobState()).timer).toBe(now());
            const progress = await job.getJobProgress();
            expect(progress.usage).toBe(usage);
            expect(progress.resultCommitment).toBe(sha256n(`result of ${job.address}`));

            // The submitter paid its own gas: the rest of its value came back.
            const submitTx = txOf(s.submit.transactions, owner.address, job.address, Op.submitResult);
            const submitExcess = valueOf(s.submit.transactions, job.address, owner.address, Op.excesses);
            expect(submitExcess).toBe(req.submitResult - phaseFees(submitTx).compute - forwardFeeTo(fees, submitTx, owner.address));

            p.blockchain.now = now() + 600;
            const providerBefore = await balanceOf(p.blockchain, provider.address);
            const jobBefore = await balanceOf(p.blockchain, job.address);
            const confirm = await job.sendConfirm(client.getSender(), req.closeJob);
            expectNoFailure(confirm.transactions);
            const txs = confirm.transactions;

            const amount = usage * JOB_PRICE;
            const fee = feeOf(amount);
            expect(fee).toBe(3_086_400n); // 2.5% of 123,456,000
            expect(valueOf(txs, job.address, owner.address, Op.jobPayment)).toBe(amount - fee);
            expect(valueOf(txs, job.address, p.treasury.address, Op.protocolFee)).toBe(fee);
            expect(txs).toHaveTransaction({
                from: job.address,
                to: owner.address,
                op: Op.jobPayment,
                body: (b) => b!.beginParse().skip(96).loadUintBig(64) === usage,
            });

            // The bond is released: job_closed carries the provider's gas (fee::job_closed); the provider
            // answers nothing, so what its gas did not use stays with it (its owner's surplus).
            const bond = bondOf(setup.budget);
            expect(valueOf(txs, job.address, provider.address, Op.jobClosed)).toBe(fees.jobClosed);
            expect(txs).toHaveTransaction({
                from: job.address,
                to: provider.address,
                op: Op.jobClosed,
                body: (b) => {
                    const c = b!.beginParse().skip(96);
                    return c.loadAddress().equals(client.address) && c.loadUintBig(64) === setup.nonce && c.loadCoins() === bond && c.loadUint(2) === Outcome.completed;
                },
            });
            const closeTx = txOf(txs, job.address, provider.address, Op.jobClosed);
            expect(closeTx.outMessagesCount).toBe(0);
            const providerKept = fees.jobClosed - closeTx.totalFees.coins;
            expect(providerKept).toBeGreaterThan(0n);
            expect(providerKept).toBeLessThan(fees.jobClosed);
            expect(await balanceOf(p.blockchain, provider.address)).toBe(providerBefore + providerKept);
            expect(await provider.getProviderJobs()).toEqual({ locked: 0n, openJobs: 0, tombstoned: false, completed: 1, failed: 0, slashed: 0n });
            expect((await provider.getProviderData()).stake).toBe(stake);

            // The client gets everything else; the job keeps exactly its storage reserve.
            const refund = valueOf(txs, job.address, client.address, Op.jobRefund);
            const confirmTx = txOf(txs, client.address, job.address, Op.confirmResult);
            const sentByJob = [...confirmTx.outMessages.values()].reduce(
                (acc, m) => acc + (m.info.type === 'internal' ? m.info.value.coins + m.info.forwardFee : 0n),
                0n,
            );
            expect(await balanceOf(p.blockchain, job.address)).toBe(fees.jobStorageReserve);
            expect(jobBefore + req.closeJob - confirmTx.totalFees.coins - sentByJob).toBe(fees.jobStorageReserve);
            expect(refund).toBeGreaterThan(setup.budget - amount);

            // Whole life, to the nanoton: the client paid the usage, the job's storage reserve and
            // the network fees of the escrow's own transactions and messages (the submitter paid its own gas).
            const all = [...s.result.transactions, ...s.submit.transactions, ...txs];
            const escrowFees =
                networkCost([...s.result.transactions, ...txs], [job.address, provider.address]) + phaseFees(submitTx).storage;
            const clientCost = value + req.closeJob - refund;
            expect(clientCost).toBe(amount + fees.jobStorageReserve + escrowFees + providerKept);
            // Those fees stay within the values the root asks for; the provider ends where it started
            // plus the unused part of the close allowance.
            expect(escrowFees + fees.jobStorageReserve + providerKept).toBeLessThan(req.createJob + req.closeJob);
            expect(await balanceOf(p.blockchain, provider.address)).toBe(providerAtStart + providerKept);
            expect(ledgerOf(all, job.address).net).toBe(fees.jobStorageReserve);
            console.log(
                'One-shot job, usage %s × %s: owner %s, treasury %s, client cost %s (of which network fees %s, job reserve %s)',
                usage, JOB_PRICE, amount - fee, fee, clientCost, escrowFees, fees.jobStorageReserve,
            );

            const state = await job.getJobState();
            expect(state.state).toBe(JobState.settled);
            expect((await job.getJobProgress()).paidUsage).toBe(usage);
        });

        it('keeps only a small storage reserve on a closed job (computed from the storage prices, under 0.01 TON)', async () => {
            const { job } = await submitted(1000n);
            await job.sendConfirm(client.getSender(), req.closeJob);
            // GETSTORAGEFEE(JOB_RESERVE_PERIOD, job_storage::max_bits, job_storage::max_cells) from the config's storage prices.
            expect(await balanceOf(p.blockchain, job.address)).toBe(fees.jobStorageReserve);
            expect(fees.jobStorageReserve).toBeLessThan(toNano('0.01'));
        });
        it('keeps enough on a closed job to pay the storage of its whole account for JOB_RESERVE_PERIOD (30 days)', async () => {
            const { job } = await submitted(1000n);
            await job.sendConfirm(client.getSender(), req.closeJob);
            const account = (await p.blockchain.getContract(job.address)).account;
            const used = account.account!.storageStats.used;
            const yearly = fees.storage(fees.C['JOB_RESERVE_PERIOD'], used.bits, used.cells);
            expect(await balanceOf(p.blockchain, job.address)).toBeGreaterThanOrEqual(yearly);
        });

        it('caps the usage at budget / price', async () => {
            const budget = toNano('10') + 999n; // not a multiple of the price: the remainder stays the client's
            const s = await submitted(2n ** 64n - 1n, { budget });
            const maxUsage = budget / JOB_PRICE;
            expect((await s.job.getJobProgress()).usage).toBe(maxUsage);
            const confirm = await s.job.sendConfirm(client.getSender(), req.closeJob);
            expectNoFailure(confirm.transactions);
            const amount = maxUsage * JOB_PRICE;
            expect(valueOf(confirm.transactions, s.job.address, owner.address, Op.jobPayment)).toBe(amount - feeOf(amount));
            expect(valueOf(confirm.transactions, s.job.address, p.treasury.address, Op.protocolFee)).toBe(feeOf(amount));
            expect(await balanceOf(p.blockchain, s.job.address)).toBe(fees.jobStorageReserve);
        });

        it('lets anyone settle after the challenge window; a keeper gets the keeper reward plus its unused value', async () => {
            const usage = 5_000n;
            const s = await submitted(usage);
            p.blockchain.now = now() + jp.challengeWindow;
            const settle = await s.job.sendSettle(keeper.getSender(), req.closeJob);
            expectNoFailure(settle.transactions);
            const txs = settle.transactions;
            const amount = usage * JOB_PRICE;
            expect(valueOf(txs, s.job.address, owner.address, Op.jobPayment)).toBe(amount - feeOf(amount));
            expect(valueOf(txs, s.job.address, p.treasury.address, Op.protocolFee)).toBe(feeOf(amount));
            expect(valueOf(txs, s.job.address, provider.address, Op.jobClosed)).toBe(fees.jobClosed);

            const settleTx = txOf(txs, keeper.address, s.job.address, Op.settleJob);
            const reward = valueOf(txs, s.job.address, keeper.address, Op.keeperReward);
            expect(reward).toBe(jp.keeperReward + req.closeJob - phaseFees(settleTx).compute - forwardFeeTo(fees, settleTx, keeper.address));
            expect(await balanceOf(p.blockchain, s.job.address)).toBe(fees.jobStorageReserve);
            expect((await s.job.getJobState()).state).toBe(JobState.settled);
            expect((await provider.getProviderJobs()).completed).toBe(1);
        });

        it('pays no keeper reward when the client settles after the window itself', async () => {
            const s = await submitted(5_000n);
            p.blockchain.now = now() + jp.challengeWindow;
            const settle = await s.job.sendSettle(client.getSender(), req.closeJob);
            expectNoFailure(settle.transactions);
            expect(settle.transactions).not.toHaveTransaction({ op: Op.keeperReward });
            expect(settle.transactions).toHaveTransaction({ from: s.job.address, to: client.address, op: Op.jobRefund });
        });

        it('limits the keeper reward to what is left of the client budget', async () => {
            const left = 3_000_000n; // less than the 0.01 TON keeper reward
            const budget = toNano('10');
            const usage = (budget - left) / JOB_PRICE;
            const s = await submitted(usage, { budget });
            p.blockchain.now = now() + jp.challengeWindow;
            const settle = await s.job.sendSettle(keeper.getSender(), req.closeJob);
            expectNoFailure(settle.transactions);
            const settleTx = txOf(settle.transactions, keeper.address, s.job.address, Op.settleJob);
            expect(valueOf(settle.transactions, s.job.address, keeper.address, Op.keeperReward)).toBe(
                left + req.closeJob - phaseFees(settleTx).compute - forwardFeeTo(fees, settleTx, keeper.address),
            );
            expect(await balanceOf(p.blockchain, s.job.address)).toBe(fees.jobStorageReserve);
        });
    });

    describe('refusal by the provider', () => {
        /** The job is cancelled, the bond was never locked and the client got everything but fees and the reserve. */
        async function expectRefused(created: Awaited<ReturnType<typeof createJob>>, error: number, lockedBefore = 0n) {
            const { job, result, setup } = created;
            const txs = result.transactions;
            expectNoFailure(txs);
            expect(txs).toHaveTransaction({ from: provider.address, to: job.address, op: Op.jobRejected, body: rejectedWith(error) });
            expect((await job.getJobState()).state).toBe(JobState.cancelled);
            expect((await job.getJobTerms()).accepted).toBe(false);
            const jobs = await provider.getProviderJobs();
            expect(jobs.locked).toBe(lockedBefore);
            expect(jobs.openJobs).toBe(lockedBefore > 0n ? 1 : 0);

            const value = setup.budget + req.createJob;
            const refund = valueOf(txs, job.address, client.address, Op.jobRefund);
            const offerTx = txOf(txs, job.address, provider.address, Op.offerJob);
            // The provider kept nothing (it paid only its own storage fee); the job keeps its reserve.
            const cost = networkCost(txs, [job.address, provider.address]) - phaseFees(offerTx).storage;
            expect(await balanceOf(p.blockchain, job.address)).toBe(fees.jobStorageReserve);
            expect(refund).toBe(value - fees.jobStorageReserve - cost);
            expect(refund).toBeGreaterThan(setup.budget);
        }

        it('refuses when the provider is revoked (not eligible)', async () => {
            const rv = await p.root.getRequiredValues();
            await p.root.sendRevokePolicy(p.governance.getSender(), rv.governanceOp, POLICY);
            await p.root.sendCheckProvider(keeper.getSender(), rv.checkProvider, owner.address, { kind: 'policy', hash: POLICY });
            expect((await provider.getProviderData()).revoked).toBe(true);
            await expectRefused(await createJob(p, client, provider.address), Errors.notEligible);
        });

        it('refuses when the provider is jailed (not eligible)', async () => {
            // A missed deadline slashes the bond of a minimum-stake provider: jailed.
            const { job, setup } = await openJob();
            p.blockchain.now = setup.deadline + 1;
            expectNoFailure((await job.sendExpire(keeper.getSender(), req.closeJob)).transactions);
            expect((await provider.getProviderData()).state).toBe(ProviderState.jailed);
            await expectRefused(await createJob(p, client, provider.address), Errors.notEligible);
        });

        it('refuses when the attestation has expired (not eligible)', async () => {
            const att = await provider.getAttestation();
            p.blockchain.now = att.expiresAt;
            await expectRefused(await createJob(p, client, provider.address), Errors.notEligible);
        });

        it('refuses a model it does not serve', async () => {
            await expectRefused(await createJob(p, client, provider.address, { modelHash: MODEL_2 }), Errors.modelNotServed);
        });

        it('refuses when its price is above the client maximum', async () => {
            await expectRefused(await createJob(p, client, provider.address, { maxPrice: JOB_PRICE - 1n }), Errors.priceTooHigh);
        });

        it('refuses a deadline sooner than the minimum duration', async () => {
            const deadline = now() + jp.minJobDuration - 1;
            await expectRefused(await createJob(p, client, provider.address, { deadline }), Errors.badDuration);
        });

        it('refuses a deadline beyond the maximum duration', async () => {
            const deadline = now() + jp.maxJobDuration + 1;
            await expectRefused(await createJob(p, client, provider.address, { deadline }), Errors.badDuration);
        });

        it('accepts the duration bounds themselves', async () => {
            await openJob({ deadline: now() + jp.minJobDuration });
            await openJob({ deadline: now() + jp.maxJobDuration });
        });

        it('refuses a deadline after its attestation expires', async () => {
            const att = await provider.getAttestation();
            p.blockchain.now = att.expiresAt - 2 * DAY;
            await expectRefused(await createJob(p, client, provider.address, { deadline: att.expiresAt + 1 }), Errors.attestationExpiresFirst);
        });

        it('refuses a bond above its free stake (stake not locked by other jobs)', async () => {
            await openJob(); // locks 2 TON of the 100 TON stake
            const free = stake - toNano('2');
            const budget = ((free + 1n) * 10000n) / BigInt(jp.bondBps); // bond = free + 1 nanoton... rounded down
            const refused = await createJob(p, client, provider.address, { budget: budget + 1n });
            expect(bondOf(budget + 1n)).toBeGreaterThan(free);
            await expectRefused(refused, Errors.insufficientFreeStake, toNano('2'));
            // A bond of exactly the free stake is accepted.
            const exact = await openJob({ budget: (free * 10000n) / BigInt(jp.bondBps) });
            expect((await exact.job.getJobTerms()).bond).toBe(free);
            expect((await provider.getProviderJobs()).locked).toBe(stake);
        });

        it('cancels and refunds the client when the offer bounces (no provider at that address)', async () => {
            const nowhere = Address.parse('0:' + 'ab'.repeat(32));
            const { job, result, setup } = await createJob(p, client, nowhere);
            const txs = result.transactions;
            expect(txs).toHaveTransaction({ from: job.address, to: nowhere, op: Op.offerJob, success: false });
            expect(txs).toHaveTransaction({ from: nowhere, to: job.address, inMessageBounced: true, success: true });
            expect((await job.getJobState()).state).toBe(JobState.cancelled);
            const refund = valueOf(txs, job.address, client.address, Op.jobRefund);
            const bounceCost = networkCost(txs, [job.address, nowhere]);
            expect(await balanceOf(p.blockchain, job.address)).toBe(fees.jobStorageReserve);
            expect(refund).toBe(setup.budget + req.createJob - fees.jobStorageReserve - bounceCost);
        });
    });

    describe('cancellation', () => {
        it('lets the client cancel while the offer is in flight; the late acceptance releases the bond', async () => {
            const nonce = 777n;
            const job = p.blockchain.openContract(Job.createFromConfig({ root: p.root.address, client: client.address, nonce }, p.jobCode));
            const budget = toNano('10');
            const body = Job.createJobMessage({
                budget,
                deadline: now() + HOUR,
                session: false,
                clientKey: keyFromLabel('client key').publicKey,
                provider: provider.address,
                modelHash: (await provider.getModels())[0],
                maxPrice: JOB_PRICE,
                requestCommitment: sha256n('request'),
            });
            const value = budget + req.createJob;
            const creation = await p.blockchain.sendMessageIter(
                internal({ from: client.address, to: job.address, value, body, stateInit: job.init }),
                { allowParallel: true },
            );
            const first = await executeTill(creation, { to: job.address, op: Op.createJob });
            expect((await job.getJobState()).state).toBe(JobState.created);

            const cancel = await p.blockchain.sendMessage(
                internal({ from: client.address, to: job.address, value: req.clientOp, body: Job.simpleMessage(Op.cancelJob) }),
            );
            expectNoFailure(cancel.transactions);
            expect((await job.getJobState()).state).toBe(JobState.cancelled);
            const refund = valueOf(cancel.transactions, job.address, client.address, Op.jobRefund);
            // The job keeps what releasing a bond in flight costs, plus its storage reserve.
            const held = fees.jobStorageReserve + fees.jobClosed + fees.notification;
            expect(await balanceOf(p.blockchain, job.address)).toBe(held);
            const cancelTx = txOf(cancel.transactions, client.address, job.address, Op.cancelJob);
            expect(ledgerOf([...first, ...cancel.transactions], job.address).net).toBe(held);
            expect(refund).toBeGreaterThan(budget);

            const rest = await executeFrom(creation);
            expectNoFailure(rest as BlockchainTransaction[]);
            expect(rest).toHaveTransaction({ from: provider.address, to: job.address, op: Op.jobAccepted, success: true });
            expect(rest).toHaveTransaction({
                from: job.address,
                to: provider.address,
                op: Op.jobClosed,
                value: fees.jobClosed,
                body: (b) => {
                    const c = b!.beginParse().skip(96);
                    c.loadAddress();
                    c.loadUintBig(64);
                    return c.loadCoins() === toNano('2') && c.loadUint(2) === Outcome.cancelled;
                },
            });
            expect(rest).not.toHaveTransaction({ from: provider.address, to: client.address });
            expect(rest).toHaveTransaction({ from: job.address, to: client.address, op: Op.jobRefund });
            expect((await job.getJobState()).state).toBe(JobState.cancelled);
            expect(await provider.getProviderJobs()).toEqual({ locked: 0n, openJobs: 0, tombstoned: false, completed: 0, failed: 0, slashed: 0n });
            expect(await balanceOf(p.blockchain, job.address)).toBe(fees.jobStorageReserve);
            expect(phaseFees(cancelTx).compute).toBeGreaterThan(0n);
        });

        it('refuses cancel from anyone but the client (200) and once the provider has accepted (202)', async () => {
            const { job } = await openJob();
            await expectRejected(() => job.sendCancel(stranger.getSender(), req.clientOp), stranger.address, job.address, Errors.notClient);
            await expectRejected(() => job.sendCancel(client.getSender(), req.clientOp), client.address, job.address, Errors.jobWrongState);
        });
    });

    describe('refusals at the job (exit code, bounce, no state change)', () => {
        it('refuses confirm and dispute from anyone but the client (200)', async () => {
            const { job } = await submitted(10n);
            await expectRejected(() => job.sendConfirm(stranger.getSender(), req.closeJob), stranger.address, job.address, Errors.notClient);
            await expectRejected(() => job.sendConfirm(owner.getSender(), req.closeJob), owner.address, job.address, Errors.notClient);
            await expectRejected(() => job.sendDispute(stranger.getSender(), req.clientOp, 1n), stranger.address, job.address, Errors.notClient);
        });

        it('refuses job_accepted / job_rejected from anyone but the provider (201)', async () => {
            const { job } = await openJob();
            const terms = beginCell()
                .storeCoins(1n)
                .storeCoins(0n)
                .storeBuffer(keyFromLabel('forger').publicKey)
                .storeAddress(stranger.address)
                .storeRef(beginCell().endCell())
                .endCell();
            const accepted = beginCell().storeUint(Op.jobAccepted, 32).storeUint(0, 64).storeRef(terms).endCell();
            const rejected = beginCell().storeUint(Op.jobRejected, 32).storeUint(0, 64).storeUint(Errors.notEligible, 16).endCell();
            await expectRejected(() => job.sendBody(stranger.getSender(), toNano('0.05'), accepted), stranger.address, job.address, Errors.notProvider);
            await expectRejected(() => job.sendBody(stranger.getSender(), toNano('0.05'), rejected), stranger.address, job.address, Errors.notProvider);
        });

        it('refuses a result signed by another key (131)', async () => {
            const { job, createdAt } = await openJob();
            const forged = workerResult(keyFromLabel('not the operator'), job.address, createdAt, 10n);
            await expectRejected(() => job.sendSubmitResult(owner.getSender(), req.submitResult, forged), owner.address, job.address, Errors.badSignature);
        });

        it('refuses a result for another job, another created_at or a seq other than 0 (207)', async () => {
            const { job, createdAt } = await openJob();
            const other = await openJob();
            const cases = [
                workerResult(operator, other.job.address, createdAt, 10n),
                workerResult(operator, job.address, createdAt + 1, 10n),
                workerResult(operator, job.address, createdAt, 10n, { seq: 1 }),
            ];
            for (const signed of cases) {
                await expectRejected(() => job.sendSubmitResult(owner.getSender(), req.submitResult, signed), owner.address, job.address, Errors.wrongJob);
            }
        });

        it('refuses the replay of a valid result onto another job (207)', async () => {
            const a = await openJob();
            const b = await openJob();
            const signed = workerResult(operator, a.job.address, a.createdAt, 10n);
            expectNoFailure((await a.job.sendSubmitResult(owner.getSender(), req.submitResult, signed)).transactions);
            await expectRejected(() => b.job.sendSubmitResult(keeper.getSender(), req.submitResult, signed), keeper.address, b.job.address, Errors.wrongJob);
        });

        it('refuses a result after the deadline (203) and accepts one at the deadline', async () => {
            const late = await openJob();
            p.blockchain.now = late.setup.deadline + 1;
            const signed = workerResult(operator, late.job.address, late.createdAt, 10n);
            await expectRejected(() => late.job.sendSubmitResult(owner.getSender(), req.submitResult, signed), owner.address, late.job.address, Errors.deadlinePassed);

            const onTime = await openJob();
            p.blockchain.now = onTime.setup.deadline;
            const r = await onTime.job.sendSubmitResult(owner.getSender(), req.submitResult, workerResult(operator, onTime.job.address, onTime.createdAt, 10n));
            expectNoFailure(r.transactions);
            expect((await onTime.job.getJobState()).state).toBe(JobState.submitted);
        });

        it('refuses a second result, a second confirm and a second settle (202)', async () => {
            const s = await submitted(10n);
            const again = workerResult(operator, s.job.address, s.createdAt, 11n);
            await expectRejected(() => s.job.sendSubmitResult(owner.getSender(), req.submitResult, again), owner.address, s.job.address, Errors.jobWrongState);
            expectNoFailure((await s.job.sendConfirm(client.getSender(), req.closeJob)).transactions);
            await expectRejected(() => s.job.sendConfirm(client.getSender(), req.closeJob), client.address, s.job.address, Errors.jobWrongState);
            p.blockchain.now = now() + jp.challengeWindow;
            await expectRejected(() => s.job.sendSettle(keeper.getSender(), req.closeJob), keeper.address, s.job.address, Errors.jobWrongState);

            const t = await submitted(10n);
            p.blockchain.now = now() + jp.challengeWindow;
            expectNoFailure((await t.job.sendSettle(keeper.getSender(), req.closeJob)).transactions);
            await expectRejected(() => t.job.sendSettle(keeper.getSender(), req.closeJob), keeper.address, t.job.address, Errors.jobWrongState);
            await expectRejected(() => t.job.sendConfirm(client.getSender(), req.closeJob), client.address, t.job.address, Errors.jobWrongState);
        });

        it('refuses settle before the challenge window ends (205) and settle of an accepted one-shot job (202)', async () => {
            const s = await submitted(10n);
            p.blockchain.now = (await s.job.getJobState()).timer + jp.challengeWindow - 1;
            await expectRejected(() => s.job.sendSettle(keeper.getSender(), req.closeJob), keeper.address, s.job.address, Errors.windowOpen);
            const a = await openJob();
            p.blockchain.now = a.setup.deadline + 1;
            await expectRejected(() => a.job.sendSettle(keeper.getSender(), req.closeJob), keeper.address, a.job.address, Errors.jobWrongState);
        });

        it('refuses a dispute once the challenge window has closed (206)', async () => {
            const s = await submitted(10n);
            p.blockchain.now = (await s.job.getJobState()).timer + jp.challengeWindow;
            await expectRejected(() => s.job.sendDispute(client.getSender(), req.clientOp, 1n), client.address, s.job.address, Errors.windowClosed);
        });

        it('refuses expire before the deadline (204) and after a result (202)', async () => {
            const a = await openJob();
            p.blockchain.now = a.setup.deadline;
            await expectRejected(() => a.job.sendExpire(keeper.getSender(), req.closeJob), keeper.address, a.job.address, Errors.deadlineNotPassed);
            const s = await submitted(10n);
            p.blockchain.now = s.setup.deadline + 1;
            await expectRejected(() => s.job.sendExpire(keeper.getSender(), req.closeJob), keeper.address, s.job.address, Errors.jobWrongState);
        });

        it('refuses the session operations on a one-shot job (211)', async () => {
            const { job } = await openJob();
            await expectRejected(() => job.sendCloseSession(client.getSender(), req.clientOp), client.address, job.address, Errors.wrongKind);
            const receipt = Job.claimSessionMessage(beginCell().storeBuffer(Buffer.alloc(64)).storeRef(beginCell().endCell()).endCell(), false);
            await expectRejected(() => job.sendBody(owner.getSender(), req.claimSession, receipt), owner.address, job.address, Errors.wrongKind);
        });

        it('refuses too little value at each entry point (100)', async () => {
            const { job: accepted, createdAt } = await openJob();
            const s = await submitted(10n);
            const signed = workerResult(operator, accepted.address, createdAt, 10n);
            await expectRejected(() => accepted.sendSubmitResult(owner.getSender(), req.submitResult - 1n, signed), owner.address, accepted.address, Errors.notEnoughValue);
            await expectRejected(() => s.job.sendConfirm(client.getSender(), req.closeJob - 1n), client.address, s.job.address, Errors.notEnoughValue);
            await expectRejected(() => s.job.sendSettle(keeper.getSender(), req.closeJob - 1n), keeper.address, s.job.address, Errors.notEnoughValue);
            await expectRejected(() => accepted.sendExpire(keeper.getSender(), req.closeJob - 1n), keeper.address, accepted.address, Errors.notEnoughValue);
            await expectRejected(() => s.job.sendDispute(client.getSender(), req.clientOp - 1n, 1n), client.address, s.job.address, Errors.notEnoughValue);
            await expectRejected(() => accepted.sendCancel(client.getSender(), req.clientOp - 1n), client.address, accepted.address, Errors.notEnoughValue);
            await expectRejected(() => accepted.sendCloseSession(client.getSender(), req.clientOp - 1n), client.address, accepted.address, Errors.notEnoughValue);

            // create_job: budget + overhead, one nanoton short: not deployed, everything bounced.
            const short = await createJob(p, client, provider.address, { value: toNano('10') + req.createJob - 1n });
            expect(short.result.transactions).toHaveTransaction({ from: client.address, to: short.job.address, success: false, exitCode: Errors.notEnoughValue });
            expect(short.result.transactions).toHaveTransaction({ from: short.job.address, to: client.address, inMessageBounced: true });
            expect(await snapshotState(p, short.job.address)).not.toBe('active');
        });

        it('refuses malformed bodies (101 / 9) and unknown or empty ones (0xffff)', async () => {
            const { job } = await openJob();
            const s = await submitted(10n);
            const send = (to: SandboxContract<Job>, body: Cell, value = toNano('0.05')) => () => to.sendBody(client.getSender(), value, body);
            const head = (op: number) => beginCell().storeUint(op, 32).storeUint(0, 64);
            const cases: [SandboxContract<Job>, Cell, number][] = [
                [s.job, head(Op.confirmResult).storeBit(1).endCell(), Errors.malformedBody],
                [s.job, head(Op.settleJob).storeUint(0, 8).endCell(), Errors.malformedBody],
                [job, head(Op.cancelJob).storeBit(0).endCell(), Errors.malformedBody],
                [s.job, head(Op.disputeJob).storeUint(1, 255).endCell(), Errors.cellUnderflow],
                [s.job, head(Op.disputeJob).storeUint(1, 256).storeBit(0).endCell(), Errors.malformedBody],
                [job, head(Op.submitResult).endCell(), Errors.cellUnderflow],
                [job, head(Op.submitResult).storeRef(workerResult(operator, job.address, 0, 1n)).storeBit(1).endCell(), Errors.malformedBody],
                [job, beginCell().storeUint(Op.confirmResult, 32).endCell(), Errors.cellUnderflow],
                [job, beginCell().endCell(), Errors.unknownOp],
                [job, head(0x12345678).endCell(), Errors.unknownOp],
            ];
            for (const [to, body, code] of cases) {
                await expectRejected(send(to, body), client.address, to.address, code);
            }
            // A signed result with bytes after its payload, and a payload with bytes after its usage.
            const { job: fresh, createdAt } = await openJob();
            const good = workerResult(operator, fresh.address, createdAt, 10n);
            const trailing = beginCell().storeSlice(good.beginParse()).storeBit(1).endCell();
            await expectRejected(() => fresh.sendSubmitResult(owner.getSender(), req.submitResult, trailing), owner.address, fresh.address, Errors.malformedBody);
            const longPayload = beginCell().storeSlice(good.refs[0].beginParse()).storeBit(1).endCell();
            const { sign } = await import('@ton/crypto');
            const signedLong = beginCell().storeBuffer(sign(longPayload.hash(), operator.secretKey)).storeRef(longPayload).endCell();
            await expectRejected(() => fresh.sendSubmitResult(owner.getSender(), req.submitResult, signedLong), owner.address, fresh.address, Errors.cellUnderflow);

            // create_job with bytes after the request: not deployed.
            const nonce = 4242n;
            const bad = p.blockchain.openContract(Job.createFromConfig({ root: p.root.address, client: client.address, nonce }, p.jobCode));
            const create = Job.createJobMessage({
                budget: toNano('1'),
                deadline: now() + HOUR,
                session: false,
                clientKey: Buffer.alloc(32),
                provider: provider.address,
                modelHash: 1n,
                maxPrice: 1n,
                requestCommitment: 0n,
            });
            const padded = beginCell().storeSlice(create.beginParse()).storeBit(1).endCell();
            const r = await p.blockchain.sendMessage(
                internal({ from: client.address, to: bad.address, value: toNano('2'), body: padded, stateInit: bad.init }),
            );
            expect(r.transactions).toHaveTransaction({ to: bad.address, success: false, exitCode: Errors.malformedBody });
        });

        it('refuses create_job with a zero budget or price (212), a past deadline (203) or a provider outside the basechain (102)', async () => {
            const cases: [Parameters<typeof createJob>[3], Address, number][] = [
                [{ budget: 0n, value: toNano('1') }, provider.address, Errors.badBudget],
                [{ maxPrice: 0n }, provider.address, Errors.badBudget],
                [{ deadline: now() }, provider.address, Errors.deadlinePassed],
                [{}, Address.parse('-1:' + '11'.repeat(32)), Errors.wrongWorkchain],
            ];
            for (const [opts, to, code] of cases) {
                const r = await createJob(p, client, to, opts);
                expect(r.result.transactions).toHaveTransaction({ from: client.address, to: r.job.address, success: false, exitCode: code });
                expect(r.result.transactions).toHaveTransaction({ from: r.job.address, to: client.address, inMessageBounced: true });
                expect(await snapshotState(p, r.job.address)).not.toBe('active');
            }
        });

        it('refuses cancel, confirm, expire and dispute on a cancelled job (202)', async () => {
            const { job } = await createJob(p, client, provider.address, { modelHash: MODEL_2 });
            expect((await job.getJobState()).state).toBe(JobState.cancelled);
            p.blockchain.now = now() + 2 * HOUR;
            await expectRejected(() => job.sendCancel(client.getSender(), req.clientOp), client.address, job.address, Errors.jobWrongState);
            await expectRejected(() => job.sendConfirm(client.getSender(), req.closeJob), client.address, job.address, Errors.jobWrongState);
            await expectRejected(() => job.sendExpire(keeper.getSender(), req.closeJob), keeper.address, job.address, Errors.jobWrongState);
            await expectRejected(() => job.sendDispute(client.getSender(), req.clientOp, 1n), client.address, job.address, Errors.jobWrongState);
        });
        it('refuses settle on a cancelled job with job_wrong_state (202)', async () => {
            const { job } = await createJob(p, client, provider.address, { modelHash: MODEL_2 });
            p.blockchain.now = now() + 2 * HOUR;
            await expectRejected(() => job.sendSettle(keeper.getSender(), req.closeJob), keeper.address, job.address, Errors.jobWrongState);
        });

        it('refuses create_job from anyone but the client of the address (200) and a second create_job (202)', async () => {
            const nonce = 99n;
            const job = p.blockchain.openContract(Job.createFromConfig({ root: p.root.address, client: client.address, nonce }, p.jobCode));
            const body = Job.createJobMessage({
                budget: toNano('1'),
                deadline: now() + HOUR,
                session: false,
                clientKey: Buffer.alloc(32),
                provider: provider.address,
                modelHash: (await provider.getModels())[0],
                maxPrice: JOB_PRICE,
                requestCommitment: 0n,
            });
            const value = toNano('1') + req.createJob;
            const r = await p.blockchain.sendMessage(internal({ from: stranger.address, to: job.address, value, body, stateInit: job.init }));
            expect(r.transactions).toHaveTransaction({ from: stranger.address, to: job.address, success: false, exitCode: Errors.notClient });
            expect(await snapshotState(p, job.address)).not.toBe('active');

            const opened = await openJob();
            const again = Job.createJobMessage({ ...opened.setup, clientKey: opened.setup.clientKeys.publicKey, provider: provider.address });
            await expectRejected(() => opened.job.sendBody(client.getSender(), value, again), client.address, opened.job.address, Errors.jobWrongState);
        });
    });

    describe('provider side', () => {
        it('refuses an offer_job sent by anything but the job it names (160)', async () => {
            // TL-B offer_job: client, nonce, budget, ^JobRequest (as the job stores it).
            const request = beginCell()
                .storeAddress(provider.address)
                .storeUint(1n, 256)
                .storeCoins(toNano('1'))
                .storeUint(now() + HOUR, 32)
                .storeUint(now(), 32)
                .storeBit(false)
                .storeUint(0n, 256)
                .endCell();
            const body = beginCell().storeUint(Op.offerJob, 32).storeUint(0, 64).storeAddress(stranger.address).storeUint(1, 64).storeCoins(toNano('1000')).storeRef(request).endCell();
            await expectRejected(() => provider.sendBody(stranger.getSender(), toNano('0.1'), body), stranger.address, provider.address, Errors.notJob);
            // Nor job_closed / slash_bond: a forged release or slash of a bond.
            const closed = beginCell().storeUint(Op.jobClosed, 32).storeUint(0, 64).storeAddress(stranger.address).storeUint(1, 64).storeCoins(toNano('2')).storeUint(0, 2).storeBit(false).endCell();
            await expectRejected(() => provider.sendBody(stranger.getSender(), toNano('0.1'), closed), stranger.address, provider.address, Errors.notJob);
            const slash = beginCell()
                .storeUint(Op.slashBond, 32)
                .storeUint(0, 64)
                .storeAddress(stranger.address)
                .storeUint(1, 64)
                .storeCoins(toNano('2'))
                .storeCoins(toNano('2'))
                .storeUint(0, 2)
                .storeAddress(stranger.address)
                .endCell();
            await expectRejected(() => provider.sendBody(stranger.getSender(), toNano('0.1'), slash), stranger.address, provider.address, Errors.notJob);
        });
    });

    describe('disputes', () => {
        it('lets the client dispute within the challenge window, with a reason hash', async () => {
            const s = await submitted(10n);
            p.blockchain.now = (await s.job.getJobState()).timer + jp.challengeWindow - 1;
            const reason = sha256n('hallucinated citations');
            const d = await s.job.sendDispute(client.getSender(), req.clientOp, reason);
            expectNoFailure(d.transactions);
            const disputeTx = txOf(d.transactions, client.address, s.job.address, Op.disputeJob);
            expect(valueOf(d.transactions, s.job.address, client.address, Op.excesses)).toBe(
                req.clientOp - phaseFees(disputeTx).compute - forwardFeeTo(fees, disputeTx, client.address),
            );
            const state = await s.job.getJobState();
            expect(state.state).toBe(JobState.disputed);
            expect(state.timer).toBe(now() + jp.arbitrationPeriod);
            expect((await s.job.getJobProgress()).reasonHash).toBe(reason);
            expect((await provider.getProviderJobs()).locked).toBe(toNano('2'));
        });

        it('resolved for the client: full refund, the slash capped at 50% of the bond and split exactly', async () => {
            const d = await disputed(1_000n);
            const rv = await p.root.getRequiredValues();
            const providerBefore = await balanceOf(p.blockchain, provider.address);
            const rootBefore = await balanceOf(p.blockchain, p.root.address);
            const r = await p.root.sendResolveDispute(p.governance.getSender(), rv.resolveDispute, {
                client: client.address,
                nonce: d.setup.nonce,
                forClient: true,
                slash: toNano('5'),
            });
            expectNoFailure(r.transactions);
            const txs = r.transactions;
            // The verdict carries the rest of governance's value; what the job does not use goes to the client.
            const resolveTx = txOf(txs, p.governance.address, p.root.address, Op.resolveDispute);
            expect(valueOf(txs, p.root.address, d.job.address, Op.disputeVerdict)).toBe(
                rv.resolveDispute - phaseFees(resolveTx).compute - forwardFeeTo(fees, resolveTx, d.job.address),
            );
            expect(await balanceOf(p.blockchain, p.root.address)).toBe(rootBefore - phaseFees(resolveTx).storage);

            const bond = toNano('2');
            const capped = (bond * BigInt(jp.disputeSlashCapBps)) / 10000n;
            expect(capped).toBe(toNano('1'));
            expect(valueOf(txs, d.job.address, provider.address, Op.slashBond)).toBe(fees.providerClose);
            expect(txs).toHaveTransaction({
                from: d.job.address,
                to: provider.address,
                op: Op.slashBond,
                body: (b) => {
                    const c = b!.beginParse().skip(96);
                    c.loadAddress();
                    c.loadUintBig(64);
                    return c.loadCoins() === bond && c.loadCoins() === capped && c.loadUint(2) === Slash.dispute && c.loadAddress().equals(client.address);
                },
            });
            const shares = slashSharesIn(txs, provider.address);
            const parts = slashParts(capped, jp);
            // The client is both the harmed party and the reporter.
            expect(shares.map((x) => [x.to.toString(), x.value, x.reason])).toEqual([
                [client.address.toString(), parts.client, Slash.dispute],
                [client.address.toString(), parts.reporter, Slash.dispute],
                [p.treasury.address.toString(), parts.treasury, Slash.dispute],
            ]);
            expect(shares.reduce((a, x) => a + x.value, 0n)).toBe(capped);
            expect(parts).toEqual({ client: toNano('0.5'), reporter: toNano('0.1'), treasury: toNano('0.4') });

            // Nothing is paid to the owner; the client gets the whole budget back.
            expect(txs).not.toHaveTransaction({ op: Op.jobPayment });
            const refund = valueOf(txs, d.job.address, client.address, Op.jobRefund);
            expect(refund).toBeGreaterThan(d.setup.budget);
            expect(await balanceOf(p.blockchain, d.job.address)).toBe(fees.jobStorageReserve);
            expect((await d.job.getJobState()).state).toBe(JobState.resolved);

            expect((await provider.getProviderData()).stake).toBe(stake - capped);
            expect(await provider.getProviderJobs()).toEqual({ locked: 0n, openJobs: 0, tombstoned: false, completed: 0, failed: 1, slashed: capped });
            // The provider's balance dropped by the slash exactly; the rest of the message went to the client.
            expect(await balanceOf(p.blockchain, provider.address)).toBe(stake - capped + fees.providerStorageReserve);
            expect(providerBefore - (await balanceOf(p.blockchain, provider.address))).toBeGreaterThanOrEqual(capped);
        });

        it('resolved for the client with a slash under the cap: that amount is slashed', async () => {
            const d = await disputed(1_000n);
            const rv = await p.root.getRequiredValues();
            const slash = toNano('0.3');
            const r = await p.root.sendResolveDispute(p.governance.getSender(), rv.resolveDispute, {
                client: client.address,
                nonce: d.setup.nonce,
                forClient: true,
                slash,
            });
            expectNoFailure(r.transactions);
            expect(slashSharesIn(r.transactions, provider.address).reduce((a, x) => a + x.value, 0n)).toBe(slash);
            expect((await provider.getProviderJobs()).slashed).toBe(slash);
        });

        it('resolved for the provider: paid as if confirmed, bond released, job resolved', async () => {
            const usage = 2_000n;
            const d = await disputed(usage);
            const rv = await p.root.getRequiredValues();
            const r = await p.root.sendResolveDispute(p.governance.getSender(), rv.resolveDispute, {
                client: client.address,
                nonce: d.setup.nonce,
                forClient: false,
            });
            expectNoFailure(r.transactions);
            const amount = usage * JOB_PRICE;
            expect(valueOf(r.transactions, d.job.address, owner.address, Op.jobPayment)).toBe(amount - feeOf(amount));
            expect(valueOf(r.transactions, d.job.address, p.treasury.address, Op.protocolFee)).toBe(feeOf(amount));
            expect(r.transactions).toHaveTransaction({
                from: d.job.address,
                to: provider.address,
                op: Op.jobClosed,
                value: fees.jobClosed,
                body: (b) => closedOutcome(b!) === Outcome.resolvedForProvider,
            });
            expect(r.transactions).not.toHaveTransaction({ op: Op.slashShare });
            expect((await d.job.getJobState()).state).toBe(JobState.resolved);
            expect(await provider.getProviderJobs()).toEqual({ locked: 0n, openJobs: 0, tombstoned: false, completed: 1, failed: 0, slashed: 0n });
            expect(await balanceOf(p.blockchain, d.job.address)).toBe(fees.jobStorageReserve);
        });

        it('applies the default after the arbitration period: the provider is paid, nothing is slashed', async () => {
            const usage = 3_000n;
            const d = await disputed(usage);
            const deadline = (await d.job.getJobState()).timer;
            p.blockchain.now = deadline;
            await expectRejected(() => d.job.sendSettle(keeper.getSender(), req.closeJob), keeper.address, d.job.address, Errors.arbitrationPending);
            p.blockchain.now = deadline + 1;
            const r = await d.job.sendSettle(keeper.getSender(), req.closeJob);
            expectNoFailure(r.transactions);
            const amount = usage * JOB_PRICE;
            expect(valueOf(r.transactions, d.job.address, owner.address, Op.jobPayment)).toBe(amount - feeOf(amount));
            expect(valueOf(r.transactions, d.job.address, p.treasury.address, Op.protocolFee)).toBe(feeOf(amount));
            expect(r.transactions).not.toHaveTransaction({ op: Op.slashShare });
            expect((await d.job.getJobState()).state).toBe(JobState.resolved);
            expect(await provider.getProviderJobs()).toEqual({ locked: 0n, openJobs: 0, tombstoned: false, completed: 1, failed: 0, slashed: 0n });
            expect((await provider.getProviderData()).stake).toBe(stake);
            expect(await balanceOf(p.blockchain, d.job.address)).toBe(fees.jobStorageReserve);
        });
        it('returns a keeper its unused value when it applies the arbitration default', async () => {
            const d = await disputed(3_000n);
            p.blockchain.now = (await d.job.getJobState()).timer + 1;
            const r = await d.job.sendSettle(keeper.getSender(), toNano('1'));
            expectNoFailure(r.transactions);
            expect(r.transactions).toHaveTransaction({ from: d.job.address, to: keeper.address, value: (v) => v! > toNano('0.9') });
        });

        it('refuses a verdict from anyone but governance (110 at the root)', async () => {
            const d = await disputed(10n);
            const rv = await p.root.getRequiredValues();
            await expectRejected(
                () => p.root.sendResolveDispute(stranger.getSender(), rv.resolveDispute, { client: client.address, nonce: d.setup.nonce, forClient: true, slash: toNano('1') }),
                stranger.address,
                p.root.address,
                Errors.notGovernance,
            );
            expect((await d.job.getJobState()).state).toBe(JobState.disputed);
        });

        it('refuses resolve_dispute with too little value (100 at the root)', async () => {
            const d = await disputed(10n);
            const rv = await p.root.getRequiredValues();
            await expectRejected(
                () => p.root.sendResolveDispute(p.governance.getSender(), rv.resolveDispute - 1n, { client: client.address, nonce: d.setup.nonce, forClient: false }),
                p.governance.address,
                p.root.address,
                Errors.notEnoughValue,
            );
        });

        it('bounces a verdict that arrives after the arbitration period (206 at the job)', async () => {
            const d = await disputed(10n);
            p.blockchain.now = (await d.job.getJobState()).timer + 1;
            const before = await snapshotState(p, d.job.address);
            const rv = await p.root.getRequiredValues();
            const r = await p.root.sendResolveDispute(p.governance.getSender(), rv.resolveDispute, {
                client: client.address,
                nonce: d.setup.nonce,
                forClient: true,
                slash: toNano('1'),
            });
            expect(r.transactions).toHaveTransaction({ from: p.root.address, to: d.job.address, success: false, exitCode: Errors.windowClosed });
            expect(r.transactions).toHaveTransaction({ from: d.job.address, to: p.root.address, inMessageBounced: true });
            expect(await snapshotState(p, d.job.address)).toBe(before);
            expect((await provider.getProviderJobs()).slashed).toBe(0n);
        });

        it('refuses a verdict for a job that is not disputed (202 at the job)', async () => {
            const s = await submitted(10n);
            const rv = await p.root.getRequiredValues();
            const r = await p.root.sendResolveDispute(p.governance.getSender(), rv.resolveDispute, {
                client: client.address,
                nonce: s.setup.nonce,
                forClient: true,
                slash: toNano('1'),
            });
            expect(r.transactions).toHaveTransaction({ from: p.root.address, to: s.job.address, success: false, exitCode: Errors.jobWrongState });
            expect((await s.job.getJobState()).state).toBe(JobState.submitted);
        });
    });
});
