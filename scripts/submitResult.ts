import { NetworkProvider } from '@ton/blueprint';
import { Cell } from '@ton/core';
import { signVerify } from '@ton/crypto';
import { Job, signResult } from '../wrappers/Job';
import { bigintToBuffer, bufferToBigint, randomQueryId } from '../wrappers/common';
import { JobState, Op } from '../wrappers/constants';
import { loadSignedResult } from '../wrappers/generated/schema';
import {
    bitsToBigint,
    currentTime,
    exitNote,
    Flags,
    formatAddress,
    formatDuration,
    formatHash,
    formatTime,
    formatTon,
    JobFlags,
    jobReport,
    jobStateName,
    kindRefusal,
    maxUsage,
    OPERATOR_SECRET_ENV,
    openJob,
    parseBigUint,
    parseCellArg,
    paymentOf,
    readFileArg,
    refuseIf,
    runScript,
    ScriptSpec,
    secretKeyArg,
    sendJobMessage,
    sha256Commitment,
    stateRefusal,
    UINT32_MAX,
    UINT64_MAX,
    UsageError,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'submitResult',
    summary:
        "Submits the result of an accepted one-shot job (anyone may send it, e.g. the worker or the provider owner): a job_result " +
        "signed by the provider's operator key, over the SHA-256 of the encrypted result and the usage. Either signs it here " +
        `(--result, --usage and the operator secret from --operator-secret or $${OPERATOR_SECRET_ENV}, which keeps it out of ` +
        'the shell history) or sends one signed elsewhere (--signed).',
    flags: [
        JobFlags.job,
        { name: 'result', value: '<file>', help: 'the encrypted result (ciphertext); its SHA-256 is the result commitment' },
        { name: 'usage', value: '<n>', help: 'units of work used (capped on chain at budget / price)' },
        { name: 'seq', value: '<n>', help: 'sequence number signed into the result (default 0; a one-shot job accepts only 0)' },
        {
            name: 'operator-secret',
            value: '<hex>',
            help: `the operator's 64-byte ed25519 secret key (default: $${OPERATOR_SECRET_ENV}; prefer the variable: flags end up in the shell history)`,
        },
        { name: 'signed', value: '<file|hex>', help: 'a SignedResult cell signed elsewhere (BoC file or hex), instead of --result/--usage/--operator-secret' },
        Flags.dryRun,
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, testOnly } = ctx;
        const signedArg = a.optional('signed', parseCellArg);
        const resultFile = a.optional('result', (raw, flag) => ({ raw, bytes: readFileArg(raw, flag) }));
        const usageArg = a.optional('usage', parseBigUint(UINT64_MAX));
        const seqArg = a.optional('seq', parseBigUint(BigInt(UINT32_MAX)));
        if (signedArg && (resultFile || usageArg !== undefined || seqArg !== undefined || a.has('operator-secret'))) {
            throw new UsageError('--signed replaces --result, --usage, --seq and --operator-secret: give one or the other');
        }
        const { job, snap, required } = await openJob(ctx);
        let signed: Cell;
        let source: string;
        let signerKey: bigint | undefined;
        if (signedArg) {
            signed = signedArg;
            source = 'signed elsewhere (--signed)';
        } else {
            if (!resultFile) throw new UsageError('missing --result <file> (or --signed <file>)');
            if (usageArg === undefined) throw new UsageError('missing --usage <n>');
            const secret = secretKeyArg(a, 'operator-secret', OPERATOR_SECRET_ENV);
            if (!secret) throw new UsageError(`missing the operator secret: set $${OPERATOR_SECRET_ENV} or give --operator-secret`);
            signed = signResult(
                {
                    job: job.address,
                    createdAt: snap.state.createdAt,
                    seq: Number(seqArg ?? 0n),
                    resultCommitment: sha256Commitment(resultFile.bytes),
                    usage: usageArg,
                },
                secret.keys.secretKey,
            );
            signerKey = bufferToBigint(secret.keys.publicKey);
            source = `signed here with the operator key from ${secret.source} (SHA-256 of ${resultFile.raw}, ${resultFile.bytes.length} bytes)`;
        }

        let parsed;
        try {
            parsed = loadSignedResult(signed.beginParse());
        } catch (e) {
            throw new UsageError(`--signed: not a SignedResult (signature:bits512 result:^JobResult): ${(e as Error).message}`);
        }
        const r = parsed.result;
        const commitment = bitsToBigint(r.result_commitment);
        const now = currentTime();
        const refusals = [...stateRefusal(snap, [JobState.accepted]), ...kindRefusal(snap, false)];
        if (snap.state.state === JobState.accepted && now > snap.state.deadline) {
            refusals.push(`the deadline ${formatTime(snap.state.deadline)} has passed (${exitNote('deadlinePassed')}); the job can only expire now`);
        }
        if (snap.terms.accepted) {
            const signature = signed.beginParse().loadBuffer(64);
            if (signerKey !== undefined && signerKey !== snap.terms.operatorKey) {
                refusals.push(
                    `the operator secret belongs to public key ${formatHash(signerKey)}, not to the job's operator key ${formatHash(snap.terms.operatorKey)} (${exitNote('badSignature')})`,
                );
            } else if (!signVerify(signed.refs[0].hash(), signature, bigintToBuffer(snap.terms.operatorKey))) {
                refusals.push(`the result is not signed by the job's operator key ${formatHash(snap.terms.operatorKey)} (${exitNote('badSignature')})`);
            }
        }
        if (!r.job.equals(job.address)) refusals.push(`the result is for job ${formatAddress(r.job, testOnly)}, not this one (${exitNote('wrongJob')})`);
        if (r.created_at !== snap.state.createdAt) {
            refusals.push(`the result is for created_at ${r.created_at}, the job was created at ${snap.state.createdAt} (${exitNote('wrongJob')})`);
        }
        if (r.seq !== 0) refusals.push(`the result has seq ${r.seq}; a one-shot job accepts seq 0 only (${exitNote('wrongJob')})`);
        refuseIf('submit_result', refusals);

        const cap = maxUsage(snap);
        const usage = r.usage < cap ? r.usage : cap;
        const pay = paymentOf(usage, snap.terms.price, snap.terms.feeBps);
        const queryId = randomQueryId();
        const after = await sendJobMessage(ctx, job, required, {
            action: 'submit_result',
            opcode: Op.submitResult,
            queryId,
            body: Job.submitResultMessage(signed, queryId),
            required: 'submitResult',
            fields: [
                ['result', source],
                ['result commitment', formatHash(commitment)],
                ['usage', r.usage > cap ? `${r.usage} units, capped on chain at ${cap} (budget / price)` : `${r.usage} units`],
                ['payment if confirmed', `${formatTon(pay.amount)} (owner ${formatTon(pay.owner)}, protocol fee ${formatTon(pay.fee)})`],
                ['signature', `by operator key ${formatHash(snap.terms.operatorKey)}`],
                ['deadline', formatTime(snap.state.deadline)],
            ],
            done: (s) => s.state.state !== JobState.accepted,
            what: 'the result to be recorded',
        });
        if (!after) return;
        if (after.state.state !== JobState.submitted || after.progress.resultCommitment !== commitment) {
            ctx.print(...jobReport(after, currentTime(), testOnly));
            throw new Error(`the job is ${jobStateName(after.state.state)} without this result: another message changed it first`);
        }
        const window = after.terms.challengeWindow;
        ctx.print(
            `Submitted. The client may confirm, or dispute within ${formatDuration(window)} (until ${formatTime(after.state.timer + window - 1)}); ` +
                `after that anyone may settle (from ${formatTime(after.state.timer + window)}).`,
            ...jobReport(after, currentTime(), testOnly),
        );
    });
}
