import { Address, beginCell, Cell, Contract, contractAddress, ContractProvider, Sender, SendMode } from '@ton/core';
import { sign } from '@ton/crypto';
import { JobState, Op, Tag } from './constants';
import { randomQueryId } from './common';
import { JobParams, jobParamsFromCell } from './Root';

/** The job's state init data: (root, client, nonce, state = uninit). Its address derives from it. */
export type JobConfig = { root: Address; client: Address; nonce: bigint };

export function jobConfigToCell(c: JobConfig): Cell {
    return beginCell()
        .storeAddress(c.root)
        .storeAddress(c.client)
        .storeUint(c.nonce, 64)
        .storeUint(JobState.uninit, 4)
        .endCell();
}

export type CreateJobOptions = {
    /** The most the client pays (nanoton); held in escrow. */
    budget: bigint;
    /** Unix time by which a one-shot result is due, or a session ends. */
    deadline: number;
    session: boolean;
    /** The client's ed25519 public key (signs session usage receipts); 32 bytes. */
    clientKey: Buffer;
    provider: Address;
    modelHash: bigint;
    /** The highest price per unit the client accepts. */
    maxPrice: bigint;
    /** SHA-256 of the encrypted request (the ciphertext travels off chain). */
    requestCommitment: bigint;
};

/** A result the worker signs with the operator key (TL-B job_result). */
export type JobResultFields = {
    job: Address;
    createdAt: number;
    seq: number;
    resultCommitment: bigint;
    usage: bigint;
};

/** A session receipt the client signs (TL-B usage_receipt). */
export type UsageReceiptFields = {
    job: Address;
    createdAt: number;
    seq: number;
    cumulativeUsage: bigint;
    resultRoot: bigint;
};

export function jobResultCell(r: JobResultFields): Cell {
    return beginCell()
        .storeUint(Tag.jobResult, 32)
        .storeAddress(r.job)
        .storeUint(r.createdAt, 32)
        .storeUint(r.seq, 32)
        .storeUint(r.resultCommitment, 256)
        .storeUint(r.usage, 64)
        .endCell();
}

export function usageReceiptCell(r: UsageReceiptFields): Cell {
    return beginCell()
        .storeUint(Tag.usageReceipt, 32)
        .storeAddress(r.job)
        .storeUint(r.createdAt, 32)
        .storeUint(r.seq, 32)
        .storeUint(r.cumulativeUsage, 64)
        .storeUint(r.resultRoot, 256)
        .endCell();
}

/** signed_result / signed_receipt: an ed25519 signature over the payload cell's hash, then the payload. */
export function signPayload(payload: Cell, secretKey: Buffer): Cell {
    return beginCell().storeBuffer(sign(payload.hash(), secretKey)).storeRef(payload).endCell();
}

export function signResult(r: JobResultFields, operatorSecretKey: Buffer): Cell {
    return signPayload(jobResultCell(r), operatorSecretKey);
}

export function signReceipt(r: UsageReceiptFields, clientSecretKey: Buffer): Cell {
    return signPayload(usageReceiptCell(r), clientSecretKey);
}

export type JobStateView = {
    state: number;
    session: boolean;
    budget: bigint;
    deadline: number;
    createdAt: number;
    /** submitted_at, the arbitration deadline or close_at, by state. */
    timer: number;
};

export type JobTermsView = {
    accepted: boolean;
    price: bigint;
    bond: bigint;
    operatorKey: bigint;
    owner: Address | null;
    feeBps: number;
    challengeWindow: number;
};

export type JobProgressView = {
    resultCommitment: bigint;
    usage: bigint;
    seq: number;
    paidUsage: bigint;
    reasonHash: bigint;
};

export class Job implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: { code: Cell; data: Cell },
    ) {}

    static createFromAddress(address: Address) {
        return new Job(address);
    }

    /** The job of (root, client, nonce) — the same address the provider and the root derive. */
    static createFromConfig(config: JobConfig, code: Cell, workchain = 0) {
        const data = jobConfigToCell(config);
        const init = { code, data };
        return new Job(contractAddress(workchain, init), init);
    }

    // ---- message bodies ----

    static createJobMessage(o: CreateJobOptions, queryId = 0n): Cell {
        if (o.clientKey.length !== 32) throw new Error('clientKey must be a 32-byte ed25519 public key');
        return beginCell()
            .storeUint(Op.createJob, 32)
            .storeUint(queryId, 64)
            .storeCoins(o.budget)
            .storeUint(o.deadline, 32)
            .storeBit(o.session)
            .storeBuffer(o.clientKey)
            .storeRef(
                beginCell()
                    .storeAddress(o.provider)
                    .storeUint(o.modelHash, 256)
                    .storeCoins(o.maxPrice)
                    .storeUint(o.requestCommitment, 256)
                    .endCell(),
            )
            .endCell();
    }

    static simpleMessage(op: number, queryId = 0n): Cell {
        return beginCell().storeUint(op, 32).storeUint(queryId, 64).endCell();
    }

    static submitResultMessage(signedResult: Cell, queryId = 0n): Cell {
        return beginCell().storeUint(Op.submitResult, 32).storeUint(queryId, 64).storeRef(signedResult).endCell();
    }

    static disputeMessage(reasonHash: bigint, queryId = 0n): Cell {
        return beginCell().storeUint(Op.disputeJob, 32).storeUint(queryId, 64).storeUint(reasonHash, 256).endCell();
    }

    static claimSessionMessage(signedReceipt: Cell, close: boolean, queryId = 0n): Cell {
        return beginCell()
            .storeUint(Op.claimSession, 32)
            .storeUint(queryId, 64)
            .storeBit(close)
            .storeRef(signedReceipt)
            .endCell();
    }

    // ---- senders ----

    async sendBody(provider: ContractProvider, via: Sender, value: bigint, body: Cell) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
    }

    /** Deploys the job with its budget; `value` must cover budget + Root.getJobRequiredValues().createJob. */
    async sendCreate(provider: ContractProvider, via: Sender, value: bigint, opts: CreateJobOptions) {
        // create_job deploys the job: it must carry the state init (use createFromConfig, not createFromAddress).
        if (!this.init) throw new Error('Job.sendCreate needs the state init: open the job with Job.createFromConfig');
        await this.sendBody(provider, via, value, Job.createJobMessage(opts, randomQueryId()));
    }

    async sendCancel(provider: ContractProvider, via: Sender, value: bigint) {
        await this.sendBody(provider, via, value, Job.simpleMessage(Op.cancelJob, randomQueryId()));
    }

    async sendSubmitResult(provider: ContractProvider, via: Sender, value: bigint, signedResult: Cell) {
        await this.sendBody(provider, via, value, Job.submitResultMessage(signedResult, randomQueryId()));
    }

    async sendConfirm(provider: ContractProvider, via: Sender, value: bigint) {
        await this.sendBody(provider, via, value, Job.simpleMessage(Op.confirmResult, randomQueryId()));
    }

    async sendDispute(provider: ContractProvider, via: Sender, value: bigint, reasonHash: bigint) {
        await this.sendBody(provider, via, value, Job.disputeMessage(reasonHash, randomQueryId()));
    }

    async sendSettle(provider: ContractProvider, via: Sender, value: bigint) {
        await this.sendBody(provider, via, value, Job.simpleMessage(Op.settleJob, randomQueryId()));
    }

    async sendExpire(provider: ContractProvider, via: Sender, value: bigint) {
        await this.sendBody(provider, via, value, Job.simpleMessage(Op.expireJob, randomQueryId()));
    }

    async sendClaimSession(provider: ContractProvider, via: Sender, value: bigint, signedReceipt: Cell, close = false) {
        await this.sendBody(provider, via, value, Job.claimSessionMessage(signedReceipt, close, randomQueryId()));
    }

    async sendCloseSession(provider: ContractProvider, via: Sender, value: bigint) {
        await this.sendBody(provider, via, value, Job.simpleMessage(Op.closeSession, randomQueryId()));
    }

    // ---- getters ----

    async getJobState(provider: ContractProvider): Promise<JobStateView> {
        const r = (await provider.get('get_job_state', [])).stack;
        return {
            state: r.readNumber(),
            session: r.readBoolean(),
            budget: r.readBigNumber(),
            deadline: r.readNumber(),
            createdAt: r.readNumber(),
            timer: r.readNumber(),
        };
    }

    async getJobParties(
        provider: ContractProvider,
    ): Promise<{ root: Address; client: Address; nonce: bigint; provider: Address | null }> {
        const r = (await provider.get('get_job_parties', [])).stack;
        return { root: r.readAddress(), client: r.readAddress(), nonce: r.readBigNumber(), provider: r.readAddressOpt() };
    }

    async getJobRequest(
        provider: ContractProvider,
    ): Promise<{ modelHash: bigint; maxPrice: bigint; requestCommitment: bigint; clientKey: bigint }> {
        const r = (await provider.get('get_job_request', [])).stack;
        return {
            modelHash: r.readBigNumber(),
            maxPrice: r.readBigNumber(),
            requestCommitment: r.readBigNumber(),
            clientKey: r.readBigNumber(),
        };
    }

    async getJobTerms(provider: ContractProvider): Promise<JobTermsView> {
        const r = (await provider.get('get_job_terms', [])).stack;
        return {
            accepted: r.readBoolean(),
            price: r.readBigNumber(),
            bond: r.readBigNumber(),
            operatorKey: r.readBigNumber(),
            owner: r.readAddressOpt(),
            feeBps: r.readNumber(),
            challengeWindow: r.readNumber(),
        };
    }

    /** The JobParams the job was accepted under, or null before acceptance. */
    async getJobParams(provider: ContractProvider): Promise<JobParams | null> {
        const c = (await provider.get('get_job_params', [])).stack.readCellOpt();
        return c ? jobParamsFromCell(c) : null;
    }

    async getJobProgress(provider: ContractProvider): Promise<JobProgressView> {
        const r = (await provider.get('get_job_progress', [])).stack;
        return {
            resultCommitment: r.readBigNumber(),
            usage: r.readBigNumber(),
            seq: r.readNumber(),
            paidUsage: r.readBigNumber(),
            reasonHash: r.readBigNumber(),
        };
    }

    async getBalance(provider: ContractProvider): Promise<bigint> {
        return (await provider.getState()).balance;
    }
}
