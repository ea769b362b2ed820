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
 * 4. The registered, active provider is read back from the chain; balances add up.
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
import { Root, TimelockActions } from '../wrappers/Root';
import { Provider } from '../wrappers/Provider';
import { ProviderStateName } from '../wrappers/constants';
import { bufferToBigint, textCell } from '../wrappers/common';
import { printBalances, Trace } from './trace';

const SHARED_QUOTE = process.env.COCOON_SHARED_TESTDATA
    ? path.join(process.env.COCOON_SHARED_TESTDATA, 'tdx-quote-v4.dat')
    : path.resolve(__dirname, '../../shared/testdata/tdx-quote-v4.dat');

function loadCode(name: string): Cell {
    const json = JSON.parse(readFileSync(path.resolve(__dirname, '../build', `${name}.compiled.json`), 'utf8'));
    return Cell.fromBoc(Buffer.from(json.hex, 'hex'))[0];
}

const hex = (n: bigint | Buffer) => (typeof n === 'bigint' ? n.toString(16).padStart(64, '0') : n.toString('hex'));
const MODEL_NAME = 'Qwen/Qwen3-8B';

async function main() {
    const trace = new Trace();
    const blockchain = await Blockchain.create();
    const startTime = Math.floor(Date.now() / 1000);
    blockchain.now = startTime;

    const governance = await blockchain.treasury('governance');
    const guardian = await blockchain.treasury('guardian');
    const treasury = await blockchain.treasury('treasury');
    const operator = await blockchain.treasury('gpu-owner');
    for (const [w, n] of [
        [governance, 'governance'],
        [guardian, 'guardian'],
        [treasury, 'treasury'],
        [operator, 'gpu-owner'],
    ] as [SandboxContract<TreasuryContract>, string][]) {
        trace.label(w.address, n);
    }
    const wallets = [governance, guardian, treasury, operator];
    const before = await Promise.all(wallets.map((w) => w.getBalance()));
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
    // The provider's keys are generated inside its (simulated) TD.
    const operatorKeys = keyPairFromSeed(randomBytes(32));
    const encryptionSecret = x25519.utils.randomPrivateKey();
    const encryptionKey = Buffer.from(x25519.getPublicKey(encryptionSecret));
    const reportData = buildReportData(operatorKeys.publicKey, encryptionKey, operator.address);
    const quote = createSimulatedTdxQuote(ca, { reportData, template });
    const measurements = policyMeasurementsOf(parseTdxQuote(quote).body);
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

    // 4. The provider attests and registers.
    trace.header('Provider: SIMULATED quote → attestation verifier → signed statement');
    trace.info(`quote is SIMULATED: signed by "${SIMULATED_ROOT_CA_NAME}", not by Intel`);
    const attested = attestQuote({
        quote,
        operatorKey: operatorKeys.publicKey,
        encryptionKey,
        owner: operator.address,
        root: root.address,
        issuedAt: blockchain.now,
        lifetime: 7 * 24 * 3600,
        verifierSecretKey: verifier.secretKey,
        trust: { rootPublicKey: ca.rootPublicKey },
        now: new Date(blockchain.now * 1000),
    });
    trace.info(`verifier checked: ${attested.verification.checks.join(', ')}, REPORTDATA binding`);
    trace.info(`statement expires ${new Date(attested.statement.expiresAt * 1000).toISOString()}`);

    trace.header('Provider registers with a 100 TON stake');
    const stake = params.minStake;
    const value = stake + required.registerProvider + toNano('0.1');
    const registration = await root.sendRegisterProvider(operator.getSender(), value, {
        stake,
        statement: attested.signedStatement,
        offer: { pricePerUnit: toNano('0.000002'), endpoint: 'https://gpu-owner.example/cocoon/v1' },
        models: [modelHash],
    });
    const provider = blockchain.openContract(Provider.createFromConfig({ root: root.address, owner: operator.address, jobCode }, providerCode));
    trace.label(provider.address, 'provider');
    run(registration.transactions);

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

    if (!data.eligible || att.operatorKey !== bufferToBigint(operatorKeys.publicKey) || att.policyHash !== hashToBigInt(policyHash)) {
        throw new Error('the provider read back from the chain does not match the registration');
    }

    const contracts = [root, provider];
    const rows = [
        ...wallets.map((w, i) => ({ name: trace.name(w.address), before: before[i], after: 0n })),
        ...contracts.map((c) => ({ name: trace.name(c.address), before: 0n, after: 0n })),
    ];
    const after = await Promise.all([...wallets.map((w) => w.getBalance()), ...contracts.map((c) => c.getBalance())]);
    after.forEach((b, i) => (rows[i].after = b));
    if (!printBalances(rows, 0n, trace.fees)) throw new Error('balances do not add up');
}

main().catch((e) => {
    console.error(`demo failed: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
});
