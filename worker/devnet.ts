/**
 * A local protocol deployment in the sandbox, for the worker's default
 * `--network sandbox` mode and for tests: a root whose genesis allowlists the
 * measurement policy of the worker's SIMULATED quotes, the served models, and
 * a local attestation-verifier key. (On a real network these come through the
 * timelock; here the genesis state holds them.)
 */
import { Cell, toNano } from '@ton/core';
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { KeyPair, keyPairFromSeed } from '@ton/crypto';
import { randomBytes } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import path from 'path';
import { measurementPolicyHash, parseTdxQuote, policyMeasurementsOf } from '../attestation';
import { DEFAULT_JOB_PARAMS, Root, RootParams } from '../wrappers/Root';
import { bufferToBigint, textCell } from '../wrappers/common';
import { SimulatedQuoteSource } from './attestation';

export function loadCompiled(name: string): Cell {
    const file = path.resolve(__dirname, '../build', `${name}.compiled.json`);
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { hex: string };
    return Cell.fromBoc(Buffer.from(json.hex, 'hex'))[0];
}

/** The real TDX quote in ../shared/testdata (its measurements make simulated quotes look like the real image), if present. */
export function sharedTemplateQuote(): Buffer | undefined {
    const file = process.env.COCOON_SHARED_TESTDATA
        ? path.join(process.env.COCOON_SHARED_TESTDATA, 'tdx-quote-v4.dat')
        : path.resolve(__dirname, '../../shared/testdata/tdx-quote-v4.dat');
    return existsSync(file) ? readFileSync(file) : undefined;
}

export type Devnet = {
    blockchain: Blockchain;
    root: SandboxContract<Root>;
    governance: SandboxContract<TreasuryContract>;
    guardian: SandboxContract<TreasuryContract>;
    treasury: SandboxContract<TreasuryContract>;
    /** The attestation verifier the root trusts. */
    verifier: KeyPair;
    /** SIMULATED quotes whose policy the root allowlists. */
    quotes: SimulatedQuoteSource;
    policyHash: Buffer;
    models: bigint[];
    params: RootParams;
    jobCode: Cell;
    providerCode: Cell;
};

export async function createDevnet(
    opts: { models: bigint[]; now?: number; template?: Buffer; params?: Partial<RootParams>; verifier?: KeyPair } = { models: [] },
): Promise<Devnet> {
    const blockchain = await Blockchain.create();
    if (opts.now !== undefined) blockchain.now = opts.now;
    const governance = await blockchain.treasury('governance');
    const guardian = await blockchain.treasury('guardian');
    const treasury = await blockchain.treasury('treasury');
    const verifier = opts.verifier ?? keyPairFromSeed(randomBytes(32));
    const quotes = await SimulatedQuoteSource.create({ template: opts.template, now: new Date((opts.now ?? Date.now() / 1000) * 1000) });
    const policyHash = measurementPolicyHash(policyMeasurementsOf(parseTdxQuote(await quotes.getQuote(Buffer.alloc(64))).body));
    const params: RootParams = {
        minStake: toNano('100'),
        unbondingPeriod: 7 * 24 * 3600,
        attestationMaxAge: 30 * 24 * 3600,
        timelockDelay: 2 * 24 * 3600,
        maxModels: 8,
        treasury: treasury.address,
        jobs: DEFAULT_JOB_PARAMS,
        ...opts.params,
    };
    const providerCode = loadCompiled('Provider');
    const jobCode = loadCompiled('Job');
    const root = blockchain.openContract(
        Root.createFromConfig(
            {
                governance: governance.address,
                guardian: guardian.address,
                params,
                providerCode,
                jobCode,
                policies: new Map([[bufferToBigint(policyHash), textCell('cocoon tdx image (simulated, devnet)')]]),
                models: new Map(opts.models.map((m): [bigint, Cell] => [m, textCell('devnet model')])),
                verifierKeys: [bufferToBigint(verifier.publicKey)],
            },
            loadCompiled('Root'),
        ),
    );
    await root.sendDeploy(governance.getSender(), toNano('1'));
    return { blockchain, root, governance, guardian, treasury, verifier, quotes, policyHash, models: opts.models, params, jobCode, providerCode };
}
