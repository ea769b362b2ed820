import { beginCell, Dictionary, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import {
    deployProtocol,
    registerProvider,
    registrationValue,
    makeStatement,
    statementCell,
    signedStatement,
    keyFromLabel,
    snapshotState,
    Protocol,
    MODEL,
    MODEL_2,
    POLICY,
    DEFAULT_OFFER,
    DAY,
    sha256n,
} from './helpers/fixtures';
import { Errors, Op, ProviderState } from '../wrappers/constants';
import { Root, offerToCell } from '../wrappers/Root';

describe('Provider registration', () => {
    let p: Protocol;
    let owner: SandboxContract<TreasuryContract>;
    beforeEach(async () => {
        p = await deployProtocol();
        owner = await p.blockchain.treasury('operator-1');
    });

    it('deploys an active, eligible provider holding exactly the stake and refunds the rest', async () => {
        const rootBalance = await p.root.getBalance();
        const ownerBalance = await owner.getBalance();
        const { result, provider, stake, value } = await registerProvider(p, owner, { models: [MODEL, MODEL_2] });
        expect(result.transactions).toHaveTransaction({ from: owner.address, to: p.root.address, success: true });
        expect(result.transactions).toHaveTransaction({
            from: p.root.address,
            to: provider.address,
            success: true,
            deploy: true,
        });
        expect(result.transactions).toHaveTransaction({
            from: provider.address,
            to: owner.address,
            op: Op.providerRegistered,
        });
        const data = await provider.getProviderData();
        expect(data.state).toBe(ProviderState.active);
        expect(data.stake).toBe(stake);
        expect(data.eligible).toBe(true);
        expect(data.owner).toEqualAddress(owner.address);
        expect(data.root).toEqualAddress(p.root.address);
        const att = await provider.getAttestation();
        expect(att.policyHash).toBe(POLICY);
        expect(att.operatorKey).toBe(sha256n('operator key'));
        expect(att.encryptionKey).toBe(sha256n('encryption key'));
        expect(att.attestedAt).toBe(p.blockchain.now);
        expect(att.expiresAt).toBe(p.blockchain.now! + 7 * DAY);
        expect(att.verifierKey).toBe(BigInt('0x' + p.verifier.publicKey.toString('hex')));
        expect((await provider.getModels()).sort()).toEqual([MODEL, MODEL_2].sort());
        expect(await provider.getServesModel(MODEL_2)).toBe(true);
        expect(await provider.getOffer()).toEqual(DEFAULT_OFFER);
        expect(await p.root.getProviderAddress(owner.address)).toEqualAddress(provider.address);
        const params = await provider.getProviderParams();
        expect(params.minStake).toBe(p.params.minStake);
        expect(params.unbondingPeriod).toBe(p.params.unbondingPeriod);
        // The root keeps nothing; the provider keeps the stake and its storage reserve;
        // the owner paid the stake plus fees and got the rest back.
        expect(await p.root.getBalance()).toBeLessThanOrEqual(rootBalance);
        const required = await p.root.getRequiredValues();
        const providerBalance = await provider.getBalance();
        expect(providerBalance).toBeGreaterThan(stake);
        expect(providerBalance).toBeLessThanOrEqual(stake + required.registerProvider);
        const spent = ownerBalance - (await owner.getBalance());
        expect(spent).toBeGreaterThanOrEqual(stake);
        expect(spent).toBeLessThan(stake + required.registerProvider);
        expect(spent).toBeLessThan(value);
    });

    describe('rejects, changes nothing and returns the value', () => {
        async function expectRejected(
            exitCode: number,
            opts: Parameters<typeof registerProvider>[2] = {},
            sender: SandboxContract<TreasuryContract> = owner,
        ) {
            const rootState = await snapshotState(p, p.root.address);
            const { result, provider } = await registerProvider(p, sender, opts);
            expect(result.transactions).toHaveTransaction({
                from: sender.address,
                to: p.root.address,
                success: false,
                exitCode,
            });
            expect(result.transactions).toHaveTransaction({ from: p.root.address, to: sender.address, inMessageBounced: true });
            expect(result.transactions).not.toHaveTransaction({ to: provider.address });
            expect(await snapshotState(p, p.root.address)).toBe(rootState);
            expect(await snapshotState(p, provider.address)).not.toBe('active');
        }

        it('when paused', async () => {
            await p.root.sendPause(p.guardian.getSender(), toNano('0.1'));
            await expectRejected(Errors.paused);
        });

        it('with too little value for the stake and fees', async () => {
            const stake = p.params.minStake;
            const value = (await registrationValue(p, stake)) - toNano('0.1');
            await expectRejected(Errors.notEnoughValue, { stake, value });
        });

        it('with a stake below the minimum', async () => {
            await expectRejected(Errors.stakeTooLow, { stake: p.params.minStake - 1n });
        });

        it('with a statement signed by an untrusted key', async () => {
            const statement = makeStatement(p, { owner: owner.address }, keyFromLabel('rogue verifier'));
            await expectRejected(Errors.untrustedVerifier, { statement });
        });

        it('with a statement whose signature is not the claimed trusted key', async () => {
            const inner = statementCell({ root: p.root.address, owner: owner.address }, p.blockchain.now!);
            const statement = signedStatement(inner, keyFromLabel('rogue verifier'), p.verifier.publicKey);
            await expectRejected(Errors.badSignature, { statement });
        });

        it('with a statement modified after signing', async () => {
            const good = makeStatement(p, { owner: owner.address });
            const s = good.beginParse();
            const key = s.loadBuffer(32);
            const sig = s.loadBuffer(64);
            const tampered = statementCell(
                { root: p.root.address, owner: owner.address, operatorKey: sha256n('attacker key') },
                p.blockchain.now!,
            );
            const statement = beginCell().storeBuffer(key).storeBuffer(sig).storeRef(tampered).endCell();
            await expectRejected(Errors.badSignature, { statement });
        });

        it('with a payload that is not an attestation statement (wrong tag)', async () => {
            await expectRejected(Errors.wrongStatementTag, {
                statement: makeStatement(p, { owner: owner.address, tag: 0x12345678 }),
            });
        });

        it('with a statement for another root (replay across deployments)', async () => {
            const other = await p.blockchain.treasury('other root');
            await expectRejected(Errors.wrongRoot, {
                statement: makeStatement(p, { owner: owner.address, root: other.address }),
            });
        });

        it('with a statement for another owner (replay across providers)', async () => {
            const other = await p.blockchain.treasury('operator-2');
            await expectRejected(Errors.wrongOwner, { statement: makeStatement(p, { owner: other.address }) });
        });

        it('with an expired statement', async () => {
            const now = p.blockchain.now!;
            await expectRejected(Errors.statementExpired, {
                statement: makeStatement(p, { owner: owner.address, issuedAt: now - 2 * DAY, expiresAt: now }),
            });
        });

        it('with a statement issued in the future', async () => {
            const now = p.blockchain.now!;
            await expectRejected(Errors.statementNotYetValid, {
                statement: makeStatement(p, { owner: owner.address, issuedAt: now + 60, expiresAt: now + DAY }),
            });
        });

        it('with a statement that lives longer than attestation_max_age', async () => {
            const now = p.blockchain.now!;
            await expectRejected(Errors.statementLifetimeTooLong, {
                statement: makeStatement(p, {
                    owner: owner.address,
                    issuedAt: now,
                    expiresAt: now + p.params.attestationMaxAge + 1,
                }),
            });
        });

        it('with a measurement policy that is not allowlisted', async () => {
            await expectRejected(Errors.policyNotAllowed, {
                statement: makeStatement(p, { owner: owner.address, policyHash: sha256n('unknown image') }),
            });
        });

        it('with a model that is not allowlisted', async () => {
            await expectRejected(Errors.modelNotAllowed, { models: [MODEL, sha256n('unknown model')] });
        });

        it('with no models', async () => {
            await expectRejected(Errors.noModels, { models: [] });
        });

        it('with more models than max_models', async () => {
            p = await deployProtocol({ params: { maxModels: 1 } });
            owner = await p.blockchain.treasury('operator-1');
            await expectRejected(Errors.tooManyModels, { models: [MODEL, MODEL_2] });
        });

        it('with a zero price', async () => {
            await expectRejected(Errors.badPrice, { offer: { ...DEFAULT_OFFER, pricePerUnit: 0n } });
        });

        it('with an empty endpoint', async () => {
            await expectRejected(Errors.badEndpoint, { offer: { ...DEFAULT_OFFER, endpoint: '' } });
        });

        it('with trailing bits after the body', async () => {
            const body = Root.registerProviderMessage({
                stake: p.params.minStake,
                statement: makeStatement(p, { owner: owner.address }),
                offer: DEFAULT_OFFER,
                models: [MODEL],
            });
            const padded = beginCell().storeSlice(body.beginParse()).storeUint(1, 1).endCell();
            const value = await registrationValue(p, p.params.minStake);
            const result = await p.root.sendBody(owner.getSender(), value, padded);
            expect(result.transactions).toHaveTransaction({
                to: p.root.address,
                success: false,
                exitCode: Errors.malformedBody,
            });
        });

        it('with a truncated body', async () => {
            const body = beginCell().storeUint(Op.registerProvider, 32).storeUint(0, 64).storeCoins(1).endCell();
            const result = await p.root.sendBody(owner.getSender(), toNano('1'), body);
            expect(result.transactions).toHaveTransaction({
                to: p.root.address,
                success: false,
                exitCode: Errors.cellUnderflow,
            });
        });

        it('with a model set entry that carries data', async () => {
            const models = Dictionary.empty(Dictionary.Keys.BigUint(256), Dictionary.Values.Uint(1));
            models.set(MODEL, 1);
            const body = beginCell()
                .storeUint(Op.registerProvider, 32)
                .storeUint(0, 64)
                .storeCoins(p.params.minStake)
                .storeRef(makeStatement(p, { owner: owner.address }))
                .storeRef(offerToCell(DEFAULT_OFFER))
                .storeDict(models)
                .endCell();
            const value = await registrationValue(p, p.params.minStake);
            const result = await p.root.sendBody(owner.getSender(), value, body);
            expect(result.transactions).toHaveTransaction({
                to: p.root.address,
                success: false,
                exitCode: Errors.malformedBody,
            });
        });
    });

    it('refuses a second registration of an active provider and refunds it in full', async () => {
        const { provider, stake } = await registerProvider(p, owner);
        const before = await snapshotState(p, provider.address);
        const ownerBalance = await owner.getBalance();
        const { result, value } = await registerProvider(p, owner, { stake: stake * 2n });
        expect(result.transactions).toHaveTransaction({
            from: provider.address,
            to: owner.address,
            op: Op.requestRefused,
            body: (b) => b!.beginParse().skip(96).loadUint(16) === Errors.alreadyRegistered,
        });
        expect((await provider.getProviderData()).stake).toBe(stake);
        expect(await snapshotState(p, provider.address)).toBe(before);
        // Only the fees are lost; the double stake comes back.
        const lost = ownerBalance - (await owner.getBalance());
        expect(lost).toBeLessThan(value - stake * 2n);
    });

    it('re-registers a provider that has exited, keeping its address', async () => {
        const { provider } = await registerProvider(p, owner);
        await provider.sendRequestUnbond(owner.getSender(), toNano('0.1'));
        p.blockchain.now! += p.params.unbondingPeriod;
        await provider.sendWithdrawStake(owner.getSender(), toNano('0.1'));
        expect((await provider.getProviderData()).state).toBe(ProviderState.exited);
        const stake = p.params.minStake * 2n;
        const { result } = await registerProvider(p, owner, {
            stake,
            statement: makeStatement(p, { owner: owner.address }),
        });
        expect(result.transactions).toHaveTransaction({ from: provider.address, to: owner.address, op: Op.providerRegistered });
        const data = await provider.getProviderData();
        expect(data.state).toBe(ProviderState.active);
        expect(data.stake).toBe(stake);
    });
});
