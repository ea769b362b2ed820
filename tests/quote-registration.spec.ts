/**
 * Provider registration in the quote mode (attestation level 2, SPEC §6.5): the owner sends a
 * TDX quote to the quote verifier, which verifies everything about it (registered PCK key,
 * both signatures, QE binding, debug off, REPORTDATA binding of operator key, encryption key,
 * owner and root) and forwards register_quote_provider to the root; the root authenticates the
 * verifier by its governed address, checks the mode, pause, policy allowlist, stake, offer and
 * models, and deploys the provider exactly as with a statement.
 *
 * The happy path uses a SIMULATED quote (attestation/simulated.ts) built on the real quote
 * (/work/shared/testdata/tdx-quote-v4.dat) as template — same measurements, hence the same
 * policy hash — whose REPORTDATA binds this test's keys, owner and root, signed by a local test
 * CA whose PCK key governance registers through the timelock. The real quote itself goes
 * through the whole registration path with its genuine PCK key registered through the
 * timelock: every signature check passes and it is refused only at the REPORTDATA binding,
 * because its REPORTDATA was made on TDX hardware for other keys (no real quote can bind an
 * owner and root created in a sandbox). Those real-quote tests are skipped, saying so, when the
 * file is absent.
 */
import { Blockchain, BlockchainSnapshot, BlockchainTransaction, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { Address, beginCell, Cell, contractAddress, Dictionary, toNano } from '@ton/core';
import '@ton/test-utils';
import { existsSync, readFileSync } from 'fs';
import path from 'path';
import {
    buildQuoteModeReportData,
    buildReportData,
    createSimulatedTdxCa,
    createSimulatedTdxQuote,
    parseTdxQuote,
    SimulatedTdxCa,
} from '../attestation';
import { measurementPolicyHash, policyMeasurementsOf } from '../attestation/policy';
import { QuoteParts, QuoteVerifier, RegisterByQuote, registerByQuoteBody, splitQuote } from '../wrappers/QuoteVerifier';
import { Root, TimelockActions } from '../wrappers/Root';
import { Provider } from '../wrappers/Provider';
import { bufferToBigint } from '../wrappers/common';
import { Errors, Mode, Op, ProviderState } from '../wrappers/constants';
import {
    DAY,
    DEFAULT_OFFER,
    deployProtocol,
    keyFromLabel,
    loadCode,
    MODEL,
    Protocol,
    sha256n,
    snapshotState,
} from './helpers/fixtures';

const dir = process.env.COCOON_SHARED_TESTDATA ?? path.resolve(__dirname, '../../shared/testdata');
const QUOTE_FILE = path.join(dir, 'tdx-quote-v4.dat');
const HAVE_QUOTE = existsSync(QUOTE_FILE);
if (!HAVE_QUOTE) console.warn(`quote-registration: ${QUOTE_FILE} is absent — the real-quote tests are SKIPPED (set COCOON_SHARED_TESTDATA)`);
const itReal = HAVE_QUOTE ? it : it.skip;

const big = (b: Buffer) => bufferToBigint(b);
const hex32 = (x: bigint) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');

describe('Provider registration with a TDX quote verified on chain', () => {
    let p: Protocol;
    let blockchain: Blockchain;
    let verifier: SandboxContract<QuoteVerifier>;
    let owner: SandboxContract<TreasuryContract>;
    let keeper: SandboxContract<TreasuryContract>;
    let ca: SimulatedTdxCa;
    let foreignCa: SimulatedTdxCa;
    let policy: bigint;
    let ready: BlockchainSnapshot;
    let readyNow: number;
    const operator = keyFromLabel('quote-mode operator');
    const operatorKey = big(operator.publicKey);
    const encryptionKey = sha256n('quote-mode encryption key');
    const template = HAVE_QUOTE ? readFileSync(QUOTE_FILE) : undefined;
    const gas: Record<string, bigint> = {};

    /** A quote signed by `signer`'s chain with the given REPORTDATA (the real quote's measurements when present). */
    function simulated(o: { reportData?: Buffer; debug?: boolean; signer?: SimulatedTdxCa } = {}): QuoteParts {
        const tdAttributes = Buffer.from(template ? parseTdxQuote(template).body.tdAttributes : Buffer.alloc(8));
        if (o.debug) tdAttributes[0] |= 1;
        const reportData = o.reportData ?? buildQuoteModeReportData(hex32(operatorKey), hex32(encryptionKey), owner.address, p.root.address);
        return splitQuote(createSimulatedTdxQuote(o.signer ?? ca, { reportData, template, measurements: { tdAttributes } }));
    }

    function registration(o: Partial<RegisterByQuote> = {}): RegisterByQuote {
        return { stake: p.params.minStake, operatorKey, encryptionKey, offer: DEFAULT_OFFER, models: [MODEL], ...o };
    }

    async function value(stake = p.params.minStake) {
        return stake + (await p.root.getQuoteRequiredValues()).registerByQuote;
    }

    /** Queues, waits for and executes a timelocked change. */
    async function timelock(action: Cell, execValue?: bigint) {
        const required = await p.root.getRequiredValues();
        const id = (await p.root.getRootData()).nextChangeId;
        const q = await p.root.sendQueueChange(p.governance.getSender(), required.governanceOp, action);
        expect(q.transactions).toHaveTransaction({ to: p.root.address, success: true });
        blockchain.now! += p.params.timelockDelay;
        const e = await p.root.sendExecuteChange(p.governance.getSender(), execValue ?? required.governanceOp, id);
        expect(e.transactions).toHaveTransaction({ to: p.root.address, success: true });
        return e;
    }

    const providerOf = (who: Address) =>
        blockchain.openContract(Provider.createFromConfig({ root: p.root.address, owner: who, jobCode: p.jobCode }, p.providerCode));

    const txOn = (txs: BlockchainTransaction[], to: Address) => txs.find((t) => t.inMessage?.info.dest?.toString() === to.toString());

    function computeOf(tx: BlockchainTransaction | undefined) {
        const d = tx?.description;
        if (!d || d.type !== 'generic' || d.computePhase.type !== 'vm') throw new Error('no compute phase');
        return d.computePhase;
    }

    /** State of the root, the verifier and the owner's provider, to compare around a rejection. */
    async function stateOf(who: Address) {
        return [await snapshotState(p, p.root.address), await snapshotState(p, verifier.address), await snapshotState(p, providerOf(who).address)].join('|');
    }

    /**
     * Sends register_by_quote and expects it to be rejected with `exitCode`: by the verifier (the
     * message bounces back) or by the root (request_refused to the owner with the rest of the
     * value). Either way no state changes and the stake comes back.
     */
    async function expectRejected(parts: QuoteParts, exitCode: number, where: 'verifier' | 'root', o: { reg?: Partial<RegisterByQuote>; value?: bigint; sender?: SandboxContract<TreasuryContract>; label: string }) {
        const who = o.sender ?? owner;
        const before = await stateOf(who.address);
        const balance = await who.getBalance();
        const sent = o.value ?? (await value());
        const r = await verifier.sendRegisterByQuote(who.getSender(), sent, parts, registration(o.reg));
        if (where === 'verifier') {
            expect(r.transactions).toHaveTransaction({ from: who.address, to: verifier.address, success: false, exitCode });
            expect(r.transactions).toHaveTransaction({ from: verifier.address, to: who.address, inMessageBounced: true });
            expect(r.transactions).not.toHaveTransaction({ from: verifier.address, to: p.root.address });
        } else {
            expect(r.transactions).toHaveTransaction({ from: who.address, to: verifier.address, success: true });
            expect(r.transactions).toHaveTransaction({ from: verifier.address, to: p.root.address, op: Op.registerQuoteProvider, success: true });
            const refund = r.transactions.find((t) => {
                const info = t.inMessage?.info;
                return info?.type === 'internal' && info.src.equals(p.root.address) && info.dest.equals(who.address);
            });
            expect(refund).toBeDefined();
            const body = refund!.inMessage!.body.beginParse();
            expect(body.loadUint(32)).toBe(Op.requestRefused);
            body.loadUintBig(64);
            expect(body.loadUint(16)).toBe(exitCode);
            expect(r.transactions).not.toHaveTransaction({ from: p.root.address, op: Op.providerInit });
        }
        const tx = txOn(r.transactions, verifier.address);
        gas[`rejected (${where}): ${o.label}`] = computeOf(tx).gasUsed;
        expect(await stateOf(who.address)).toBe(before);
        // The stake and everything unused come back: the owner pays at most the verification fees.
        const lost = balance - (await who.getBalance());
        expect(lost).toBeGreaterThan(0n);
        expect(lost).toBeLessThan((await p.root.getQuoteRequiredValues()).registerByQuote);
        return r;
    }

    beforeAll(async () => {
        p = await deployProtocol();
        blockchain = p.blockchain;
        owner = await blockchain.treasury('quote-mode owner');
        keeper = await blockchain.treasury('keeper');
        ca = await createSimulatedTdxCa();
        foreignCa = await createSimulatedTdxCa();
        verifier = blockchain.openContract(QuoteVerifier.createFromConfig({ owner: p.root.address }, loadCode('QuoteVerifier')));
        const d = await verifier.sendDeploy(p.governance.getSender(), toNano('1'));
        expect(d.transactions).toHaveTransaction({ to: verifier.address, deploy: true, success: true });
        expect((await verifier.getOwner()).equals(p.root.address)).toBe(true);

        const sample = simulated();
        policy = big(measurementPolicyHash(policyMeasurementsOf(parseTdxQuote(createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(64), template })).body)));
        if (template) expect(policy).toBe(big(measurementPolicyHash(policyMeasurementsOf(parseTdxQuote(template).body))));

        // Governance: the verifier, the quote mode, the quote's policy and the PCK keys, all through the timelock.
        await timelock(TimelockActions.setQuoteVerifier(verifier.address));
        await timelock(TimelockActions.setAttestationModes(Mode.statement | Mode.quote));
        await timelock(TimelockActions.addPolicy(policy, 'tdx image of the test quote'));
        const pckOp = (await p.root.getQuoteRequiredValues()).pckOp;
        const e = await timelock(TimelockActions.addPckKey(sample.pckKey!), pckOp);
        expect(e.transactions).toHaveTransaction({ from: p.root.address, to: verifier.address, op: Op.registerPck, success: true });
        expect(e.transactions).toHaveTransaction({ from: verifier.address, to: p.governance.address, op: Op.excesses });
        expect((await verifier.getPck(sample.pckKey!.x)).found).toBe(true);
        if (template) {
            await timelock(TimelockActions.addPckKey(splitQuote(template).pckKey!), pckOp);
            expect((await verifier.getPck(splitQuote(template).pckKey!.x)).found).toBe(true);
        }
        const config = await p.root.getAttestationConfig();
        expect(config.modes).toBe(Mode.all);
        expect(config.quoteVerifier!.equals(verifier.address)).toBe(true);
        ready = blockchain.snapshot();
        readyNow = blockchain.now!;
    }, 300_000);

    beforeEach(async () => {
        await blockchain.loadFrom(ready);
        blockchain.now = readyNow;
    });

    afterAll(() => {
        console.log('Quote-mode registration gas (verifier compute phase):\n' + Object.entries(gas).map(([k, v]) => `  ${k.padEnd(60)} ${v}`).join('\n'));
    });

    it('registers a provider end to end from a quote and activates it with the quote keys', async () => {
        const parts = simulated();
        const sent = await value();
        const r = await verifier.sendRegisterByQuote(owner.getSender(), sent, parts, registration());
        expect(r.transactions).toHaveTransaction({ from: owner.address, to: verifier.address, op: Op.registerByQuote, success: true });
        expect(r.transactions).toHaveTransaction({ from: verifier.address, to: p.root.address, op: Op.registerQuoteProvider, success: true });
        const provider = providerOf(owner.address);
        expect(r.transactions).toHaveTransaction({ from: p.root.address, to: provider.address, op: Op.providerInit, deploy: true, success: true });
        expect(r.transactions).toHaveTransaction({ from: provider.address, to: owner.address, op: Op.providerRegistered });
        for (const tx of r.transactions) {
            const d = tx.description;
            if (d.type === 'generic' && d.computePhase.type === 'vm') expect(d.aborted).toBe(false);
        }
        gas['registered (simulated quote)'] = computeOf(txOn(r.transactions, verifier.address)).gasUsed;

        const data = await provider.getProviderData();
        expect(data.state).toBe(ProviderState.active);
        expect(data.stake).toBe(p.params.minStake);
        expect(data.eligible).toBe(true);
        const att = await provider.getAttestation();
        expect(att.policyHash).toBe(policy);
        expect(att.operatorKey).toBe(operatorKey);
        expect(att.encryptionKey).toBe(encryptionKey);
        expect(att.attestedAt).toBe(blockchain.now);
        expect(att.expiresAt).toBe(blockchain.now! + p.params.attestationMaxAge);
        expect(att.verifierKey).toBe(big(verifier.address.hash));
        expect(await provider.getModels()).toEqual([MODEL]);
        expect(await provider.getOffer()).toEqual(DEFAULT_OFFER);
    }, 120_000);

    it('revokes quote-mode providers by verifier identity once the quote mode is disabled', async () => {
        await verifier.sendRegisterByQuote(owner.getSender(), await value(), simulated(), registration());
        const provider = providerOf(owner.address);
        expect((await provider.getProviderData()).state).toBe(ProviderState.active);
        const subject = { kind: 'verifierKey' as const, hash: big(verifier.address.hash) };
        const check = (await p.root.getRequiredValues()).checkProvider;
        let r = await p.root.sendCheckProvider(keeper.getSender(), check, owner.address, subject);
        expect(r.transactions).toHaveTransaction({ from: keeper.address, to: p.root.address, success: false, exitCode: Errors.stillAllowed });
        await timelock(TimelockActions.setAttestationModes(Mode.statement));
        r = await p.root.sendCheckProvider(keeper.getSender(), check, owner.address, subject);
        expect(r.transactions).toHaveTransaction({ from: p.root.address, to: provider.address, op: Op.providerRevoke, success: true });
        const data = await provider.getProviderData();
        expect(data.revoked).toBe(true);
        expect(data.eligible).toBe(false);
    }, 120_000);

    it('refuses the quote mode when governance disabled it (146, refunded by the root)', async () => {
        await timelock(TimelockActions.setAttestationModes(Mode.statement));
        await expectRejected(simulated(), Errors.modeDisabled, 'root', { label: 'mode disabled' });
    }, 120_000);

    it('refuses a policy that is not allowlisted (138, refunded by the root)', async () => {
        const required = await p.root.getRequiredValues();
        await p.root.sendRevokePolicy(p.guardian.getSender(), required.governanceOp, policy);
        expect(await p.root.getPolicyAllowed(policy)).toBe(false);
        await expectRejected(simulated(), Errors.policyNotAllowed, 'root', { label: 'policy not allowlisted' });
    }, 120_000);

    it('refuses while paused (113) and with a model that is not allowlisted (139), refunded by the root', async () => {
        await expectRejected(simulated(), Errors.modelNotAllowed, 'root', { reg: { models: [sha256n('unlisted model')] }, label: 'model not allowlisted' });
        await p.root.sendPause(p.guardian.getSender(), (await p.root.getRequiredValues()).governanceOp);
        await expectRejected(simulated(), Errors.paused, 'root', { label: 'paused' });
    }, 120_000);

    it('refuses a quote whose PCK key is not registered, or was revoked through the root (173)', async () => {
        await expectRejected(simulated({ signer: foreignCa }), Errors.unknownPck, 'verifier', { label: 'PCK not registered' });
        const parts = simulated();
        const version = await p.root.getVersion();
        const pckOp = (await p.root.getQuoteRequiredValues()).pckOp;
        const r = await p.root.sendRevokePckKey(p.guardian.getSender(), pckOp, parts.pckKey!.x);
        expect(r.transactions).toHaveTransaction({ from: p.root.address, to: verifier.address, op: Op.revokePck, success: true });
        expect(r.transactions).toHaveTransaction({ from: verifier.address, to: p.guardian.address, op: Op.excesses });
        expect(await p.root.getVersion()).toBe(version + 1);
        expect((await verifier.getPck(parts.pckKey!.x)).found).toBe(false);
        await expectRejected(parts, Errors.unknownPck, 'verifier', { label: 'PCK revoked' });
    }, 120_000);

    it('refuses REPORTDATA that does not bind the owner, the root or the keys (177)', async () => {
        const other = await blockchain.treasury('someone else');
        const k = (x: bigint) => hex32(x);
        await expectRejected(simulated({ reportData: buildQuoteModeReportData(k(operatorKey), k(encryptionKey), other.address, p.root.address) }), Errors.reportDataMismatch, 'verifier', { label: 'another owner' });
        await expectRejected(simulated({ reportData: buildQuoteModeReportData(k(operatorKey), k(encryptionKey), owner.address, other.address) }), Errors.reportDataMismatch, 'verifier', { label: 'another root' });
        // a statement-mode quote (zero tail) is not bound to any root
        await expectRejected(simulated({ reportData: buildReportData(k(operatorKey), k(encryptionKey), owner.address) }), Errors.reportDataMismatch, 'verifier', { label: 'no root binding' });
        // the quote binds the keys: claiming another operator key fails
        await expectRejected(simulated(), Errors.reportDataMismatch, 'verifier', { reg: { operatorKey: operatorKey ^ 1n }, label: 'another operator key' });
        // the owner is the sender: someone else replaying the owner's quote fails
        await expectRejected(simulated(), Errors.reportDataMismatch, 'verifier', { sender: other, label: 'replayed by another sender' });
    }, 180_000);

    it('refuses a debug TD (176)', async () => {
        const parts = simulated({ debug: true });
        await expectRejected(parts, Errors.debugTd, 'verifier', { label: 'debug TD' });
    }, 120_000);

    it('refuses too little value: before any work at the verifier (100), or at the root for its part (100)', async () => {
        const floor = (await verifier.getRequiredValues()).registerByQuote;
        const stake = p.params.minStake;
        const r = await expectRejected(simulated(), Errors.notEnoughValue, 'verifier', { value: stake + floor - 1n, label: 'below the verifier floor' });
        expect(computeOf(txOn(r.transactions, verifier.address)).gasUsed).toBeLessThan(10_000n);
        // enough for the verifier's part, not for the root's (provider deployment and reserve):
        // the root refuses and refunds
        await expectRejected(simulated(), Errors.notEnoughValue, 'root', { value: stake + floor + toNano('0.01'), label: 'below the root requirement' });
        // and the stake must reach min_stake
        await expectRejected(simulated(), Errors.stakeTooLow, 'root', { reg: { stake: p.params.minStake - 1n }, value: await value(), label: 'stake too low' });
    }, 120_000);

    it('rejects register_quote_provider from a wallet or a lookalike verifier (147, bounced)', async () => {
        const attacker = await blockchain.treasury('attacker');
        const before = await stateOf(attacker.address);
        const forged = beginCell()
            .storeUint(Op.registerQuoteProvider, 32)
            .storeUint(1n, 64)
            .storeAddress(attacker.address)
            .storeCoins(p.params.minStake)
            .storeRef(beginCell().storeUint(policy, 256).storeUint(operatorKey, 256).storeUint(encryptionKey, 256).endCell())
            .storeRef(beginCell().storeCoins(1n).storeRef(beginCell().storeStringTail('x').endCell()).endCell())
            .storeDict(Dictionary.empty(Dictionary.Keys.BigUint(256), Dictionary.Values.Cell()))
            .endCell();
        let r = await p.root.sendBody(attacker.getSender(), toNano('200'), forged);
        expect(r.transactions).toHaveTransaction({ from: attacker.address, to: p.root.address, success: false, exitCode: Errors.notQuoteVerifier });
        expect(r.transactions).toHaveTransaction({ from: p.root.address, to: attacker.address, inMessageBounced: true });
        expect(await stateOf(attacker.address)).toBe(before);

        // Same code, owned by the root, but with the attacker's PCK key already in its init data:
        // another address, so the root refuses what it forwards.
        const mine = simulated({ signer: foreignCa, reportData: buildQuoteModeReportData(hex32(operatorKey), hex32(encryptionKey), attacker.address, p.root.address) });
        const pcks = Dictionary.empty(Dictionary.Keys.BigUint(256), Dictionary.Values.BigUint(256));
        pcks.set(mine.pckKey!.x, mine.pckKey!.y);
        const code = loadCode('QuoteVerifier');
        const data = beginCell().storeAddress(p.root.address).storeDict(pcks).storeUint(0, 32).storeUint(0, 256).endCell();
        const lookalike = blockchain.openContract(new QuoteVerifier(contractAddress(0, { code, data }), { code, data }));
        await lookalike.sendDeploy(attacker.getSender(), toNano('1'));
        const rootBefore = await snapshotState(p, p.root.address);
        r = await lookalike.sendRegisterByQuote(attacker.getSender(), await value(), mine, registration());
        expect(r.transactions).toHaveTransaction({ from: lookalike.address, to: p.root.address, success: false, exitCode: Errors.notQuoteVerifier });
        expect(r.transactions).toHaveTransaction({ from: p.root.address, to: lookalike.address, inMessageBounced: true });
        expect(r.transactions).not.toHaveTransaction({ from: p.root.address, op: Op.providerInit });
        expect(await snapshotState(p, p.root.address)).toBe(rootBefore);
        expect((await blockchain.getContract(providerOf(attacker.address).address)).accountState?.type ?? 'none').not.toBe('active');
    }, 120_000);

    itReal('carries the real quote through every signature check; only its REPORTDATA (made for other keys) is refused (177)', async () => {
        const real = splitQuote(template!);
        await expectRejected(real, Errors.reportDataMismatch, 'verifier', { label: 'real quote (foreign REPORTDATA)' });
        // the same bytes with one bit of the QE report changed fail earlier, at the PCK signature
        const qeReport = Buffer.from(real.qeReport);
        qeReport[10] ^= 1;
        await expectRejected({ ...real, qeReport }, Errors.qeSignature, 'verifier', { label: 'real quote, QE report bit' });
        // and with its PCK key revoked, at the registry
        await p.root.sendRevokePckKey(p.governance.getSender(), (await p.root.getQuoteRequiredValues()).pckOp, real.pckKey!.x);
        await expectRejected(real, Errors.unknownPck, 'verifier', { label: 'real quote, PCK revoked' });
    }, 180_000);

    it('governs the quote mode through the timelock: checks at queue and execution', async () => {
        const required = await p.root.getRequiredValues();
        const pckOp = (await p.root.getQuoteRequiredValues()).pckOp;
        const queue = (action: Cell) => p.root.sendQueueChange(p.governance.getSender(), required.governanceOp, action);
        let r = await queue(TimelockActions.addPckKey({ x: 5n, y: 7n }));
        expect(r.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.badPckKey });
        r = await queue(TimelockActions.setAttestationModes(4));
        expect(r.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.invalidParams });
        r = await p.root.sendRevokePckKey(keeper.getSender(), pckOp, 1n);
        expect(r.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.notGovernanceOrGuardian });
        r = await p.root.sendRevokePckKey(p.guardian.getSender(), required.governanceOp, 1n);
        expect(r.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.notEnoughValue });
        // the verifier only takes PCK changes from its owner, the root
        r = await verifier.sendRegisterPck(p.governance.getSender(), toNano('0.1'), simulated({ signer: foreignCa }).pckKey!);
        expect(r.transactions).toHaveTransaction({ to: verifier.address, success: false, exitCode: Errors.notVerifierOwner });
        // the statement mode can be switched off too
        await timelock(TimelockActions.setAttestationModes(Mode.quote));
        const statementRoot = await p.root.getRequiredValues();
        r = await p.root.sendRegisterProvider(owner.getSender(), p.params.minStake + statementRoot.registerProvider, {
            stake: p.params.minStake,
            statement: beginCell().endCell(),
            offer: DEFAULT_OFFER,
            models: [MODEL],
        });
        expect(r.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.modeDisabled });
    }, 120_000);

    it('refuses PCK changes while no quote verifier is set (148)', async () => {
        const fresh = await deployProtocol();
        const required = await fresh.root.getRequiredValues();
        const pckOp = (await fresh.root.getQuoteRequiredValues()).pckOp;
        let r = await fresh.root.sendRevokePckKey(fresh.governance.getSender(), pckOp, 1n);
        expect(r.transactions).toHaveTransaction({ to: fresh.root.address, success: false, exitCode: Errors.noQuoteVerifier });
        await fresh.root.sendQueueChange(fresh.governance.getSender(), required.governanceOp, TimelockActions.addPckKey(simulated().pckKey!));
        fresh.blockchain.now! += fresh.params.timelockDelay;
        r = await fresh.root.sendExecuteChange(fresh.governance.getSender(), pckOp, 0);
        expect(r.transactions).toHaveTransaction({ to: fresh.root.address, success: false, exitCode: Errors.noQuoteVerifier });
        expect((await fresh.root.getChange(0)) !== null).toBe(true);
    }, 60_000);
});
