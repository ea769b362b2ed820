/**
 * The worker's state file (`--state worker-state.json`): its keys, the scan
 * cursor over the provider's incoming offers, and one record per job.
 *
 * Written atomically (a temporary file in the same directory, fsync, rename):
 * after a crash the file is either the old or the new version, never a torn
 * one. The worker writes a record *before* each irreversible step (the signed
 * result before submitting it, the session answer before returning it), and
 * checks the job's on-chain state before acting on a record, so a restart
 * neither loses a paid job nor submits twice — nor signs a second, different
 * result for the same job (which would be equivocation).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'fs';
import path from 'path';
import { WorkerKeysJson } from './keys';

export const STATE_VERSION = 1;

export type JobPhase =
    /** Offered; the provider rejected it (or the client cancelled before acceptance). */
    | 'rejected'
    /** Accepted; waiting for the encrypted prompt (one-shot) or requests (session). */
    | 'accepted'
    /** One-shot: the signed result is recorded; it may or may not have been submitted yet. */
    | 'result-ready'
    /** One-shot: the result is on chain; waiting for confirmation or the challenge window. */
    | 'submitted'
    /** Session: serving requests. */
    | 'serving'
    /** Session: a closing claim was sent. */
    | 'claiming'
    /** Final (settled, resolved, expired, cancelled): nothing left to do. */
    | 'done';

export type ResultRecord = {
    /** Canonical bytes of the result envelope, hex. */
    envelope: string;
    /** The signed_result cell, BoC base64. */
    signedResult: string;
    commitment: string;
    usage: string;
    /** Set when the result says the prompt never arrived or could not be read (usage 0). */
    error?: string;
};

export type SessionRecord = {
    /** Highest request number served. */
    servedSeq: number;
    /** Sum of the usage of the requests served, units. */
    servedUsage: string;
    /** Running result root over the served answers (sdk/jobs.ts nextResultRoot), hex. */
    resultRoot: string;
    /** The last answer, kept so that a retried request gets the same signed answer. */
    answer?: { seq: number } & ResultRecord;
    /** The latest valid client receipt. */
    receipt?: { seq: number; cumulative: string; boc: string };
    /** The client asked to claim and close. */
    finalRequested?: boolean;
    /** Receipt seq of the last claim sent. */
    claimedSeq?: number;
};

export type JobRecord = {
    job: string;
    client: string;
    nonce: string;
    session: boolean;
    budget: string;
    deadline: number;
    createdAt: number;
    modelHash: string;
    /** Logical time of the offer_job transaction. */
    offerLt: string;
    phase: JobPhase;
    /** The client's ed25519 key (session receipts), hex. */
    clientKey?: string;
    /** Terms at acceptance. */
    price?: string;
    bond?: string;
    /** The sealed prompt (one-shot), hex, as the client delivered it. */
    request?: string;
    result?: ResultRecord;
    sessionProgress?: SessionRecord;
    /** Unix times of the last messages sent (not resent before RESEND_AFTER). */
    submitSentAt?: number;
    settleSentAt?: number;
    claimSentAt?: number;
    /** Final outcome, for the logs and totals. */
    outcome?: string;
    /** What the provider owner received, nanoton. */
    paid?: string;
};

export type WorkerState = {
    version: number;
    network: string;
    root: string;
    owner: string;
    provider?: string;
    keys: WorkerKeysJson;
    /** The last offer_job transaction scanned. */
    cursor: { lt: string; hash: string } | null;
    attestation?: { attestedAt: number; expiresAt: number; reattestSentAt?: number };
    jobs: Record<string, JobRecord>;
    totals: { jobs: number; served: number; earned: string };
};

export class StateFileError extends Error {}

/** Reads and atomically rewrites the state file. */
export class StateStore {
    constructor(readonly file: string) {}

    load(): WorkerState | null {
        if (!existsSync(this.file)) return null;
        let s: WorkerState;
        try {
            s = JSON.parse(readFileSync(this.file, 'utf8')) as WorkerState;
        } catch (e) {
            throw new StateFileError(`the state file ${this.file} is not valid JSON: ${(e as Error).message}`);
        }
        if (s.version !== STATE_VERSION) throw new StateFileError(`the state file ${this.file} has version ${s.version}, expected ${STATE_VERSION}`);
        return s;
    }

    /**
     * temp file + fsync + rename. The directory is fsynced too when the file is first created
     * (a rename over an existing file keeps a consistent old-or-new file across a crash; fsyncing
     * the directory on every write would cost ~2 ms per request of a session).
     */
    save(state: WorkerState): void {
        const dir = path.dirname(path.resolve(this.file));
        const created = !existsSync(this.file);
        if (created) mkdirSync(dir, { recursive: true });
        const tmp = path.join(dir, `.${path.basename(this.file)}.${process.pid}.tmp`);
        const data = Buffer.from(JSON.stringify(state));
        const fd = openSync(tmp, 'w', 0o600);
        try {
            let off = 0;
            while (off < data.length) off += writeSync(fd, data, off);
            fsyncSync(fd);
        } finally {
            closeSync(fd);
        }
        try {
            renameSync(tmp, this.file);
        } catch (e) {
            try {
                unlinkSync(tmp);
            } catch {
                // nothing to clean
            }
            throw e;
        }
        if (!created) return;
        try {
            const dfd = openSync(dir, 'r');
            try {
                fsyncSync(dfd);
            } finally {
                closeSync(dfd);
            }
        } catch {
            // directories cannot be fsynced on every platform
        }
    }
}

/** Keeps the newest `keep` finished jobs (the file must stay small). */
export function pruneFinished(state: WorkerState, keep = 200): void {
    const done = Object.values(state.jobs)
        .filter((j) => j.phase === 'done' || j.phase === 'rejected')
        .sort((a, b) => (BigInt(a.offerLt) < BigInt(b.offerLt) ? -1 : 1));
    for (const j of done.slice(0, Math.max(0, done.length - keep))) delete state.jobs[j.job];
}
