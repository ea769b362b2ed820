/**
 * Slashing: a missed deadline (the bond), equivocation (half the stake), the
 * exact split of every slashed amount (client / reporter / treasury, from the
 * slash_share message values), jailing, tombstoning, and unbonding blocked by
 * open jobs. An honest provider is never slashed.
 */
import { Address, beginCell, Cell, toNano, Transaction } from '@ton/core';
import { BlockchainSnapshot, BlockchainTransaction, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { KeyPair } from '@ton/crypto';
import '@ton/test-utils';
import {
    balanceOf,
    createJob,
    deployProtocol,
    expectNoFailure,
    forwardFeeTo,
    JOB_PRICE,
    jobFees,
    keyFromLabel,
    phaseFees,
    Protocol,
    registerWorkingProvider,
    sha256n,
    slashParts,
    slashSharesIn,
    snapshotState,
    txOf,
    valueOf,
    workerResult,
} from './helpers/fixtures';
import { networkCost } from './helpers/ledger';
import { signReceipt } from '../wrappers/Job';
import { Provider } from '../wrappers/Provider';
import { JobParams, JobRequiredValues } from '../wrappers/Root';
import { Errors, JobState, Op, ProviderState, Slash } from '../wrappers/constants';

type Fees = ReturnType<typeof jobFees>;
type Result = { transactions: BlockchainTransaction[] };


describe('Slashing', () => {
    let p: Protocol;
    let owner: SandboxContract<TreasuryContract>;
    let richOwner: SandboxContract<TreasuryContract>;
    let client: SandboxContract<TreasuryContract>;
    let reporter: SandboxContract<TreasuryContract>;
    /** A provider at exactly the minimum stake (100 TON). */
    let provider: SandboxContract<Provider>;
    let operator: KeyPair;
    /** A provider with twice the minimum stake. */
    let rich: SandboxContract<Provider>;
    let richOperator: KeyPair;
    let fees: Fees;
    let req: JobRequiredValues;
    let jp: JobParams;
    let reportValue: bigint;
    let start: BlockchainSnapshot;
    const OWNER_OP = toNano('0.05');

    beforeAll(async () => {
        p = await deployProtocol();
        owner = await p.blockchain.treasury('provider owner');
        richOwner = await p.blockchain.treasury('rich provider owner');
        client = await p.blockchain.treasury('client');
        reporter = await p.blockchain.treasury('reporter');
        ({ provider, operator } = await registerWorkingProvider(p, owner));
        ({ provider: rich, operator: richOperator } = await registerWorkingProvider(p, richOwner, { stake: 2n * p.params.minStake }));
        fees = jobFees(p.blockchain);
        req = await p.root.getJobRequiredValues();
        jp = await p.root.getJobParams();
        // report_equivocation: the provider's gas, the three slash parts and the excess back.
        reportValue = fees.compute(fees.C['gas::provider_equivocation']) + 4n * fees.notification;
        start = p.blockchain.snapshot();
    });

    beforeEach(async () => {
        await p.blockchain.loadFrom(start);
    });

    const now = () => p.blockchain.now!;

    async function openJob(on: SandboxContract<Provider>, opts: Parameters<typeof createJob>[3] = {}) {
        const created = await createJob(p, client, on.address, opts);
        expectNoFailure(created.result.transactions);
        const state = await created.job.getJobState();
        expect(state.state).toBe(JobState.accepted);
        return { ...created, createdAt: state.createdAt };
    }

    async function expectRejected(send: () => Promise<Result>, from: Address, to: Address, exitCode: number) {
        const before = await snapshotState(p, to);
        const result = await send();
        expect(result.transactions).toHaveTransaction({ from, to, success: false, exitCode });
        expect(result.transactions).toHaveTransaction({ from: to, to: from, inMessageBounced: true });
        expect(await snapshotState(p, to)).toBe(before);
        return result;
    }

    function report(on: SandboxContract<Provider>, nonce: bigint, first: Cell, second: Cell, value = reportValue) {
        return on.sendReportEquivocation(reporter.getSender(), value, { client: client.address, nonce, first, second });
    }

    describe('a missed deadline', () => {
        it('refunds the client and slashes the whole bond: client 50%, reporter 10%, treasury 40%, to the nanoton', async () => {
            const stake = (await rich.getProviderData()).stake;
            const opened = await openJob(rich);
            const bond = (await opened.job.getJobTerms()).bond;
            expect(bond).toBe(toNano('2'));
            p.blockchain.now = opened.setup.deadline + 1;
            const expire = await opened.job.sendExpire(reporter.getSender(), req.closeJob);
            expectNoFailure(expire.transactions);
            const txs = expire.transactions;

            expect(valueOf(txs, opened.job.address, rich.address, Op.slashBond)).toBe(fees.providerClose);
            expect(txs).toHaveTransaction({
                from: opened.job.address,
                to: rich.address,
                op: Op.slashBond,
                body: (b) => {
                    const c = b!.beginParse().skip(96);
                    return (
                        c.loadAddress().equals(client.address) &&
                        c.loadUintBig(64) === opened.setup.nonce &&
                        c.loadCoins() === bond &&
                        c.loadCoins() === bond &&
                        c.loadUint(2) === Slash.timeout &&
                        c.loadAddress().equals(reporter.address)
                    );
                },
            });
            const parts = slashParts(bond, jp);
            expect(parts).toEqual({ client: toNano('1'), reporter: toNano('0.2'), treasury: toNano('0.8') });
            const shares = slashSharesIn(txs, rich.address);
            expect(shares.map((x) => [x.to.toString(), x.value, x.reason])).toEqual([
                [client.address.toString(), parts.client, Slash.timeout],
                [reporter.address.toString(), parts.reporter, Slash.timeout],
                [p.treasury.address.toString(), parts.treasury, Slash.timeout],
            ]);
            expect(shares.reduce((a, x) => a + x.value, 0n)).toBe(bond);

            // The provider's stake (and balance) lost exactly the bond; the bond is no longer locked.
            expect((await rich.getProviderData()).stake).toBe(stake - bond);
            expect((await rich.getProviderData()).state).toBe(ProviderState.active); // still above the minimum
            expect(await rich.getProviderJobs()).toEqual({ locked: 0n, openJobs: 0, tombstoned: false, completed: 0, failed: 1, slashed: bond });
            expect(await balanceOf(p.blockchain, rich.address)).toBe(stake - bond + fees.providerStorageReserve);

            // The reporter gets its unused value back (expire pays no keeper reward: the slash share is its reward).
            const expireTx = txOf(txs, reporter.address, opened.job.address, Op.expireJob);
            const keeperBack = valueOf(txs, opened.job.address, reporter.address, Op.keeperReward);
            expect(keeperBack).toBe(req.closeJob - phaseFees(expireTx).compute - forwardFeeTo(fees, expireTx, reporter.address));

            // The client gets its whole budget back: it paid nothing but the escrow's network fees
            // and the job's storage reserve, and received half the bond on top.
            expect(txs).not.toHaveTransaction({ op: Op.jobPayment });
            const refund = valueOf(txs, opened.job.address, client.address, Op.jobRefund);
            const excess = valueOf(txs, rich.address, client.address, Op.excesses);
            expect(refund).toBeGreaterThan(opened.setup.budget);
            const value = opened.setup.budget + req.createJob;
            const escrowFees =
                networkCost([...opened.result.transactions, ...txs], [opened.job.address, rich.address]) -
                (req.closeJob - keeperBack); // the reporter paid the gas of expire_job and its own message
            expect(value - refund - excess).toBe(fees.jobStorageReserve + escrowFees);
            expect(await balanceOf(p.blockchain, opened.job.address)).toBe(fees.jobStorageReserve);
            expect((await opened.job.getJobState()).state).toBe(JobState.expired);
        });

        it('gives the client the reporter share too when it reports the timeout itself', async () => {
            const opened = await openJob(rich);
            p.blockchain.now = opened.setup.deadline + 1;
            const expire = await opened.job.sendExpire(client.getSender(), req.closeJob);
            expectNoFailure(expire.transactions);
            const parts = slashParts(toNano('2'), jp);
            const shares = slashSharesIn(expire.transactions, rich.address);
            expect(shares.filter((x) => x.to.equals(client.address)).map((x) => x.value)).toEqual([parts.client, parts.reporter]);
            expect(expire.transactions).not.toHaveTransaction({ op: Op.keeperReward });
        });

        it('jails a provider whose stake falls below the minimum; jailed, it refuses jobs (161) until topped up', async () => {
            const opened = await openJob(provider);
            p.blockchain.now = opened.setup.deadline + 1;
            expectNoFailure((await opened.job.sendExpire(reporter.getSender(), req.closeJob)).transactions);
            let data = await provider.getProviderData();
            expect(data.stake).toBe(p.params.minStake - toNano('2'));
            expect(data.state).toBe(ProviderState.jailed);
            expect(data.eligible).toBe(false);

            const refused = await createJob(p, client, provider.address);
            expect(refused.result.transactions).toHaveTransaction({
                from: provider.address,
                to: refused.job.address,
                op: Op.jobRejected,
                body: (b) => b!.beginParse().skip(96).loadUint(16) === Errors.notEligible,
            });
            expect((await refused.job.getJobState()).state).toBe(JobState.cancelled);

            await provider.sendTopUp(owner.getSender(), toNano('2') + OWNER_OP, toNano('2'));
            data = await provider.getProviderData();
            expect(data.state).toBe(ProviderState.active);
            await openJob(provider);
        });
    });

    describe('equivocation', () => {
        it('slashes half the stake for two different results of the same (job, created_at, seq), tombstones, splits exactly', async () => {
            const opened = await openJob(provider);
            const stake = (await provider.getProviderData()).stake;
            const balanceBefore = await balanceOf(p.blockchain, provider.address);
            const first = workerResult(operator, opened.job.address, opened.createdAt, 100n, { commitment: sha256n('answer A') });
            const second = workerResult(operator, opened.job.address, opened.createdAt, 100n, { commitment: sha256n('answer B') });
            const r = await report(provider, opened.setup.nonce, first, second);
            expectNoFailure(r.transactions);

            const amount = (stake * BigInt(jp.equivocationSlashBps)) / 10000n;
            expect(amount).toBe(toNano('50'));
            const parts = slashParts(amount, jp);
            const shares = slashSharesIn(r.transactions, provider.address);
            expect(shares.map((x) => [x.to.toString(), x.value, x.reason])).toEqual([
                [client.address.toString(), parts.client, Slash.equivocation],
                [reporter.address.toString(), parts.reporter, Slash.equivocation],
                [p.treasury.address.toString(), parts.treasury, Slash.equivocation],
            ]);
            expect(shares.reduce((a, x) => a + x.value, 0n)).toBe(amount);
            expect(parts).toEqual({ client: toNano('25'), reporter: toNano('5'), treasury: toNano('20') });

            const data = await provider.getProviderData();
            expect(data.stake).toBe(stake - amount);
            expect(data.state).toBe(ProviderState.jailed);
            expect(data.eligible).toBe(false);
            const jobs = await provider.getProviderJobs();
            expect(jobs).toMatchObject({ tombstoned: true, slashed: amount, locked: toNano('2'), openJobs: 1 });
            // The provider keeps its reduced stake and storage reserve; the reporter gets the rest of its value.
            expect(await balanceOf(p.blockchain, provider.address)).toBe(stake - amount + fees.providerStorageReserve);
            const tx = txOf(r.transactions, reporter.address, provider.address, Op.reportEquivocation);
            const carried = [...tx.outMessages.values()].reduce((a, m) => a + (m.info.type === 'internal' ? m.info.forwardFee : 0n), 0n);
            const back = valueOf(r.transactions, provider.address, reporter.address, Op.excesses);
            expect(back).toBe(balanceBefore - (stake + fees.providerStorageReserve) + reportValue - tx.totalFees.coins - carried);

            // Tombstoned: never eligible again, even topped up above the minimum.
            await provider.sendTopUp(owner.getSender(), toNano('60') + OWNER_OP, toNano('60'));
            expect((await provider.getProviderData()).state).toBe(ProviderState.active);
            expect(await provider.getEligible()).toBe(false);
            const refused = await createJob(p, client, provider.address);
            expect(refused.result.transactions).toHaveTransaction({
                from: provider.address,
                op: Op.jobRejected,
                body: (b) => b!.beginParse().skip(96).loadUint(16) === Errors.notEligible,
            });
        });

        it('slashes a session request signed twice with different results (same seq)', async () => {
            const opened = await openJob(rich, { session: true });
            const stake = (await rich.getProviderData()).stake;
            const a = workerResult(richOperator, opened.job.address, opened.createdAt, 5n, { seq: 7, commitment: 1n });
            const b = workerResult(richOperator, opened.job.address, opened.createdAt, 6n, { seq: 7, commitment: 1n }); // usage differs
            const r = await report(rich, opened.setup.nonce, a, b);
            expectNoFailure(r.transactions);
            const amount = (stake * BigInt(jp.equivocationSlashBps)) / 10000n;
            expect(slashSharesIn(r.transactions, rich.address).reduce((acc, x) => acc + x.value, 0n)).toBe(amount);
            expect((await rich.getProviderJobs()).tombstoned).toBe(true);
        });
        it('never raises the stake of a provider slashed below its locked bonds (revocation keeper reward)', async () => {
            const jobs = [];
            for (let i = 0; i < 3; i++) jobs.push(await openJob(provider, { budget: toNano('100') })); // 3 bonds of 20 TON
            expect((await provider.getProviderJobs()).locked).toBe(toNano('60'));
            const j = jobs[0];
            const first = workerResult(operator, j.job.address, j.createdAt, 1n, { commitment: 1n });
            const second = workerResult(operator, j.job.address, j.createdAt, 1n, { commitment: 2n });
            expectNoFailure((await report(provider, j.setup.nonce, first, second)).transactions);
            const slashedStake = (await provider.getProviderData()).stake;
            expect(slashedStake).toBe(toNano('50'));

            const rv = await p.root.getRequiredValues();
            await p.root.sendRevokePolicy(p.governance.getSender(), rv.governanceOp, (await provider.getAttestation()).policyHash);
            await p.root.sendCheckProvider(reporter.getSender(), rv.checkProvider, owner.address, {
                kind: 'policy',
                hash: (await provider.getAttestation()).policyHash,
            });
            expect((await provider.getProviderData()).revoked).toBe(true);
            expect((await provider.getProviderData()).stake).toBeLessThanOrEqual(slashedStake);
        });

        it('refuses the same evidence twice, and any evidence once tombstoned (166)', async () => {
            const opened = await openJob(provider);
            const first = workerResult(operator, opened.job.address, opened.createdAt, 1n, { commitment: 1n });
            const second = workerResult(operator, opened.job.address, opened.createdAt, 1n, { commitment: 2n });
            expectNoFailure((await report(provider, opened.setup.nonce, first, second)).transactions);
            const slashed = (await provider.getProviderJobs()).slashed;
            await expectRejected(() => report(provider, opened.setup.nonce, first, second), reporter.address, provider.address, Errors.badEvidence);
            await expectRejected(() => report(provider, opened.setup.nonce, second, first), reporter.address, provider.address, Errors.badEvidence);
            const third = workerResult(operator, opened.job.address, opened.createdAt, 1n, { seq: 1, commitment: 3n });
            const fourth = workerResult(operator, opened.job.address, opened.createdAt, 1n, { seq: 1, commitment: 4n });
            await expectRejected(() => report(provider, opened.setup.nonce, third, fourth), reporter.address, provider.address, Errors.badEvidence);
            expect((await provider.getProviderJobs()).slashed).toBe(slashed);
        });

        it('refuses evidence that proves nothing (166) or is not signed by the operator key (131)', async () => {
            const opened = await openJob(provider);
            const other = await openJob(provider);
            const job = opened.job.address;
            const at = opened.createdAt;
            const nonce = opened.setup.nonce;
            const base = workerResult(operator, job, at, 1n, { commitment: 1n });
            const cases: [string, Cell, Cell, bigint, number][] = [
                ['different seqs', base, workerResult(operator, job, at, 1n, { seq: 1, commitment: 2n }), nonce, Errors.badEvidence],
                ['identical results', base, workerResult(operator, job, at, 1n, { commitment: 1n }), nonce, Errors.badEvidence],
                ['different created_at', base, workerResult(operator, job, at + 1, 1n, { commitment: 2n }), nonce, Errors.badEvidence],
                ['one result of another job', base, workerResult(operator, other.job.address, other.createdAt, 1n, { commitment: 2n }), nonce, Errors.badEvidence],
                [
                    'both results of another job than (client, nonce)',
                    workerResult(operator, other.job.address, at, 1n, { commitment: 1n }),
                    workerResult(operator, other.job.address, at, 1n, { commitment: 2n }),
                    nonce,
                    Errors.badEvidence,
                ],
                ['a result signed by another key', base, workerResult(keyFromLabel('impostor'), job, at, 1n, { commitment: 2n }), nonce, Errors.badSignature],
                [
                    'a usage receipt (another tag) signed by the operator key',
                    base,
                    signReceipt({ job, createdAt: at, seq: 0, cumulativeUsage: 1n, resultRoot: 2n }, operator.secretKey),
                    nonce,
                    Errors.badEvidence,
                ],
            ];
            for (const [, first, second, n, code] of cases) {
                await expectRejected(() => report(provider, n, first, second), reporter.address, provider.address, code);
            }
            // Too little value, and bytes after the evidence.
            const good = workerResult(operator, job, at, 1n, { commitment: 2n });
            await expectRejected(() => report(provider, nonce, base, good, reportValue - 1n), reporter.address, provider.address, Errors.notEnoughValue);
            const body = beginCell()
                .storeUint(Op.reportEquivocation, 32)
                .storeUint(0, 64)
                .storeAddress(client.address)
                .storeUint(nonce, 64)
                .storeRef(base)
                .storeRef(good)
                .storeBit(1)
                .endCell();
            await expectRejected(() => provider.sendBody(reporter.getSender(), reportValue, body), reporter.address, provider.address, Errors.malformedBody);
            expect(await provider.getProviderJobs()).toMatchObject({ tombstoned: false, slashed: 0n });
            // With the exact required value, the genuine evidence goes through.
            expectNoFailure((await report(provider, nonce, base, good)).transactions);
            expect((await provider.getProviderJobs()).tombstoned).toBe(true);
        });
    });

    describe('unbonding', () => {
        it('is refused while a job is open (167) and allowed once it closes', async () => {
            const opened = await openJob(provider);
            await expectRejected(() => provider.sendRequestUnbond(owner.getSender(), OWNER_OP), owner.address, provider.address, Errors.openJobs);
            const submit = await opened.job.sendSubmitResult(owner.getSender(), req.submitResult, workerResult(operator, opened.job.address, opened.createdAt, 10n));
            expectNoFailure(submit.transactions);
            await expectRejected(() => provider.sendRequestUnbond(owner.getSender(), OWNER_OP), owner.address, provider.address, Errors.openJobs);
            expectNoFailure((await opened.job.sendConfirm(client.getSender(), req.closeJob)).transactions);
            expect((await provider.getProviderJobs()).openJobs).toBe(0);

            const unbond = await provider.sendRequestUnbond(owner.getSender(), OWNER_OP);
            expectNoFailure(unbond.transactions);
            expect((await provider.getProviderData()).state).toBe(ProviderState.unbonding);
            p.blockchain.now = now() + p.params.unbondingPeriod;
            const withdraw = await provider.sendWithdrawStake(owner.getSender(), OWNER_OP);
            expect(withdraw.transactions).toHaveTransaction({
                from: provider.address,
                to: owner.address,
                op: Op.stakeWithdrawn,
                body: (b) => b!.beginParse().skip(96).loadCoins() === p.params.minStake,
            });
        });

        it('is refused while a session is open (167) and allowed after a slash closes the last job', async () => {
            const session = await openJob(rich, { session: true });
            const oneShot = await openJob(rich);
            await expectRejected(() => rich.sendRequestUnbond(richOwner.getSender(), OWNER_OP), richOwner.address, rich.address, Errors.openJobs);
            p.blockchain.now = oneShot.setup.deadline + 1;
            expectNoFailure((await oneShot.job.sendExpire(reporter.getSender(), req.closeJob)).transactions);
            await expectRejected(() => rich.sendRequestUnbond(richOwner.getSender(), OWNER_OP), richOwner.address, rich.address, Errors.openJobs);
            expectNoFailure((await session.job.sendSettle(reporter.getSender(), req.closeJob)).transactions);
            expect((await rich.getProviderJobs()).openJobs).toBe(0);
            expectNoFailure((await rich.sendRequestUnbond(richOwner.getSender(), OWNER_OP)).transactions);
            expect((await rich.getProviderData()).state).toBe(ProviderState.unbonding);
        });
    });

    describe('no honest party is slashed', () => {
        it('a provider that delivered on time and was confirmed keeps its whole stake', async () => {
            const stake = (await provider.getProviderData()).stake;
            const opened = await openJob(provider);
            const result = workerResult(operator, opened.job.address, opened.createdAt, 1_000n);
            p.blockchain.now = opened.setup.deadline; // on time, at the last second
            expectNoFailure((await opened.job.sendSubmitResult(owner.getSender(), req.submitResult, result)).transactions);
            // Past the deadline, the job can no longer be expired: the result is in.
            p.blockchain.now = opened.setup.deadline + 1;
            await expectRejected(() => opened.job.sendExpire(reporter.getSender(), req.closeJob), reporter.address, opened.job.address, Errors.jobWrongState);
            // Its one signed result is no evidence of equivocation.
            await expectRejected(() => report(provider, opened.setup.nonce, result, result), reporter.address, provider.address, Errors.badEvidence);
            const balanceBefore = await balanceOf(p.blockchain, provider.address);
            const confirm = await opened.job.sendConfirm(client.getSender(), req.closeJob);
            expectNoFailure(confirm.transactions);
            expect(confirm.transactions).not.toHaveTransaction({ op: Op.slashBond });
            expect(confirm.transactions).not.toHaveTransaction({ op: Op.slashShare });
            const amount = 1_000n * JOB_PRICE;
            expect(valueOf(confirm.transactions, opened.job.address, owner.address, Op.jobPayment)).toBe(
                amount - (amount * BigInt(jp.protocolFeeBps)) / 10000n,
            );
            const data = await provider.getProviderData();
            expect(data.stake).toBe(stake);
            expect(data.state).toBe(ProviderState.active);
            expect(await provider.getProviderJobs()).toEqual({ locked: 0n, openJobs: 0, tombstoned: false, completed: 1, failed: 0, slashed: 0n });
            // Its balance keeps the stake and storage reserve and gains what job_closed's gas allowance did not use (its owner's).
            const closeTx = txOf(confirm.transactions, opened.job.address, provider.address, Op.jobClosed);
            const after = await balanceOf(p.blockchain, provider.address);
            expect(after).toBe(balanceBefore + fees.jobClosed - closeTx.totalFees.coins);
            expect(after).toBeGreaterThanOrEqual(stake + fees.providerStorageReserve);
            // Nothing left to slash: the job is settled for good.
            await expectRejected(() => opened.job.sendExpire(reporter.getSender(), req.closeJob), reporter.address, opened.job.address, Errors.jobWrongState);
        });

        it('the client of a session is never slashed and the provider keeps its stake when the session ends by deadline', async () => {
            const stake = (await rich.getProviderData()).stake;
            const session = await openJob(rich, { session: true });
            p.blockchain.now = session.setup.deadline + 1;
            const settle = await session.job.sendSettle(reporter.getSender(), req.closeJob);
            expectNoFailure(settle.transactions);
            expect(settle.transactions).not.toHaveTransaction({ op: Op.slashShare });
            expect((await rich.getProviderData()).stake).toBe(stake);
            expect((await rich.getProviderJobs()).failed).toBe(0);
        });
    });
});
