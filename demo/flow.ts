/**
 * The demo flow (`npm run demo`, and tests/e2e.spec.ts with a shorter session):
 *
 * 1. Governance deploys the root with empty allowlists.
 * 2. The real Intel TDX quote in ../shared/testdata is verified against Intel's root key and its
 *    measurement policy hash computed; governance allowlists that policy, a model and a local
 *    attestation-verifier key through the timelock (queue, wait the delay, execute).
 * 3. The reference worker (worker/) starts: it generates its operator (ed25519) and encryption
 *    (X25519) keys in its own process, obtains a SIMULATED quote binding them (local test CA, the
 *    real quote's measurements), has the local verifier sign a statement, and registers with its
 *    stake. The registered provider is read back from the chain.
 * 4. A client (sdk/) checks the provider's attested keys against the root, encrypts its prompt
 *    to the attested X25519 key, creates and funds the job with the envelope's commitment, and
 *    sends the ciphertext to the worker's endpoint; the worker decrypts, runs inference, seals
 *    the answer to the client's key and submits the signed commitment; the client verifies it
 *    against the chain, decrypts it and confirms; the job settles.
 * 5. A session of many requests served by the worker off chain, each acknowledged with a
 *    client-signed cumulative receipt, settled with one claim.
 * 6. A second provider's worker registers and goes offline: its job expires, its bond is slashed.
 * 7. Rewards (on by default in `npm run demo`): governance deploys a reward pool for the root and
 *    sets it in JobParams.rewards through the timelock (with the step 3 changes, before any
 *    provider registers, so every provider's params snapshot names it) and funds the current
 *    epoch. The jobs' protocol fees stay with the provider (held per pool and epoch) instead of
 *    going to the treasury; after the epoch ends a keeper reports the provider's epoch, and
 *    after the report grace the provider's owner claims floor(funded × work / total work).
 * 8. Provider records and a balance table that adds up (the pool is a protocol contract in it).
 */
import 'reflect-metadata';
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { Address, Cell, fromNano, toNano, Transaction } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { createHash, randomBytes } from 'crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import {
    createSimulatedTdxCa,
    hashToBigInt,
    measurementPolicyHash,
    parseTdxQuote,
    policyMeasurementsOf,
    verifyTdxQuote,
} from '../attestation';
import { DEFAULT_JOB_PARAMS, Root, RootParams, TimelockActions } from '../wrappers/Root';
import { Provider } from '../wrappers/Provider';
import { RewardPool, RewardPoolConfig } from '../wrappers/RewardPool';
import { Job } from '../wrappers/Job';
import { JobState, JobStateName, Op, ProviderStateName } from '../wrappers/constants';
import { bufferToBigint, textCell } from '../wrappers/common';
import {
    CocoonClient,
    EndpointError,
    InferenceResult,
    paymentFor,
    randomNonce,
    registerMemoryEndpoint,
    sandboxChain,
    unregisterMemoryEndpoint,
} from '../sdk';
import { EmbeddedBackend } from '../worker/backends';
import { LocalVerifier, SimulatedQuoteSource } from '../worker/attestation';
import { SandboxChain } from '../worker/chain/sandbox';
import { InMemoryEndpoint } from '../worker/endpoint';
import { WorkerLog } from '../worker/log';
import { Worker } from '../worker/worker';
import { WorkerState } from '../worker/state';
import { BalanceRow, printBalances, Trace } from './trace';

const SHARED_QUOTE = process.env.COCOON_SHARED_TESTDATA
    ? path.join(process.env.COCOON_SHARED_TESTDATA, 'tdx-quote-v4.dat')
    : path.resolve(__dirname, '../../shared/testdata/tdx-quote-v4.dat');

function loadCode(name: string): Cell {
    const json = JSON.parse(readFileSync(path.resolve(__dirname, '../build', `${name}.compiled.json`), 'utf8'));
    return Cell.fromBoc(Buffer.from(json.hex, 'hex'))[0];
}

const hex = (n: bigint | Buffer) => (typeof n === 'bigint' ? n.toString(16).padStart(64, '0') : n.toString('hex'));

/** The model name the demo allowlists; the embedded backend stands in for it (it says so in its answers). */
export const MODEL_NAME = 'Qwen/Qwen3-8B';
export const DEMO_PROMPT =
    'Explain in two sentences why a GPU provider stakes TON before it may serve confidential inference, and what happens if it misses a deadline.';
/** Price per unit (token) both demo providers ask, nanoton. */
export const DEMO_PRICE = toNano('0.0001');

export type DemoOptions = {
    /** Requests in the session (default 1,000). */
    sessionRequests?: number;
    /** Where the trace goes (default stdout). */
    out?: (line: string) => void;
    /**
     * A reward pool for the root, funded by governance, and the provider's epoch reward reported
     * and claimed (default false here so that callers written before the pool see the treasury
     * flow they expect; `npm run demo` turns it on).
     */
    rewards?: boolean;
};

/** The demo pool's epoch schedule. */
export const DEMO_EPOCH_LENGTH = 24 * 3600;
export const DEMO_REPORT_GRACE = 3600;
export const DEMO_CLAIM_WINDOW = 7 * 24 * 3600;
/** What governance funds the demo's epoch with. */
export const DEMO_EPOCH_FUNDING = toNano('5');

export type DemoRewards = {
    pool: Address;
    epoch: number;
    /** What the deploy message's value credited to the epoch (net of the pool's gas). */
    deployCredit: bigint;
    /** Governance funding of the epoch. */
    governanceFunding: bigint;
    /** Protocol fees of the provider's jobs (held by the provider, reported to the pool). */
    protocolFees: bigint;
    /** Epoch totals after the report. */
    funded: bigint;
    totalWork: bigint;
    providerWork: bigint;
    /** floor(funded × work / total), computed by the demo. */
    expectedShare: bigint;
    /** reward_paid amount received by the provider's owner. */
    paid: bigint;
};

export type DemoResult = {
    blockchain: Blockchain;
    root: Address;
    client: Address;
    prompt: string;
    /** Every transaction of the flow, as printed. */
    transactions: Transaction[];
    oneShot: { job: Address; answer: InferenceResult; usage: bigint; price: bigint; feeBps: number; state: number };
    session: { job: Address; requests: number; usage: bigint; state: number; onChainTransactions: number; prompts: string[] };
    expired: { job: Address; state: number; bond: bigint };
    providers: { address: Address; owner: Address; completed: number; failed: number; slashed: bigint; stake: bigint }[];
    workers: WorkerState[];
    balances: BalanceRow[];
    fees: bigint;
    addsUp: boolean;
    rewards?: DemoRewards;
};

export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
    const out = opts.out ?? ((l: string) => console.log(l));
    const sessionRequests = opts.sessionRequests ?? 1000;
    const withRewards = opts.rewards ?? false;
    const trace = new Trace(out);
    const blockchain = await Blockchain.create();
    const startTime = Math.floor(Date.now() / 1000);
    blockchain.now = startTime;
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'cocoon-demo-'));

    const names = ['governance', 'guardian', 'treasury', 'gpu-owner', 'gpu-owner-2', 'client', 'keeper'] as const;
    const wallets: Record<(typeof names)[number], SandboxContract<TreasuryContract>> = {} as never;
    for (const n of names) {
        wallets[n] = await blockchain.treasury(n);
        trace.label(wallets[n].address, n);
    }
    const { governance, guardian, treasury, client, keeper } = wallets;
    const before = await Promise.all(names.map((n) => wallets[n].getBalance()));
    const run = (txs: Transaction[]) => trace.transactions(txs);

    try {
        // 1. Deploy the root.
        trace.header('Governance deploys the root (empty allowlists)');
        const params = {
            minStake: toNano('100'),
            unbondingPeriod: 7 * 24 * 3600,
            attestationMaxAge: 30 * 24 * 3600,
            timelockDelay: 2 * 24 * 3600,
            maxModels: 8,
            treasury: treasury.address,
            jobs: DEFAULT_JOB_PARAMS,
        };
        const providerCode = loadCode('Provider');
        const jobCode = loadCode('Job');
        const root = blockchain.openContract(
            Root.createFromConfig({ governance: governance.address, guardian: guardian.address, params, providerCode, jobCode }, loadCode('Root')),
        );
        trace.label(root.address, 'root');
        run((await root.sendDeploy(governance.getSender(), toNano('0.5'))).transactions);
        trace.info(`root ${root.address.toString()}  min stake ${fromNano(params.minStake)} TON, timelock ${params.timelockDelay / 3600} h`);

        // 1b. The reward pool: its address derives from the root, the provider and job codes and
        // the epoch schedule. Epoch 0 starts when the timelocked change can execute (rounded up to
        // the hour); everything before genesis counts as epoch 0 too.
        let pool: SandboxContract<RewardPool> | undefined;
        let poolConfig: RewardPoolConfig | undefined;
        let deployCredit = 0n;
        if (withRewards) {
            trace.header('Governance deploys a reward pool for the root');
            poolConfig = {
                root: root.address,
                providerCode,
                jobCode,
                genesis: Math.ceil((blockchain.now + params.timelockDelay) / 3600) * 3600,
                epochLength: DEMO_EPOCH_LENGTH,
                reportGrace: DEMO_REPORT_GRACE,
                claimWindow: DEMO_CLAIM_WINDOW,
            };
            pool = blockchain.openContract(RewardPool.createFromConfig(poolConfig, loadCode('RewardPool')));
            trace.label(pool.address, 'reward pool');
            run((await pool.sendDeploy(governance.getSender(), toNano('1'))).transactions);
            deployCredit = (await pool.getEpoch(0)).funded;
            const { storageReserve } = await pool.getRequiredValues();
            trace.info(
                `pool ${pool.address.toString()}  epoch 0 from ${new Date(poolConfig.genesis * 1000).toISOString()}, ` +
                    `epochs of ${DEMO_EPOCH_LENGTH / 3600} h, reports until end + ${DEMO_REPORT_GRACE / 3600} h, ` +
                    `claims for ${DEMO_CLAIM_WINDOW / 86400} days after that`,
            );
            trace.info(
                `the deploy message's 1 TON fills the pool's storage reserve (${fromNano(storageReserve)} TON) ` +
                    `and funds epoch 0 with the rest, net of the pool's gas: ${fromNano(deployCredit)} TON`,
            );
        }

        // 2. The measurement policy from the real quote.
        trace.header('Verify the real TDX quote and compute its measurement policy hash');
        let template: Buffer | undefined;
        if (existsSync(SHARED_QUOTE)) {
            template = readFileSync(SHARED_QUOTE);
            const real = verifyTdxQuote(template);
            trace.info(`real quote ${SHARED_QUOTE}: verified against Intel SGX Root CA (${real.checks.join(', ')})`);
            trace.info(`MRTD ${real.quote.body.mrTd.toString('hex')}`);
        } else {
            trace.info(`real quote not found at ${SHARED_QUOTE}: using zero measurements for the simulated quote`);
        }
        const ca = await createSimulatedTdxCa({ now: new Date(startTime * 1000) });
        const quotes = await SimulatedQuoteSource.create({ ca, template });
        const measurements = policyMeasurementsOf(parseTdxQuote(await quotes.getQuote(Buffer.alloc(64))).body);
        const policyHash = measurementPolicyHash(measurements);
        trace.info(`policy hash ${policyHash.toString('hex')} (TD attributes ${measurements.tdAttributes.toString('hex')})`);

        // 3. Governance allowlists the policy, the model and the verifier key through the timelock.
        trace.header(`Governance queues the policy, the model and the verifier key${withRewards ? ', and the reward pool in JobParams' : ''} (timelock)`);
        const verifierKeys = keyPairFromSeed(randomBytes(32));
        const modelHash = hashToBigInt(createHash('sha256').update(MODEL_NAME).digest());
        const actions = [
            TimelockActions.addPolicy(hashToBigInt(policyHash), 'cocoon tdx image (demo)'),
            TimelockActions.addModel(modelHash, textCell(MODEL_NAME)),
            TimelockActions.addVerifierKey(bufferToBigint(verifierKeys.publicKey)),
        ];
        // Set before any provider registers: a provider snapshots the JobParams at registration.
        const rewardParams: RootParams | undefined =
            pool && poolConfig
                ? {
                      ...params,
                      jobs: { ...params.jobs, rewards: { pool: pool.address, epochGenesis: poolConfig.genesis, epochLength: poolConfig.epochLength } },
                  }
                : undefined;
        if (rewardParams) actions.push(TimelockActions.setParams(rewardParams));
        const required = await root.getRequiredValues();
        for (const action of actions) run((await root.sendQueueChange(governance.getSender(), required.governanceOp + toNano('0.01'), action)).transactions);
        const first = await root.getChange(0);
        trace.info(`${actions.length} changes queued; executable at ${new Date(first!.eta * 1000).toISOString()}`);

        trace.header(`Time passes (${params.timelockDelay / 3600} h); governance executes the changes`);
        blockchain.now = first!.eta;
        for (let id = 0; id < actions.length; id++) run((await root.sendExecuteChange(governance.getSender(), required.governanceOp + toNano('0.01'), id)).transactions);
        trace.info(
            `policy allowed: ${await root.getPolicyAllowed(hashToBigInt(policyHash))}, model allowed: ${await root.getModelAllowed(modelHash)}, ` +
                `verifier trusted: ${await root.getVerifierTrusted(bufferToBigint(verifierKeys.publicKey))}, version ${await root.getVersion()}`,
        );

        let rewardEpoch = 0;
        if (pool && poolConfig) {
            const jp = await root.getJobParams();
            if (!jp.rewards || !jp.rewards.pool.equals(pool.address)) throw new Error('JobParams.rewards does not name the pool after the change executed');
            trace.info(`JobParams.rewards: pool ${pool.address.toString().slice(0, 12)}…, protocol fees (${jp.protocolFeeBps / 100}%) now go to the pool, not the treasury`);
            trace.header('Governance funds the current reward epoch');
            rewardEpoch = await pool.getCurrentEpoch();
            const fund = (await pool.getRequiredValues()).fund;
            run((await pool.sendFundRewards(governance.getSender(), DEMO_EPOCH_FUNDING + fund + toNano('0.01'), rewardEpoch, DEMO_EPOCH_FUNDING)).transactions);
            const e = await pool.getEpoch(rewardEpoch);
            trace.info(
                `epoch ${rewardEpoch} (ends ${new Date(e.endsAt * 1000).toISOString()}) funded with ${fromNano(e.funded)} TON ` +
                    `(${fromNano(DEMO_EPOCH_FUNDING)} TON from governance + ${fromNano(deployCredit)} TON from the deploy)`,
            );
            if (e.funded !== DEMO_EPOCH_FUNDING + (rewardEpoch === 0 ? deployCredit : 0n)) throw new Error(`epoch ${rewardEpoch} funded ${e.funded}, expected ${DEMO_EPOCH_FUNDING}`);
        }

        // 4. Workers: keys in the worker process, SIMULATED quote, verifier, registration.
        const verifier = new LocalVerifier({ secretKey: verifierKeys.secretKey, lifetime: 7 * 24 * 3600, rootPublicKey: ca.rootPublicKey });
        const backend = new EmbeddedBackend(MODEL_NAME);
        const workerLog = (who: string): WorkerLog => ({
            info: (l) => trace.info(`${who}: ${l}`),
            warn: (l) => trace.info(`${who}: WARNING ${l}`),
            error: (l) => trace.info(`${who}: ERROR ${l}`),
            progress: () => {},
        });
        async function startWorker(owner: SandboxContract<TreasuryContract>, label: string, providerLabel: string): Promise<Worker> {
            trace.header(`${label}'s worker starts: keys generated in its process, SIMULATED quote → attestation verifier → registration`);
            const providerAddress = await root.getProviderAddress(owner.address);
            trace.label(providerAddress, providerLabel);
            const worker = await Worker.open({
                chain: new SandboxChain(blockchain, owner, { onTransactions: (_l, txs) => run(txs) }),
                root: root.address,
                backend,
                statePath: path.join(stateDir, `${label}.json`),
                quotes,
                verifier,
                modelHash,
                registration: { stake: params.minStake, price: DEMO_PRICE, endpoint: `memory://${label}/cocoon/v1` },
                log: workerLog(label === 'gpu-owner' ? 'worker' : 'worker-2'),
            });
            await worker.start();
            return worker;
        }
        const worker = await startWorker(wallets['gpu-owner'], 'gpu-owner', 'provider');
        registerMemoryEndpoint('memory://gpu-owner/cocoon/v1', new InMemoryEndpoint(worker));
        const provider = blockchain.openContract(Provider.createFromAddress(worker.providerAddress));

        // 5. Read back.
        trace.header('The provider, read back from the chain');
        const data = await provider.getProviderData();
        const att = await provider.getAttestation();
        const offer = await provider.getOffer();
        trace.info(`address      ${provider.address.toString()}`);
        trace.info(`state        ${ProviderStateName[data.state]}${data.eligible ? ', eligible for jobs' : ', NOT eligible'}`);
        trace.info(`stake        ${fromNano(data.stake)} TON (balance ${fromNano(await provider.getBalance())} TON incl. storage reserve)`);
        trace.info(`policy       ${hex(att.policyHash)}`);
        trace.info(`operator key ${hex(att.operatorKey)}`);
        trace.info(`enc. key     ${hex(att.encryptionKey)}`);
        trace.info(`attested     ${new Date(att.attestedAt * 1000).toISOString()} → ${new Date(att.expiresAt * 1000).toISOString()}`);
        trace.info(`models       ${(await provider.getModels()).map((m) => (m === modelHash ? MODEL_NAME : hex(m))).join(', ')}`);
        trace.info(`offer        ${fromNano(offer.pricePerUnit)} TON/unit at ${offer.endpoint}`);
        if (!data.eligible || att.operatorKey !== bufferToBigint(worker.operatorKey) || att.policyHash !== hashToBigInt(policyHash)) {
            throw new Error('the provider read back from the chain does not match the registration');
        }

        // 6. A one-shot job through the SDK and the worker.
        const sdk = new CocoonClient({
            chain: sandboxChain(blockchain, { onTransactions: (_l, txs) => run(txs) }),
            root: root.address,
            sender: client.getSender(),
            clientKeys: keyPairFromSeed(randomBytes(32)),
        });
        trace.header("Client checks the provider's attested keys against the root's allowlists");
        const keys = await sdk.fetchProviderKeys(provider.address, { model: modelHash, validUntil: blockchain.now + 3600 });
        trace.info(
            `registered under this root, active, not revoked; verifier trusted, policy allowlisted, attestation valid until ` +
                `${new Date(keys.expiresAt * 1000).toISOString()}, serves ${MODEL_NAME}`,
        );
        trace.info(`encryption key ${keys.encryptionKey.toString('hex')} (bound to the TEE by REPORTDATA)`);

        trace.header('Client encrypts its prompt to that key and creates the job (request commitment = SHA-256 of the envelope)');
        const prepared = await sdk.prepareJob(keys, { messages: [{ role: 'user', content: DEMO_PROMPT }], maxTokens: 200 });
        trace.label(prepared.job, 'job');
        trace.info(`prompt: "${DEMO_PROMPT.slice(0, 72)}…" (${Buffer.byteLength(DEMO_PROMPT)} bytes, stays off chain)`);
        trace.info(`envelope: ${prepared.envelope.length} bytes (X25519 + HKDF-SHA256 "cocoon.prompt.v1" + job address, XChaCha20-Poly1305)`);
        trace.info(`commitment ${hex(prepared.requestCommitment)}`);
        const created = await sdk.createJob(prepared, { budget: toNano('1'), deadline: blockchain.now + 3600, modelHash });
        trace.info(
            `job ${JobStateName[JobState.accepted]}: budget 1 TON, price ${fromNano(created.terms.price)} TON/unit, ` +
                `bond ${fromNano(created.terms.bond)} TON locked at the provider`,
        );
        await sdk.deliverRequest(prepared);
        trace.info(`ciphertext delivered to the provider's endpoint ${keys.endpoint} (off chain)`);

        trace.header('The worker decrypts the prompt, runs inference, seals the answer to the client and submits the signed commitment');
        await worker.tick();

        trace.header('Client fetches the answer, verifies it against the chain, decrypts it and confirms: the job settles');
        const delivery = await sdk.fetchResult(prepared);
        const verified = await sdk.verifyResult(delivery, prepared);
        trace.info(
            `verified: envelope hash = on-chain commitment ${hex(verified.commitment).slice(0, 16)}…, ` +
                `signed by the attested operator key, usage ${verified.usage} units`,
        );
        const answer = sdk.openResult(delivery, prepared.resultKeys);
        if (!answer.ok) throw new Error(`the worker could not serve the job: ${answer.error}`);
        trace.info(`answer (${answer.backend}, ${answer.usage.totalTokens} tokens):`);
        for (const line of wrap(answer.content, 96)) trace.info(`  │ ${line}`);
        await sdk.confirm(prepared.job);
        const oneShotJob = blockchain.openContract(Job.createFromAddress(prepared.job));
        const oneShotState = await oneShotJob.getJobState();
        const pay = paymentFor(verified.usage, verified.price, created.terms.feeBps);
        trace.info(
            `job ${JobStateName[oneShotState.state]}: provider owner paid ${fromNano(pay.owner)} TON, protocol fee ${fromNano(pay.fee)} TON ` +
                `(${pool ? 'held by the provider for the reward pool' : 'to the treasury'}), ` +
                `the rest of the budget refunded; job keeps ${fromNano(await oneShotJob.getBalance())} TON (storage reserve)`,
        );
        await worker.tick();

        // 7. A session.
        trace.header(`Client opens a session; the worker serves ${sessionRequests} encrypted requests off chain`);
        const sessionNonce = randomNonce();
        const sessionAddress = (await sdk.jobWithInit(sessionNonce)).address;
        trace.label(sessionAddress, 'session');
        const session = await sdk.startSession(keys, { budget: toNano('10'), deadline: blockchain.now + 7200, modelHash }, { nonce: sessionNonce });
        trace.info(`session accepted: budget 10 TON, bond ${fromNano(session.created.terms.bond)} TON locked`);
        await worker.tick();
        const sessionPrompts: string[] = [];
        const startedAt = Date.now();
        let sessionUsage = 0n;
        for (let i = 1; i <= sessionRequests; i++) {
            const prompt = `Session request ${i}: in one sentence, what does request ${i} of a confidential inference session cost?`;
            sessionPrompts.push(prompt);
            const r = await session.request({ messages: [{ role: 'user', content: prompt }], maxTokens: 64 });
            sessionUsage += r.usage;
        }
        const ms = Date.now() - startedAt;
        trace.info(
            `${session.receipts.requests} requests (each sealed for its request number, answered with an operator-signed result, ` +
                `acknowledged with a cumulative receipt) in ${(ms / 1000).toFixed(1)} s; ${session.receipts.usage} units, ` +
                `result root ${session.receipts.resultRoot.toString(16).slice(0, 16)}…`,
        );
        await session.finish();

        trace.header('The worker claims once with the latest receipt and closes the session');
        await worker.tick();
        const sessionJob = blockchain.openContract(Job.createFromAddress(sessionAddress));
        const sessionState = await sessionJob.getJobState();
        const sessionTxs = trace.all.filter((t) => t.inMessage?.info.type === 'internal' && t.inMessage.info.dest.equals(sessionAddress)).length;
        trace.info(`${sessionRequests} requests settled in one claim; job ${JobStateName[sessionState.state]}`);
        await worker.tick();

        // 8. A second provider whose worker goes offline.
        const worker2 = await startWorker(wallets['gpu-owner-2'], 'gpu-owner-2', 'provider-2');
        const provider2 = blockchain.openContract(Provider.createFromAddress(worker2.providerAddress));
        trace.header("provider-2's worker goes offline; a client job to it is accepted on chain all the same");
        const keys2 = await sdk.fetchProviderKeys(provider2.address, { model: modelHash });
        const prepared2 = await sdk.prepareJob(keys2, { messages: [{ role: 'user', content: 'Another confidential prompt.' }] });
        trace.label(prepared2.job, 'expired job');
        const created2 = await sdk.createJob(prepared2, { budget: toNano('2'), deadline: blockchain.now + 600, modelHash });
        trace.info(`job accepted: budget 2 TON, bond ${fromNano(created2.terms.bond)} TON locked at provider-2`);
        try {
            await sdk.deliverRequest(prepared2);
            throw new Error("provider-2's endpoint should be offline");
        } catch (e) {
            if (!(e instanceof EndpointError)) throw e;
            trace.info(`delivery fails: ${e.message}`);
        }
        blockchain.now += 601;
        trace.header('The deadline passes; a keeper expires the job: the client is refunded and the bond is slashed');
        const required2 = await root.getJobRequiredValues();
        const expiredJob = blockchain.openContract(Job.createFromAddress(prepared2.job));
        run((await expiredJob.sendExpire(keeper.getSender(), required2.closeJob)).transactions);
        const record2 = await provider2.getProviderJobs();
        trace.info(
            `job ${JobStateName[(await expiredJob.getJobState()).state]}; bond of ${fromNano(created2.terms.bond)} TON slashed ` +
                `(client 50%, keeper 10%, treasury 40%); provider-2 failed jobs: ${record2.failed}, slashed ${fromNano(record2.slashed)} TON`,
        );

        // 9. Rewards: report after the epoch ends, claim after the report grace.
        let rewards: DemoRewards | undefined;
        if (pool && poolConfig) {
            const fees = paymentFor(verified.usage, verified.price, created.terms.feeBps).fee + paymentFor(sessionUsage, DEMO_PRICE, created.terms.feeBps).fee;
            const work = verified.usage * verified.price + sessionUsage * DEMO_PRICE;
            const book = await provider.getRewards();
            const entry = book.entries.find((x) => x.epoch === rewardEpoch);
            trace.header(`The provider holds its jobs' protocol fees for the pool, per epoch, until its epoch is reported`);
            trace.info(
                `provider reward entry for epoch ${rewardEpoch}: work ${fromNano(entry?.work ?? 0n)} TON settled, ` +
                    `fees ${fromNano(entry?.fees ?? 0n)} TON held (provider holds ${fromNano(book.heldFees)} TON of reward fees)`,
            );
            if (!entry || entry.fees !== fees || entry.work !== work || book.heldFees !== fees) {
                throw new Error(`the provider's reward entry (work ${entry?.work}, fees ${entry?.fees}, held ${book.heldFees}) is not the jobs' (work ${work}, fees ${fees})`);
            }
            const before = await pool.getEpoch(rewardEpoch);
            blockchain.now = before.endsAt + 60;
            trace.header(`Epoch ${rewardEpoch} ends; a keeper reports the provider's epoch to the pool (work and fees)`);
            const reportValue = (await provider.getRewardRequiredValues()).report + toNano('0.01');
            const report = await provider.sendReportRewards(keeper.getSender(), reportValue, pool.address);
            run(report.transactions);
            const counted = report.transactions.some((t) => {
                const m = t.inMessage;
                if (!m || m.info.type !== 'internal' || !m.info.dest.equals(provider.address)) return false;
                const b = m.body.beginParse();
                return b.remainingBits >= 32 && b.loadUint(32) === Op.usageCounted;
            });
            if (!counted) throw new Error('the pool did not count the report (no usage_counted back to the provider)');
            const totals = await pool.getEpoch(rewardEpoch);
            if (totals.funded !== before.funded + fees) throw new Error(`epoch funded ${totals.funded}, expected ${before.funded} + fees ${fees}`);
            const expectedShare = (totals.funded * work) / totals.work;
            trace.info(`counted: epoch ${rewardEpoch} funded ${fromNano(totals.funded)} TON, total work ${fromNano(totals.work)} TON; claims open ${new Date(totals.claimAt * 1000).toISOString()}`);

            blockchain.now = totals.claimAt;
            trace.header(`The report grace passes; the provider's owner claims its epoch reward`);
            const claimValue = (await provider.getRewardRequiredValues()).claim + toNano('0.01');
            const owner = wallets['gpu-owner'];
            const claim = await provider.sendClaimRewards(owner.getSender(), claimValue, pool.address);
            run(claim.transactions);
            const paid = rewardPaidTo(claim.transactions, owner.address);
            if (paid === null) throw new Error('no reward_paid reached the provider owner');
            rewards = {
                pool: pool.address,
                epoch: rewardEpoch,
                deployCredit,
                governanceFunding: DEMO_EPOCH_FUNDING,
                protocolFees: fees,
                funded: totals.funded,
                totalWork: totals.work,
                providerWork: work,
                expectedShare,
                paid,
            };
            const line = (label: string, n: bigint, note = '') => trace.info(`${label.padEnd(36)} ${fromNano(n).padStart(12)} TON${note ? '  ' + note : ''}`);
            line(`epoch ${rewardEpoch} funded`, totals.funded, `(governance ${fromNano(DEMO_EPOCH_FUNDING)} + deploy ${fromNano(deployCredit)} + protocol fees ${fromNano(fees)})`);
            line('protocol fees collected', fees, `(one-shot job + session, ${created.terms.feeBps / 100}% of what they paid)`);
            line('total work', totals.work, '(value settled by every provider in the epoch)');
            line("provider's work", work);
            line('share floor(funded × work / total)', expectedShare, '(computed by the demo)');
            line('reward_paid received by gpu-owner', paid, paid === expectedShare ? '(equal to the nanoton)' : '(MISMATCH)');
            if (paid !== expectedShare) throw new Error(`reward_paid ${paid} is not the pro-rata share ${expectedShare}`);
            const left = await provider.getRewards();
            if (left.heldFees !== 0n || left.entries.length !== 0) throw new Error('the provider still holds reward fees or entries after the claim');
            trace.info(`the provider's reward book is empty; the pool still owes ${fromNano(await pool.getLiability())} TON`);
        }

        trace.header('Provider records');
        const providers: DemoResult['providers'] = [];
        for (const [label, p, owner] of [
            ['provider', provider, wallets['gpu-owner']],
            ['provider-2', provider2, wallets['gpu-owner-2']],
        ] as const) {
            const r = await p.getProviderJobs();
            const d = await p.getProviderData();
            providers.push({ address: p.address, owner: owner.address, completed: r.completed, failed: r.failed, slashed: r.slashed, stake: d.stake });
            trace.info(
                `${label.padEnd(10)} ${ProviderStateName[d.state]}, stake ${fromNano(d.stake)} TON, locked ${fromNano(r.locked)} TON, ` +
                    `open ${r.openJobs}, completed ${r.completed}, failed ${r.failed}, slashed ${fromNano(r.slashed)} TON`,
            );
        }
        const ws = worker.snapshot();
        trace.info(`worker     ${ws.totals.jobs} jobs, ${ws.totals.served} answers served, owner earned ${fromNano(BigInt(ws.totals.earned))} TON (state file ${path.basename(worker.opts.statePath)})`);

        const contracts: [string, { getBalance(): Promise<bigint> }][] = [
            ['root', root],
            ['provider', provider],
            ['provider-2', provider2],
            ['job', oneShotJob],
            ['session', sessionJob],
            ['expired job', expiredJob],
        ];
        if (pool) {
            const at = pool.address;
            contracts.push(['reward pool', { getBalance: async () => (await blockchain.getContract(at)).balance }]);
        }
        const rows: BalanceRow[] = [
            ...names.map((n, i) => ({ name: n as string, before: before[i], after: 0n })),
            ...contracts.map(([n]) => ({ name: n, before: 0n, after: 0n })),
        ];
        const after = await Promise.all([...names.map((n) => wallets[n].getBalance()), ...contracts.map(([, c]) => c.getBalance())]);
        after.forEach((b, i) => (rows[i].after = b));
        const addsUp = printBalances(rows, 0n, trace.fees, out);

        return {
            blockchain,
            root: root.address,
            client: client.address,
            prompt: DEMO_PROMPT,
            transactions: trace.all,
            oneShot: { job: prepared.job, answer, usage: verified.usage, price: verified.price, feeBps: created.terms.feeBps, state: oneShotState.state },
            session: {
                job: sessionAddress,
                requests: session.receipts.requests,
                usage: sessionUsage,
                state: sessionState.state,
                onChainTransactions: sessionTxs,
                prompts: sessionPrompts,
            },
            expired: { job: prepared2.job, state: (await expiredJob.getJobState()).state, bond: created2.terms.bond },
            providers,
            workers: [ws, worker2.snapshot()],
            balances: rows,
            fees: trace.fees,
            addsUp,
            rewards,
        };
    } finally {
        unregisterMemoryEndpoint('memory://gpu-owner/cocoon/v1');
        rmSync(stateDir, { recursive: true, force: true });
    }
}

/** The amount of the reward_paid message `owner` received in `txs`, or null. */
function rewardPaidTo(txs: Transaction[], owner: Address): bigint | null {
    for (const tx of txs) {
        const m = tx.inMessage;
        if (!m || m.info.type !== 'internal' || !m.info.dest.equals(owner)) continue;
        const s = m.body.beginParse();
        if (s.remainingBits < 32 + 64 || s.loadUint(32) !== Op.rewardPaid) continue;
        s.loadUintBig(64);
        return s.loadCoins();
    }
    return null;
}

function wrap(text: string, width: number): string[] {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/)) {
        if (line && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else {
            line = line ? `${line} ${word}` : word;
        }
    }
    if (line) lines.push(line);
    return lines;
}
