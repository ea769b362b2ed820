import { NetworkProvider } from '@ton/blueprint';
import { Root } from '../wrappers/Root';
import { Job } from '../wrappers/Job';
import { randomQueryId } from '../wrappers/common';
import { JobState, JobStateName, Op, ParamBounds } from '../wrappers/constants';
import {
    exitNote,
    Flags,
    formatAddress,
    formatBps,
    formatHash,
    formatTime,
    formatTon,
    openRoot,
    parseAddress,
    parseBigUint,
    parseChoice,
    parseTonOrZero,
    PreflightError,
    requireSender,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    UINT64_MAX,
    UsageError,
    waitFor,
    withMargin,
} from '../tools/cli';

const SIDES = ['client', 'provider'] as const;

export const spec: ScriptSpec = {
    name: 'resolveDispute',
    summary:
        "Governance's verdict on a disputed job, within its arbitration period: for the client (refund, and a slash " +
        "of the provider's bond capped by the dispute slash cap) or for the provider (it is paid as if confirmed).",
    flags: [
        Flags.root,
        { name: 'client', value: '<address>', help: "the job's client", required: true },
        { name: 'nonce', value: '<n>', help: "the job's nonce (the job address derives from root, client and nonce)", required: true },
        { name: 'for', value: `<${SIDES.join('|')}>`, help: 'who wins the dispute', required: true },
        { name: 'slash', value: '<TON>', help: "with --for client: how much of the provider's bond to slash (default 0)" },
        Flags.dryRun,
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const client = a.required('client', parseAddress);
        const nonce = a.required('nonce', parseBigUint(UINT64_MAX));
        const side = a.required('for', parseChoice(SIDES));
        const slash = a.optional('slash', parseTonOrZero);
        if (slash !== undefined && side === 'provider') throw new UsageError('--slash only applies with --for client');
        const root = await openRoot(ctx);
        const [data, required, jobParams, jobAddress] = await Promise.all([
            root.getRootData(),
            root.getRequiredValues(),
            root.getJobParams(),
            root.getJobAddress(client, nonce),
        ]);
        if (!ctx.dryRun) requireSender(senderAddress(provider), [{ who: 'governance', address: data.governance }], 'resolve_dispute');
        if (!(await provider.isContractDeployed(jobAddress))) throw new PreflightError(`no job of this client and nonce exists (${jobAddress.toString()})`);
        const job = provider.open(Job.createFromAddress(jobAddress));
        const [state, parties, terms, progress] = await Promise.all([job.getJobState(), job.getJobParties(), job.getJobTerms(), job.getJobProgress()]);
        if (state.state !== JobState.disputed) {
            throw new PreflightError(`the job is ${JobStateName[state.state] ?? state.state}, not disputed; it would refuse the verdict (${exitNote('jobWrongState')})`);
        }
        const cap = (terms.bond * BigInt(jobParams.disputeSlashCapBps)) / BigInt(ParamBounds.bps);
        const slashAmount = slash ?? 0n;
        const { value, note } = withMargin(required.resolveDispute);
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.resolveDispute,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: root.address,
                toLabel: 'root',
                value,
                valueNote: note,
                fields: [
                    ['job', formatAddress(jobAddress, testOnly)],
                    ['client', formatAddress(client, testOnly)],
                    ['nonce', String(nonce)],
                    ['provider', parties.provider ? formatAddress(parties.provider, testOnly) : '-'],
                    ['budget', formatTon(state.budget)],
                    ['bond', formatTon(terms.bond)],
                    ['dispute reason hash', formatHash(progress.reasonHash)],
                    ['arbitration deadline', formatTime(state.timer)],
                    ['verdict', `for the ${side}`],
                    ...(side === 'client'
                        ? ([
                              ['slash asked', formatTon(slashAmount)],
                              ['slash applied', `${formatTon(slashAmount < cap ? slashAmount : cap)} (capped at ${formatBps(jobParams.disputeSlashCapBps)} of the bond)`],
                          ] as [string, string][])
                        : []),
                ],
            },
            Root.resolveDisputeMessage(client, nonce, side === 'client', slashAmount, randomQueryId()),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        const final = await waitFor(
            ctx.ui,
            'the verdict to reach the job',
            async () => {
                const s = await job.getJobState();
                return s.state === JobState.disputed ? undefined : s.state;
            },
            `The job is still disputed: the job refuses a verdict after its arbitration deadline ${formatTime(state.timer)} (${exitNote('windowClosed')}).`,
        );
        print(`The job is now ${JobStateName[final] ?? final}.`, `  job: ${formatAddress(jobAddress, testOnly)}`);
    });
}
