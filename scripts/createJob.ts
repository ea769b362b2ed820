import { NetworkProvider } from '@ton/blueprint';
import { Address, beginCell, OpenedContract, storeStateInit } from '@ton/core';
import { Job } from '../wrappers/Job';
import { Provider } from '../wrappers/Provider';
import { randomQueryId } from '../wrappers/common';
import { JobState, Op, ProviderState } from '../wrappers/constants';
import {
    currentTime,
    ED25519_PUBLIC_BYTES,
    exitCodeNote,
    exitNote,
    Flags,
    formatAddress,
    formatBps,
    formatDuration,
    formatHash,
    formatTime,
    formatTon,
    inboundOp,
    jobReport,
    lastLt,
    openRoot,
    parseAddress,
    parseBigUint,
    parseDeadline,
    parseEd25519Public,
    parseHash,
    parseNanoton,
    parseTon,
    PreflightError,
    providerJobParams,
    providerStateName,
    readFileArg,
    readJob,
    runScript,
    ScriptSpec,
    sendOrPrint,
    sha256Commitment,
    table,
    refusalSince,
    transactionsSince,
    UINT64_MAX,
    UsageError,
    waitFor,
    withMargin,
} from '../tools/cli';
import { randomBytes } from 'crypto';

export const spec: ScriptSpec = {
    name: 'createJob',
    summary:
        'Creates a job (the sender is its client): deploys the job contract with the budget in escrow; the job offers itself ' +
        'to the provider, which accepts (locking a bond) or rejects (the budget comes back). Checks beforehand what the ' +
        'provider would reject. Prints the job address, waits for the answer and prints the terms.',
    flags: [
        Flags.root,
        { name: 'provider', value: '<address>', help: 'the provider contract (showProvider prints it)', required: true },
        { name: 'budget', value: '<TON>', help: 'the most the job pays, held in escrow', required: true },
        { name: 'deadline', value: '<unix|+seconds>', help: 'when a one-shot result is due or a session ends: a unix time, or +seconds from now', required: true },
        { name: 'session', help: 'a session (many requests, client-signed usage receipts) instead of a one-shot job' },
        { name: 'model', value: '<hex>', help: 'the model hash (the provider must serve it)', required: true },
        { name: 'max-price', value: '<nanoton>', help: 'the highest price per unit accepted', required: true },
        { name: 'request', value: '<file>', help: 'the encrypted request; its SHA-256 is the request commitment' },
        { name: 'request-commitment', value: '<hex>', help: 'the request commitment itself (instead of --request)' },
        { name: 'nonce', value: '<n>', help: 'the job nonce (uint64; default: random); the job address derives from root, client and nonce' },
        {
            name: 'client-key',
            value: '<hex>',
            help: `the client's ed25519 public key (${ED25519_PUBLIC_BYTES} bytes) that signs session receipts; required with --session (one-shot default: zero)`,
        },
        { name: 'client', value: '<address>', help: 'with --dry-run: the wallet that will send it, i.e. the client (default: the sender)' },
        Flags.dryRun,
    ],
};

/** The reasons the provider would reject the offer (job_rejected), as far as its getters and storage show them. */
async function rejections(
    provider: NetworkProvider,
    contract: OpenedContract<Provider>,
    o: { budget: bigint; deadline: number; modelHash: bigint; maxPrice: bigint; now: number },
    fallbackParams: { bondBps: number; bondFloor: bigint; minJobDuration: number; maxJobDuration: number },
): Promise<{ problems: string[]; bond: bigint; price: bigint }> {
    const [data, jobs, att, offer, serves, snapshot] = await Promise.all([
        contract.getProviderData(),
        contract.getProviderJobs(),
        contract.getAttestation(),
        contract.getOffer(),
        contract.getServesModel(o.modelHash),
        providerJobParams(provider, contract.address),
    ]);
    const p = snapshot ?? fallbackParams;
    const bondProportional = (o.budget * BigInt(p.bondBps)) / 10_000n;
    const bond = bondProportional > p.bondFloor ? bondProportional : p.bondFloor;
    const problems: string[] = [];
    if (!data.eligible) {
        const why =
            data.state !== ProviderState.active
                ? `it is ${providerStateName(data.state)}`
                : data.revoked
                  ? 'its attestation was revoked'
                  : jobs.tombstoned
                    ? 'it is tombstoned'
                    : 'its attestation expired';
        problems.push(`the provider is not eligible: ${why} (${exitNote('notEligible')})`);
    } else if (!serves) {
        problems.push(`the provider does not serve model ${formatHash(o.modelHash)} (${exitNote('modelNotServed')})`);
    } else if (offer.pricePerUnit > o.maxPrice) {
        problems.push(`the provider's price ${offer.pricePerUnit} nanoton exceeds --max-price ${o.maxPrice} (${exitNote('priceTooHigh')})`);
    } else if (o.deadline < o.now + p.minJobDuration || o.deadline > o.now + p.maxJobDuration) {
        problems.push(
            `the deadline is ${o.deadline - o.now} s from now; the provider takes jobs of ${formatDuration(p.minJobDuration)} to ${formatDuration(p.maxJobDuration)} (${exitNote('badDuration')})`,
        );
    } else if (att.expiresAt < o.deadline) {
        problems.push(`the provider's attestation expires at ${formatTime(att.expiresAt)}, before the deadline (${exitNote('attestationExpiresFirst')})`);
    } else if (data.stake - jobs.locked < bond) {
        problems.push(
            `the provider's free stake ${formatTon(data.stake - jobs.locked)} is below the bond ${formatTon(bond)} (${exitNote('insufficientFreeStake')})`,
        );
    }
    return { problems, bond, price: offer.pricePerUnit };
}

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const now = currentTime();
        const providerAddress = a.required('provider', parseAddress);
        const budget = a.required('budget', parseTon);
        const deadline = a.required('deadline', parseDeadline(now));
        const session = a.has('session');
        const modelHash = a.required('model', parseHash);
        const maxPrice = a.required('max-price', parseNanoton);
        const requestFile = a.optional('request', (raw, flag) => ({ raw, bytes: readFileArg(raw, flag) }));
        const givenCommitment = a.optional('request-commitment', parseHash);
        if (requestFile && givenCommitment !== undefined) throw new UsageError('give either --request or --request-commitment, not both');
        if (!requestFile && givenCommitment === undefined) throw new UsageError('missing --request <file> or --request-commitment <hex>');
        const requestCommitment = requestFile ? sha256Commitment(requestFile.bytes) : givenCommitment!;
        const clientKey = a.optional('client-key', parseEd25519Public);
        if (session && !clientKey) throw new UsageError('--session needs --client-key: the key that signs the usage receipts');
        const clientFlag = a.optional('client', parseAddress);
        if (clientFlag && !ctx.dryRun) throw new UsageError('--client only applies with --dry-run (otherwise the client is the sender)');
        const nonce = a.optional('nonce', parseBigUint(UINT64_MAX)) ?? randomBytes(8).readBigUInt64BE();
        const root = await openRoot(ctx);
        const sender = provider.sender().address;
        if (!clientFlag && !sender) throw new UsageError('no wallet is connected: give --client <address> (with --dry-run) to name the client that will send the message');
        const client: Address = clientFlag ?? sender!;

        const refusals: string[] = [];
        if (deadline <= now) refusals.push(`the deadline ${formatTime(deadline)} is not in the future (${exitNote('deadlinePassed')})`);
        if (providerAddress.workChain !== 0) refusals.push(`the provider is not in the basechain (${exitNote('wrongWorkchain')})`);
        const [required, jobParams, jobCode, jobAddress] = await Promise.all([
            root.getJobRequiredValues(),
            root.getJobParams(),
            root.getJobCode(),
            root.getJobAddress(client, nonce),
        ]);
        const jobContract = Job.createFromConfig({ root: root.address, client, nonce }, jobCode);
        if (!jobContract.address.equals(jobAddress)) {
            throw new Error(`the job address derived here ${jobContract.address} differs from the root's ${jobAddress}: wrappers/Job.ts is out of date`);
        }
        const job = provider.open(jobContract);
        if (await provider.isContractDeployed(jobAddress)) {
            const existing = await job.getJobState();
            if (existing.state !== JobState.uninit) {
                refusals.push(`a job of this client and nonce ${nonce} already exists at ${formatAddress(jobAddress, testOnly)} (${exitNote('jobWrongState')}); pick another --nonce`);
            }
        }
        let bond = 0n;
        let price = 0n;
        if (!(await provider.isContractDeployed(providerAddress))) {
            refusals.push(`no provider is deployed at ${formatAddress(providerAddress, testOnly)} (the offer would bounce and the job cancel)`);
        } else {
            const contract = provider.open(Provider.createFromAddress(providerAddress));
            const data = await contract.getProviderData().catch(() => null);
            if (!data) {
                refusals.push(`the contract at ${formatAddress(providerAddress, testOnly)} is not a provider`);
            } else if (!data.root.equals(root.address)) {
                refusals.push(`the provider belongs to root ${formatAddress(data.root, testOnly)}, not this one (it would refuse the offer: ${exitNote('notJob')})`);
            } else if (data.state === ProviderState.uninit) {
                refusals.push(`the provider is not registered (${exitNote('notEligible')})`);
            } else {
                const r = await rejections(provider, contract, { budget, deadline, modelHash, maxPrice, now }, jobParams);
                refusals.push(...r.problems.map((p) => `${p}: the provider would reject the job`));
                bond = r.bond;
                price = r.price;
            }
        }
        if (refusals.length) throw new PreflightError(`this job would not be accepted:\n  - ${refusals.join('\n  - ')}`);

        print(`Job address: ${formatAddress(jobAddress, testOnly)}`);
        const { value, note } = withMargin(required.createJob, budget, 'budget');
        const queryId = randomQueryId();
        const body = Job.createJobMessage(
            { budget, deadline, session, clientKey: clientKey ?? Buffer.alloc(ED25519_PUBLIC_BYTES), provider: providerAddress, modelHash, maxPrice, requestCommitment },
            queryId,
        );
        const stateInit = beginCell().store(storeStateInit(jobContract.init!)).endCell();
        const ltBefore = await lastLt(provider.provider(jobAddress));
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.createJob,
                from: ctx.dryRun ? clientFlag : client,
                to: jobAddress,
                toLabel: 'job, deployed by this message',
                value,
                valueNote: note,
                fields: [
                    ['query id', String(queryId)],
                    ['client', formatAddress(client, testOnly)],
                    ['nonce', String(nonce)],
                    ['kind', session ? 'session' : 'one-shot'],
                    ['budget', formatTon(budget)],
                    ['deadline', `${formatTime(deadline)} (in ${formatDuration(Math.max(0, deadline - now))})`],
                    ['provider', formatAddress(providerAddress, testOnly)],
                    ['model', formatHash(modelHash)],
                    ['max price', `${maxPrice} nanoton per unit (the provider asks ${price})`],
                    ['request commitment', formatHash(requestCommitment) + (requestFile ? ` (SHA-256 of ${requestFile.raw}, ${requestFile.bytes.length} bytes)` : '')],
                    ['client key', clientKey ? clientKey.toString('hex') : 'none (zero)'],
                    ['bond the provider locks', formatTon(bond)],
                    ['max usage', `${price > 0n ? budget / price : 0n} units (budget / price)`],
                ],
                extra: ctx.dryRun
                    ? [
                          'The message must carry the job state init (it deploys the job):',
                          ...table([
                              ['state init (base64 BoC)', stateInit.toBoc().toString('base64')],
                              ['state init (hex BoC)', stateInit.toBoc().toString('hex')],
                          ]),
                      ]
                    : undefined,
            },
            body,
            (b) => job.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        const outcome = await waitFor(
            ctx.ui,
            "the provider's answer",
            async (): Promise<{ state: number } | { refused: string } | undefined> => {
                const lt = await lastLt(provider.provider(jobAddress));
                if (await provider.isContractDeployed(jobAddress)) {
                    const s = await job.getJobState();
                    if (s.state !== JobState.created && s.state !== JobState.uninit) return { state: s.state };
                    if (s.state === JobState.created) return undefined; // created: the provider's answer is on its way
                }
                const refused = await refusalSince(provider, jobAddress, ltBefore, lt, Op.createJob, queryId);
                return refused ? { refused } : undefined;
            },
            'The job is still waiting for the provider: run showJob later; the client may cancelJob while it waits.',
        );
        if ('refused' in outcome) throw new Error(`the job refused create_job: ${outcome.refused}; the value came back with the bounce, minus gas`);
        const snap = await readJob(provider, job);
        if (outcome.state === JobState.cancelled) {
            const txs = await transactionsSince(provider, jobAddress, ltBefore).catch(() => null);
            const answer = txs?.find((t) => inboundOp(t)?.op === Op.jobRejected);
            let reason = txs ? 'the offer bounced (no provider contract answered it)' : 'the provider rejected it or the offer bounced (the transactions are not readable here)';
            if (answer) {
                const s = answer.inMessage!.body.beginParse();
                s.skip(32 + 64);
                reason = `the provider rejected it: ${exitCodeNote(s.loadUint(16))}`;
            }
            print(`The job was not accepted: ${reason}. The budget went back to the client.`, ...jobReport(snap, currentTime(), testOnly));
            throw new Error(`the job was not accepted: ${reason}`);
        }
        print(
            `The provider accepted the job: price ${snap.terms.price} nanoton per unit, bond ${formatTon(snap.terms.bond)}, ` +
                `protocol fee ${formatBps(snap.terms.feeBps)}, challenge window ${formatDuration(snap.terms.challengeWindow)}.`,
            ...jobReport(snap, currentTime(), testOnly),
        );
    });
}
