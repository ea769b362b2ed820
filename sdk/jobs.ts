/**
 * Client-side job helpers: everything an integrator needs besides the
 * wrappers' senders — job addresses and funding, commitments of encrypted
 * payloads, result verification, and a session receipt book that signs
 * cumulative usage receipts in order.
 */
import { Address, Cell } from '@ton/core';
import { KeyPair, signVerify } from '@ton/crypto';
import { createHash, randomBytes } from 'crypto';
import { Job, jobResultCell, usageReceiptCell, UsageReceiptFields } from '../wrappers/Job';
import { signPayloadCell } from './results';
import { JobRequiredValues } from '../wrappers/Root';

/** SHA-256 of a payload (an encrypted request or result) as the uint256 the contracts store. */
export function commitment(payload: Buffer | Uint8Array): bigint {
    return BigInt('0x' + createHash('sha256').update(payload).digest('hex'));
}

/** A fresh random 64-bit job nonce (the job's address is a function of root, client and nonce). */
export function randomNonce(): bigint {
    return randomBytes(8).readBigUInt64BE();
}

/** The job contract of (root, client, nonce), ready to be deployed with `sendCreate`. */
export function jobFor(root: Address, client: Address, nonce: bigint, jobCode: Cell): Job {
    return Job.createFromConfig({ root, client, nonce }, jobCode);
}

/** What `create_job` must carry: the budget plus the job's overhead (from the root's getter). */
export function createJobValue(budget: bigint, required: JobRequiredValues): bigint {
    return budget + required.createJob;
}

/** The bond a provider locks for a budget under the given params. */
export function bondFor(budget: bigint, params: { bondBps: number; bondFloor: bigint }): bigint {
    const proportional = (budget * BigInt(params.bondBps)) / 10_000n;
    return proportional > params.bondFloor ? proportional : params.bondFloor;
}

/** Payment split of `usage` units: what the owner and the treasury receive. */
export function paymentFor(usage: bigint, price: bigint, feeBps: number): { amount: bigint; fee: bigint; owner: bigint } {
    const amount = usage * price;
    const fee = (amount * BigInt(feeBps)) / 10_000n;
    return { amount, fee, owner: amount - fee };
}

/**
 * Checks a result the worker delivered off chain against what the job
 * recorded: the ciphertext hashes to the on-chain commitment, and the
 * operator signature over (job, created_at, seq, commitment, usage) is valid.
 */
export function verifyResult(opts: {
    job: Address;
    createdAt: number;
    seq: number;
    ciphertext: Buffer;
    usage: bigint;
    signature: Buffer;
    operatorKey: Buffer;
    onChainCommitment?: bigint;
}): boolean {
    const c = commitment(opts.ciphertext);
    if (opts.onChainCommitment !== undefined && c !== opts.onChainCommitment) return false;
    const cell = jobResultCell({ job: opts.job, createdAt: opts.createdAt, seq: opts.seq, resultCommitment: c, usage: opts.usage });
    return signVerify(cell.hash(), opts.signature, opts.operatorKey);
}

/**
 * The running result root of a session after one more request:
 * SHA-256(previous root (32 bytes) || result commitment (32 bytes)), starting from 0.
 * The worker recomputes it to check the receipts it is given.
 */
export function nextResultRoot(previous: bigint, resultCommitment: bigint): bigint {
    return BigInt(
        '0x' +
            createHash('sha256')
                .update(Buffer.from(previous.toString(16).padStart(64, '0'), 'hex'))
                .update(Buffer.from(resultCommitment.toString(16).padStart(64, '0'), 'hex'))
                .digest('hex'),
    );
}

/**
 * A session's receipt book (client side): each served request adds its
 * usage and result to a running root, and the client signs the cumulative
 * receipt. Only the latest receipt matters on chain, so settling N requests
 * costs one claim whatever N.
 */
export class SessionReceipts {
    private seq = 0;
    private cumulative = 0n;
    private root = 0n;

    constructor(
        readonly job: Address,
        readonly createdAt: number,
        private readonly clientKeys: KeyPair,
    ) {}

    /** Records one served request and returns the signed receipt (TL-B signed_receipt). */
    record(usage: bigint, resultCommitment: bigint): { receipt: UsageReceiptFields; signed: Cell } {
        if (usage < 0n) throw new Error('usage must be non-negative');
        this.seq += 1;
        this.cumulative += usage;
        this.root = nextResultRoot(this.root, resultCommitment);
        const receipt = { job: this.job, createdAt: this.createdAt, seq: this.seq, cumulativeUsage: this.cumulative, resultRoot: this.root };
        // The same cell as wrappers/Job.ts signReceipt (deterministic ed25519), signed faster.
        return { receipt, signed: signPayloadCell(usageReceiptCell(receipt), this.clientKeys.secretKey) };
    }

    get requests(): number {
        return this.seq;
    }

    get usage(): bigint {
        return this.cumulative;
    }

    get resultRoot(): bigint {
        return this.root;
    }
}
