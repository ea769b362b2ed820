import { beginCell, toNano } from '@ton/core';
import { internal, SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import {
    deployProtocol,
    registerProvider,
    makeStatement,
    snapshotState,
    sha256n,
    Protocol,
    MODEL,
    MODEL_2,
    POLICY,
    DAY,
    DEFAULT_OFFER,
} from './helpers/fixtures';
import { Errors, Op, ProviderState } from '../wrappers/constants';
import { Provider } from '../wrappers/Provider';
import { TimelockActions } from '../wrappers/Root';

const OP_VALUE = toNano('0.05');

function refusedWith(error: number) {
    return (body: any) => {
        const s = body!.beginParse();
        return s.loadUint(32) === Op.requestRefused && (s.loadUint(64), s.loadUint(16) === error);
    };
}

describe('Provider', () => {
    let p: Protocol;
    let owner: SandboxContract<TreasuryContract>;
    let stranger: SandboxContract<TreasuryContract>;
    let provider: SandboxContract<Provider>;
    let stake: bigint;

    beforeEach(async () => {
        p = await deployProtocol();
        owner = await p.blockchain.treasury('operator-1');
        stranger = await p.blockchain.treasury('stranger');
        ({ provider, stake } = await registerProvider(p, owner));
    });

    async function expectRejected(
        send: () => Promise<{ transactions: any[] }>,
        from: SandboxContract<TreasuryContract>,
        exitCode: number,
    ) {
        const before = await snapshotState(p, provider.address);
        const result = await send();
        expect(result.transactions).toHaveTransaction({ from: from.address, to: provider.address, success: false, exitCode });
        expect(result.transactions).toHaveTransaction({ from: provider.address, to: from.address, inMessageBounced: true });
        expect(await snapshotState(p, provider.address)).toBe(before);
    }

    describe('stake top-up', () => {
        it('adds the amount to the stake and returns the excess', async () => {
            const amount = toNano('5');
            const result = await provider.sendTopUp(owner.getSender(), amount + OP_VALUE, amount);
            expect(result.transactions).toHaveTransaction({ from: provider.address, to: owner.address, op: Op.excesses });
            expect((await provider.getProviderData()).stake).toBe(stake + amount);
        });

        it('accepts a top-up from anyone', async () => {
            const amount = toNano('1');
            await provider.sendTopUp(stranger.getSender(), amount + OP_VALUE, amount);
            expect((await provider.getProviderData()).stake).toBe(stake + amount);
        });

        it('rejects a value that does not cover the amount and fees', async () => {
            const amount = toNano('5');
            await expectRejected(() => provider.sendTopUp(owner.getSender(), amount, amount), owner, Errors.notEnoughValue);
        });

        it('rejects a zero amount', async () => {
            await expectRejected(() => provider.sendTopUp(owner.getSender(), OP_VALUE, 0n), owner, Errors.badAmount);
        });

        it('rejects a top-up while unbonding', async () => {
            await provider.sendRequestUnbond(owner.getSender(), OP_VALUE);
            await expectRejected(
                () => provider.sendTopUp(owner.getSender(), toNano('2'), toNano('1')),
                owner,
                Errors.wrongState,
            );
        });
    });

    describe('offer update', () => {
        it('lets the owner change price and endpoint', async () => {
            const offer = { pricePerUnit: toNano('0.000002'), endpoint: 'https://gpu-2.example/v1' };
            await provider.sendUpdateOffer(owner.getSender(), OP_VALUE, offer);
            expect(await provider.getOffer()).toEqual(offer);
        });

        it('rejects anyone but the owner', async () => {
            await expectRejected(
                () => provider.sendUpdateOffer(stranger.getSender(), OP_VALUE, DEFAULT_OFFER),
                stranger,
                Errors.notOwner,
            );
        });

        it('rejects a zero price and an endpoint over 127 bytes', async () => {
            await expectRejected(
                () => provider.sendUpdateOffer(owner.getSender(), OP_VALUE, { ...DEFAULT_OFFER, pricePerUnit: 0n }),
                owner,
                Errors.badPrice,
            );
            const long = beginCell()
                .storeUint(Op.updateOffer, 32)
                .storeUint(0, 64)
                .storeRef(
                    beginCell()
                        .storeCoins(1)
                        .storeRef(beginCell().storeUint(0x41, 8).storeRef(beginCell().endCell()).endCell())
                        .endCell(),
                )
                .endCell();
            await expectRejected(() => provider.sendBody(owner.getSender(), OP_VALUE, long), owner, Errors.badEndpoint);
        });

        it('rejects too little value for gas', async () => {
            await expectRejected(
                () => provider.sendUpdateOffer(owner.getSender(), toNano('0.003'), DEFAULT_OFFER),
                owner,
                Errors.notEnoughValue,
            );
        });
    });

    describe('unbonding and withdrawal', () => {
        it('returns the whole stake after the unbonding period and keeps only the storage reserve', async () => {
            await provider.sendRequestUnbond(owner.getSender(), OP_VALUE);
            let data = await provider.getProviderData();
            expect(data.state).toBe(ProviderState.unbonding);
            expect(data.unbondAt).toBe(p.blockchain.now! + p.params.unbondingPeriod);
            expect(data.eligible).toBe(false);

            p.blockchain.now! += p.params.unbondingPeriod;
            const before = await owner.getBalance();
            const result = await provider.sendWithdrawStake(owner.getSender(), OP_VALUE);
            expect(result.transactions).toHaveTransaction({
                from: provider.address,
                to: owner.address,
                op: Op.stakeWithdrawn,
                body: (b) => b!.beginParse().skip(96).loadCoins() === stake,
            });
            expect((await owner.getBalance()) - before).toBeGreaterThan(stake - toNano('0.05'));
            data = await provider.getProviderData();
            expect(data.state).toBe(ProviderState.exited);
            expect(data.stake).toBe(0n);
            // What is left is the storage reserve, well under a TON.
            expect(await provider.getBalance()).toBeLessThan(toNano('1'));
        });

        it('refuses withdrawal before the unbonding period ends', async () => {
            await provider.sendRequestUnbond(owner.getSender(), OP_VALUE);
            p.blockchain.now! += p.params.unbondingPeriod - 1;
            await expectRejected(
                () => provider.sendWithdrawStake(owner.getSender(), OP_VALUE),
                owner,
                Errors.unbondingNotFinished,
            );
        });

        it('refuses withdrawal without unbonding, and unbonding twice', async () => {
            await expectRejected(() => provider.sendWithdrawStake(owner.getSender(), OP_VALUE), owner, Errors.wrongState);
            await provider.sendRequestUnbond(owner.getSender(), OP_VALUE);
            await expectRejected(() => provider.sendRequestUnbond(owner.getSender(), OP_VALUE), owner, Errors.wrongState);
        });

        it('lets only the owner unbond and withdraw', async () => {
            await expectRejected(() => provider.sendRequestUnbond(stranger.getSender(), OP_VALUE), stranger, Errors.notOwner);
            await provider.sendRequestUnbond(owner.getSender(), OP_VALUE);
            p.blockchain.now! += p.params.unbondingPeriod;
            await expectRejected(() => provider.sendWithdrawStake(stranger.getSender(), OP_VALUE), stranger, Errors.notOwner);
        });
    });

    describe('re-attestation through the root', () => {
        const newKey = sha256n('rotated operator key');

        it('rotates the keys and extends the expiry', async () => {
            p.blockchain.now! += DAY;
            const required = await p.root.getRequiredValues();
            const statement = makeStatement(p, { owner: owner.address, operatorKey: newKey });
            const result = await p.root.sendReattestProvider(owner.getSender(), required.reattestProvider, statement);
            expect(result.transactions).toHaveTransaction({ from: p.root.address, to: provider.address, success: true });
            expect(result.transactions).toHaveTransaction({ from: provider.address, to: owner.address, op: Op.excesses });
            const att = await provider.getAttestation();
            expect(att.operatorKey).toBe(newKey);
            expect(att.attestedAt).toBe(p.blockchain.now);
            expect((await provider.getProviderData()).stake).toBe(stake);
        });

        it('refuses a statement not newer than the current one (replay) and refunds the owner', async () => {
            const required = await p.root.getRequiredValues();
            const old = makeStatement(p, { owner: owner.address, operatorKey: newKey });
            const before = await snapshotState(p, provider.address);
            const result = await p.root.sendReattestProvider(owner.getSender(), required.reattestProvider, old);
            expect(result.transactions).toHaveTransaction({
                from: provider.address,
                to: owner.address,
                body: refusedWith(Errors.staleStatement),
            });
            expect(await snapshotState(p, provider.address)).toBe(before);
        });

        it('refunds and leaves no contract behind for an owner without a provider', async () => {
            const nobody = await p.blockchain.treasury('not registered');
            const required = await p.root.getRequiredValues();
            const statement = makeStatement(p, { owner: nobody.address });
            const target = await p.root.getProviderAddress(nobody.address);
            const before = await nobody.getBalance();
            const result = await p.root.sendReattestProvider(nobody.getSender(), required.reattestProvider + toNano('1'), statement);
            expect(result.transactions).toHaveTransaction({
                from: target,
                to: nobody.address,
                body: refusedWith(Errors.notRegistered),
                value: (v) => v! >= toNano('1'), // everything beyond the fees comes back
            });
            const state = await snapshotState(p, target);
            expect(state).not.toMatch(/:/); // no active contract
            expect(before - (await nobody.getBalance())).toBeLessThan(toNano('0.05')); // fees only
        });

        it('is rejected at the root with too little value', async () => {
            const statement = makeStatement(p, { owner: owner.address });
            const result = await p.root.sendReattestProvider(owner.getSender(), toNano('0.01'), statement);
            expect(result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.notEnoughValue });
        });
    });

    describe('model updates through the root', () => {
        it('replaces the served models with allowlisted ones', async () => {
            const required = await p.root.getRequiredValues();
            await p.root.sendUpdateProviderModels(owner.getSender(), required.updateProviderModels, [MODEL_2]);
            expect(await provider.getModels()).toEqual([MODEL_2]);
        });

        it('rejects a model that is not allowlisted', async () => {
            const required = await p.root.getRequiredValues();
            const result = await p.root.sendUpdateProviderModels(owner.getSender(), required.updateProviderModels, [
                sha256n('unlisted'),
            ]);
            expect(result.transactions).toHaveTransaction({ to: p.root.address, success: false, exitCode: Errors.modelNotAllowed });
            expect(await provider.getModels()).toEqual([MODEL]);
        });
    });

    describe('eligibility', () => {
        it('ends when the attestation expires, without any message', async () => {
            const att = await provider.getAttestation();
            p.blockchain.now = att.expiresAt - 1;
            expect(await provider.getEligible()).toBe(true);
            p.blockchain.now = att.expiresAt;
            expect(await provider.getEligible()).toBe(false);
            expect((await provider.getProviderData()).state).toBe(ProviderState.active);
        });
    });

    describe('revocation', () => {
        async function check(subject: { kind: 'policy' | 'model' | 'verifierKey'; hash: bigint }) {
            const keeper = await p.blockchain.treasury('keeper');
            const required = await p.root.getRequiredValues();
            const result = await p.root.sendCheckProvider(keeper.getSender(), required.checkProvider, owner.address, subject);
            return { result, keeper };
        }

        it('stops a provider whose policy was removed from the allowlist', async () => {
            await p.root.sendRevokePolicy(p.guardian.getSender(), OP_VALUE, POLICY);
            const { result, keeper } = await check({ kind: 'policy', hash: POLICY });
            // The keeper is paid keeper_reward from the stake of the provider at fault.
            const reward = (await p.root.getJobParams()).keeperReward;
            expect(result.transactions).toHaveTransaction({
                from: provider.address,
                to: keeper.address,
                op: Op.keeperReward,
                value: (v) => v! >= reward,
            });
            const data = await provider.getProviderData();
            expect(data.revoked).toBe(true);
            expect(data.eligible).toBe(false);
            expect(data.stake).toBe(stake - reward);
        });

        it('stops a provider whose verifier key was removed', async () => {
            const key = BigInt('0x' + p.verifier.publicKey.toString('hex'));
            await p.root.sendRevokeVerifierKey(p.governance.getSender(), OP_VALUE, key);
            await check({ kind: 'verifierKey', hash: key });
            expect((await provider.getProviderData()).revoked).toBe(true);
        });

        it('drops a removed model from the served set', async () => {
            await p.root.sendRevokeModel(p.governance.getSender(), OP_VALUE, MODEL);
            await check({ kind: 'model', hash: MODEL });
            expect(await provider.getModels()).toEqual([]);
            expect(await provider.getEligible()).toBe(false);
        });

        it('is refused by the root while the subject is still allowlisted', async () => {
            const before = await snapshotState(p, provider.address);
            const { result, keeper } = await check({ kind: 'policy', hash: POLICY });
            expect(result.transactions).toHaveTransaction({
                from: keeper.address,
                to: p.root.address,
                success: false,
                exitCode: Errors.stillAllowed,
            });
            expect(await snapshotState(p, provider.address)).toBe(before);
        });

        it('is refused by the provider when the removed subject is not its own', async () => {
            const other = sha256n('some other policy');
            const before = await snapshotState(p, provider.address);
            const { result, keeper } = await check({ kind: 'policy', hash: other });
            expect(result.transactions).toHaveTransaction({
                from: provider.address,
                to: keeper.address,
                body: refusedWith(Errors.revocationMismatch),
            });
            expect(await snapshotState(p, provider.address)).toBe(before);
        });

        it('is cleared by a re-attestation with an allowlisted policy', async () => {
            const newPolicy = sha256n('policy: cocoon tdx image v2');
            await p.root.sendQueueChange(p.governance.getSender(), OP_VALUE, TimelockActions.addPolicy(newPolicy, 'v2'));
            p.blockchain.now! += p.params.timelockDelay;
            await p.root.sendExecuteChange(p.governance.getSender(), OP_VALUE, 0);
            await p.root.sendRevokePolicy(p.guardian.getSender(), OP_VALUE, POLICY);
            await check({ kind: 'policy', hash: POLICY });
            expect((await provider.getProviderData()).revoked).toBe(true);
            const required = await p.root.getRequiredValues();
            await p.root.sendReattestProvider(
                owner.getSender(),
                required.reattestProvider,
                makeStatement(p, { owner: owner.address, policyHash: newPolicy }),
            );
            let data = await provider.getProviderData();
            expect(data.revoked).toBe(false);
            expect((await provider.getAttestation()).policyHash).toBe(newPolicy);
            // The keeper's reward came out of a minimum stake: jailed until topped up.
            expect(data.state).toBe(ProviderState.jailed);
            const missing = p.params.minStake - data.stake;
            await provider.sendTopUp(owner.getSender(), missing + OP_VALUE, missing);
            data = await provider.getProviderData();
            expect(data.state).toBe(ProviderState.active);
            expect(data.eligible).toBe(true);
        });
    });

    describe('jailing', () => {
        it('jails a provider below a raised minimum stake and frees it after a top-up', async () => {
            const raised = { ...p.params, minStake: stake * 2n };
            await p.root.sendQueueChange(p.governance.getSender(), OP_VALUE, TimelockActions.setParams(raised));
            p.blockchain.now! += p.params.timelockDelay;
            await p.root.sendExecuteChange(p.governance.getSender(), OP_VALUE, 0);
            // The provider learns the new minimum with its next message from the root.
            const required = await p.root.getRequiredValues();
            await p.root.sendReattestProvider(owner.getSender(), required.reattestProvider, makeStatement(p, { owner: owner.address }));
            let data = await provider.getProviderData();
            expect(data.state).toBe(ProviderState.jailed);
            expect(data.eligible).toBe(false);
            await provider.sendTopUp(owner.getSender(), stake + OP_VALUE, stake);
            data = await provider.getProviderData();
            expect(data.state).toBe(ProviderState.active);
            expect(data.eligible).toBe(true);
        });
    });

    describe('authentication', () => {
        it('treats a forged provider_init from anyone but the root as an owner op and rejects it', async () => {
            const forged = beginCell().storeUint(Op.providerInit, 32).storeUint(0, 64).storeCoins(toNano('1000')).endCell();
            await expectRejected(() => provider.sendBody(stranger.getSender(), OP_VALUE, forged), stranger, Errors.notOwner);
            await expectRejected(() => provider.sendBody(owner.getSender(), OP_VALUE, forged), owner, Errors.unknownOp);
        });

        it('rejects an unknown op and a truncated body', async () => {
            await expectRejected(
                () => provider.sendBody(owner.getSender(), OP_VALUE, beginCell().storeUint(0x1234, 32).storeUint(0, 64).endCell()),
                owner,
                Errors.unknownOp,
            );
            await expectRejected(
                () => provider.sendBody(owner.getSender(), OP_VALUE, beginCell().storeUint(Op.topUp, 32).endCell()),
                owner,
                Errors.cellUnderflow,
            );
        });

        it('ignores bounced messages without changing state', async () => {
            const before = await snapshotState(p, provider.address);
            const result = await p.blockchain.sendMessage(
                internal({ from: stranger.address, to: provider.address, value: OP_VALUE, bounced: true, body: beginCell().storeUint(0xffffffff, 32).endCell() }),
            );
            expect(result.transactions).toHaveTransaction({ to: provider.address, success: true });
            expect(await snapshotState(p, provider.address)).toBe(before);
        });
    });
});
