/**
 * Gas constants (contracts/common/gas.fc) against measured gas. Each handler
 * is measured at its worst case; handlers that check a model set are
 * measured with one model and with 32 to get the per-model cost. The test
 * fails when a constant is below the measurement (the fee check would let
 * through a message that cannot pay for itself) or more than 50% above it
 * (the constant drifted and overcharges users). Every root entry point is
 * also sent with exactly the value the root asks for (get_required_values),
 * which must be enough for the whole chain of transactions.
 */
import { Cell, toNano } from '@ton/core';
import { BlockchainTransaction } from '@ton/sandbox';
import '@ton/test-utils';
import { readFileSync } from 'fs';
import path from 'path';
import {
    deployProtocol,
    registerProvider,
    registerWorkingProvider,
    createJob,
    makeStatement,
    sha256n,
    expectNoFailure,
    gasOf,
    gasOfTx,
    Protocol,
    POLICY,
} from './helpers/fixtures';
import { Job, signReceipt, signResult } from '../wrappers/Job';
import { executeFrom, executeTill } from '@ton/test-utils';
import { internal } from '@ton/sandbox';
import { cellTreeSize } from './helpers/ledger';
import { TimelockActions } from '../wrappers/Root';
import { Mode, Op, RewardLimits } from '../wrappers/constants';
import { addProviders, DAY, deployRewardWorld, HOUR, settleJob, step } from './helpers/rewards';
import { buildQuoteModeReportData, buildReportData, createSimulatedTdxCa, createSimulatedTdxQuote } from '../attestation';
import { measurementPolicyHash, policyMeasurementsOf } from '../attestation/policy';
import { parseTdxQuote } from '../attestation/quote';
import { QuoteVerifier, splitQuote, verifyQuoteBody } from '../wrappers/QuoteVerifier';
import { loadCode, DEFAULT_OFFER } from './helpers/fixtures';
import { existsSync } from 'fs';

function gasConstants(): Record<string, bigint> {
    const src = readFileSync(path.resolve(__dirname, '../contracts/common/gas.fc'), 'utf8');
    const out: Record<string, bigint> = {};
    for (const m of src.matchAll(/^const ([\w:]+) = (\d+);/gm)) out[m[1]] = BigInt(m[2]);
    return out;
}

const C = gasConstants();
const measured: Record<string, bigint> = {};
let g1 = 0n;


function record(name: string, value: bigint) {
    if (measured[name] === undefined || value > measured[name]) measured[name] = value;
}

/** Bits and cells of an outbound message beyond its root cell (what forward fees are charged on). */
/** Compute gas of the n-th transaction (0-based) on `to`. */
function gasOfNth(txs: BlockchainTransaction[], to: any, n: number): bigint {
    return gasOfTx(txs.filter((t) => t.inMessage?.info.dest?.toString() === to.toString())[n]);
}

function outMessageSize(txs: BlockchainTransaction[], from: Cell | any): { bits: bigint; cells: bigint } {
    const tx = txs.find((t) => t.inMessage?.info.dest?.toString() === from.toString())!;
    const msg = tx.outMessages.get(0)!;
    const roots = [msg.init?.code, msg.init?.data, msg.body].filter((c): c is Cell => !!c);
    const size = cellTreeSize(roots);
    return { bits: BigInt(size.bits), cells: BigInt(size.cells) };
}

describe('Gas constants', () => {
    const MAX = 32;
    const models = Array.from({ length: MAX }, (_, i) => sha256n(`gas model ${i}`));
    let p: Protocol;

    beforeAll(async () => {
        p = await deployProtocol({ params: { maxModels: MAX }, extraModels: models });
        const value = toNano('0.05');

        // Registration with one model and with MAX models, each with exactly the required value.
        const small = await p.blockchain.treasury('gas-owner-1');
        const big = await p.blockchain.treasury('gas-owner-32');
        const required = await p.root.getRequiredValues();
        const stake = p.params.minStake;
        const one = await registerProvider(p, small, { models: [models[0]], value: stake + required.registerProvider });
        const all = await registerProvider(p, big, { models, value: stake + required.registerProvider });
        for (const r of [one, all]) {
            expectNoFailure(r.result.transactions);
            expect(r.result.transactions).toHaveTransaction({ from: r.provider.address, op: Op.providerRegistered });
        }
        const g1 = gasOf(one.result.transactions, p.root.address);
        const gMax = gasOf(all.result.transactions, p.root.address);
        record('gas::root_register', g1);
        record('gas::root_per_model', (gMax - g1 + BigInt(MAX - 2)) / BigInt(MAX - 1));
        record('gas::provider_init', gasOf(all.result.transactions, all.provider.address));
        const s1 = outMessageSize(one.result.transactions, p.root.address);
        const sMax = outMessageSize(all.result.transactions, p.root.address);
        record('msg::root_to_provider_bits', s1.bits);
        record('msg::root_to_provider_cells', s1.cells);
        record('msg::model_bits', (sMax.bits - s1.bits) / BigInt(MAX - 1) + 1n);
        record('msg::model_cells', (sMax.cells - s1.cells + BigInt(MAX - 2)) / BigInt(MAX - 1));

        // The provider's largest state (code + data with MAX models) against the reserve's sizing.
        const state = (await p.blockchain.getContract(all.provider.address)).accountState;
        if (state?.type !== 'active') throw new Error('provider not active');
        const stateSize = outMessageSize(
            [{ inMessage: { info: { dest: 'x' } }, outMessages: new Map([[0, { init: { code: state.state.code!, data: state.state.data! }, body: new Cell() }]]) } as any],
            'x',
        );
        record('provider::max_state_bits', stateSize.bits);
        record('provider::max_state_cells', stateSize.cells);

        const owner = big;
        const provider = all.provider;
        p.blockchain.now! += 60;
        let r = await p.root.sendReattestProvider(owner.getSender(), required.reattestProvider, makeStatement(p, { owner: owner.address }));
        expectNoFailure(r.transactions);
        record('gas::root_reattest', gasOf(r.transactions, p.root.address));
        record('gas::provider_reattest', gasOf(r.transactions, provider.address));

        r = await p.root.sendUpdateProviderModels(owner.getSender(), required.updateProviderModels, [models[0]]);
        const u1 = gasOf(r.transactions, p.root.address);
        record('gas::root_update_models', u1);
        r = await p.root.sendUpdateProviderModels(owner.getSender(), required.updateProviderModels, models);
        expectNoFailure(r.transactions);
        expect(r.transactions).toHaveTransaction({ from: provider.address, to: owner.address, op: Op.excesses });
        record('gas::root_per_model', (gasOf(r.transactions, p.root.address) - u1 + BigInt(MAX - 2)) / BigInt(MAX - 1));
        record('gas::provider_set_models', gasOf(r.transactions, provider.address));

        await p.root.sendRevokeModel(p.governance.getSender(), value, models[0]);
        r = await p.root.sendCheckProvider(p.governance.getSender(), required.checkProvider, owner.address, { kind: 'model', hash: models[0] });
        expectNoFailure(r.transactions);
        record('gas::root_check_provider', gasOf(r.transactions, p.root.address));
        record('gas::provider_revoke', gasOf(r.transactions, provider.address));
        await p.root.sendRevokePolicy(p.governance.getSender(), value, POLICY);
        r = await p.root.sendCheckProvider(p.governance.getSender(), required.checkProvider, owner.address, { kind: 'policy', hash: POLICY });
        expectNoFailure(r.transactions);
        record('gas::root_check_provider', gasOf(r.transactions, p.root.address));
        record('gas::provider_revoke', gasOf(r.transactions, provider.address));

        r = await provider.sendTopUp(owner.getSender(), toNano('1') + value, toNano('1'));
        record('gas::provider_owner_op', gasOf(r.transactions, provider.address));
        r = await provider.sendUpdateOffer(owner.getSender(), value, { pricePerUnit: 5n, endpoint: 'x'.repeat(127) });
        record('gas::provider_owner_op', gasOf(r.transactions, provider.address));
        r = await provider.sendRequestUnbond(owner.getSender(), value);
        record('gas::provider_owner_op', gasOf(r.transactions, provider.address));
        p.blockchain.now! += p.params.unbondingPeriod;
        r = await provider.sendWithdrawStake(owner.getSender(), value);
        record('gas::provider_owner_op', gasOf(r.transactions, provider.address));

        // Governance: the most expensive paths (a nearly full queue, execute of set_params, collect).
        for (let i = 0; i < 15; i++) {
            await p.root.sendQueueChange(p.governance.getSender(), value, TimelockActions.addModel(sha256n(`q${i}`), 'queued'));
        }
        r = await p.root.sendQueueChange(
            p.governance.getSender(),
            required.governanceOp,
            TimelockActions.setParams({ ...p.params, minStake: toNano('200') }),
        );
        expectNoFailure(r.transactions);
        record('gas::root_admin', gasOf(r.transactions, p.root.address));
        p.blockchain.now! += p.params.timelockDelay;
        for (const id of [15, 0]) {
            r = await p.root.sendExecuteChange(p.governance.getSender(), required.governanceOp, id);
            expectNoFailure(r.transactions);
            record('gas::root_admin', gasOf(r.transactions, p.root.address));
        }
        r = await p.root.sendCollectRootExcess(p.governance.getSender(), required.governanceOp);
        record('gas::root_admin', gasOf(r.transactions, p.root.address));
    });

    // Jobs: every job and provider-side job handler at its worst case, with exactly the required values.
    beforeAll(async () => {
        const jp = await deployProtocol();
        const owner = await jp.blockchain.treasury('gas-job-owner');
        const client = await jp.blockchain.treasury('gas-job-client');
        const keeper = await jp.blockchain.treasury('gas-job-keeper');
        const { provider, operator } = await registerWorkingProvider(jp, owner, { stake: toNano('1000') });
        const req = await jp.root.getJobRequiredValues();
        const result = (job: any, createdAt: number, commitment: string, usage = 1000n, seq = 0) =>
            signResult({ job: job.address, createdAt, seq, resultCommitment: sha256n(commitment), usage }, operator.secretKey);

        // One-shot: create (accepted), submit, confirm.
        const one = await createJob(jp, client, provider.address);
        expectNoFailure(one.result.transactions);
        record('gas::job_create', gasOf(one.result.transactions, one.job.address));
        record('gas::provider_offer_job', gasOf(one.result.transactions, provider.address));
        record('gas::job_answer', gasOfNth(one.result.transactions, one.job.address, 1));
        const offerSize = outMessageSize(one.result.transactions, one.job.address);
        record('msg::offer_job_bits', offerSize.bits);
        record('msg::offer_job_cells', offerSize.cells);
        const acceptSize = outMessageSize(one.result.transactions, provider.address);
        record('msg::job_accepted_bits', acceptSize.bits);
        record('msg::job_accepted_cells', acceptSize.cells);
        const st = await one.job.getJobState();
        let r = await one.job.sendSubmitResult(keeper.getSender(), req.submitResult, result(one.job, st.createdAt, 'r1'));
        expectNoFailure(r.transactions);
        record('gas::job_submit', gasOf(r.transactions, one.job.address));
        r = await one.job.sendConfirm(client.getSender(), req.closeJob);
        expectNoFailure(r.transactions);
        record('gas::job_close', gasOf(r.transactions, one.job.address));
        record('gas::provider_job_closed', gasOf(r.transactions, provider.address));
        const jobState = (await jp.blockchain.getContract(one.job.address)).accountState;
        if (jobState?.type === 'active') {
            const size = outMessageSize(
                [{ inMessage: { info: { dest: 'x' } }, outMessages: new Map([[0, { init: { code: jobState.state.code!, data: jobState.state.data! }, body: new Cell() }]]) } as any],
                'x',
            );
            record('job_storage::max_bits', size.bits);
            record('job_storage::max_cells', size.cells);
        }

        // Settle by a keeper after the window; dispute (client op) + verdict; expire (slash).
        const two = await createJob(jp, client, provider.address);
        r = await two.job.sendSubmitResult(keeper.getSender(), req.submitResult, result(two.job, (await two.job.getJobState()).createdAt, 'r2'));
        jp.blockchain.now! += 3600;
        r = await two.job.sendSettle(keeper.getSender(), req.closeJob);
        expectNoFailure(r.transactions);
        record('gas::job_close', gasOf(r.transactions, two.job.address));

        const three = await createJob(jp, client, provider.address);
        await three.job.sendSubmitResult(keeper.getSender(), req.submitResult, result(three.job, (await three.job.getJobState()).createdAt, 'r3'));
        r = await three.job.sendDispute(client.getSender(), req.clientOp, sha256n('bad answer'));
        expectNoFailure(r.transactions);
        record('gas::job_client_op', gasOf(r.transactions, three.job.address));
        const rv = await jp.root.getRequiredValues();
        r = await jp.root.sendResolveDispute(jp.governance.getSender(), rv.resolveDispute, {
            client: client.address,
            nonce: three.setup.nonce,
            forClient: true,
            slash: toNano('1'),
        });
        expectNoFailure(r.transactions);
        record('gas::root_admin', gasOf(r.transactions, jp.root.address));
        record('gas::job_close', gasOf(r.transactions, three.job.address));
        record('gas::provider_slash', gasOf(r.transactions, provider.address));

        const four = await createJob(jp, client, provider.address);
        jp.blockchain.now! += 2 * 3600;
        r = await four.job.sendExpire(keeper.getSender(), req.closeJob);
        expectNoFailure(r.transactions);
        record('gas::job_close', gasOf(r.transactions, four.job.address));
        record('gas::provider_slash', gasOf(r.transactions, provider.address));

        const five = await createJob(jp, client, provider.address);
        r = await five.job.sendCancel(client.getSender(), req.clientOp);
        record('gas::job_client_op', gasOf(r.transactions, five.job.address));

        // job_answer at its worst: the acceptance that crossed the client's cancel (the job sends
        // job_closed to release the bond, and the refund).
        {
            const nonce = 9_000n;
            const crossed = jp.blockchain.openContract(Job.createFromConfig({ root: jp.root.address, client: client.address, nonce }, jp.jobCode));
            const budget = toNano('10');
            const body = Job.createJobMessage({
                budget,
                deadline: jp.blockchain.now! + 3600,
                session: false,
                clientKey: Buffer.alloc(32, 7),
                provider: provider.address,
                modelHash: (await provider.getModels())[0],
                maxPrice: toNano('1'),
                requestCommitment: sha256n('crossed'),
            });
            const creation = await jp.blockchain.sendMessageIter(
                internal({ from: client.address, to: crossed.address, value: budget + req.createJob, body, stateInit: crossed.init }),
                { allowParallel: true },
            );
            await executeTill(creation, { to: crossed.address, op: Op.createJob });
            expectNoFailure((await crossed.sendCancel(client.getSender(), req.clientOp)).transactions);
            const rest = (await executeFrom(creation)) as BlockchainTransaction[];
            expectNoFailure(rest);
            expect(rest).toHaveTransaction({ from: crossed.address, to: provider.address, op: Op.jobClosed });
            record('gas::job_answer', gasOf(rest, crossed.address));
            record('gas::provider_job_closed', gasOfNth(rest, provider.address, 1));
        }

        // Session: partial claim, close_session, final claim by the owner.
        const six = await createJob(jp, client, provider.address, { session: true });
        const s6 = await six.job.getJobState();
        const receipt = (seq: number, usage: bigint) =>
            signReceipt({ job: six.job.address, createdAt: s6.createdAt, seq, cumulativeUsage: usage, resultRoot: sha256n(`root ${seq}`) }, six.setup.clientKeys.secretKey);
        r = await six.job.sendClaimSession(keeper.getSender(), req.claimSession, receipt(10, 500n));
        expectNoFailure(r.transactions);
        record('gas::job_claim', gasOf(r.transactions, six.job.address));
        r = await six.job.sendCloseSession(client.getSender(), req.clientOp);
        record('gas::job_client_op', gasOf(r.transactions, six.job.address));
        r = await six.job.sendClaimSession(owner.getSender(), req.claimSession, receipt(20, 900n), true);
        expectNoFailure(r.transactions);
        record('gas::job_close', gasOf(r.transactions, six.job.address));

        // Equivocation on an open job.
        const seven = await createJob(jp, client, provider.address);
        const s7 = await seven.job.getJobState();
        r = await provider.sendReportEquivocation(keeper.getSender(), toNano('0.1'), {
            client: client.address,
            nonce: seven.setup.nonce,
            first: result(seven.job, s7.createdAt, 'a'),
            second: result(seven.job, s7.createdAt, 'b'),
        });
        expectNoFailure(r.transactions);
        record('gas::provider_equivocation', gasOf(r.transactions, provider.address));
    });

    // Quote mode: the verifier's handlers and the root's register_quote_provider, with exactly the
    // required values (simulated quotes on the real quote's measurements when it is present).
    beforeAll(async () => {
        const qp = await deployProtocol({ params: { maxModels: MAX }, extraModels: models });
        const quoteFile = path.resolve(process.env.COCOON_SHARED_TESTDATA ?? path.resolve(__dirname, '../../shared/testdata'), 'tdx-quote-v4.dat');
        const template = existsSync(quoteFile) ? readFileSync(quoteFile) : undefined;
        const verifier = qp.blockchain.openContract(QuoteVerifier.createFromConfig({ owner: qp.root.address }, loadCode('QuoteVerifier')));
        await verifier.sendDeploy(qp.governance.getSender(), toNano('1'));
        const ca = await createSimulatedTdxCa();
        const key = (x: bigint) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
        const quoteFor = (owner: any, reportData?: Buffer) =>
            splitQuote(createSimulatedTdxQuote(ca, { template, reportData: reportData ?? buildQuoteModeReportData(key(1n), key(2n), owner, qp.root.address) }));
        const sample = quoteFor(qp.governance.address);
        const policy = BigInt('0x' + measurementPolicyHash(policyMeasurementsOf(parseTdxQuote(createSimulatedTdxQuote(ca, { template, reportData: Buffer.alloc(64) })).body)).toString('hex'));
        const required = await qp.root.getRequiredValues();
        const quoteRequired = await qp.root.getQuoteRequiredValues();
        const actions = [
            TimelockActions.setQuoteVerifier(verifier.address),
            TimelockActions.setAttestationModes(Mode.all),
            TimelockActions.addPolicy(policy, 'gas'),
            TimelockActions.addPckKey(sample.pckKey!),
        ];
        for (const a of actions) await qp.root.sendQueueChange(qp.governance.getSender(), required.governanceOp, a);
        qp.blockchain.now! += qp.params.timelockDelay;
        for (let id = 0; id < actions.length; id++) {
            const r = await qp.root.sendExecuteChange(qp.governance.getSender(), id === 3 ? quoteRequired.pckOp : required.governanceOp, id);
            expectNoFailure(r.transactions);
            record('gas::root_admin', gasOf(r.transactions, qp.root.address));
            if (id === 3) record('gas::quote_pck_op', gasOf(r.transactions, verifier.address));
        }
        expect((await verifier.getPck(sample.pckKey!.x)).found).toBe(true);

        // Registrations with one model and with 32, each with exactly the required value.
        for (const [i, set] of [[models[0]], models, [models[1]]].entries()) {
            const owner = await qp.blockchain.treasury(`gas-quote-owner-${i}`);
            const r = await verifier.sendRegisterByQuote(owner.getSender(), qp.params.minStake + quoteRequired.registerByQuote, quoteFor(owner.address), {
                stake: qp.params.minStake,
                operatorKey: 1n,
                encryptionKey: 2n,
                offer: DEFAULT_OFFER,
                models: set,
            });
            expectNoFailure(r.transactions);
            expect(r.transactions).toHaveTransaction({ to: owner.address, op: Op.providerRegistered });
            record('gas::quote_register', gasOf(r.transactions, verifier.address));
            const rootGas = gasOf(r.transactions, qp.root.address);
            if (set.length === 1) {
                record('gas::root_register_quote', rootGas);
                const size = outMessageSize(r.transactions, verifier.address);
                record('msg::quote_to_root_bits', size.bits);
                record('msg::quote_to_root_cells', size.cells);
            } else {
                record('gas::root_per_model', (rootGas - measured['gas::root_register_quote'] + BigInt(MAX - 2)) / BigInt(MAX - 1));
            }
        }

        // A stand-alone verification with a key binding, with exactly the required value.
        const vr = await verifier.getRequiredValues();
        const user = await qp.blockchain.treasury('gas-quote-user');
        const bound = quoteFor(user.address, buildReportData(key(1n), key(2n), user.address));
        let r = await verifier.sendRaw(user.getSender(), vr.verifyQuote, verifyQuoteBody(bound, { binding: { operatorKey: 1n, encryptionKey: 2n, owner: user.address } }));
        expectNoFailure(r.transactions);
        expect(r.transactions).toHaveTransaction({ from: verifier.address, to: user.address, op: Op.quoteOk });
        record('gas::quote_verify', gasOf(r.transactions, verifier.address));

        // Immediate PCK revocation through the root.
        r = await qp.root.sendRevokePckKey(qp.guardian.getSender(), quoteRequired.pckOp, sample.pckKey!.x);
        expectNoFailure(r.transactions);
        expect(r.transactions).toHaveTransaction({ from: verifier.address, to: qp.guardian.address, op: Op.excesses });
        record('gas::root_admin', gasOf(r.transactions, qp.root.address));
        record('gas::quote_pck_op', gasOf(r.transactions, verifier.address));
    }, 120_000);

    // Rewards: the provider's reward book and the pool at their worst cases (a full book of
    // rewards::max_entries entries, claims of rewards::max_records epochs, two epochs pruned).
    beforeAll(async () => {
        const GRACE = 30 * HOUR;    // every epoch of the book still reportable when the book is full
        const w = await deployRewardWorld({ epochLength: HOUR, reportGrace: GRACE, claimWindow: DAY });
        const [pw] = await addProviders(w, 1, 'gas reward provider');
        const client = await w.blockchain.treasury('gas reward client');
        const keeper = await w.blockchain.treasury('gas reward keeper');
        const pool = w.pool.address;
        const prov = pw.provider.address;
        const start = (e: number) => w.poolConfig.genesis + e * HOUR + 10;
        const end = (e: number) => w.poolConfig.genesis + (e + 1) * HOUR;
        const claimUntil = (e: number) => end(e) + GRACE + DAY;
        const values = await pw.provider.getRewardRequiredValues();
        const sizeOf = async (a: any) => {
            const acc = (await w.blockchain.getContract(a)).accountState;
            if (acc?.type !== 'active') throw new Error('not active');
            return cellTreeSize([acc.state.code!, acc.state.data!]);
        };
        const base = await sizeOf(prov);
        const recordPool = (txs: BlockchainTransaction[], name: string, op: number) => {
            for (const tx of txs) {
                const body = tx.inMessage?.body.beginParse();
                if (tx.inMessage?.info.dest?.toString() !== pool.toString() || !body || body.remainingBits < 32) continue;
                if (body.loadUint(32) === op) record(name, gasOfTx(tx));
            }
        };
        const recordReplies = (txs: BlockchainTransaction[]) => {
            for (const tx of txs) {
                const body = tx.inMessage?.body.beginParse();
                if (tx.inMessage?.info.dest?.toString() !== prov.toString() || !body || body.remainingBits < 32) continue;
                const op = body.loadUint(32);
                if (op === Op.usageCounted || op === Op.usageLate) record('gas::provider_reward_reply', gasOfTx(tx));
            }
        };
        // One job per epoch fills the book (rewards::max_entries entries), the 17th overflows to the pool.
        for (let e = 0; e <= RewardLimits.maxEntries; e++) {
            w.blockchain.now = start(e);
            const { confirm } = await settleJob(w, client, pw, 100_000n + BigInt(e));
            step('reward step 1', confirm.transactions);
            record('gas::job_close', gasOf(confirm.transactions, (confirm.transactions[1].inMessage!.info.dest as any)));
            record('gas::provider_job_closed', gasOf(confirm.transactions, prov));
            if (e === 1) {
                // One report sent (epoch 0 ended, epoch 1 still running).
                const r = await pw.provider.sendReportRewards(keeper.getSender(), values.report, pool);
                step('reward step 2', r.transactions);
                record('gas::provider_report', gasOf(r.transactions, prov) - BigInt(C['gas::provider_per_report']));
                g1 = gasOf(r.transactions, prov);
                recordPool(r.transactions, 'gas::pool_report', Op.reportUsage);
                recordReplies(r.transactions);
            }
        }
        expect((await pw.provider.getRewards()).entries).toHaveLength(RewardLimits.maxEntries);
        // The largest provider: MAX models (measured above) plus a full reward book.
        const full = await sizeOf(prov);
        measured['provider::max_state_bits'] += BigInt(full.bits - base.bits);
        measured['provider::max_state_cells'] += BigInt(full.cells - base.cells);
        // Reports of four epochs per call, on time.
        w.blockchain.now = end(RewardLimits.maxEntries) + 10;
        for (let k = 0; k < 2; k++) {
            const r = await pw.provider.sendReportRewards(keeper.getSender(), values.report, pool);
            step('reward step 3', r.transactions);
            const g4 = gasOf(r.transactions, prov);
            record('gas::provider_per_report', (g4 - g1 + 2n) / 3n);
            record('gas::provider_report', g4 - BigInt(C['gas::provider_per_report']) * BigInt(RewardLimits.maxRecords));
            recordPool(r.transactions, 'gas::pool_report', Op.reportUsage);
            recordReplies(r.transactions);
        }
        // Claim epochs 0-3 (pays, no prune), then, once 4 epochs expired, claim 4 live epochs with 2 prunes.
        w.blockchain.now = end(3) + GRACE + 10;
        let r = await pw.provider.sendClaimRewards(pw.owner.getSender(), values.claim, pool);
        step("claim 1", r.transactions);
        record('gas::provider_claim', gasOf(r.transactions, prov));
        recordPool(r.transactions, 'gas::pool_claim', Op.poolClaim);
        const claimSize = outMessageSize(r.transactions, prov);
        record('msg::pool_claim_bits', claimSize.bits);
        record('msg::pool_claim_cells', claimSize.cells);
        // Late reports (after end + grace, with expired epochs to prune): fees fund the current epoch.
        w.blockchain.now = claimUntil(1) + 10;
        for (let k = 0; k < 2; k++) {
            r = await pw.provider.sendReportRewards(keeper.getSender(), values.report, pool);
            step('reward step 4', r.transactions);
            recordPool(r.transactions, 'gas::pool_report', Op.reportUsage);
            recordReplies(r.transactions);
        }
        w.blockchain.now = claimUntil(3) + 10;
        r = await pw.provider.sendClaimRewards(pw.owner.getSender(), values.claim, pool);
        step('reward step 5', r.transactions);
        record('gas::provider_claim', gasOf(r.transactions, prov));
        recordPool(r.transactions, 'gas::pool_claim', Op.poolClaim);
        // Funding and plain value, each pruning two expired epochs.
        w.blockchain.now = claimUntil(5) + 10;
        const req = await w.pool.getRequiredValues();
        const current = await w.pool.getCurrentEpoch();
        r = await w.pool.sendFundRewards(keeper.getSender(), toNano('1') + req.fund, current + RewardLimits.maxFundAhead, toNano('1'));
        step('reward step 6', r.transactions);
        record('gas::pool_fund', gasOf(r.transactions, pool));
        w.blockchain.now = claimUntil(7) + 10;
        r = await keeper.send({ to: pool, value: toNano('1') });
        step('reward step 7', r.transactions);
        record('gas::pool_credit', gasOf(r.transactions, pool));
    }, 300_000);

    it('prints the measurements', () => {
        const rows = Object.keys(measured)
            .sort()
            .map((k) => `${k.padEnd(30)} measured ${String(measured[k]).padStart(6)}  constant ${String(C[k]).padStart(6)}`);
        console.log('Gas and message sizes (worst case):\n' + rows.join('\n'));
        expect(Object.keys(measured).length).toBeGreaterThan(10);
    });

    const checked = Object.keys(C).filter(
        (k) =>
            k.startsWith('gas::') ||
            k.startsWith('msg::root_to_provider') ||
            k.startsWith('msg::quote_to_root') ||
            k.startsWith('msg::model') ||
            k.startsWith('msg::offer_job') ||
            k.startsWith('msg::job_accepted') ||
            k.startsWith('msg::pool_claim') ||
            k.startsWith('provider::max_state') ||
            k.startsWith('job_storage::'),
    );
    it.each(checked)('%s covers the measured worst case within 50%%', (name) => {
        expect(measured[name]).toBeDefined();
        expect(C[name]).toBeGreaterThanOrEqual(measured[name]);
        expect(C[name]).toBeLessThanOrEqual((measured[name] * 3n) / 2n + 1n);
    });
});
