/**
 * Demo steps for jobs: a one-shot job served and confirmed, a session of
 * many requests settled with one claim, and a provider that misses its
 * deadline and is slashed.
 */
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { Cell, fromNano, toNano } from '@ton/core';
import { KeyPair } from '@ton/crypto';
import { createHash } from 'crypto';
import { Job, signResult } from '../wrappers/Job';
import { Root } from '../wrappers/Root';
import { Provider } from '../wrappers/Provider';
import { JobStateName } from '../wrappers/constants';
import { commitment, createJobValue, randomNonce, SessionReceipts } from '../sdk/jobs';
import { Trace } from './trace';

export type JobDemoContext = {
    blockchain: Blockchain;
    trace: Trace;
    root: SandboxContract<Root>;
    jobCode: Cell;
    client: SandboxContract<TreasuryContract>;
    clientKeys: KeyPair;
    modelHash: bigint;
};

export type DemoProvider = {
    provider: SandboxContract<Provider>;
    owner: SandboxContract<TreasuryContract>;
    operatorKeys: KeyPair;
};

async function createJob(ctx: JobDemoContext, p: DemoProvider, budget: bigint, session: boolean, request: Buffer, duration = 3600) {
    const nonce = randomNonce();
    const job = ctx.blockchain.openContract(Job.createFromConfig({ root: ctx.root.address, client: ctx.client.address, nonce }, ctx.jobCode));
    ctx.trace.label(job.address, session ? 'session' : 'job');
    const required = await ctx.root.getJobRequiredValues();
    const offer = await p.provider.getOffer();
    const result = await job.sendCreate(ctx.client.getSender(), createJobValue(budget, required), {
        budget,
        deadline: ctx.blockchain.now! + duration,
        session,
        clientKey: ctx.clientKeys.publicKey,
        provider: p.provider.address,
        modelHash: ctx.modelHash,
        maxPrice: offer.pricePerUnit,
        requestCommitment: commitment(request),
    });
    ctx.trace.transactions(result.transactions);
    const state = await job.getJobState();
    const terms = await job.getJobTerms();
    ctx.trace.info(
        `job ${JobStateName[state.state]}: budget ${fromNano(budget)} TON, price ${fromNano(terms.price)} TON/unit, ` +
            `bond ${fromNano(terms.bond)} TON locked at the provider`,
    );
    return { job, required, state, terms };
}

/** A one-shot job: create → accepted → result submitted (operator-signed) → confirmed → settled. */
export async function runOneShotJob(ctx: JobDemoContext, p: DemoProvider) {
    ctx.trace.header('Client creates a one-shot job (the request commitment is the SHA-256 of the encrypted prompt)');
    const request = Buffer.from('encrypted prompt bytes (encryption arrives with the client SDK)');
    const { job, required, state } = await createJob(ctx, p, toNano('1'), false, request);

    ctx.trace.header('The worker serves it and submits the operator-signed result commitment');
    const result = Buffer.from('encrypted answer bytes');
    const usage = 420_000n;
    const signed = signResult(
        { job: job.address, createdAt: state.createdAt, seq: 0, resultCommitment: commitment(result), usage },
        p.operatorKeys.secretKey,
    );
    ctx.trace.transactions((await job.sendSubmitResult(p.owner.getSender(), required.submitResult, signed)).transactions);

    ctx.trace.header('Client checks the result against the commitment and confirms: the job settles');
    const progress = await job.getJobProgress();
    if (progress.resultCommitment !== commitment(result)) throw new Error('result does not match its on-chain commitment');
    ctx.trace.transactions((await job.sendConfirm(ctx.client.getSender(), required.closeJob)).transactions);
    ctx.trace.info(`job ${JobStateName[(await job.getJobState()).state]}, usage ${progress.usage} units; job keeps ${fromNano(await job.getBalance())} TON (storage reserve)`);
    return job;
}

/** A session: many requests served off chain with client-signed cumulative receipts, settled with one claim. */
export async function runSession(ctx: JobDemoContext, p: DemoProvider, requests: number) {
    ctx.trace.header(`Client opens a session and signs ${requests} cumulative usage receipts off chain`);
    const { job, required, state } = await createJob(ctx, p, toNano('5'), true, Buffer.from('session key exchange'));
    const book = new SessionReceipts(job.address, state.createdAt, ctx.clientKeys);
    let last: Cell | null = null;
    for (let i = 0; i < requests; i++) {
        const answer = createHash('sha256').update(`answer ${i}`).digest();
        last = book.record(1_000n + BigInt(i % 7) * 100n, commitment(answer)).signed;
    }
    ctx.trace.info(`${book.requests} requests, ${book.usage} units, result root ${book.resultRoot.toString(16).slice(0, 16)}…`);

    ctx.trace.header('The provider owner claims once with the latest receipt and closes the session');
    const claim = await job.sendClaimSession(p.owner.getSender(), required.claimSession, last!, true);
    const onChain = claim.transactions.filter((t) => t.inMessage?.info.type === 'internal').length;
    ctx.trace.transactions(claim.transactions);
    ctx.trace.info(`${requests} requests settled in ${onChain} on-chain transactions; job ${JobStateName[(await job.getJobState()).state]}`);
    return { job, transactions: onChain };
}

/** A provider accepts a job and never delivers: a keeper expires it and the bond is slashed. */
export async function runTimeoutSlash(ctx: JobDemoContext, p: DemoProvider, keeper: SandboxContract<TreasuryContract>) {
    ctx.trace.header('A second provider accepts a job and misses its deadline');
    const { job, required, terms } = await createJob(ctx, p, toNano('2'), false, Buffer.from('another encrypted prompt'), 600);
    ctx.blockchain.now! += 601;
    ctx.trace.header('A keeper expires the job: the client is refunded and the bond is slashed');
    ctx.trace.transactions((await job.sendExpire(keeper.getSender(), required.closeJob)).transactions);
    const record = await p.provider.getProviderJobs();
    ctx.trace.info(
        `job ${JobStateName[(await job.getJobState()).state]}; bond of ${fromNano(terms.bond)} TON slashed ` +
            `(client 50%, keeper 10%, treasury 40%); provider failed jobs: ${record.failed}, slashed ${fromNano(record.slashed)} TON`,
    );
    return job;
}
