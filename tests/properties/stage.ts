/**
 * The scene of the adversarial suite: a deployed protocol, two working
 * providers (one with twice the minimum stake, one at the minimum), a client
 * with its ed25519 key, a keeper, an attacker, an owner without a provider,
 * and helpers that bring a job to each state. Each test restores the snapshot
 * taken after `buildStage()`.
 */
import '@ton/test-utils'; // expect(...).toHaveTransaction, used by the fixtures
import { Address, Cell, toNano } from '@ton/core';
import { BlockchainSnapshot, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { KeyPair } from '@ton/crypto';
import {
    createJob,
    DAY,
    makeStatement,
    deployProtocol,
    expectNoFailure,
    jobFees,
    keyFromLabel,
    Protocol,
    registerWorkingProvider,
    sha256n,
    workerResult,
} from '../helpers/fixtures';
import { Job, signReceipt } from '../../wrappers/Job';
import { Provider } from '../../wrappers/Provider';
import { JobParams, JobRequiredValues, RequiredValues } from '../../wrappers/Root';
import { JobState } from '../../wrappers/constants';
import { bufferToBigint } from '../../wrappers/common';

export type Wallet = SandboxContract<TreasuryContract>;

export type Stage = Awaited<ReturnType<typeof buildStage>>;

export async function buildStage() {
    const p: Protocol = await deployProtocol();
    const bc = p.blockchain;
    const owner = await bc.treasury('stage: provider owner');
    const minOwner = await bc.treasury('stage: min-stake owner');
    const client = await bc.treasury('stage: client');
    const keeper = await bc.treasury('stage: keeper');
    const attacker = await bc.treasury('stage: attacker');
    const newcomer = await bc.treasury('stage: owner without provider');
    const clientKeys = keyFromLabel(`client key ${client.address.toRawString()}`);
    const reg = await registerWorkingProvider(p, owner, { stake: 2n * p.params.minStake });
    expectNoFailure(reg.result.transactions);
    const regMin = await registerWorkingProvider(p, minOwner);
    expectNoFailure(regMin.result.transactions);
    const fees = jobFees(bc);
    const req: JobRequiredValues = await p.root.getJobRequiredValues();
    const rreq: RequiredValues = await p.root.getRequiredValues();
    const preq = await reg.provider.getRequiredValues();
    const jp: JobParams = await p.root.getJobParams();
    let nonce = 10_000n;

    type Opened = { job: SandboxContract<Job>; createdAt: number; nonce: bigint; deadline: number; budget: bigint; provider: SandboxContract<Provider> };

    /** A job the provider accepted (one-shot unless `session`). */
    async function openJob(opts: Parameters<typeof createJob>[3] & { on?: SandboxContract<Provider> } = {}): Promise<Opened> {
        const on = opts.on ?? reg.provider;
        const n = opts.nonce ?? nonce++;
        const created = await createJob(p, client, on.address, { clientKeys, ...opts, nonce: n });
        expectNoFailure(created.result.transactions);
        const st = await created.job.getJobState();
        if (st.state !== JobState.accepted) throw new Error(`job not accepted: state ${st.state}`);
        return { job: created.job, createdAt: st.createdAt, nonce: n, deadline: st.deadline, budget: st.budget, provider: on };
    }

    function operatorOf(on: SandboxContract<Provider>): KeyPair {
        return on.address.equals(reg.provider.address) ? reg.operator : regMin.operator;
    }
    function ownerOf(on: SandboxContract<Provider>): Wallet {
        return on.address.equals(reg.provider.address) ? owner : minOwner;
    }

    function resultFor(o: Opened, usage = 10n, opts: { seq?: number; commitment?: bigint; key?: KeyPair; createdAt?: number; job?: Address } = {}): Cell {
        return workerResult(opts.key ?? operatorOf(o.provider), opts.job ?? o.job.address, opts.createdAt ?? o.createdAt, usage, opts);
    }

    async function submitted(opts: Parameters<typeof openJob>[0] = {}, usage = 10n) {
        const o = await openJob(opts);
        const r = await o.job.sendSubmitResult(ownerOf(o.provider).getSender(), req.submitResult, resultFor(o, usage));
        expectNoFailure(r.transactions);
        return o;
    }

    async function disputed(opts: Parameters<typeof openJob>[0] = {}, usage = 10n) {
        const o = await submitted(opts, usage);
        const r = await o.job.sendDispute(client.getSender(), req.clientOp, sha256n('bad answer'));
        expectNoFailure(r.transactions);
        return o;
    }

    function receiptFor(o: Opened, seq: number, cumulative: bigint, opts: { key?: KeyPair; createdAt?: number; job?: Address } = {}): Cell {
        return signReceipt(
            { job: opts.job ?? o.job.address, createdAt: opts.createdAt ?? o.createdAt, seq, cumulativeUsage: cumulative, resultRoot: sha256n(`root ${seq}`) },
            (opts.key ?? clientKeys).secretKey,
        );
    }

    /** A fresh statement (issued now, same keys) through the root: keeps a provider eligible after a time jump. */
    async function reattest(on: SandboxContract<Provider> = reg.provider, lifetime = 20 * DAY) {
        const who = ownerOf(on);
        const statement = makeStatement(p, {
            owner: who.address,
            operatorKey: bufferToBigint(operatorOf(on).publicKey),
            issuedAt: bc.now!,
            expiresAt: bc.now! + lifetime,
        });
        const r = await p.root.sendReattestProvider(who.getSender(), rreq.reattestProvider, statement);
        expectNoFailure(r.transactions);
    }

    const snapshot: BlockchainSnapshot = bc.snapshot();

    return {
        p,
        bc,
        owner,
        minOwner,
        client,
        clientKeys,
        keeper,
        attacker,
        newcomer,
        provider: reg.provider,
        operator: reg.operator,
        minProvider: regMin.provider,
        minOperator: regMin.operator,
        fees,
        req,
        rreq,
        preq,
        jp,
        snapshot,
        openJob,
        submitted,
        disputed,
        resultFor,
        receiptFor,
        reattest,
        operatorOf,
        ownerOf,
        now: () => bc.now!,
        restore: () => bc.loadFrom(snapshot),
        /** Ample value for an op whose value is not the point of the test. */
        AMPLE: toNano('1'),
    };
}
