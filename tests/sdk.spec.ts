/**
 * Client SDK: sealed envelopes (X25519 + HKDF-SHA256 + XChaCha20-Poly1305), the commitment of an
 * envelope, result verification against the chain, and the provider-key checks against the
 * root's allowlists. The provider side is played by the test itself (keys it generated and
 * attested), so these specs do not depend on the worker.
 */
import '@ton/test-utils';
import { Address, beginCell, Cell, toNano } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { createHash } from 'crypto';
import {
    CocoonClient,
    checkSignedResult,
    decodeInferenceRequest,
    decryptPrompt,
    decryptResult,
    encodeInferenceResult,
    encryptPrompt,
    encryptResult,
    envelopeCommitment,
    envelopeInfo,
    EnvelopeError,
    generateX25519KeyPair,
    parseEnvelope,
    PreparedJob,
    ProviderKeyError,
    ResultDelivery,
    ResultVerificationError,
    sandboxChain,
    serializeEnvelope,
    SessionReceipts,
    signPayloadCell,
    verifyCellSignature,
    verifyResult,
} from '../sdk';
import { Job, jobResultCell, signReceipt, signResult } from '../wrappers/Job';
import { Provider } from '../wrappers/Provider';
import { bufferToBigint } from '../wrappers/common';
import { createDevnet, Devnet, sharedTemplateQuote } from '../worker/devnet';
import { LocalVerifier, obtainStatement } from '../worker/attestation';
import { generateWorkerKeys, WorkerKeys } from '../worker/keys';

const NOW = 1_800_000_000;
const DAY = 86400;
const MODEL_A = bufferToBigint(createHash('sha256').update('model A').digest());
const MODEL_B = bufferToBigint(createHash('sha256').update('model B').digest());
const PRICE = 1_000_000n; // 0.001 TON per unit
const JOB = Address.parse('0:' + '11'.repeat(32));
const OTHER_JOB = Address.parse('0:' + '22'.repeat(32));

function expectEnvelopeError(fn: () => unknown, code: string) {
    try {
        fn();
    } catch (e) {
        expect(e).toBeInstanceOf(EnvelopeError);
        expect((e as EnvelopeError).code).toBe(code);
        return;
    }
    throw new Error(`expected EnvelopeError ${code}`);
}

async function expectRejects(p: Promise<unknown>, cls: new (...a: never[]) => Error, code: string) {
    const e = await p.then(
        () => null,
        (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(cls);
    expect((e as { code: string }).code).toBe(code);
}

describe('Sealed envelopes', () => {
    const provider = generateX25519KeyPair();
    const prompt = 'What is the capital of France?';

    it('round-trips a prompt to the provider key and a result to the client key', () => {
        const env = encryptPrompt(prompt, provider.publicKey, JOB);
        const bytes = serializeEnvelope(env);
        expect(bytes.length).toBe(66 + Buffer.byteLength(prompt) + 16);
        expect(bytes.subarray(0, 6)).toEqual(Buffer.from([0x43, 0x43, 0x4e, 0x45, 0x01, 0x01]));
        expect(serializeEnvelope(parseEnvelope(bytes))).toEqual(bytes);
        expect(decryptPrompt(bytes, provider.secretKey, JOB).toString()).toBe(prompt);
        expect(decryptPrompt(env, provider, JOB).toString()).toBe(prompt);

        const client = generateX25519KeyPair();
        const result = serializeEnvelope(encryptResult('Paris', client.publicKey, JOB, 7));
        expect(result[5]).toBe(0x02);
        expect(decryptResult(result, client.secretKey, JOB, 7).toString()).toBe('Paris');
    });

    it('uses a fresh ephemeral key and nonce for every envelope', () => {
        const a = encryptPrompt(prompt, provider.publicKey, JOB);
        const b = encryptPrompt(prompt, provider.publicKey, JOB);
        expect(a.ephemeralPublicKey.equals(b.ephemeralPublicKey)).toBe(false);
        expect(a.nonce.equals(b.nonce)).toBe(false);
        expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    });

    it('commits to an envelope with SHA-256 of its canonical bytes', () => {
        const bytes = serializeEnvelope(encryptPrompt(prompt, provider.publicKey, JOB));
        const expected = BigInt('0x' + createHash('sha256').update(bytes).digest('hex'));
        expect(envelopeCommitment(bytes)).toBe(expected);
        expect(envelopeCommitment(parseEnvelope(bytes))).toBe(expected);
    });

    it('binds the HKDF info to the label, the job address and the request number', () => {
        const info = envelopeInfo('prompt', JOB, 3);
        expect(info.subarray(0, 16).toString('ascii')).toBe('cocoon.prompt.v1');
        expect(info[16]).toBe(0);
        expect(info.subarray(17, 49)).toEqual(JOB.hash);
        expect(info.readUInt32BE(49)).toBe(3);
        expect(envelopeInfo('result', JOB, 0).subarray(0, 16).toString('ascii')).toBe('cocoon.result.v1');
    });

    it('detects a tampered ciphertext, nonce or ephemeral key', () => {
        const bytes = serializeEnvelope(encryptPrompt(prompt, provider.publicKey, JOB));
        for (const offset of [6, 40, 70, bytes.length - 1]) {
            const t = Buffer.from(bytes);
            t[offset] ^= 0x01;
            expectEnvelopeError(() => decryptPrompt(t, provider.secretKey, JOB), 'DECRYPTION_FAILED');
        }
    });

    it('detects an envelope sealed to another provider key', () => {
        const other = generateX25519KeyPair();
        const bytes = serializeEnvelope(encryptPrompt(prompt, other.publicKey, JOB));
        expectEnvelopeError(() => decryptPrompt(bytes, provider.secretKey, JOB), 'DECRYPTION_FAILED');
    });

    it('detects an envelope sealed for another job address or request number (HKDF info)', () => {
        const bytes = serializeEnvelope(encryptPrompt(prompt, provider.publicKey, JOB, 1));
        expectEnvelopeError(() => decryptPrompt(bytes, provider.secretKey, OTHER_JOB, 1), 'DECRYPTION_FAILED');
        expectEnvelopeError(() => decryptPrompt(bytes, provider.secretKey, JOB, 2), 'DECRYPTION_FAILED');
        expect(decryptPrompt(bytes, provider.secretKey, JOB, 1).toString()).toBe(prompt);
    });

    it('keeps prompts and results apart (kind byte and HKDF label)', () => {
        const bytes = serializeEnvelope(encryptResult('answer', provider.publicKey, JOB));
        expectEnvelopeError(() => decryptPrompt(bytes, provider.secretKey, JOB), 'WRONG_ENVELOPE_KIND');
        const relabelled = Buffer.from(bytes);
        relabelled[5] = 0x01;
        expectEnvelopeError(() => decryptPrompt(relabelled, provider.secretKey, JOB), 'DECRYPTION_FAILED');
    });

    it('refuses non-canonical bytes and low-order keys', () => {
        const bytes = serializeEnvelope(encryptPrompt(prompt, provider.publicKey, JOB));
        expectEnvelopeError(() => parseEnvelope(Buffer.concat([bytes, Buffer.alloc(1)])), 'MALFORMED_ENVELOPE');
        expectEnvelopeError(() => parseEnvelope(bytes.subarray(0, 70)), 'MALFORMED_ENVELOPE');
        const badMagic = Buffer.from(bytes);
        badMagic[0] = 0;
        expectEnvelopeError(() => parseEnvelope(badMagic), 'MALFORMED_ENVELOPE');
        expectEnvelopeError(() => encryptPrompt(prompt, Buffer.alloc(32), JOB), 'BAD_KEY');
        expectEnvelopeError(() => encryptPrompt(prompt, Buffer.alloc(31, 1), JOB), 'BAD_KEY');
    });
});

describe('Signed payloads', () => {
    it('signs job results and receipts into exactly the cells of wrappers/Job.ts', () => {
        const key = keyPairFromSeed(Buffer.alloc(32, 3));
        const fields = { job: JOB, createdAt: NOW, seq: 4, resultCommitment: 123n, usage: 45n };
        expect(signPayloadCell(jobResultCell(fields), key.secretKey).hash()).toEqual(signResult(fields, key.secretKey).hash());
        const book = new SessionReceipts(JOB, NOW, key);
        const { receipt, signed } = book.record(10n, 99n);
        expect(signed.hash()).toEqual(signReceipt(receipt, key.secretKey).hash());
        expect(verifyCellSignature(signed.refs[0], signed.beginParse().loadBuffer(64), key.publicKey)).toBe(true);
    });
});

// ---------------------------------------------------------------------------

type Registered = { owner: SandboxContract<TreasuryContract>; keys: WorkerKeys; address: Address };

describe('Jobs and provider keys against the chain', () => {
    let dev: Devnet;
    let p1: Registered;
    let clientWallet: SandboxContract<TreasuryContract>;
    let client: CocoonClient;
    let keeper: SandboxContract<TreasuryContract>;

    async function register(name: string, models: bigint[]): Promise<Registered> {
        const owner = await dev.blockchain.treasury(name);
        const keys = generateWorkerKeys();
        const { signedStatement } = await obtainStatement({
            keys,
            owner: owner.address,
            root: dev.root.address,
            now: dev.blockchain.now!,
            quotes: dev.quotes,
            verifier: new LocalVerifier({ secretKey: dev.verifier.secretKey, lifetime: 7 * DAY, rootPublicKey: dev.quotes.rootPublicKey }),
        });
        const required = await dev.root.getRequiredValues();
        await dev.root.sendRegisterProvider(owner.getSender(), toNano('100') + required.registerProvider, {
            stake: toNano('100'),
            statement: signedStatement,
            offer: { pricePerUnit: PRICE, endpoint: 'memory://test-provider' },
            models,
        });
        return { owner, keys, address: await dev.root.getProviderAddress(owner.address) };
    }

    beforeAll(async () => {
        dev = await createDevnet({ models: [MODEL_A, MODEL_B], now: NOW, template: sharedTemplateQuote() });
        p1 = await register('provider owner', [MODEL_A]);
        clientWallet = await dev.blockchain.treasury('client');
        keeper = await dev.blockchain.treasury('keeper');
        client = new CocoonClient({
            chain: sandboxChain(dev.blockchain),
            root: dev.root.address,
            sender: clientWallet.getSender(),
            clientKeys: keyPairFromSeed(createHash('sha256').update('client').digest()),
        });
    });

    let snapshot: ReturnType<Devnet['blockchain']['snapshot']>;
    beforeEach(() => {
        snapshot = dev.blockchain.snapshot();
    });
    afterEach(async () => {
        await dev.blockchain.loadFrom(snapshot);
    });

    /** Plays the worker: opens the prompt with the provider's secret, seals an answer, signs and submits it. */
    async function serve(prepared: PreparedJob, answer = 'Paris.', usage = 42n): Promise<ResultDelivery> {
        const request = decodeInferenceRequest(decryptPrompt(prepared.envelope, p1.keys.encryption, prepared.job));
        const envelope = serializeEnvelope(
            encryptResult(
                encodeInferenceResult({ ok: true, content: answer, finishReason: 'stop', backend: 'test', usage: { promptTokens: 30, completionTokens: 12, totalTokens: 42 } }),
                request.resultKey,
                prepared.job,
            ),
        );
        const job = dev.blockchain.openContract(Job.createFromAddress(prepared.job));
        const { createdAt } = await job.getJobState();
        const signedResult = signResult(
            { job: prepared.job, createdAt, seq: 0, resultCommitment: envelopeCommitment(envelope), usage },
            p1.keys.operator.secretKey,
        );
        const required = await dev.root.getJobRequiredValues();
        const r = await job.sendSubmitResult(p1.owner.getSender(), required.submitResult, signedResult);
        expect(r.transactions).toHaveTransaction({ to: prepared.job, success: true });
        return { job: prepared.job, seq: 0, envelope, signedResult };
    }

    async function createJob(question = 'What is the capital of France?') {
        const keys = await client.fetchProviderKeys(p1.address, { model: MODEL_A });
        const prepared = await client.prepareJob(keys, { messages: [{ role: 'user', content: question }] });
        const created = await client.createJob(prepared, { budget: toNano('1'), deadline: NOW + 3600, modelHash: MODEL_A });
        return { keys, prepared, created };
    }

    it('fetches the attested keys of an eligible provider', async () => {
        const keys = await client.fetchProviderKeys(p1.address, { model: MODEL_A, validUntil: NOW + DAY });
        expect(keys.operatorKey).toEqual(p1.keys.operator.publicKey);
        expect(keys.encryptionKey).toEqual(p1.keys.encryption.publicKey);
        expect(keys.policyHash).toEqual(dev.policyHash);
        expect(keys.verifierKey).toEqual(dev.verifier.publicKey);
        expect(keys.owner.equals(p1.owner.address)).toBe(true);
        expect(keys.pricePerUnit).toBe(PRICE);
        expect(keys.models).toEqual([MODEL_A]);
    });

    it('round trip: encrypted prompt, job funded with its commitment, result verified and decrypted, confirmed', async () => {
        const { prepared, created } = await createJob();
        const job = dev.blockchain.openContract(Job.createFromAddress(prepared.job));
        expect((await job.getJobRequest()).requestCommitment).toBe(envelopeCommitment(prepared.envelope));
        expect(created.terms.price).toBe(PRICE);
        const delivery = await serve(prepared, 'Paris.', 42n);
        const verified = await client.verifyResult(delivery, prepared);
        expect(verified.usage).toBe(42n);
        const result = client.openResult(delivery, prepared.resultKeys);
        expect(result).toMatchObject({ ok: true, content: 'Paris.' });
        // The boolean helper of sdk/jobs.ts agrees.
        const s = checkSignedResult(delivery, { createdAt: created.createdAt, operatorKey: p1.keys.operator.publicKey });
        expect(s.commitment).toBe(envelopeCommitment(delivery.envelope));
        const sig = delivery.signedResult.beginParse().loadBuffer(64);
        expect(
            verifyResult({ job: prepared.job, createdAt: created.createdAt, seq: 0, ciphertext: delivery.envelope, usage: 42n, signature: sig, operatorKey: p1.keys.operator.publicKey, onChainCommitment: verified.commitment }),
        ).toBe(true);
        const ownerBefore = await p1.owner.getBalance();
        await client.confirm(prepared.job);
        expect((await job.getJobState()).state).toBe(6);
        expect(await p1.owner.getBalance()).toBeGreaterThan(ownerBefore);
    });

    it('detects a result that does not match the on-chain commitment', async () => {
        const { prepared } = await createJob();
        const delivery = await serve(prepared);
        const other = serializeEnvelope(encryptResult('Lyon.', prepared.resultKeys.publicKey, prepared.job));
        await expectRejects(client.verifyResult({ ...delivery, envelope: other }, prepared), ResultVerificationError, 'COMMITMENT_MISMATCH');
        // Off chain alone (a session answer), the signed commitment catches it too.
        const { createdAt } = await dev.blockchain.openContract(Job.createFromAddress(prepared.job)).getJobState();
        expect(() => checkSignedResult({ ...delivery, envelope: other }, { createdAt, operatorKey: p1.keys.operator.publicKey })).toThrow(ResultVerificationError);
    });

    it('detects a bad operator signature', async () => {
        const { prepared, created } = await createJob();
        const delivery = await serve(prepared);
        const s = delivery.signedResult.beginParse();
        const sig = Buffer.from(s.loadBuffer(64));
        sig[10] ^= 0xff;
        const forged = beginCell().storeBuffer(sig).storeRef(s.loadRef()).endCell();
        await expectRejects(client.verifyResult({ ...delivery, signedResult: forged }, prepared), ResultVerificationError, 'BAD_OPERATOR_SIGNATURE');
        // Signed by another key: refused off chain as well.
        const impostor = keyPairFromSeed(Buffer.alloc(32, 7));
        const other = signResult(
            { job: prepared.job, createdAt: created.createdAt, seq: 0, resultCommitment: envelopeCommitment(delivery.envelope), usage: 42n },
            impostor.secretKey,
        );
        await expectRejects(client.verifyResult({ ...delivery, signedResult: other }, prepared), ResultVerificationError, 'BAD_OPERATOR_SIGNATURE');
    });

    it('detects a result signed for another job', async () => {
        const { prepared, created } = await createJob();
        const delivery = await serve(prepared);
        const wrong = signResult(
            { job: OTHER_JOB, createdAt: created.createdAt, seq: 0, resultCommitment: envelopeCommitment(delivery.envelope), usage: 42n },
            p1.keys.operator.secretKey,
        );
        await expectRejects(client.verifyResult({ ...delivery, signedResult: wrong }, prepared), ResultVerificationError, 'WRONG_JOB');
    });

    it('disputes a result within the challenge window with the hash of the reason', async () => {
        const { prepared } = await createJob();
        await serve(prepared);
        const hash = await client.dispute(prepared.job, 'the answer is wrong');
        expect(hash).toBe(BigInt('0x' + createHash('sha256').update('the answer is wrong').digest('hex')));
        const job = dev.blockchain.openContract(Job.createFromAddress(prepared.job));
        expect((await job.getJobState()).state).toBe(4);
        expect((await job.getJobProgress()).reasonHash).toBe(hash);
    });

    it('refuses to verify a job that holds no result yet', async () => {
        const { prepared } = await createJob();
        const fake: ResultDelivery = { job: prepared.job, seq: 0, envelope: prepared.envelope, signedResult: beginCell().endCell() as Cell };
        await expectRejects(client.verifyResult(fake, prepared), ResultVerificationError, 'NO_RESULT_ON_CHAIN');
    });

    describe('fetchProviderKeys refuses', () => {
        it('an address that is not a provider of this root', async () => {
            await expectRejects(client.fetchProviderKeys(clientWallet.address), ProviderKeyError, 'PROVIDER_NOT_REGISTERED');
            await expectRejects(client.fetchProviderKeys(Address.parse('0:' + '33'.repeat(32))), ProviderKeyError, 'PROVIDER_NOT_REGISTERED');
        });

        it('a revoked provider', async () => {
            const required = await dev.root.getRequiredValues();
            await dev.root.sendRevokePolicy(dev.guardian.getSender(), required.governanceOp, bufferToBigint(dev.policyHash));
            await dev.root.sendCheckProvider(keeper.getSender(), required.checkProvider, p1.owner.address, { kind: 'policy', hash: bufferToBigint(dev.policyHash) });
            await expectRejects(client.fetchProviderKeys(p1.address), ProviderKeyError, 'PROVIDER_REVOKED');
        });

        it('a provider whose policy was removed from the allowlist', async () => {
            const required = await dev.root.getRequiredValues();
            await dev.root.sendRevokePolicy(dev.guardian.getSender(), required.governanceOp, bufferToBigint(dev.policyHash));
            await expectRejects(client.fetchProviderKeys(p1.address), ProviderKeyError, 'POLICY_NOT_ALLOWED');
        });

        it('an expired attestation, or one that ends before the deadline', async () => {
            const keys = await client.fetchProviderKeys(p1.address);
            await expectRejects(client.fetchProviderKeys(p1.address, { validUntil: keys.expiresAt + 1 }), ProviderKeyError, 'ATTESTATION_EXPIRES_TOO_SOON');
            dev.blockchain.now = keys.expiresAt;
            await expectRejects(client.fetchProviderKeys(p1.address), ProviderKeyError, 'ATTESTATION_EXPIRED');
            dev.blockchain.now = NOW;
        });

        it('an untrusted verifier', async () => {
            const required = await dev.root.getRequiredValues();
            await dev.root.sendRevokeVerifierKey(dev.guardian.getSender(), required.governanceOp, bufferToBigint(dev.verifier.publicKey));
            await expectRejects(client.fetchProviderKeys(p1.address), ProviderKeyError, 'VERIFIER_NOT_TRUSTED');
        });

        it('a model the provider does not serve, or the root no longer allows', async () => {
            await expectRejects(client.fetchProviderKeys(p1.address, { model: MODEL_B }), ProviderKeyError, 'MODEL_NOT_SERVED');
            const required = await dev.root.getRequiredValues();
            await dev.root.sendRevokeModel(dev.guardian.getSender(), required.governanceOp, MODEL_A);
            await expectRejects(client.fetchProviderKeys(p1.address, { model: MODEL_A }), ProviderKeyError, 'MODEL_NOT_ALLOWED');
        });

        it('a provider that is unbonding', async () => {
            const provider = dev.blockchain.openContract(Provider.createFromAddress(p1.address));
            const values = await provider.getRequiredValues();
            await provider.sendRequestUnbond(p1.owner.getSender(), values.ownerOp);
            await expectRejects(client.fetchProviderKeys(p1.address), ProviderKeyError, 'PROVIDER_NOT_ACTIVE');
        });
    });
});
