/**
 * Results as the worker delivers them off chain, and their verification: the
 * envelope must hash to the commitment the operator signed (and, for a
 * one-shot job, to the commitment recorded on chain), and the signature must
 * verify under the job's operator key — the attested key the provider locked
 * in when it accepted the job.
 */
import { Address, beginCell, Cell } from '@ton/core';
import { ed25519 } from '@noble/curves/ed25519';
import { Job, jobResultCell, JobResultFields } from '../wrappers/Job';
import { JobState, JobStateName, Tag } from '../wrappers/constants';
import { bigintToBuffer } from '../wrappers/common';
import { ChainAccess } from './chain';
import { envelopeCommitment } from './envelope';
import { ResultVerificationError } from './errors';

/** What the worker hands back for request `seq` of `job` (seq 0: a one-shot job). */
export type ResultDelivery = {
    job: Address;
    seq: number;
    /** The canonical bytes of the result envelope. */
    envelope: Buffer;
    /** The signed_result cell (operator signature over job_result), exactly as submitted on chain. */
    signedResult: Cell;
};

export type ParsedSignedResult = { signature: Buffer; payload: Cell; fields: JobResultFields };

/** Decodes a `signed_result` cell (signature:bits512 result:^JobResult); throws MALFORMED_RESULT. */
export function parseSignedResult(signed: Cell): ParsedSignedResult {
    try {
        const s = signed.beginParse();
        const signature = s.loadBuffer(64);
        const payload = s.loadRef();
        s.endParse();
        const p = payload.beginParse();
        if (p.loadUint(32) !== Tag.jobResult) throw new Error('not a job_result tag');
        const fields: JobResultFields = {
            job: p.loadAddress(),
            createdAt: p.loadUint(32),
            seq: p.loadUint(32),
            resultCommitment: p.loadUintBig(256),
            usage: p.loadUintBig(64),
        };
        p.endParse();
        if (!jobResultCell(fields).hash().equals(payload.hash())) throw new Error('non-canonical job_result');
        return { signature, payload, fields };
    } catch (e) {
        throw new ResultVerificationError('MALFORMED_RESULT', `not a signed job_result: ${(e as Error).message}`);
    }
}

/**
 * The `signed_result` / `signed_receipt` layout of wrappers/Job.ts `signPayload` (signature:bits512
 * payload:^Cell), signed with @noble's ed25519 (about 4x faster than tweetnacl; ed25519 signatures
 * are deterministic, so the cell is bit-for-bit the one `signPayload` builds — tests/sdk.spec.ts
 * checks it). `secretKey` is the 64-byte @ton/crypto secret key (seed || public key).
 */
export function signPayloadCell(payload: Cell, secretKey: Buffer): Cell {
    if (secretKey.length !== 64) throw new Error('expected a 64-byte ed25519 secret key (seed || public key)');
    const signature = Buffer.from(ed25519.sign(payload.hash(), secretKey.subarray(0, 32)));
    return beginCell().storeBuffer(signature).storeRef(payload).endCell();
}

/** ed25519 (RFC 8032, strict) over a payload cell's representation hash, as the contracts check it. */
export function verifyCellSignature(payload: Cell, signature: Buffer, publicKey: Buffer): boolean {
    try {
        return ed25519.verify(signature, payload.hash(), publicKey, { zip215: false });
    } catch {
        return false;
    }
}

/**
 * Off-chain checks of a delivered result: the signed payload is for (job, createdAt, seq),
 * commits to this envelope, and is signed by `operatorKey`. Returns the signed usage.
 */
export function checkSignedResult(
    delivery: ResultDelivery,
    expect: { createdAt: number; operatorKey: Buffer },
): { usage: bigint; commitment: bigint } {
    const { signature, payload, fields } = parseSignedResult(delivery.signedResult);
    if (!fields.job.equals(delivery.job) || fields.createdAt !== expect.createdAt || fields.seq !== delivery.seq) {
        throw new ResultVerificationError(
            'WRONG_JOB',
            `the result is signed for ${fields.job.toString()} (created ${fields.createdAt}) request ${fields.seq}, ` +
                `not ${delivery.job.toString()} (created ${expect.createdAt}) request ${delivery.seq}`,
        );
    }
    const commitment = envelopeCommitment(delivery.envelope);
    if (commitment !== fields.resultCommitment) {
        throw new ResultVerificationError('COMMITMENT_MISMATCH', 'the delivered envelope does not hash to the signed result commitment');
    }
    if (!verifyCellSignature(payload, signature, expect.operatorKey)) {
        throw new ResultVerificationError('BAD_OPERATOR_SIGNATURE', `the result signature does not verify under operator key ${expect.operatorKey.toString('hex')}`);
    }
    return { usage: fields.usage, commitment };
}

export type VerifiedResult = {
    usage: bigint;
    commitment: bigint;
    state: number;
    operatorKey: Buffer;
    price: bigint;
};

/**
 * Verifies a one-shot job's delivered result against the chain: the job holds a result
 * (submitted, disputed, settled or resolved), its on-chain commitment equals the envelope's,
 * its usage equals the signed usage (capped at budget / price as the contract caps it), and
 * the signature verifies under the job's operator key — which, when `attestedOperatorKey`
 * is given, must be that key.
 *
 * @throws ResultVerificationError naming the check that failed.
 */
export async function verifyDeliveredResult(
    chain: ChainAccess,
    delivery: ResultDelivery,
    opts: { attestedOperatorKey?: Buffer } = {},
): Promise<VerifiedResult> {
    const job = chain.open(Job.createFromAddress(delivery.job));
    const state = await job.getJobState();
    const holdsResult: number[] = [JobState.submitted, JobState.disputed, JobState.settled, JobState.resolved];
    if (state.session || !holdsResult.includes(state.state)) {
        throw new ResultVerificationError(
            'NO_RESULT_ON_CHAIN',
            `job ${delivery.job.toString()} is ${state.session ? 'a session' : JobStateName[state.state]}: no one-shot result on chain`,
        );
    }
    const terms = await job.getJobTerms();
    const progress = await job.getJobProgress();
    const operatorKey = bigintToBuffer(terms.operatorKey);
    if (opts.attestedOperatorKey && !opts.attestedOperatorKey.equals(operatorKey)) {
        throw new ResultVerificationError(
            'OPERATOR_KEY_MISMATCH',
            `the job was accepted under operator key ${operatorKey.toString('hex')}, not the attested ${opts.attestedOperatorKey.toString('hex')}`,
        );
    }
    const commitment = envelopeCommitment(delivery.envelope);
    if (commitment !== progress.resultCommitment) {
        throw new ResultVerificationError(
            'COMMITMENT_MISMATCH',
            `the delivered result hashes to ${commitment.toString(16).padStart(64, '0')}, the job committed to ` +
                `${progress.resultCommitment.toString(16).padStart(64, '0')}`,
        );
    }
    const checked = checkSignedResult(delivery, { createdAt: state.createdAt, operatorKey });
    const cap = terms.price > 0n ? state.budget / terms.price : checked.usage;
    const capped = checked.usage < cap ? checked.usage : cap;
    if (capped !== progress.usage) {
        throw new ResultVerificationError('USAGE_MISMATCH', `signed usage ${checked.usage} (capped ${capped}), on chain ${progress.usage}`);
    }
    return { usage: progress.usage, commitment, state: state.state, operatorKey, price: terms.price };
}

// ---- wire form (JSON) ----

export type ResultDeliveryJson = { job: string; seq: number; envelope: string; signedResult: string };

export function deliveryToJson(d: ResultDelivery): ResultDeliveryJson {
    return {
        job: d.job.toRawString(),
        seq: d.seq,
        envelope: d.envelope.toString('base64'),
        signedResult: d.signedResult.toBoc().toString('base64'),
    };
}

export function deliveryFromJson(j: ResultDeliveryJson): ResultDelivery {
    if (!j || typeof j.job !== 'string' || !Number.isInteger(j.seq) || typeof j.envelope !== 'string' || typeof j.signedResult !== 'string') {
        throw new ResultVerificationError('MALFORMED_RESULT', 'malformed result delivery');
    }
    return {
        job: Address.parse(j.job),
        seq: j.seq,
        envelope: Buffer.from(j.envelope, 'base64'),
        signedResult: Cell.fromBoc(Buffer.from(j.signedResult, 'base64'))[0],
    };
}
