import { NetworkProvider } from '@ton/blueprint';
import { signVerify } from '@ton/crypto';
import { Job } from '../wrappers/Job';
import { bigintToBuffer, randomQueryId } from '../wrappers/common';
import { JobState, Op } from '../wrappers/constants';
import { loadSignedReceipt } from '../wrappers/generated/schema';
import {
    bitsToBigint,
    currentTime,
    exitNote,
    Flags,
    formatAddress,
    formatHash,
    formatTon,
    JobFlags,
    jobReport,
    kindRefusal,
    maxUsage,
    openJob,
    parseCellArg,
    paymentOf,
    refuseIf,
    runScript,
    ScriptSpec,
    sendJobMessage,
    senderAddress,
    stateRefusal,
    UsageError,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'claimSession',
    summary:
        'Claims payment for a session with the latest client-signed usage receipt (signReceipt): pays the usage above what ' +
        'was already paid. Anyone may claim; with --close only the provider owner, and the session is then settled (the ' +
        'bond released, the rest of the budget back to the client).',
    flags: [
        JobFlags.job,
        { name: 'receipt', value: '<file|hex>', help: 'the SignedReceipt BoC (file or hex) from signReceipt', required: true },
        { name: 'close', help: 'also close and settle the session (provider owner only)' },
        Flags.dryRun,
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, testOnly } = ctx;
        const cell = a.required('receipt', parseCellArg);
        const close = a.has('close');
        let parsed;
        try {
            parsed = loadSignedReceipt(cell.beginParse());
        } catch (e) {
            throw new UsageError(`--receipt: not a SignedReceipt (signature:bits512 receipt:^UsageReceipt): ${(e as Error).message}`);
        }
        const r = parsed.receipt;
        const { job, snap, required } = await openJob(ctx);
        const refusals = [...kindRefusal(snap, true)];
        if (refusals.length === 0) refusals.push(...stateRefusal(snap, [JobState.accepted, JobState.closing]));
        if (close && !ctx.dryRun && snap.terms.owner && !senderAddress(provider).equals(snap.terms.owner)) {
            refusals.push(
                `--close may only be sent by the provider owner ${formatAddress(snap.terms.owner, testOnly)}; the sender is ${formatAddress(senderAddress(provider), testOnly)} (${exitNote('notRootOrOwner')})`,
            );
        }
        const signature = cell.beginParse().loadBuffer(64);
        if (!signVerify(cell.refs[0].hash(), signature, bigintToBuffer(snap.request.clientKey))) {
            refusals.push(`the receipt is not signed by the job's client key ${formatHash(snap.request.clientKey)} (${exitNote('badSignature')})`);
        }
        if (!r.job.equals(job.address)) refusals.push(`the receipt is for job ${formatAddress(r.job, testOnly)}, not this one (${exitNote('wrongJob')})`);
        if (r.created_at !== snap.state.createdAt) {
            refusals.push(`the receipt is for created_at ${r.created_at}; the job was created at ${snap.state.createdAt} (${exitNote('wrongJob')})`);
        }
        if (r.seq <= snap.progress.seq) refusals.push(`receipt seq ${r.seq} is not above the last claimed seq ${snap.progress.seq} (${exitNote('staleReceipt')})`);
        const cap = maxUsage(snap);
        const cumulative = r.cumulative_usage < cap ? r.cumulative_usage : cap;
        if (cumulative < snap.progress.paidUsage) {
            refusals.push(`cumulative usage ${cumulative} is below the ${snap.progress.paidUsage} units already paid (${exitNote('badUsage')})`);
        }
        refuseIf('claim_session', refusals);

        const delta = cumulative - snap.progress.paidUsage;
        const pay = paymentOf(delta, snap.terms.price, snap.terms.feeBps);
        const queryId = randomQueryId();
        const after = await sendJobMessage(ctx, job, required, {
            action: 'claim_session',
            opcode: Op.claimSession,
            queryId,
            body: Job.claimSessionMessage(cell, close, queryId),
            required: 'claimSession',
            fields: [
                ['receipt seq', `${r.seq} (last claimed ${snap.progress.seq})`],
                ['cumulative usage', r.cumulative_usage > cap ? `${r.cumulative_usage}, capped at ${cap} (budget / price)` : String(r.cumulative_usage)],
                ['result root', formatHash(bitsToBigint(r.result_root))],
                ['already paid', `${snap.progress.paidUsage} units`],
                ['payment', `${delta} units: ${formatTon(pay.amount)} (owner ${formatTon(pay.owner)}, protocol fee ${formatTon(pay.fee)})`],
                ['close', close ? 'yes: settle the session after paying' : 'no'],
            ],
            done: (s) => s.progress.seq >= r.seq || s.state.state === JobState.settled,
            what: 'the claim to be paid',
        });
        if (!after) return;
        ctx.print(
            `Claimed: ${delta} units paid (${formatTon(pay.owner)} to the owner)${close ? '; the session is settled' : ''}.`,
            ...jobReport(after, currentTime(), testOnly),
        );
    });
}
