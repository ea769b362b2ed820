/**
 * A deterministic sandbox world for the bench: fixed time, keys derived from
 * labels, the root deployed with the same genesis trust as the tests
 * (tests/helpers/fixtures.ts), and helpers that register providers and run
 * jobs with exactly the values the contracts ask for. Self-contained: the
 * test fixtures use jest's `expect`, which a plain script does not have.
 */
import { Blockchain, SandboxContract, SendMessageResult, TreasuryContract } from '@ton/sandbox';
import { Address, beginCell, Cell, toNano } from '@ton/core';
import { KeyPair, keyPairFromSeed, sign } from '@ton/crypto';
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';
import { Root, RootParams, ProviderOffer, JobRequiredValues } from '../wrappers/Root';
import { Provider } from '../wrappers/Provider';
import { Job } from '../wrappers/Job';
import { bufferToBigint, textCell } from '../wrappers/common';
import { Tag } from '../wrappers/constants';
import { RewardPool } from '../wrappers/RewardPool';
import { TimelockActions } from '../wrappers/Root';
import { Registry, requireSuccess } from './chain';

export const START_TIME = 1_800_000_000;
export const HOUR = 3600;
export const DAY = 24 * HOUR;

export function loadCode(name: string): Cell {
    const file = path.resolve(__dirname, '../build', `${name}.compiled.json`);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { hex: string };
    return Cell.fromBoc(Buffer.from(json.hex, 'hex'))[0];
}

export function sha256n(label: string): bigint {
    return bufferToBigint(createHash('sha256').update(label).digest());
}

export function keyFromLabel(label: string): KeyPair {
    return keyPairFromSeed(createHash('sha256').update(label).digest());
}

/** A deterministic address that no wallet controls (owners of installed providers). */
export function addressFromLabel(label: string): Address {
    return new Address(0, createHash('sha256').update(label).digest());
}

export const POLICY = sha256n('policy: cocoon tdx image v1');
export const MODEL = sha256n('model: qwen3-8b');
export const MODEL_2 = sha256n('model: llama-3.1-8b');
export const OFFER: ProviderOffer = { pricePerUnit: toNano('0.000001'), endpoint: 'https://gpu-1.example/v1' };

export type Codes = { root: Cell; provider: Cell; job: Cell };

export type World = {
    blockchain: Blockchain;
    reg: Registry;
    codes: Codes;
    root: SandboxContract<Root>;
    params: RootParams;
    governance: SandboxContract<TreasuryContract>;
    guardian: SandboxContract<TreasuryContract>;
    treasury: SandboxContract<TreasuryContract>;
    client: SandboxContract<TreasuryContract>;
    clientKeys: KeyPair;
    keeper: SandboxContract<TreasuryContract>;
    verifier: KeyPair;
    jobRequired: JobRequiredValues;
    nextNonce: bigint;
};

async function wallet(blockchain: Blockchain, reg: Registry, name: string) {
    const w = await blockchain.treasury(name);
    reg.add(w.address, name, 'wallet');
    return w;
}

/** A fresh sandbox with the root deployed (genesis: one policy, two models, the verifier key). */
export async function createWorld(codes: Codes): Promise<{ world: World; deploy: SendMessageResult }> {
    const blockchain = await Blockchain.create();
    blockchain.now = START_TIME;
    const reg = new Registry();
    const governance = await wallet(blockchain, reg, 'governance');
    const guardian = await wallet(blockchain, reg, 'guardian');
    const treasury = await wallet(blockchain, reg, 'treasury');
    const client = await wallet(blockchain, reg, 'client');
    const keeper = await wallet(blockchain, reg, 'keeper');
    const verifier = keyFromLabel('attestation verifier');
    const params: RootParams = {
        minStake: toNano('100'),
        unbondingPeriod: 7 * DAY,
        attestationMaxAge: 30 * DAY,
        timelockDelay: 2 * DAY,
        maxModels: 8,
        treasury: treasury.address,
    };
    const root = blockchain.openContract(
        Root.createFromConfig(
            {
                governance: governance.address,
                guardian: guardian.address,
                params,
                providerCode: codes.provider,
                jobCode: codes.job,
                policies: new Map([[POLICY, textCell('cocoon-tdx v1')]]),
                models: new Map([
                    [MODEL, textCell('qwen3-8b')],
                    [MODEL_2, textCell('llama-3.1-8b')],
                ]),
                verifierKeys: [bufferToBigint(verifier.publicKey)],
            },
            codes.root,
        ),
    );
    reg.add(root.address, 'root', 'root');
    const deploy = await root.sendDeploy(governance.getSender(), toNano('1'));
    requireSuccess('root.deploy', reg, deploy.transactions);
    const jobRequired = await root.getJobRequiredValues();
    const world: World = {
        blockchain,
        reg,
        codes,
        root,
        params,
        governance,
        guardian,
        treasury,
        client,
        clientKeys: keyFromLabel('bench client key'),
        keeper,
        verifier,
        jobRequired,
        nextNonce: 1n,
    };
    return { world, deploy };
}

/** A SignedStatement (TL-B) for `owner`, signed by the world's verifier. */
export function signedStatement(w: World, owner: Address, operatorKey: bigint, lifetime: number): Cell {
    const now = w.blockchain.now!;
    const statement = beginCell()
        .storeUint(Tag.attestationStatement, 32)
        .storeUint(now, 32)
        .storeUint(now + lifetime, 32)
        .storeUint(POLICY, 256)
        .storeUint(operatorKey, 256)
        .storeUint(sha256n(`encryption key of ${owner.toRawString()}`), 256)
        .storeRef(beginCell().storeAddress(w.root.address).storeAddress(owner).endCell())
        .endCell();
    return beginCell()
        .storeBuffer(w.verifier.publicKey)
        .storeBuffer(sign(statement.hash(), w.verifier.secretKey))
        .storeRef(statement)
        .endCell();
}

export type Registered = {
    owner: SandboxContract<TreasuryContract>;
    provider: SandboxContract<Provider>;
    operator: KeyPair;
    result: SendMessageResult;
};

export function providerOf(w: World, owner: Address): SandboxContract<Provider> {
    return w.blockchain.openContract(
        Provider.createFromConfig({ root: w.root.address, owner, jobCode: w.codes.job }, w.codes.provider),
    );
}

/** Registers a provider for real (root -> provider_init), with exactly stake + the root's required fee. */
export async function registerProvider(w: World, name: string, stake: bigint): Promise<Registered> {
    const owner = await wallet(w.blockchain, w.reg, `${name}-owner`);
    const operator = keyFromLabel(`operator of ${name}`);
    const required = await w.root.getRequiredValues();
    const provider = providerOf(w, owner.address);
    w.reg.add(provider.address, name, 'provider');
    const result = await w.root.sendRegisterProvider(owner.getSender(), stake + required.registerProvider, {
        stake,
        statement: signedStatement(w, owner.address, bufferToBigint(operator.publicKey), 20 * DAY),
        offer: OFFER,
        models: [MODEL],
    });
    requireSuccess(`register ${name}`, w.reg, result.transactions);
    const data = await provider.getProviderData();
    if (data.state !== 1) throw new Error(`register ${name}: provider state ${data.state}, expected active`);
    return { owner, provider, operator, result };
}

export type OpenJob = {
    job: SandboxContract<Job>;
    nonce: bigint;
    createdAt: number;
    result: SendMessageResult;
};

/** Creates a job (or session) with `p`; the provider accepts it in the same chain. */
export async function createJob(
    w: World,
    p: Registered,
    opts: { name: string; session?: boolean; budget?: bigint; duration?: number; nonce?: bigint },
): Promise<OpenJob> {
    const nonce = opts.nonce ?? w.nextNonce++;
    const budget = opts.budget ?? toNano('10');
    const job = w.blockchain.openContract(
        Job.createFromConfig({ root: w.root.address, client: w.client.address, nonce }, w.codes.job),
    );
    w.reg.add(job.address, opts.name, 'job');
    const result = await job.sendCreate(w.client.getSender(), budget + w.jobRequired.createJob, {
        budget,
        deadline: w.blockchain.now! + (opts.duration ?? HOUR),
        session: opts.session ?? false,
        clientKey: w.clientKeys.publicKey,
        provider: p.provider.address,
        modelHash: MODEL,
        maxPrice: OFFER.pricePerUnit,
        requestCommitment: sha256n(`encrypted request of ${opts.name}`),
    });
    requireSuccess(`create ${opts.name}`, w.reg, result.transactions);
    const state = await job.getJobState();
    if (state.state !== 2) throw new Error(`create ${opts.name}: job state ${state.state}, expected accepted`);
    return { job, nonce, createdAt: state.createdAt, result };
}

export async function dataOf(w: World, address: Address): Promise<Cell> {
    const state = (await w.blockchain.getContract(address)).accountState;
    if (!state || state.type !== 'active' || !state.state.data) throw new Error(`no active account at ${address}`);
    return state.state.data;
}

/** The bench root's reward schedule (tests/helpers/rewards.ts: 1 day epochs, 2 h report grace). */
export const REWARDS = { epochLength: 24 * HOUR, reportGrace: 2 * HOUR, claimWindow: 30 * 24 * HOUR, fund: toNano('10') };

/**
 * The bench root's reward pool, as governance sets it up (tests/helpers/rewards.ts):
 * the pool deployed for the root's codes, then JobParams.rewards set through the
 * timelock; epoch 0 starts when the change executes (rounded up to a whole hour).
 */
export async function setupRewards(w: World) {
    const delay = w.params.timelockDelay;
    const genesis = Math.ceil((w.blockchain.now! + delay) / HOUR) * HOUR;
    const config = { root: w.root.address, providerCode: w.codes.provider, jobCode: w.codes.job, genesis, ...REWARDS };
    const pool = w.blockchain.openContract(RewardPool.createFromConfig(config, loadCode('RewardPool')));
    w.reg.add(pool.address, 'reward-pool', 'wallet');
    requireSuccess('reward pool deploy', w.reg, (await pool.sendDeploy(w.governance.getSender(), toNano('0.1'))).transactions);
    const params = { ...w.params, jobs: { ...(await w.root.getParams()).jobs!, rewards: { pool: pool.address, epochGenesis: genesis, epochLength: REWARDS.epochLength } } };
    const required = await w.root.getRequiredValues();
    const id = (await w.root.getRootData()).nextChangeId;
    requireSuccess('set rewards queue', w.reg, (await w.root.sendQueueChange(w.governance.getSender(), required.governanceOp, TimelockActions.setParams(params))).transactions);
    w.blockchain.now = Math.max(w.blockchain.now! + delay, genesis);
    requireSuccess('set rewards execute', w.reg, (await w.root.sendExecuteChange(w.governance.getSender(), required.governanceOp, id)).transactions);
    if (!(await w.root.getParams()).jobs?.rewards?.pool.equals(pool.address)) throw new Error('rewards: JobParams.rewards not set');
    return pool;
}

