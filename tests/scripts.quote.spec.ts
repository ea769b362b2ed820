/**
 * The quote-mode governance scripts on the sandbox (through the NetworkProvider adapter of
 * tests/helpers/sandbox-network.ts): deployQuoteVerifier, queueChange with set-quote-verifier,
 * set-attestation-modes and add-pck-key (the PCK chain verified off chain first), executeChange
 * (which pays the verifier's part for add-pck-key), and revokePck. Every step asserts on chain
 * state through the wrappers.
 */
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { Address } from '@ton/core';
import '@ton/test-utils';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { createSimulatedTdxCa, SimulatedTdxCa } from '../attestation';
import { QuoteVerifier, splitQuote } from '../wrappers/QuoteVerifier';
import { Mode, Op } from '../wrappers/constants';
import { deployProtocol, Protocol } from './helpers/fixtures';
import { SandboxNetwork } from './helpers/sandbox-network';
import { formatHash, formatModes, parseModes, POLL_INTERVAL_ENV, PreflightError, UsageError, verifiedPckKey } from '../tools/cli';
import { run as deployQuoteVerifier } from '../scripts/deployQuoteVerifier';
import { run as queueChange } from '../scripts/queueChange';
import { run as executeChange } from '../scripts/executeChange';
import { run as revokePck } from '../scripts/revokePck';

const dir = process.env.COCOON_SHARED_TESTDATA ?? path.resolve(__dirname, '../../shared/testdata');
const QUOTE_FILE = path.join(dir, 'tdx-quote-v4.dat');
const HAVE_QUOTE = existsSync(QUOTE_FILE);
if (!HAVE_QUOTE) console.warn(`scripts.quote: ${QUOTE_FILE} is absent — the real-quote step is SKIPPED (set COCOON_SHARED_TESTDATA)`);
const itReal = HAVE_QUOTE ? it : it.skip;

describe('tools/cli: quote mode helpers', () => {
    it('parses and formats attestation modes', () => {
        expect(parseModes('statement,quote')).toBe(Mode.all);
        expect(parseModes('quote')).toBe(Mode.quote);
        expect(parseModes('none')).toBe(0);
        expect(() => parseModes('tdx')).toThrow(UsageError);
        expect(formatModes(Mode.all)).toBe('statement+quote');
        expect(formatModes(0)).toBe('none');
        expect(formatModes(4)).toBe('unknown bits 0x4');
    });

    it('extracts a PCK key only from a chain that verifies to the pinned root', async () => {
        const ca = await createSimulatedTdxCa();
        const key = verifiedPckKey({ pemChain: ca.chainData }, ca.rootPublicKey);
        expect(key.x).toBeGreaterThan(0n);
        // the default pin is Intel's SGX Root CA: a test chain does not verify against it
        expect(() => verifiedPckKey({ pemChain: ca.chainData })).toThrow(/root/i);
        const other = await createSimulatedTdxCa();
        expect(() => verifiedPckKey({ pemChain: ca.chainData }, other.rootPublicKey)).toThrow();
    });
});

describe('quote-mode scripts on the sandbox', () => {
    let p: Protocol;
    let net: SandboxNetwork;
    let keeper: SandboxContract<TreasuryContract>;
    let ca: SimulatedTdxCa;
    let verifier: SandboxContract<QuoteVerifier>;
    let tmp: string;
    let savedPollInterval: string | undefined;
    const as = (wallet: SandboxContract<TreasuryContract>) => net.reset().as(wallet);
    const rootFlag = () => ['--root', p.root.address.toString()];

    async function queueAndExecute(args: string[]) {
        const id = (await p.root.getRootData()).nextChangeId;
        await queueChange(as(p.governance), [...rootFlag(), ...args]);
        expect(await p.root.getChange(id)).not.toBeNull();
        p.blockchain.now! += p.params.timelockDelay;
        await executeChange(as(p.governance), [...rootFlag(), '--id', String(id)]);
        expect(await p.root.getChange(id)).toBeNull();
        return net.sent[0].result;
    }

    beforeAll(async () => {
        savedPollInterval = process.env[POLL_INTERVAL_ENV];
        process.env[POLL_INTERVAL_ENV] = '0';
        tmp = mkdtempSync(path.join(tmpdir(), 'cocoon-quote-scripts-'));
        p = await deployProtocol();
        keeper = await p.blockchain.treasury('keeper');
        net = new SandboxNetwork(p.blockchain, p.governance);
        ca = await createSimulatedTdxCa();
    });

    afterAll(() => {
        if (savedPollInterval === undefined) delete process.env[POLL_INTERVAL_ENV];
        else process.env[POLL_INTERVAL_ENV] = savedPollInterval;
    });

    it('deployQuoteVerifier deploys a verifier owned by the root and prints the next steps', async () => {
        // The script compiles the verifier (P-256 tables): slow on a loaded machine.
        await deployQuoteVerifier(as(p.governance), rootFlag());
        const address = /Quote verifier address: (\S+)/.exec(net.output)?.[1];
        expect(address).toBeDefined();
        verifier = p.blockchain.openContract(QuoteVerifier.createFromAddress(Address.parse(address!)));
        expect((await verifier.getOwner()).equals(p.root.address)).toBe(true);
        expect(net.output).toContain('--action set-quote-verifier');
        await deployQuoteVerifier(as(p.governance), rootFlag());
        expect(net.sent).toHaveLength(0);
        expect(net.output).toContain('already deployed');
    }, 240_000);

    it('queueChange set-quote-verifier refuses an address that is not a verifier of this root', async () => {
        await expect(queueChange(as(p.governance), [...rootFlag(), '--action', 'set-quote-verifier', '--verifier', keeper.address.toString()])).rejects.toThrow(PreflightError);
        expect(net.sent).toHaveLength(0);
    });

    it('set-quote-verifier and set-attestation-modes go through the timelock', async () => {
        await queueAndExecute(['--action', 'set-quote-verifier', '--verifier', verifier.address.toString()]);
        expect(net.output).toContain('Change #');
        await queueAndExecute(['--action', 'set-attestation-modes', '--modes', 'statement,quote']);
        const config = await p.root.getAttestationConfig();
        expect(config.modes).toBe(Mode.all);
        expect(config.quoteVerifier!.equals(verifier.address)).toBe(true);
    });

    it('add-pck-key refuses a chain that does not verify to the pinned root before sending', async () => {
        const file = path.join(tmp, 'test-chain.pem');
        writeFileSync(file, ca.chainData);
        await expect(queueChange(as(p.governance), [...rootFlag(), '--action', 'add-pck-key', '--pck-chain', file])).rejects.toThrow(/does not verify/);
        expect(net.sent).toHaveLength(0);
        await expect(queueChange(as(p.governance), [...rootFlag(), '--action', 'add-pck-key'])).rejects.toThrow(UsageError);
    });

    it('add-pck-key registers a verified PCK key in the verifier when executed; revokePck removes it at once', async () => {
        const file = path.join(tmp, 'test-chain.pem');
        writeFileSync(file, ca.chainData);
        const key = verifiedPckKey({ pemChain: ca.chainData }, ca.rootPublicKey);
        const result = await queueAndExecute(['--action', 'add-pck-key', '--pck-chain', file, '--trusted-root', ca.rootPublicKey.toString('hex')]);
        expect(result.transactions).toHaveTransaction({ from: p.root.address, to: verifier.address, op: Op.registerPck, success: true });
        expect(await verifier.getPck(key.x)).toEqual({ found: true, y: key.y });

        await expect(revokePck(as(keeper), [...rootFlag(), '--x', formatHash(key.x)])).rejects.toThrow(PreflightError);
        expect(net.sent).toHaveLength(0);
        await revokePck(as(p.guardian), [...rootFlag(), '--x', formatHash(key.x)]);
        expect(net.sent[0].result.transactions).toHaveTransaction({ from: p.root.address, to: verifier.address, op: Op.revokePck, success: true });
        expect((await verifier.getPck(key.x)).found).toBe(false);
        await expect(revokePck(as(p.guardian), [...rootFlag(), '--x', formatHash(key.x)])).rejects.toThrow(/not registered/);
    });

    itReal("add-pck-key --quote registers the real quote's PCK key after verifying its chain to Intel's root", async () => {
        const file = QUOTE_FILE;
        await queueAndExecute(['--action', 'add-pck-key', '--quote', file]);
        const pck = splitQuote(readFileSync(file)).pckKey!;
        expect(await verifier.getPck(pck.x)).toEqual({ found: true, y: pck.y });
    });
});
