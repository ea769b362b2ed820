/**
 * The job scripts (createJob ... showJob) run unchanged against the local
 * sandbox through the Blueprint NetworkProvider adapter
 * (tests/helpers/sandbox-network.ts), in the order a client, a worker, a
 * keeper and governance would use them. Every step asserts on chain state
 * through the wrappers, not only on what the script printed; every refusal
 * is checked to send nothing.
 *
 * The scripts' timing pre-checks read the current time from COCOON_NOW,
 * which `as()` sets to the sandbox's clock before each run.
 */
import { internal, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { Address, Cell, fromNano, toNano } from '@ton/core';
import { KeyPair } from '@ton/crypto';
import '@ton/test-utils';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { Job } from '../wrappers/Job';
import { Provider } from '../wrappers/Provider';
import { Errors, JobState, Op } from '../wrappers/constants';
import { loadSignedReceipt } from '../wrappers/generated/schema';
import { createJob, deployProtocol, HOUR, JOB_PRICE, keyFromLabel, MODEL, MODEL_2, Protocol, registerWorkingProvider, sha256n } from './helpers/fixtures';
import { SandboxNetwork } from './helpers/sandbox-network';
import {
    CLIENT_SECRET_ENV,
    FEE_MARGIN,
    formatHash,
    formatTime,
    NOW_ENV,
    OPERATOR_SECRET_ENV,
    parseDeadline,
    parseEd25519Secret,
    parseReason,
    POLL_INTERVAL_ENV,
    PreflightError,
    sha256Commitment,
    usage,
    UsageError,
} from '../tools/cli';
import { run as createJobScript, spec as createJobSpec } from '../scripts/createJob';
import { run as showJob } from '../scripts/showJob';
import { run as submitResult, spec as submitResultSpec } from '../scripts/submitResult';
import { run as confirmJob } from '../scripts/confirmJob';
import { run as disputeJob } from '../scripts/disputeJob';
import { run as settleJob } from '../scripts/settleJob';
import { run as expireJob } from '../scripts/expireJob';
import { run as cancelJob } from '../scripts/cancelJob';
import { run as closeSession } from '../scripts/closeSession';
import { run as signReceipt, spec as signReceiptSpec } from '../scripts/signReceipt';
import { run as claimSession } from '../scripts/claimSession';
import { run as resolveDispute } from '../scripts/resolveDispute';

const hex = (b: Buffer) => b.toString('hex');

describe('tools/cli: job argument parsing', () => {
    it('parses a deadline as a unix time or +seconds from now', () => {
        expect(parseDeadline(1000)('2000', '--deadline')).toBe(2000);
        expect(parseDeadline(1000)('+60', '--deadline')).toBe(1060);
        for (const bad of ['-60', '1.5', 'tomorrow', '+', String(2 ** 32)]) expect(() => parseDeadline(1000)(bad, '--deadline')).toThrow(UsageError);
    });

    it('parses a 64-byte ed25519 secret key, refuses a corrupted one without echoing it', () => {
        const keys = keyFromLabel('some key');
        expect(parseEd25519Secret(hex(keys.secretKey), '--operator-secret').publicKey.equals(keys.publicKey)).toBe(true);
        const corrupted = Buffer.concat([keys.secretKey.subarray(0, 32), keyFromLabel('other').publicKey]);
        expect(() => parseEd25519Secret(hex(corrupted), '--operator-secret')).toThrow(/not the public key/);
        expect(() => parseEd25519Secret(hex(keys.publicKey), '--operator-secret')).toThrow(/64-byte ed25519 secret key/);
        expect(() => parseEd25519Secret(hex(keys.publicKey), '--x')).not.toThrow(new RegExp(hex(keys.publicKey)));
    });

    it('hashes a text reason and takes 64 hex digits as the hash itself', () => {
        expect(parseReason('wrong answer', '--reason').hash).toBe(sha256n('wrong answer'));
        expect(parseReason('ab'.repeat(32), '--reason').hash).toBe(BigInt('0x' + 'ab'.repeat(32)));
    });
});

describe('job scripts on the sandbox', () => {
    const BUDGET = toNano('10');
    const saved: Record<string, string | undefined> = {};
    let p: Protocol;
    let net: SandboxNetwork;
    let owner: SandboxContract<TreasuryContract>;
    let client: SandboxContract<TreasuryContract>;
    let keeper: SandboxContract<TreasuryContract>;
    let provider: SandboxContract<Provider>;
    let operator: KeyPair;
    let tmp: string;

    /** Runs a script as `wallet` with fresh output, the scripts' clock set to the sandbox's. */
    function as(wallet: SandboxContract<TreasuryContract>): SandboxNetwork {
        process.env[NOW_ENV] = String(p.blockchain.now);
        return net.as(wallet).reset();
    }

    function file(name: string, content: string | Buffer): string {
        const f = path.join(tmp, name);
        writeFileSync(f, content);
        return f;
    }

    const openJob = (address: Address) => p.blockchain.openContract(Job.createFromAddress(address));

    /** The job address createJob printed. */
    function printedJob(): Address {
        const m = /^Job address: (\S+)$/m.exec(net.output);
        expect(m).not.toBeNull();
        return Address.parse(m![1]);
    }

    /** createJob's flags for `nonce`; `flags` overrides or adds flags (`--name: value`, `--switch: ''`). */
    const createArgs = (nonce: number, flags: Record<string, string> = {}) => {
        const all: Record<string, string> = {
            '--root': p.root.address.toString(),
            '--provider': provider.address.toString(),
            '--budget': '10',
            '--deadline': '+3600',
            '--model': formatHash(MODEL),
            '--max-price': String(JOB_PRICE),
            '--nonce': String(nonce),
            ...flags,
        };
        return Object.entries(all).flatMap(([k, v]) => (v === '' ? [k] : [k, v]));
    };

    /** Expects a script to refuse before sending, with `message` in the error, leaving the job untouched. */
    async function expectRefusal(run: Promise<void>, message: RegExp, job?: Address) {
        const before = job ? (await p.blockchain.getContract(job)).lastTransactionLt : 0n;
        await expect(run).rejects.toThrow(PreflightError);
        expect(net.output).toMatch(message);
        expect(net.sent).toHaveLength(0);
        if (job) expect((await p.blockchain.getContract(job)).lastTransactionLt).toBe(before);
    }

    beforeAll(async () => {
        for (const k of [POLL_INTERVAL_ENV, NOW_ENV, OPERATOR_SECRET_ENV, CLIENT_SECRET_ENV]) saved[k] = process.env[k];
        process.env[POLL_INTERVAL_ENV] = '0';
        delete process.env[OPERATOR_SECRET_ENV];
        delete process.env[CLIENT_SECRET_ENV];
        tmp = mkdtempSync(path.join(tmpdir(), 'cocoon-job-scripts-'));
        p = await deployProtocol();
        owner = await p.blockchain.treasury('provider owner');
        client = await p.blockchain.treasury('client');
        keeper = await p.blockchain.treasury('keeper');
        // Stake above the min stake, so that the dispute's slash below does not jail the provider.
        ({ provider, operator } = await registerWorkingProvider(p, owner, { stake: toNano('200') }));
        net = new SandboxNetwork(p.blockchain, client);
    });

    afterAll(() => {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    });

    describe('a one-shot job: create, submit, confirm', () => {
        let jobAddress: Address;
        const request = Buffer.from('ciphertext of the request');
        const result = Buffer.from('ciphertext of the result');

        it('createJob prints the job address, waits for the acceptance and prints the terms', async () => {
            const required = await p.root.getJobRequiredValues();
            await createJobScript(as(client), createArgs(101, { '--request': file('request.bin', request) }));
            jobAddress = printedJob();
            expect(jobAddress.equals(await p.root.getJobAddress(client.address, 101n))).toBe(true);
            const job = openJob(jobAddress);
            const state = await job.getJobState();
            expect(state).toMatchObject({ state: JobState.accepted, session: false, budget: BUDGET, deadline: p.blockchain.now! + HOUR });
            expect((await job.getJobRequest()).requestCommitment).toBe(sha256Commitment(request));
            expect((await job.getJobRequest()).clientKey).toBe(0n);
            const terms = await job.getJobTerms();
            expect(terms).toMatchObject({ accepted: true, price: JOB_PRICE, bond: toNano('2') });
            expect(net.sent).toHaveLength(1);
            expect(net.sent[0].args.value).toBe(BUDGET + required.createJob + FEE_MARGIN);
            expect(net.output).toContain('Message create_job');
            expect(net.output).toContain(`required fees ${fromNano(required.createJob)} TON + margin`);
            expect(net.output).toContain('The provider accepted the job: price 1000 nanoton per unit, bond 2 TON');
            expect((await provider.getProviderJobs()).openJobs).toBe(1);
        });

        it('showJob shows the accepted job and what can happen next', async () => {
            await showJob(as(keeper), ['--job', jobAddress.toString()]);
            const deadline = p.blockchain.now! + HOUR;
            expect(net.output).toMatch(/state:\s+accepted/);
            expect(net.output).toMatch(/kind:\s+one-shot/);
            expect(net.output).toMatch(/budget:\s+10 TON/);
            expect(net.output).toMatch(new RegExp(`deadline:\\s+${formatTime(deadline).replace(/[().]/g, '\\$&')}`));
            expect(net.output).toMatch(/bond:\s+2 TON/);
            expect(net.output).toMatch(/protocol fee:\s+250 bps/);
            expect(net.output).toMatch(/challenge window:\s+1h \(3600 s\)/);
            expect(net.output).toContain(`submit_result allowed until ${formatTime(deadline)}`);
            expect(net.output).toContain(`expire_job allowed from ${formatTime(deadline + 1)}`);
            expect(net.sent).toHaveLength(0);
        });

        it('cancelJob, expireJob and confirmJob refuse an accepted job before sending', async () => {
            await expectRefusal(cancelJob(as(client), ['--job', jobAddress.toString()]), /the job is accepted, not created \(exit 202 job_wrong_state\)/, jobAddress);
            await expectRefusal(expireJob(as(keeper), ['--job', jobAddress.toString()]), /has not passed.*\(exit 204 deadline_not_passed\)/, jobAddress);
            await expectRefusal(confirmJob(as(client), ['--job', jobAddress.toString()]), /not submitted \(exit 202/, jobAddress);
        });

        it('submitResult refuses a result signed by another key before sending', async () => {
            const stranger = keyFromLabel('not the operator');
            await expectRefusal(
                submitResult(as(owner), ['--job', jobAddress.toString(), '--result', file('result.bin', result), '--usage', '5000', '--operator-secret', hex(stranger.secretKey)]),
                /not to the job's operator key .*\(exit 131 bad_signature\)/,
                jobAddress,
            );
        });

        it('submitResult signs the result with the operator secret and records it', async () => {
            await submitResult(as(owner), ['--job', jobAddress.toString(), '--result', file('result.bin', result), '--usage', '5000', '--operator-secret', hex(operator.secretKey)]);
            const job = openJob(jobAddress);
            expect((await job.getJobState()).state).toBe(JobState.submitted);
            const progress = await job.getJobProgress();
            expect(progress.resultCommitment).toBe(sha256Commitment(result));
            expect(progress.usage).toBe(5000n);
            const required = await p.root.getJobRequiredValues();
            expect(net.sent[0].args.value).toBe(required.submitResult + FEE_MARGIN);
            expect(net.output).toContain('Submitted.');
            expect(net.output).not.toContain(hex(operator.secretKey));
        });

        it('confirmJob by a non-client and settleJob inside the challenge window refuse before sending', async () => {
            await expectRefusal(confirmJob(as(keeper), ['--job', jobAddress.toString()]), /only the client .*\(exit 200 not_client\)/, jobAddress);
            await expectRefusal(settleJob(as(keeper), ['--job', jobAddress.toString()]), /challenge window is open until .*\(exit 205 window_open\)/, jobAddress);
        });

        it('confirmJob pays the provider owner and settles the job; showJob shows it final', async () => {
            const completed = (await provider.getProviderJobs()).completed;
            await confirmJob(as(client), ['--job', jobAddress.toString()]);
            const job = openJob(jobAddress);
            expect((await job.getJobState()).state).toBe(JobState.settled);
            // 5000 units x 1000 nanoton = 0.005 TON, less 2.5 % protocol fee.
            expect(net.sent[0].result.transactions).toHaveTransaction({ from: jobAddress, to: owner.address, op: Op.jobPayment, value: 4_875_000n });
            expect(net.sent[0].result.transactions).toHaveTransaction({ from: jobAddress, to: p.treasury.address, op: Op.protocolFee, value: 125_000n });
            const jobs = await provider.getProviderJobs();
            expect(jobs.completed).toBe(completed + 1);
            expect(jobs.openJobs).toBe(0);
            expect(jobs.locked).toBe(0n);

            await showJob(as(keeper), ['--job', jobAddress.toString()]);
            expect(net.output).toMatch(/state:\s+settled/);
            expect(net.output).toContain('none: the job is final (settled)');
            expect(net.output).toMatch(/usage:\s+5000/);
        });

        it('a final job refuses every further message before sending', async () => {
            await expectRefusal(settleJob(as(keeper), ['--job', jobAddress.toString()]), /the job is settled: there is nothing to settle/, jobAddress);
            await expectRefusal(disputeJob(as(client), ['--job', jobAddress.toString(), '--reason', 'late']), /settled and final, not submitted/, jobAddress);
        });
    });

    it('a dispute: submitResult (secret from the environment, by anyone), disputeJob, resolveDispute for the client', async () => {
        await createJobScript(as(client), createArgs(102, { '--request-commitment': formatHash(sha256n('request 102')) }));
        const jobAddress = printedJob();
        const job = openJob(jobAddress);
        expect((await job.getJobRequest()).requestCommitment).toBe(sha256n('request 102'));

        process.env[OPERATOR_SECRET_ENV] = hex(operator.secretKey);
        try {
            await submitResult(as(keeper), ['--job', jobAddress.toString(), '--result', file('result-102.bin', 'wrong'), '--usage', '100']);
        } finally {
            delete process.env[OPERATOR_SECRET_ENV];
        }
        expect(net.output).toContain(`$${OPERATOR_SECRET_ENV}`);
        expect((await job.getJobState()).state).toBe(JobState.submitted);

        await expectRefusal(disputeJob(as(keeper), ['--job', jobAddress.toString(), '--reason', 'not mine to dispute']), /exit 200 not_client/, jobAddress);
        await disputeJob(as(client), ['--job', jobAddress.toString(), '--reason', 'the answer is wrong']);
        const disputed = await job.getJobState();
        expect(disputed.state).toBe(JobState.disputed);
        expect((await job.getJobProgress()).reasonHash).toBe(sha256n('the answer is wrong'));
        expect(net.output).toContain(`resolveDispute --mnemonic -- --root ${p.root.address.toString()} --client ${client.address.toString()} --nonce 102`);
        expect(net.output).toContain(`dispute verdict allowed until ${formatTime(disputed.timer)}`);
        // Inside the arbitration period nobody may settle.
        await expectRefusal(settleJob(as(keeper), ['--job', jobAddress.toString()]), /arbitration period runs until .*\(exit 210 arbitration_pending\)/, jobAddress);

        const { bond } = await job.getJobTerms();
        const stakeBefore = (await provider.getProviderData()).stake;
        await resolveDispute(as(p.governance), ['--root', p.root.address.toString(), '--client', client.address.toString(), '--nonce', '102', '--for', 'client', '--slash', '0.5']);
        expect((await job.getJobState()).state).toBe(JobState.resolved);
        expect(bond).toBe(toNano('2'));
        expect((await provider.getProviderData()).stake).toBe(stakeBefore - toNano('0.5'));
        expect((await provider.getProviderJobs()).failed).toBe(1);
    });

    it('expireJob refuses before the deadline, then expires the job, slashing the bond (failed count +1)', async () => {
        await createJobScript(as(client), createArgs(103, { '--request-commitment': formatHash(1n), '--deadline': '+120', '--budget': '2' }));
        const jobAddress = printedJob();
        const job = openJob(jobAddress);
        const { deadline } = await job.getJobState();
        expect(deadline).toBe(p.blockchain.now! + 120);
        const { bond } = await job.getJobTerms();
        expect(bond).toBe(toNano('1')); // the bond floor

        await expectRefusal(expireJob(as(keeper), ['--job', jobAddress.toString()]), /exit 204 deadline_not_passed/, jobAddress);
        p.blockchain.now = deadline; // still not past it: the job requires now > deadline
        await expectRefusal(expireJob(as(keeper), ['--job', jobAddress.toString()]), /expire_job is allowed from/, jobAddress);

        // This machine's clock ahead of the chain's: the pre-check passes, the job refuses, the script says so.
        const skewed = as(keeper);
        process.env[NOW_ENV] = String(deadline + 1);
        await expect(expireJob(skewed, ['--job', jobAddress.toString()])).rejects.toThrow(/the job refused expire_job: it processed a message without the expected effect/);
        expect(net.sent).toHaveLength(1);
        expect(net.sent[0].result.transactions).toHaveTransaction({ from: keeper.address, to: jobAddress, success: false, exitCode: Errors.deadlineNotPassed });
        expect((await job.getJobState()).state).toBe(JobState.accepted);

        p.blockchain.now = deadline + 1;
        await expectRefusal(
            submitResult(as(owner), ['--job', jobAddress.toString(), '--result', file('late.bin', 'late'), '--usage', '1', '--operator-secret', hex(operator.secretKey)]),
            /deadline .* has passed \(exit 203 deadline_passed\)/,
            jobAddress,
        );
        const before = await provider.getProviderJobs();
        const stakeBefore = (await provider.getProviderData()).stake;
        await expireJob(as(keeper), ['--job', jobAddress.toString()]);
        expect((await job.getJobState()).state).toBe(JobState.expired);
        const after = await provider.getProviderJobs();
        expect(after.failed).toBe(before.failed + 1);
        expect(after.openJobs).toBe(before.openJobs - 1);
        expect((await provider.getProviderData()).stake).toBe(stakeBefore - bond);
        expect(net.sent[0].result.transactions).toHaveTransaction({ from: provider.address, to: keeper.address, op: Op.slashShare });
        expect(net.output).toContain('Expired');
    });

    describe('a session: receipts signed offline, claimed, closed', () => {
        const clientKeys = keyFromLabel('session client key');
        let jobAddress: Address;
        let createdAt: number;
        let receipt1: string;
        let receipt2: string;

        it('createJob --session requires the client key, and creates an accepted session with it', async () => {
            await expect(createJobScript(as(client), createArgs(104, { '--request-commitment': formatHash(2n), '--session': '' }))).rejects.toThrow(
                /--session needs --client-key/,
            );
            expect(net.sent).toHaveLength(0);

            await createJobScript(as(client), createArgs(104, { '--request-commitment': formatHash(2n), '--session': '', '--budget': '1', '--client-key': hex(clientKeys.publicKey) }));
            jobAddress = printedJob();
            const job = openJob(jobAddress);
            const state = await job.getJobState();
            expect(state).toMatchObject({ state: JobState.accepted, session: true, budget: toNano('1') });
            expect((await job.getJobRequest()).clientKey).toBe(BigInt('0x' + hex(clientKeys.publicKey)));
            createdAt = state.createdAt;
            expect(net.output).toContain('claim_session allowed now');
            expect(net.output).toContain('close_session allowed now');
        });

        it('signReceipt writes signed receipts offline (secret from the flag or the environment) and sends nothing', async () => {
            const common = ['--job', jobAddress.toString(), '--created-at', String(createdAt)];
            receipt1 = path.join(tmp, 'receipt-1.boc');
            receipt2 = path.join(tmp, 'receipt-2.boc');
            await signReceipt(as(keeper), [...common, '--seq', '1', '--usage', '100', '--result-root', formatHash(sha256n('root 1')), '--client-secret', hex(clientKeys.secretKey), '--out', receipt1]);
            expect(net.sent).toHaveLength(0);
            process.env[CLIENT_SECRET_ENV] = hex(clientKeys.secretKey);
            try {
                await signReceipt(as(keeper), [...common, '--seq', '2', '--usage', '250', '--result-root', formatHash(sha256n('root 2')), '--out', receipt2]);
            } finally {
                delete process.env[CLIENT_SECRET_ENV];
            }
            expect(net.sent).toHaveLength(0);
            expect(net.output).toContain(`key from $${CLIENT_SECRET_ENV}`);
            const r2 = loadSignedReceipt(Cell.fromBoc(readFileSync(receipt2))[0].beginParse()).receipt;
            expect(r2).toMatchObject({ seq: 2, cumulative_usage: 250n, created_at: createdAt });
            expect(r2.job.equals(jobAddress)).toBe(true);

            await expect(signReceipt(as(keeper), [...common, '--seq', '3', '--usage', '1', '--result-root', formatHash(1n), '--out', path.join(tmp, 'x.boc')])).rejects.toThrow(
                /missing the client secret/,
            );
        });

        it('claimSession: --close only by the provider owner; a claim by anyone pays the delta; a stale receipt is refused', async () => {
            await expectRefusal(claimSession(as(keeper), ['--job', jobAddress.toString(), '--receipt', receipt2, '--close']), /exit 214 not_root_or_owner/, jobAddress);

            await claimSession(as(keeper), ['--job', jobAddress.toString(), '--receipt', receipt1]);
            const job = openJob(jobAddress);
            expect(await job.getJobProgress()).toMatchObject({ seq: 1, usage: 100n, paidUsage: 100n });
            expect((await job.getJobState()).state).toBe(JobState.accepted);
            expect(net.sent[0].result.transactions).toHaveTransaction({ from: jobAddress, to: owner.address, op: Op.jobPayment, value: 97_500n });

            await expectRefusal(claimSession(as(owner), ['--job', jobAddress.toString(), '--receipt', receipt1]), /exit 208 stale_receipt/, jobAddress);
        });

        it('claimSession --close with the latest receipt from the provider owner pays the rest and settles', async () => {
            await claimSession(as(owner), ['--job', jobAddress.toString(), '--receipt', receipt2, '--close']);
            const job = openJob(jobAddress);
            expect((await job.getJobState()).state).toBe(JobState.settled);
            expect(await job.getJobProgress()).toMatchObject({ seq: 2, usage: 250n, paidUsage: 250n });
            expect(net.sent[0].result.transactions).toHaveTransaction({ from: jobAddress, to: owner.address, op: Op.jobPayment, value: 146_250n });
            expect(net.output).toContain('150 units paid');
        });

        it('closeSession by the client; settleJob refuses during the grace and settles after it, paying the keeper', async () => {
            await createJobScript(as(client), createArgs(105, { '--request-commitment': formatHash(3n), '--session': '', '--client-key': hex(clientKeys.publicKey) }));
            const jobAddress = printedJob();
            const job = openJob(jobAddress);
            await expectRefusal(closeSession(as(keeper), ['--job', jobAddress.toString()]), /exit 200 not_client/, jobAddress);
            await expectRefusal(expireJob(as(keeper), ['--job', jobAddress.toString()]), /exit 211 wrong_kind/, jobAddress);

            await closeSession(as(client), ['--job', jobAddress.toString()]);
            const closing = await job.getJobState();
            expect(closing.state).toBe(JobState.closing);
            const { sessionGrace, keeperReward } = await p.root.getJobParams();
            expect(closing.timer).toBe(p.blockchain.now! + sessionGrace);
            expect(net.output).toContain(`Closing: the provider may claim with the latest receipt until ${formatTime(closing.timer)}`);

            await expectRefusal(settleJob(as(keeper), ['--job', jobAddress.toString()]), /exit 213 grace_not_over/, jobAddress);
            p.blockchain.now = closing.timer;
            await settleJob(as(keeper), ['--job', jobAddress.toString()]);
            expect((await job.getJobState()).state).toBe(JobState.settled);
            expect(net.sent[0].result.transactions).toHaveTransaction({ from: jobAddress, to: keeper.address, op: Op.keeperReward, value: (v) => v! >= keeperReward });
        });
    });

    it('cancelJob cancels a job still waiting for the answer; the late acceptance only releases the bond', async () => {
        // Deliver create_job alone: the offer to the provider stays in flight (a separate sandbox queue).
        const nonce = 106n;
        const job = p.blockchain.openContract(Job.createFromConfig({ root: p.root.address, client: client.address, nonce }, p.jobCode));
        const required = await p.root.getJobRequiredValues();
        const body = Job.createJobMessage({
            budget: BUDGET,
            deadline: p.blockchain.now! + HOUR,
            session: false,
            clientKey: Buffer.alloc(32),
            provider: provider.address,
            modelHash: MODEL,
            maxPrice: JOB_PRICE,
            requestCommitment: 4n,
        });
        const iter = await p.blockchain.sendMessageIter(
            internal({ from: client.address, to: job.address, value: BUDGET + required.createJob, body, stateInit: job.init }),
            { allowParallel: true },
        );
        await iter.next();
        expect((await job.getJobState()).state).toBe(JobState.created);
        await showJob(as(keeper), ['--job', job.address.toString()]);
        expect(net.output).toContain("waiting for the provider's answer");
        expect(net.output).toContain('cancel_job allowed now: the client only (cancelJob)');
        await expectRefusal(cancelJob(as(keeper), ['--job', job.address.toString()]), /exit 200 not_client/, job.address);

        await cancelJob(as(client), ['--job', job.address.toString()]);
        expect((await job.getJobState()).state).toBe(JobState.cancelled);
        expect(net.sent[0].result.transactions).toHaveTransaction({ from: job.address, to: client.address, op: Op.jobRefund });
        expect(net.output).toContain('Cancelled: the budget went back to the client.');

        const before = await provider.getProviderJobs();
        for (;;) if ((await iter.next()).done) break; // the provider accepts; the cancelled job releases the bond
        const after = await provider.getProviderJobs();
        expect(after.openJobs).toBe(before.openJobs);
        expect(after.locked).toBe(before.locked);
        expect((await job.getJobState()).state).toBe(JobState.cancelled);
        await expectRefusal(cancelJob(as(client), ['--job', job.address.toString()]), /cancelled and final, not created/, job.address);
    });

    it('createJob refuses what the provider would reject, and an existing nonce, before sending', async () => {
        const args = (nonce: number, flags: Record<string, string> = {}) => createArgs(nonce, { '--request-commitment': formatHash(5n), ...flags });
        await expectRefusal(createJobScript(as(client), args(107, { '--model': formatHash(MODEL_2) })), /does not serve model .*exit 162 model_not_served/);
        await expectRefusal(createJobScript(as(client), args(107, { '--max-price': '999' })), /exit 163 price_too_high/);
        await expectRefusal(createJobScript(as(client), args(107, { '--deadline': '+30' })), /exit 168 bad_duration/);
        await expectRefusal(createJobScript(as(client), args(107, { '--budget': '10000' })), /exit 164 insufficient_free_stake/);
        await expectRefusal(createJobScript(as(client), args(107, { '--deadline': String(p.blockchain.now! - 1) })), /not in the future \(exit 203 deadline_passed\)/);
        await expectRefusal(createJobScript(as(client), args(101)), /already exists .*exit 202 job_wrong_state/);
        expect((await p.blockchain.getContract(await p.root.getJobAddress(client.address, 107n))).lastTransactionLt).toBe(0n);
    });

    it('--dry-run prints the body (and for createJob the state init) and sends nothing', async () => {
        await createJobScript(as(client), createArgs(108, { '--request-commitment': formatHash(6n), '--dry-run': '' }));
        expect(net.sent).toHaveLength(0);
        const body = Cell.fromBoc(Buffer.from(/body \(base64 BoC\):\s+(\S+)/.exec(net.output)![1], 'base64'))[0].beginParse();
        expect(body.loadUint(32)).toBe(Op.createJob);
        expect(net.output).toMatch(/state init \(base64 BoC\):\s+\S+/);
        const jobAddress = await p.root.getJobAddress(client.address, 108n);
        expect((await p.blockchain.getContract(jobAddress)).lastTransactionLt).toBe(0n);

        const { job } = await createJob(p, client, provider.address, { nonce: 109n });
        await submitResult(as(owner), ['--job', job.address.toString(), '--result', file('r109.bin', 'r'), '--usage', '7', '--operator-secret', hex(operator.secretKey), '--dry-run']);
        expect(net.sent).toHaveLength(0);
        const submit = Cell.fromBoc(Buffer.from(/body \(hex BoC\):\s+(\S+)/.exec(net.output)![1], 'hex'))[0].beginParse();
        expect(submit.loadUint(32)).toBe(Op.submitResult);
        expect((await job.getJobState()).state).toBe(JobState.accepted);
    });

    it('--help lists every flag and the secret environment variables; a bad flag prints the usage', async () => {
        await createJobScript(as(client), ['--help']);
        const line = net.ui_.lines.find((l) => l.startsWith('usage: npx blueprint run createJob'));
        for (const f of createJobSpec.flags) expect(line).toContain(`--${f.name}`);
        await submitResult(as(client), ['--help']);
        for (const f of submitResultSpec.flags) expect(net.output).toContain(`--${f.name}`);
        expect(net.output).toContain(`$${OPERATOR_SECRET_ENV}`);
        expect(usage(signReceiptSpec)).toContain(`$${CLIENT_SECRET_ENV}`);
        expect(net.sent).toHaveLength(0);

        await expect(settleJob(as(keeper), ['--job', 'not-an-address'])).rejects.toThrow(UsageError);
        expect(net.output).toContain('usage: npx blueprint run settleJob');
    });
});
