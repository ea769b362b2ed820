/**
 * `npm run demo`: the protocol end to end in a local sandbox, no network.
 *
 * 1. Governance deploys the root with empty allowlists.
 * 2. The real Intel TDX quote in ../shared/testdata is verified against Intel's root key and its
 *    measurement policy hash computed; governance allowlists that policy, a model and a local
 *    attestation-verifier key through the timelock (queue, wait the delay, execute).
 * 3. A provider generates its operator (ed25519) and encryption (X25519) keys, obtains a
 *    SIMULATED quote (local test CA, same measurements as the real quote, REPORTDATA binding its
 *    keys and owner), the local verifier checks it and signs a statement, and the provider
 *    registers with its stake.
 * 4. The registered, active provider is read back from the chain.
 * 5. A client runs a one-shot job (served, confirmed, settled) and a 1,000-request session settled
 *    with one claim; a second provider misses a deadline and is slashed. Balances add up.
 */
import 'reflect-metadata';
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { Cell, fromNano, toNano, Transaction } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { x25519 } from '@noble/curves/ed25519';
import { createHash, randomBytes } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import path from 'path';
import {
    attestQuote,
    buildReportData,
    createSimulatedTdxCa,
    createSimulatedTdxQuote,
    hashToBigInt,
    measurementPolicyHash,
    parseTdxQuote,
    policyMeasurementsOf,
    verifyTdxQuote,
    SIMULATED_ROOT_CA_NAME,
} from '../attestation';
import { DEFAULT_JOB_PARAMS, Root, TimelockActions } from '../wrappers/Root';
import { Provider } from '../wrappers/Provider';
import { ProviderStateName } from '../wrappers/constants';
import { bufferToBigint, textCell } from '../wrappers/common';
import { printBalances, Trace } from './trace';
import { DemoProvider, JobDemoContext, runOneShotJob, runSession, runTimeoutSlash } from './jobs';

const SHARED_QUOTE = process.env.COCOON_SHARED_TESTDATA
    ? path.join(process.env.COCOON_SHARED_TESTDATA, 'tdx-quote-v4.dat')
    : path.resolve(__dirname, '../../shared/testdata/tdx-quote-v4.dat');

function loadCode(name: string): Cell {
    const json = JSON.parse(readFileSync(path.resolve(__dirname, '../build', `${name}.compiled.json`), 'utf8'));
    return Cell.fromBoc(Buffer.from(json.hex, 'hex'))[0];
}

const hex = (n: bigint | Buffer) => (typeof n === 'bigint' ? n.toString(16).padStart(64, '0') : n.toString('hex'));
const MODEL_NAME = 'Qwen/Qwen3-8B';
const SESSION_REQUESTS = 1000;

type Registered = DemoProvider & { encryptionKey: Buffer };

async function main() {
    const trace = new Trace();
    const blockchain = await Blockchain.create();
    const startTime = Math.floor(Date.now() / 1000);
    blockchain.now = startTime;

    const names = ['governance', 'guardian', 'treasury', 'gpu-owner', 'gpu-owner-2', 'client', 'keeper'] as const;
    const wallets: Record<(typeof names)[number], SandboxContract<TreasuryContract>> = {} as any;
    for (const n of names) {
        wallets[n] = await blockchain.treasury(n);
        trace.label(wallets[n].address, n);
    }
    const { governance, guardian, treasury, client, keeper } = wallets;
    const before = await Promise.all(names.map((n) => wallets[n].getBalance()));
    const run = (txs: Transaction[]) => trace.transactions(txs);

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
    const measurements = policyMeasurementsOf(parseTdxQuote(createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(64), template })).body);
    const policyHash = measurementPolicyHash(measurements);
    trace.info(`policy hash ${policyHash.toString('hex')} (TD attributes ${measurements.tdAttributes.toString('hex')})`);

    // 3. Governance allowlists the policy, the model and the verifier key through the timelock.
    trace.header('Governance queues the policy, the model and the verifier key (timelock)');
    const verifier = keyPairFromSeed(randomBytes(32));
    const modelHash = hashToBigInt(createHash('sha256').update(MODEL_NAME).digest());
    const actions = [
        TimelockActions.addPolicy(hashToBigInt(policyHash), 'cocoon tdx image (demo)'),
        TimelockActions.addModel(modelHash, textCell(MODEL_NAME)),
        TimelockActions.addVerifierKey(bufferToBigint(verifier.publicKey)),
    ];
    const required = await root.getRequiredValues();
    for (const action of actions) run((await root.sendQueueChange(governance.getSender(), required.governanceOp + toNano('0.01'), action)).transactions);
    const first = await root.getChange(0);
    trace.info(`3 changes queued; executable at ${new Date(first!.eta * 1000).toISOString()}`);

    trace.header(`Time passes (${params.timelockDelay / 3600} h); governance executes the changes`);
    blockchain.now = first!.eta;
    for (const id of [0, 1, 2]) run((await root.sendExecuteChange(governance.getSender(), required.governanceOp + toNano('0.01'), id)).transactions);
    trace.info(
        `policy allowed: ${await root.getPolicyAllowed(hashToBigInt(policyHash))}, model allowed: ${await root.getModelAllowed(modelHash)}, ` +
            `verifier trusted: ${await root.getVerifierTrusted(bufferToBigint(verifier.publicKey))}, version ${await root.getVersion()}`,
    );

    // 4. Providers attest and register.
    async function attestAndRegister(owner: SandboxContract<TreasuryContract>, label: string): Promise<Registered> {
        trace.header(`${label}: keys generated in the TD, SIMULATED quote → attestation verifier → signed statement`);
        const operatorKeys = keyPairFromSeed(randomBytes(32));
        const encryptionKey = Buffer.from(x25519.getPublicKey(x25519.utils.randomPrivateKey()));
        const quote = createSimulatedTdxQuote(ca, {
            reportData: buildReportData(operatorKeys.publicKey, encryptionKey, owner.address),
            template,
        });
        trace.info(`quote is SIMULATED: signed by "${SIMULATED_ROOT_CA_NAME}", not by Intel`);
        const attested = attestQuote({
            quote,
            operatorKey: operatorKeys.publicKey,
            encryptionKey,
            owner: owner.address,
            root: root.address,
            issuedAt: blockchain.now!,
            lifetime: 7 * 24 * 3600,
            verifierSecretKey: verifier.secretKey,
            trust: { rootPublicKey: ca.rootPublicKey },
            now: new Date(blockchain.now! * 1000),
        });
        trace.info(`verifier checked: ${attested.verification.checks.join(', ')}, REPORTDATA binding`);

        trace.header(`${label} registers with a ${fromNano(params.minStake)} TON stake`);
        const value = params.minStake + required.registerProvider + toNano('0.1');
        const registration = await root.sendRegisterProvider(owner.getSender(), value, {
            stake: params.minStake,
            statement: attested.signedStatement,
            offer: { pricePerUnit: toNano('0.000002'), endpoint: `https://${label}.example/cocoon/v1` },
            models: [modelHash],
        });
        const provider = blockchain.openContract(Provider.createFromConfig({ root: root.address, owner: owner.address, jobCode }, providerCode));
        trace.label(provider.address, label === 'gpu-owner' ? 'provider' : 'provider-2');
        run(registration.transactions);
        return { provider, owner, operatorKeys, encryptionKey };
    }
    const p1 = await attestAndRegister(wallets['gpu-owner'], 'gpu-owner');

    // 5. Read back.
    trace.header('The provider, read back from the chain');
    const data = await p1.provider.getProviderData();
    const att = await p1.provider.getAttestation();
    const offer = await p1.provider.getOffer();
    trace.info(`address      ${p1.provider.address.toString()}`);
    trace.info(`state        ${ProviderStateName[data.state]}${data.eligible ? ', eligible for jobs' : ', NOT eligible'}`);
    trace.info(`stake        ${fromNano(data.stake)} TON (balance ${fromNano(await p1.provider.getBalance())} TON incl. storage reserve)`);
    trace.info(`policy       ${hex(att.policyHash)}`);
    trace.info(`operator key ${hex(att.operatorKey)}`);
    trace.info(`enc. key     ${hex(att.encryptionKey)}`);
    trace.info(`attested     ${new Date(att.attestedAt * 1000).toISOString()} → ${new Date(att.expiresAt * 1000).toISOString()}`);
    trace.info(`models       ${(await p1.provider.getModels()).map((m) => (m === modelHash ? MODEL_NAME : hex(m))).join(', ')}`);
    trace.info(`offer        ${fromNano(offer.pricePerUnit)} TON/unit at ${offer.endpoint}`);
    if (!data.eligible || att.operatorKey !== bufferToBigint(p1.operatorKeys.publicKey) || att.policyHash !== hashToBigInt(policyHash)) {
        throw new Error('the provider read back from the chain does not match the registration');
    }

    // 6. Jobs.
    const ctx: JobDemoContext = { blockchain, trace, root, jobCode, client, clientKeys: keyPairFromSeed(randomBytes(32)), modelHash };
    const oneShot = await runOneShotJob(ctx, p1);
    const session = await runSession(ctx, p1, SESSION_REQUESTS);
    const p2 = await attestAndRegister(wallets['gpu-owner-2'], 'gpu-owner-2');
    const expired = await runTimeoutSlash(ctx, p2, keeper);

    trace.header('Provider records');
    for (const [label, p] of [
        ['provider', p1],
        ['provider-2', p2],
    ] as [string, Registered][]) {
        const r = await p.provider.getProviderJobs();
        const d = await p.provider.getProviderData();
        trace.info(
            `${label.padEnd(10)} ${ProviderStateName[d.state]}, stake ${fromNano(d.stake)} TON, locked ${fromNano(r.locked)} TON, ` +
                `open ${r.openJobs}, completed ${r.completed}, failed ${r.failed}, slashed ${fromNano(r.slashed)} TON`,
        );
    }

    const contracts: [string, { getBalance(): Promise<bigint> }][] = [
        ['root', root],
        ['provider', p1.provider],
        ['provider-2', p2.provider],
        ['job', oneShot],
        ['session', session.job],
        ['expired job', expired],
    ];
    const rows = [
        ...names.map((n, i) => ({ name: n, before: before[i], after: 0n })),
        ...contracts.map(([n]) => ({ name: n, before: 0n, after: 0n })),
    ];
    const after = await Promise.all([...names.map((n) => wallets[n].getBalance()), ...contracts.map(([, c]) => c.getBalance())]);
    after.forEach((b, i) => (rows[i].after = b));
    if (!printBalances(rows, 0n, trace.fees)) throw new Error('balances do not add up');
}

main().catch((e) => {
    console.error(`demo failed: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
});
