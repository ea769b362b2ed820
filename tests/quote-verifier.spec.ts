/**
 * On-chain Intel TDX quote verification (contracts/quote-verifier.fc + contracts/quote/*.fc).
 *
 * - The real quote (/work/shared/testdata/tdx-quote-v4.dat, or $COCOON_SHARED_TESTDATA) must
 *   verify end to end in one transaction; its policy hash and REPORTDATA must equal what the
 *   TypeScript toolkit (attestation/) computes. Those tests are skipped, saying so, when the
 *   file is absent.
 * - Single-bit changes in every signed region (each chunk of header + TD report body, the QE
 *   report, the attestation key, the QE auth data, the signatures) are rejected with the
 *   exit code of the failing check.
 * - PCK trust is the registered-key design: an unregistered, revoked or wrong PCK key is
 *   rejected.
 * - A SIMULATED quote (attestation/simulated.ts, signed by a local test CA whose PCK key is
 *   registered here) with a REPORTDATA key binding is accepted (positive control); the same
 *   with the TD debug bit set (properly re-signed) or with another operator key/owner is rejected.
 * - Wrong ECDSA hints and re-chunked byte chains are rejected.
 */
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { Address, beginCell, Cell, toNano, Transaction } from '@ton/core';
import { compile } from '@ton/blueprint';
import '@ton/test-utils';
import { createHash, generateKeyPairSync, sign } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import path from 'path';
import { buildReportData, createSimulatedTdxCa, parseTdxQuote, SimulatedTdxCa, createSimulatedTdxQuote } from '../attestation';
import { measurementPolicyHash, policyMeasurementsOf } from '../attestation/policy';
import {
    byteChain,
    KeyBinding,
    Point,
    quoteHints,
    QuoteParts,
    QuoteVerifier,
    QuoteVerifierExit,
    QuoteVerifierOp,
    splitQuote,
    verifyQuoteBody,
} from '../wrappers/QuoteVerifier';
import { hintCell } from '../wrappers/p256-hints';

const GAS_PRICE_NANOTON = 400n;
const TX_GAS_LIMIT = 1_000_000n;
const dir = process.env.COCOON_SHARED_TESTDATA ?? path.resolve(__dirname, '../../shared/testdata');
const QUOTE_FILE = path.join(dir, 'tdx-quote-v4.dat');
const HAVE_QUOTE = existsSync(QUOTE_FILE);
if (!HAVE_QUOTE) console.warn(`quote-verifier: ${QUOTE_FILE} is absent — the real-quote tests are SKIPPED (set COCOON_SHARED_TESTDATA)`);
const itReal = HAVE_QUOTE ? it : it.skip;

const flip = (b: Buffer, bit: number) => {
    const c = Buffer.from(b);
    c[bit >> 3] ^= 1 << (bit & 7);
    return c;
};
const big = (b: Buffer) => BigInt('0x' + b.toString('hex'));

describe('TDX quote verification on chain', () => {
    let blockchain: Blockchain;
    let governance: SandboxContract<TreasuryContract>;
    let user: SandboxContract<TreasuryContract>;
    let verifier: SandboxContract<QuoteVerifier>;
    let real: QuoteParts | undefined;
    let ca: SimulatedTdxCa;
    let simPck: Point;
    const gas: Record<string, bigint[]> = {};
    const fees: string[] = [];

    const operatorKey = big(createHash('sha256').update('operator').digest());
    const encryptionKey = big(createHash('sha256').update('encryption').digest());
    let owner: Address;
    let binding: KeyBinding;

    beforeAll(async () => {
        const code = await compile('QuoteVerifier');
        blockchain = await Blockchain.create();
        governance = await blockchain.treasury('governance');
        user = await blockchain.treasury('user');
        owner = user.address;
        binding = { operatorKey, encryptionKey, owner };
        verifier = blockchain.openContract(QuoteVerifier.createFromConfig(governance.address, code));
        const d = await verifier.sendDeploy(governance.getSender(), toNano('1'));
        expect(d.transactions).toHaveTransaction({ to: verifier.address, deploy: true, success: true });
        ca = await createSimulatedTdxCa();
        simPck = splitQuote(simulatedQuote({})).pckKey!;
        await register(simPck);
        if (HAVE_QUOTE) {
            real = splitQuote(readFileSync(QUOTE_FILE));
            await register(real.pckKey!);
        }
    }, 120_000);

    afterAll(() => {
        const lines = Object.entries(gas).map(([k, v]) => {
            const min = v.reduce((a, b) => (a < b ? a : b));
            const max = v.reduce((a, b) => (a > b ? a : b));
            return `  ${k.padEnd(40)} n=${String(v.length).padStart(3)}  min ${min}  max ${max}`;
        });
        console.log('Quote verification gas (compute phase):\n' + lines.join('\n') + (fees.length ? '\n' + fees.join('\n') : ''));
    });

    function simulatedQuote(o: { debug?: boolean; reportData?: Buffer }): Buffer {
        const template = HAVE_QUOTE ? readFileSync(QUOTE_FILE) : undefined;
        const tdAttributes = Buffer.from(template ? parseTdxQuote(template).body.tdAttributes : Buffer.alloc(8));
        if (o.debug) tdAttributes[0] |= 1;
        return createSimulatedTdxQuote(ca, {
            reportData: o.reportData ?? buildReportData(Buffer.from(operatorKey.toString(16).padStart(64, '0'), 'hex'), Buffer.from(encryptionKey.toString(16).padStart(64, '0'), 'hex'), owner),
            template,
            measurements: { tdAttributes },
        });
    }

    async function register(key: Point) {
        const r = await verifier.sendRegisterPck(governance.getSender(), toNano('0.1'), key);
        expect(r.transactions).toHaveTransaction({ to: verifier.address, success: true });
        expect((await verifier.getPck(key.x)).found).toBe(true);
    }

    /** Sends a verify_quote body; returns the verifier's transaction. */
    async function send(body: Cell): Promise<{ tx: Transaction; all: Transaction[] }> {
        const res = await verifier.sendRaw(user.getSender(), toNano('1'), body);
        const tx = res.transactions.find((t) => t.inMessage?.info.dest?.toString() === verifier.address.toString());
        expect(tx).toBeDefined();
        return { tx: tx!, all: res.transactions };
    }

    function computeOf(tx: Transaction) {
        const d = tx.description;
        if (d.type !== 'generic' || d.computePhase.type !== 'vm') throw new Error('no compute phase');
        return d.computePhase;
    }

    async function expectAccepted(body: Cell, kind: string) {
        const { tx, all } = await send(body);
        const c = computeOf(tx);
        if (!c.success) throw new Error(`${kind}: rejected with exit code ${c.exitCode}`);
        expect(c.gasUsed).toBeLessThan(TX_GAS_LIMIT);
        (gas[kind] ??= []).push(c.gasUsed);
        const reply = tx.outMessages.get(0)!.body.beginParse();
        expect(reply.loadUint(32)).toBe(QuoteVerifierOp.quoteOk);
        reply.loadUintBig(64);
        const policy = reply.loadUintBig(256);
        reply.loadUintBig(256);
        reply.loadUint(32);
        const reportData = reply.loadRef().beginParse().loadBuffer(64);
        // the sender's transaction paid the forward fee of the request
        const senderTx = all[0];
        const sd = senderTx.description;
        const fwd = sd.type === 'generic' && sd.actionPhase ? sd.actionPhase.totalFwdFees ?? 0n : 0n;
        return { policy, reportData, gas: c.gasUsed, fwd };
    }

    async function expectRejected(body: Cell, exitCode: number, kind: string) {
        const { tx } = await send(body);
        const c = computeOf(tx);
        if (c.success || c.exitCode !== exitCode) throw new Error(`${kind}: expected exit ${exitCode}, got ${c.success ? 'success' : c.exitCode}`);
        (gas['rejected: ' + kind] ??= []).push(c.gasUsed);
    }

    itReal('verifies the real TDX quote end to end in one transaction', async () => {
        const quote = readFileSync(QUOTE_FILE);
        const parsed = parseTdxQuote(quote);
        const r = await expectAccepted(verifyQuoteBody(real!), 'real quote (accepted)');
        expect(r.policy).toBe(big(measurementPolicyHash(policyMeasurementsOf(parsed.body))));
        expect(r.reportData.equals(parsed.body.reportData)).toBe(true);
        expect((await verifier.getStats()).lastPolicy).toBe(r.policy);
        const compute = r.gas * GAS_PRICE_NANOTON;
        fees.push(
            `  whole quote: 1 transaction, ${r.gas} gas = ${Number(compute) / 1e9} TON at 400 nanoton/gas, ` +
                `request forward fee ${Number(r.fwd) / 1e9} TON, total ${Number(compute + r.fwd) / 1e9} TON`,
        );
        // the binding check is separate: this quote's REPORTDATA binds other keys
        await expectRejected(verifyQuoteBody(real!, { binding }), QuoteVerifierExit.reportData, 'real quote, foreign key binding');
    }, 120_000);

    itReal('rejects single-bit changes in every signed region of the real quote', async () => {
        const q = real!;
        const pck = q.pckKey!;
        // one bit in each chunk of the signed region (header and TD report body)
        let off = 0;
        for (const size of [127, 57, 127, 65, 96, 96, 64]) {
            for (const byte of [off, off + size - 1]) {
                const region = flip(q.region, byte * 8 + (byte % 8));
                const exit = byte < 8 ? QuoteVerifierExit.header : QuoteVerifierExit.quoteSignature;
                await expectRejected(verifyQuoteBody({ ...q, region }, { pck }), exit, 'region bit');
            }
            off += size;
        }
        // a header byte that is not checked field by field (QE vendor ID) still breaks the signature
        await expectRejected(verifyQuoteBody({ ...q, region: flip(q.region, 12 * 8) }, { pck }), QuoteVerifierExit.quoteSignature, 'region bit');
        // the QE report: every chunk
        for (const byte of [0, 126, 127, 253, 254, 319, 320, 383]) {
            await expectRejected(verifyQuoteBody({ ...q, qeReport: flip(q.qeReport, byte * 8 + 3) }, { pck }), QuoteVerifierExit.qeSignature, 'QE report bit');
        }
        // the attestation key (bound by the QE report data; also breaks the quote signature)
        for (const which of ['x', 'y'] as const) {
            const attestationKey = { ...q.attestationKey, [which]: q.attestationKey[which] ^ (1n << 77n) };
            await expectRejected(verifyQuoteBody({ ...q, attestationKey }, { pck }), QuoteVerifierExit.quoteSignature, 'attestation key bit');
        }
        // the QE auth data (bound by the QE report data)
        await expectRejected(verifyQuoteBody({ ...q, qeAuthData: flip(q.qeAuthData, 5) }, { pck }), QuoteVerifierExit.qeBinding, 'QE auth data bit');
        // the signatures
        await expectRejected(verifyQuoteBody({ ...q, quoteSig: { ...q.quoteSig, s: q.quoteSig.s ^ 1n } }, { pck }), QuoteVerifierExit.quoteSignature, 'signature bit');
        await expectRejected(verifyQuoteBody({ ...q, qeSig: { ...q.qeSig, r: q.qeSig.r ^ 2n } }, { pck }), QuoteVerifierExit.qeSignature, 'signature bit');
    }, 300_000);

    itReal('rejects an unregistered, revoked or wrong PCK key', async () => {
        const q = real!;
        // a valid curve point that is not registered
        const other = splitQuote(simulatedQuote({})).attestationKey;
        await expectRejected(verifyQuoteBody(q, { pck: other }), QuoteVerifierExit.unknownPck, 'unregistered PCK');
        // a registered key that did not sign this QE report
        await expectRejected(verifyQuoteBody(q, { pck: simPck }), QuoteVerifierExit.qeSignature, 'wrong PCK');
        // revocation is immediate
        await verifier.sendRevokePck(governance.getSender(), toNano('0.1'), q.pckKey!.x);
        expect((await verifier.getPck(q.pckKey!.x)).found).toBe(false);
        await expectRejected(verifyQuoteBody(q), QuoteVerifierExit.unknownPck, 'revoked PCK');
        await register(q.pckKey!);
        await expectAccepted(verifyQuoteBody(q), 'real quote (accepted)');
    }, 120_000);

    it('accepts a simulated quote with a key binding; rejects it in debug mode or bound to other keys', async () => {
        const good = splitQuote(simulatedQuote({}));
        const r = await expectAccepted(verifyQuoteBody(good, { binding }), 'simulated quote + key binding (accepted)');
        const parsed = parseTdxQuote(simulatedQuote({}));
        expect(r.policy).toBe(big(measurementPolicyHash(policyMeasurementsOf(parsed.body))));
        // bound to other keys / another owner
        await expectRejected(verifyQuoteBody(good, { binding: { ...binding, operatorKey: operatorKey ^ 1n } }), QuoteVerifierExit.reportData, 'other operator key');
        await expectRejected(verifyQuoteBody(good, { binding: { ...binding, encryptionKey: encryptionKey ^ 1n } }), QuoteVerifierExit.reportData, 'other encryption key');
        await expectRejected(verifyQuoteBody(good, { binding: { ...binding, owner: governance.address } }), QuoteVerifierExit.reportData, 'other owner');
        // REPORTDATA[32..64) must be zero
        const rd = buildReportData(Buffer.from(operatorKey.toString(16).padStart(64, '0'), 'hex'), Buffer.from(encryptionKey.toString(16).padStart(64, '0'), 'hex'), owner);
        rd[63] = 1;
        await expectRejected(verifyQuoteBody(splitQuote(simulatedQuote({ reportData: rd })), { binding }), QuoteVerifierExit.reportData, 'non-zero REPORTDATA tail');
        // another attestation key that validly signs the same header + body: the quote signature
        // passes, the QE report (which binds the genuine attestation key) does not match
        const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const jwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
        const sig = sign('sha256', good.region, { key: privateKey, dsaEncoding: 'ieee-p1363' });
        const swapped: QuoteParts = {
            ...good,
            attestationKey: { x: big(Buffer.from(jwk.x, 'base64url')), y: big(Buffer.from(jwk.y, 'base64url')) },
            quoteSig: { r: big(sig.subarray(0, 32)), s: big(sig.subarray(32)) },
        };
        await expectRejected(verifyQuoteBody(swapped, { binding }), QuoteVerifierExit.qeBinding, 'attestation key not bound by the QE');
        // a debug TD, properly signed by the (registered) simulated PCK chain and attestation key
        const debug = simulatedQuote({ debug: true });
        expect(parseTdxQuote(debug).body.tdAttributes[0] & 1).toBe(1);
        await expectRejected(verifyQuoteBody(splitQuote(debug), { binding }), QuoteVerifierExit.debug, 'debug TD');
        // the simulated CA is only trusted because its PCK key is registered
        await verifier.sendRevokePck(governance.getSender(), toNano('0.1'), simPck.x);
        await expectRejected(verifyQuoteBody(good, { binding }), QuoteVerifierExit.unknownPck, 'revoked simulated PCK');
        await register(simPck);
    }, 120_000);

    it('rejects wrong hints, re-chunked byte chains and malformed requests', async () => {
        const q = splitQuote(simulatedQuote({}));
        const pck = q.pckKey!;
        const h = quoteHints(q, pck);
        await expectRejected(verifyQuoteBody(q, { binding, hints: { quote: { ...h.quote, a: h.quote.a + 1n }, qe: h.qe } }), QuoteVerifierExit.quoteSignature, 'wrong quote hint');
        await expectRejected(verifyQuoteBody(q, { binding, hints: { quote: h.quote, qe: { ...h.qe, w: h.qe.w + 1n } } }), QuoteVerifierExit.qeSignature, 'wrong QE hint');
        await expectRejected(verifyQuoteBody(q, { binding, hints: { quote: h.qe, qe: h.quote } }), QuoteVerifierExit.quoteSignature, 'swapped hints');
        // same bytes (same hash, same signatures), another split: refused by the layout check
        const good = verifyQuoteBody(q, { binding });
        const rechunked = (region: Cell) => {
            const s = good.beginParse();
            const b = beginCell().storeBits(s.loadBits(s.remainingBits));
            s.loadRef();
            b.storeRef(region);
            while (s.remainingRefs) b.storeRef(s.loadRef());
            return b.endCell();
        };
        await expectRejected(rechunked(byteChain(q.region, [127, 127, 127, 127, 124])), QuoteVerifierExit.layout, 'uniform 127-byte chunks');
        await expectRejected(rechunked(byteChain(q.region, [127, 58, 126, 65, 96, 96, 64])), QuoteVerifierExit.layout, 'shifted chunk boundary');
        // and the canonical split still passes through the same helper
        await expectAccepted(rechunked(byteChain(q.region, [127, 57, 127, 65, 96, 96, 64])), 'simulated quote + key binding (accepted)');
        // malformed: a missing ref, an extra bit
        const s = good.beginParse();
        const bits = s.loadBits(s.remainingBits);
        await expectRejected(beginCell().storeBits(bits).storeRef(good.refs[0]).storeRef(good.refs[1]).storeRef(good.refs[2]).endCell(), QuoteVerifierExit.malformed, 'missing ref');
        await expectRejected(beginCell().storeBits(bits).storeBit(0).storeRef(good.refs[0]).storeRef(good.refs[1]).storeRef(good.refs[2]).storeRef(good.refs[3]).endCell(), QuoteVerifierExit.malformed, 'extra bit');
        const r = await verifier.sendRaw(user.getSender(), toNano('0.1'), beginCell().storeUint(0x12345678, 32).storeUint(0, 64).endCell());
        expect(r.transactions).toHaveTransaction({ to: verifier.address, success: false, exitCode: QuoteVerifierExit.unknownOp });
    }, 120_000);

    it('only the owner registers keys, and only curve points', async () => {
        const r1 = await verifier.sendRegisterPck(user.getSender(), toNano('0.1'), { x: 5n, y: 7n });
        expect(r1.transactions).toHaveTransaction({ to: verifier.address, success: false, exitCode: QuoteVerifierExit.notOwner });
        const r2 = await verifier.sendRegisterPck(governance.getSender(), toNano('0.1'), { x: simPck.x, y: simPck.y ^ 1n });
        expect(r2.transactions).toHaveTransaction({ to: verifier.address, success: false, exitCode: QuoteVerifierExit.badKey });
        const r3 = await verifier.sendRevokePck(user.getSender(), toNano('0.1'), simPck.x);
        expect(r3.transactions).toHaveTransaction({ to: verifier.address, success: false, exitCode: QuoteVerifierExit.notOwner });
        expect((await verifier.getPck(simPck.x)).found).toBe(true);
    }, 60_000);
});
