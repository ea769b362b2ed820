/**
 * Shared test fixtures: compiled code from build/ (run `npm run build` first;
 * `npm test` does), a sandbox with governance, guardian, treasury, operators
 * and keepers, a trusted attestation verifier key, and helpers that register
 * providers with statements signed exactly as contracts/schema.tlb says.
 */
import { Blockchain, SandboxContract, TreasuryContract, BlockchainTransaction } from '@ton/sandbox';
import { Address, beginCell, Cell, toNano, Transaction } from '@ton/core';
import { KeyPair, keyPairFromSeed, sign } from '@ton/crypto';
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';
import { Root, RootParams, ProviderOffer } from '../../wrappers/Root';
import { Provider } from '../../wrappers/Provider';
import { Job } from '../../wrappers/Job';
import { textCell, bufferToBigint } from '../../wrappers/common';
import { Tag } from '../../wrappers/constants';

export function loadCode(name: string): Cell {
    const file = path.resolve(__dirname, '../../build', `${name}.compiled.json`);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { hex: string };
    return Cell.fromBoc(Buffer.from(json.hex, 'hex'))[0];
}

export const START_TIME = 1_800_000_000;
export const HOUR = 3600;
export const DAY = 24 * HOUR;

export function sha256n(label: string): bigint {
    return bufferToBigint(createHash('sha256').update(label).digest());
}

export function keyFromLabel(label: string): KeyPair {
    return keyPairFromSeed(createHash('sha256').update(label).digest());
}

export const POLICY = sha256n('policy: cocoon tdx image v1');
export const MODEL = sha256n('model: qwen3-8b');
export const MODEL_2 = sha256n('model: llama-3.1-8b');

export type Protocol = {
    blockchain: Blockchain;
    root: SandboxContract<Root>;
    governance: SandboxContract<TreasuryContract>;
    guardian: SandboxContract<TreasuryContract>;
    treasury: SandboxContract<TreasuryContract>;
    verifier: KeyPair;
    params: RootParams;
    rootCode: Cell;
    providerCode: Cell;
    jobCode: Cell;
};

export function defaultParams(treasury: Address): RootParams {
    return {
        minStake: toNano('100'),
        unbondingPeriod: 7 * DAY,
        attestationMaxAge: 30 * DAY,
        timelockDelay: 2 * DAY,
        maxModels: 8,
        treasury,
    };
}

/**
 * A deployed root. By default its genesis state trusts the test verifier key
 * and allowlists POLICY, MODEL and MODEL_2 (`genesisTrust: false` for an empty one).
 */
export async function deployProtocol(
    opts: { genesisTrust?: boolean; params?: Partial<RootParams>; extraModels?: bigint[] } = {},
): Promise<Protocol> {
    const blockchain = await Blockchain.create();
    blockchain.now = START_TIME;
    const governance = await blockchain.treasury('governance');
    const guardian = await blockchain.treasury('guardian');
    const treasury = await blockchain.treasury('treasury');
    const verifier = keyFromLabel('attestation verifier');
    const rootCode = loadCode('Root');
    const providerCode = loadCode('Provider');
    const jobCode = loadCode('Job');
    const params = { ...defaultParams(treasury.address), ...opts.params };
    const trust = opts.genesisTrust ?? true;
    const root = blockchain.openContract(
        Root.createFromConfig(
            {
                governance: governance.address,
                guardian: guardian.address,
                params,
                providerCode,
                jobCode,
                policies: trust ? new Map([[POLICY, textCell('cocoon-tdx v1')]]) : undefined,
                models: trust
                    ? new Map([
                          [MODEL, textCell('qwen3-8b')],
                          [MODEL_2, textCell('llama-3.1-8b')],
                          ...(opts.extraModels ?? []).map((m): [bigint, Cell] => [m, textCell('extra')]),
                      ])
                    : undefined,
                verifierKeys: trust ? [bufferToBigint(verifier.publicKey)] : undefined,
            },
            rootCode,
        ),
    );
    const deploy = await root.sendDeploy(governance.getSender(), toNano('1'));
    expectSuccess(deploy.transactions, root.address);
    return { blockchain, root, governance, guardian, treasury, verifier, params, rootCode, providerCode, jobCode };
}

export type StatementFields = {
    root: Address;
    owner: Address;
    policyHash?: bigint;
    operatorKey?: bigint;
    encryptionKey?: bigint;
    issuedAt?: number;
    expiresAt?: number;
    tag?: number;
};

/** An AttestationStatement cell (TL-B attestation_statement). */
export function statementCell(f: StatementFields, now: number): Cell {
    const issuedAt = f.issuedAt ?? now;
    return beginCell()
        .storeUint(f.tag ?? Tag.attestationStatement, 32)
        .storeUint(issuedAt, 32)
        .storeUint(f.expiresAt ?? issuedAt + 7 * DAY, 32)
        .storeUint(f.policyHash ?? POLICY, 256)
        .storeUint(f.operatorKey ?? sha256n('operator key'), 256)
        .storeUint(f.encryptionKey ?? sha256n('encryption key'), 256)
        .storeRef(beginCell().storeAddress(f.root).storeAddress(f.owner).endCell())
        .endCell();
}

/** A SignedStatement cell: ed25519 over the statement's representation hash. */
export function signedStatement(statement: Cell, signer: KeyPair, claimedKey?: Buffer): Cell {
    return beginCell()
        .storeBuffer(claimedKey ?? signer.publicKey)
        .storeBuffer(sign(statement.hash(), signer.secretKey))
        .storeRef(statement)
        .endCell();
}

export function makeStatement(p: Protocol, f: Omit<StatementFields, 'root'> & { root?: Address }, signer?: KeyPair): Cell {
    return signedStatement(statementCell({ root: p.root.address, ...f }, p.blockchain.now!), signer ?? p.verifier);
}

export const DEFAULT_OFFER: ProviderOffer = { pricePerUnit: toNano('0.000001'), endpoint: 'https://gpu-1.example/v1' };

/** Fees to attach to a registration on top of the stake (from the root's getter, plus a margin). */
export async function registrationValue(p: Protocol, stake: bigint): Promise<bigint> {
    const required = await p.root.getRequiredValues();
    return stake + required.registerProvider + toNano('0.05');
}

export async function registerProvider(
    p: Protocol,
    owner: SandboxContract<TreasuryContract>,
    opts: { stake?: bigint; models?: bigint[]; offer?: ProviderOffer; statement?: Cell; value?: bigint } = {},
) {
    const stake = opts.stake ?? p.params.minStake;
    const statement = opts.statement ?? makeStatement(p, { owner: owner.address });
    const value = opts.value ?? (await registrationValue(p, stake));
    const result = await p.root.sendRegisterProvider(owner.getSender(), value, {
        stake,
        statement,
        offer: opts.offer ?? DEFAULT_OFFER,
        models: opts.models ?? [MODEL],
    });
    const provider = p.blockchain.openContract(
        Provider.createFromConfig({ root: p.root.address, owner: owner.address, jobCode: p.jobCode }, p.providerCode),
    );
    return { result, provider, stake, value };
}

export function expectSuccess(txs: BlockchainTransaction[], to: Address) {
    expect(txs).toHaveTransaction({ to, success: true });
}

/** Compute gas of the transaction on `to` (the first one). */
export function gasOf(txs: BlockchainTransaction[], to: Address): bigint {
    const tx = txs.find((t) => t.inMessage?.info.dest?.toString() === to.toString());
    if (!tx) throw new Error(`no transaction on ${to}`);
    const d = tx.description;
    if (d.type !== 'generic' || d.computePhase.type !== 'vm') throw new Error('no compute phase');
    return d.computePhase.gasUsed;
}

/** Total fees (compute + action + storage + import) and forward fees of a set of transactions. */
export function totalFees(txs: Transaction[]): bigint {
    return txs.reduce((acc, tx) => acc + tx.totalFees.coins, 0n);
}

/** Contract state that must not change when a message is rejected. */
export async function snapshotState(p: Protocol, address: Address): Promise<string> {
    const state = (await p.blockchain.getContract(address)).accountState;
    if (!state || state.type !== 'active') return state?.type ?? 'none';
    return (state.state.data?.hash().toString('hex') ?? '') + ':' + (state.state.code?.hash().toString('hex') ?? '');
}

// ---------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------

export const JOB_PRICE = DEFAULT_OFFER.pricePerUnit;

/** A provider whose operator key is a real ed25519 key pair (it signs results). */
export async function registerWorkingProvider(
    p: Protocol,
    owner: SandboxContract<TreasuryContract>,
    opts: { stake?: bigint; models?: bigint[]; offer?: ProviderOffer; lifetime?: number } = {},
) {
    const operator = keyFromLabel(`operator of ${owner.address.toRawString()}`);
    const now = p.blockchain.now!;
    const statement = makeStatement(p, {
        owner: owner.address,
        operatorKey: bufferToBigint(operator.publicKey),
        issuedAt: now,
        expiresAt: now + (opts.lifetime ?? 20 * DAY),
    });
    const reg = await registerProvider(p, owner, { ...opts, statement });
    return { ...reg, operator };
}

export type JobSetup = {
    client: SandboxContract<TreasuryContract>;
    clientKeys: KeyPair;
    nonce: bigint;
    budget: bigint;
    deadline: number;
    session: boolean;
    maxPrice: bigint;
    modelHash: bigint;
    requestCommitment: bigint;
};

let nonceCounter = 1n;

/** Creates (deploys and funds) a job; by default the provider accepts it in the same chain of transactions. */
export async function createJob(
    p: Protocol,
    client: SandboxContract<TreasuryContract>,
    provider: Address,
    opts: Partial<Omit<JobSetup, 'client' | 'clientKeys'>> & { value?: bigint; clientKeys?: KeyPair } = {},
) {
    const clientKeys = opts.clientKeys ?? keyFromLabel(`client key ${client.address.toRawString()}`);
    const setup: JobSetup = {
        client,
        clientKeys,
        nonce: opts.nonce ?? nonceCounter++,
        budget: opts.budget ?? toNano('10'),
        deadline: opts.deadline ?? p.blockchain.now! + HOUR,
        session: opts.session ?? false,
        maxPrice: opts.maxPrice ?? JOB_PRICE,
        modelHash: opts.modelHash ?? MODEL,
        requestCommitment: opts.requestCommitment ?? sha256n('encrypted request'),
    };
    const job = p.blockchain.openContract(
        Job.createFromConfig({ root: p.root.address, client: client.address, nonce: setup.nonce }, p.jobCode),
    );
    const required = await p.root.getJobRequiredValues();
    const result = await job.sendCreate(client.getSender(), opts.value ?? setup.budget + required.createJob, {
        budget: setup.budget,
        deadline: setup.deadline,
        session: setup.session,
        clientKey: clientKeys.publicKey,
        provider,
        modelHash: setup.modelHash,
        maxPrice: setup.maxPrice,
        requestCommitment: setup.requestCommitment,
    });
    return { job, result, setup, required };
}
