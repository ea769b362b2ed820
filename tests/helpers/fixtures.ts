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

/** Compute gas of one transaction (throws when it had no compute phase). */
export function gasOfTx(tx: BlockchainTransaction): bigint {
    const d = tx.description;
    if (d.type !== 'generic' || d.computePhase.type !== 'vm') throw new Error('no compute phase');
    return d.computePhase.gasUsed;
}

/** Compute gas of the transaction on `to` (the first one). */
export function gasOf(txs: BlockchainTransaction[], to: Address): bigint {
    const tx = txs.find((t) => t.inMessage?.info.dest?.toString() === to.toString());
    if (!tx) throw new Error(`no transaction on ${to}`);
    return gasOfTx(tx);
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

// ---------------------------------------------------------------------------
// Job accounting (fees from the chain config, as the contracts compute them)
// ---------------------------------------------------------------------------

import { Dictionary } from '@ton/core';
import { configParse18, configParseGasLimitsPrices, configParseMsgPrices } from '@ton/ton';
import { signResult } from '../../wrappers/Job';
import { Op } from '../../wrappers/constants';

/**
 * The basechain fee formulas of TVM's GETGASFEE, GETFORWARDFEE and
 * GETSTORAGEFEE, from the sandbox's config (params 18, 21, 25), so a test can
 * compute to the nanoton what a contract computes with those opcodes.
 */
export type FeeCalc = {
    compute(gas: bigint | number): bigint;
    forward(bits: bigint | number, cells: bigint | number): bigint;
    storage(seconds: bigint | number, bits: bigint | number, cells: bigint | number): bigint;
};

export function feeCalc(blockchain: Blockchain): FeeCalc {
    const config = Dictionary.loadDirect(Dictionary.Keys.Int(32), Dictionary.Values.Cell(), blockchain.config);
    const gas = configParseGasLimitsPrices(config.get(21)!.beginParse());
    const msg = configParseMsgPrices(config.get(25)!.beginParse());
    const storagePrices = configParse18(config.get(18)!.beginParse());
    const storage = storagePrices[storagePrices.length - 1];
    const ceil16 = (x: bigint) => (x + 0xffffn) >> 16n;
    return {
        compute: (g) => {
            const used = BigInt(g);
            if (used <= gas.flatLimit) return gas.flatGasPrice;
            return gas.flatGasPrice + ceil16((used - gas.flatLimit) * gas.other.gasPrice);
        },
        forward: (bits, cells) => msg.lumpPrice + ceil16(msg.bitPrice * BigInt(bits) + msg.cellPrice * BigInt(cells)),
        storage: (seconds, bits, cells) =>
            ceil16((BigInt(bits) * storage.bit_price_ps + BigInt(cells) * storage.cell_price_ps) * BigInt(seconds)),
    };
}

/** Constants of contracts/common/gas.fc, read from the source (`gas::job_close` -> 32000n). */
export function gasFcConstants(): Record<string, bigint> {
    const src = readFileSync(path.resolve(__dirname, '../../contracts/common/gas.fc'), 'utf8');
    const out: Record<string, bigint> = {};
    for (const m of src.matchAll(/^const ([\w:]+) = (\d+);/gm)) out[m[1]] = BigInt(m[2]);
    return out;
}

/** The job-side fee formulas of contracts/common/gas.fc, evaluated in TypeScript. */
export function jobFees(blockchain: Blockchain) {
    const f = feeCalc(blockchain);
    const C = gasFcConstants();
    const pick = (...names: string[]): bigint => {
        for (const n of names) if (C[n] !== undefined) return C[n];
        throw new Error(`none of ${names.join(', ')} in contracts/common/gas.fc`);
    };
    const notification = f.forward(C['msg::notification_bits'], C['msg::notification_cells']);
    /** What the job attaches to slash_bond (fee::provider_close): the provider's gas, three slash shares, the excesses. */
    const providerClose = f.compute(C['gas::provider_slash']) + 3n * notification + notification;
    /** What the job attaches to job_closed (fee::job_closed) besides the fees: the provider's gas and one message. */
    const jobClosed = f.compute(C['gas::provider_job_closed']) + notification;
    const jobStorageReserve = f.storage(
        pick('JOB_RESERVE_PERIOD'),
        pick('job_storage::max_bits', 'job::max_state_bits'),
        pick('job_storage::max_cells', 'job::max_state_cells'),
    );
    const providerStorageReserve = f.storage(C['RESERVE_PERIOD'], C['provider::max_state_bits'], C['provider::max_state_cells']);
    const offerValue =
        f.compute(C['gas::provider_offer_job']) +
        f.forward(C['msg::job_accepted_bits'], C['msg::job_accepted_cells']) +
        f.compute(C['gas::job_answer']);
    const jobOverhead =
        f.compute(C['gas::job_create']) +
        f.forward(C['msg::offer_job_bits'], C['msg::offer_job_cells']) +
        offerValue +
        4n * notification +
        notification +
        providerClose +
        jobStorageReserve;
    return { ...f, C, notification, providerClose, jobClosed, jobStorageReserve, providerStorageReserve, offerValue, jobOverhead };
}

/** What an account gained and spent in a set of transactions, from the messages and fees themselves. */
export type Ledger = {
    /** Sum of the values of the internal messages it received. */
    received: bigint;
    /** Sum of the values of the internal messages it sent. */
    sent: bigint;
    /** Forward fees of the messages it sent (the part not already in its total fees). */
    forwardFees: bigint;
    /** Total fees of its transactions (storage, compute, action). */
    fees: bigint;
    /** received - sent - forwardFees - fees: its balance change. */
    net: bigint;
};

export function ledgerOf(txs: Transaction[], who: Address): Ledger {
    let received = 0n;
    let sent = 0n;
    let forwardFees = 0n;
    let fees = 0n;
    for (const tx of txs) {
        const info = tx.inMessage?.info;
        if (!info || info.type !== 'internal' || !info.dest.equals(who)) continue;
        received += info.value.coins;
        fees += tx.totalFees.coins;
        for (const out of tx.outMessages.values()) {
            if (out.info.type !== 'internal') continue;
            sent += out.info.value.coins;
            forwardFees += out.info.forwardFee;
        }
    }
    return { received, sent, forwardFees, fees, net: received - sent - forwardFees - fees };
}

/** The value of the one message from `from` to `to` with opcode `op` in the trace (throws unless exactly one). */
export function valueOf(txs: Transaction[], from: Address, to: Address, op: number): bigint {
    const found: bigint[] = [];
    for (const tx of txs) {
        const info = tx.inMessage?.info;
        if (!info || info.type !== 'internal') continue;
        if (!info.src.equals(from) || !info.dest.equals(to)) continue;
        const body = tx.inMessage!.body.beginParse();
        if (body.remainingBits < 32 || body.loadUint(32) !== op) continue;
        found.push(info.value.coins);
    }
    if (found.length !== 1) throw new Error(`expected one message op 0x${op.toString(16)} from ${from} to ${to}, found ${found.length}`);
    return found[0];
}

export async function balanceOf(blockchain: Blockchain, address: Address): Promise<bigint> {
    return (await blockchain.getContract(address)).balance;
}

/** The outbound messages of a transaction as the cells it sent (from its raw TL-B), in order. */
export function rawOutMessages(tx: Transaction): Cell[] {
    const t = tx.raw.beginParse();
    // transaction$0111 account_addr lt prev_trans_hash prev_trans_lt now outmsg_cnt orig_status end_status ^[in_msg out_msgs]
    t.skip(4 + 256 + 64 + 256 + 64 + 32 + 15 + 2 + 2);
    const msgs = t.loadRef().beginParse();
    if (msgs.loadBit()) msgs.loadRef();
    const out = Dictionary.load(Dictionary.Keys.Uint(15), Dictionary.Values.Cell(), msgs);
    return out.keys().sort((a, b) => a - b).map((k) => out.get(k)!);
}

/**
 * The whole forward fee of each outbound message of a transaction (the sender's action fee
 * plus what the message carries on): GETFORWARDFEE over the message's cells but its root,
 * whether the body went inline or in a ref.
 */
export function forwardFeesOf(fees: FeeCalc, tx: Transaction): bigint[] {
    return rawOutMessages(tx).map((msg) => {
        const seen = new Set<string>();
        let bits = 0;
        let cells = 0;
        const walk = (c: Cell) => {
            const h = c.hash().toString('hex');
            if (seen.has(h)) return;
            seen.add(h);
            bits += c.bits.length;
            cells += 1;
            c.refs.forEach(walk);
        };
        msg.refs.forEach(walk);
        return fees.forward(bits, cells);
    });
}

/** The whole forward fee of the message `tx` sent to `to` (throws unless exactly one). */
export function forwardFeeTo(fees: FeeCalc, tx: Transaction, to: Address): bigint {
    const all = forwardFeesOf(fees, tx);
    const idx: number[] = [];
    [...tx.outMessages.values()].forEach((m, i) => {
        if (m.info.dest instanceof Address && m.info.dest.equals(to)) idx.push(i);
    });
    if (idx.length !== 1) throw new Error(`expected one message to ${to}, found ${idx.length}`);
    return all[idx[0]];
}

/**
 * Fails unless no transaction of the chain aborted (every handler and every action succeeded).
 * A non-bounceable notification too small to pay for the recipient's code (a wallet receiving
 * a fee of a few thousand nanoton runs out of gas) is credited all the same: not a failure.
 */
/**
 * The first transaction of a chain that failed, or undefined. Not a failure: a non-bounceable
 * message whose value was only credited because it could not pay for gas (a dust notification
 * to a wallet, a tiny fee forwarded to the pool).
 */
export function firstFailure(txs: BlockchainTransaction[]): BlockchainTransaction | undefined {
    return txs.find((tx) => {
        const d = tx.description;
        if (d.type !== 'generic' || !d.aborted) return false;
        const info = tx.inMessage?.info;
        const outOfGas = d.computePhase.type === 'skipped' || (d.computePhase.type === 'vm' && d.computePhase.exitCode === -14);
        return !(outOfGas && info?.type === 'internal' && !info.bounce);
    });
}

/** No transaction of the chain failed (see firstFailure); the failure's address is in the message. */
export function expectNoFailure(txs: BlockchainTransaction[]) {
    const bad = firstFailure(txs);
    const where = `${bad?.inMessage?.info.dest?.toString()}`;
    expect({ where, aborted: bad !== undefined }).toEqual({ where, aborted: false });
}

/** The transaction on `to` from `from` (with opcode `op`, if given); throws unless there is exactly one. */
export function txOf(txs: BlockchainTransaction[], from: Address, to: Address, op?: number): BlockchainTransaction {
    const found = txs.filter((tx) => {
        const info = tx.inMessage?.info;
        if (!info || info.type !== 'internal' || !info.src.equals(from) || !info.dest.equals(to)) return false;
        if (op === undefined) return true;
        const body = tx.inMessage!.body.beginParse();
        return body.remainingBits >= 32 && body.loadUint(32) === op;
    });
    if (found.length !== 1) throw new Error(`expected one transaction ${from} -> ${to} op ${op?.toString(16)}, found ${found.length}`);
    return found[0];
}

/** Storage and compute fees charged in a transaction. */
export function phaseFees(tx: Transaction): { storage: bigint; compute: bigint } {
    const d = tx.description;
    if (d.type !== 'generic') return { storage: 0n, compute: 0n };
    return {
        storage: d.storagePhase?.storageFeesCollected ?? 0n,
        compute: d.computePhase.type === 'vm' ? d.computePhase.gasFees : 0n,
    };
}

/** The three parts of a slashed amount, as the provider computes them (send_slash_shares). */
export function slashParts(amount: bigint, jobs: { slashClientBps: number; slashReporterBps: number }) {
    const client = (amount * BigInt(jobs.slashClientBps)) / 10000n;
    const reporter = (amount * BigInt(jobs.slashReporterBps)) / 10000n;
    return { client, reporter, treasury: amount - client - reporter };
}

/** The slash_share messages of a trace (value and reason), by recipient, in order. */
export function slashSharesIn(txs: Transaction[], from: Address): { to: Address; value: bigint; reason: number }[] {
    const out: { to: Address; value: bigint; reason: number }[] = [];
    for (const tx of txs) {
        const info = tx.inMessage?.info;
        if (!info || info.type !== 'internal' || !info.src.equals(from)) continue;
        const s = tx.inMessage!.body.beginParse();
        if (s.remainingBits < 32 || s.loadUint(32) !== Op.slashShare) continue;
        s.loadUintBig(64);
        out.push({ to: info.dest, value: info.value.coins, reason: s.loadUint(2) });
    }
    return out;
}

/** A result signed by the operator key for `job` (seq 0 unless told), as a worker would sign it. */
export function workerResult(
    operator: KeyPair,
    job: Address,
    createdAt: number,
    usage: bigint,
    opts: { seq?: number; commitment?: bigint } = {},
): Cell {
    return signResult(
        { job, createdAt, seq: opts.seq ?? 0, resultCommitment: opts.commitment ?? sha256n(`result of ${job}`), usage },
        operator.secretKey,
    );
}
