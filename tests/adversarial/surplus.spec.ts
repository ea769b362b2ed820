/**
 * Attack: value left in a provider's balance beyond its stake and storage
 * reserve.
 *
 * Sweeping the surplus. SPEC §5: a registered provider accepts a plain
 * transfer "into its balance (not into its stake)"; §12 invariant 2: its
 * balance holds its stake "plus nothing else that belongs to anyone but its
 * owner". Only the owner's operations sweep that surplus (send_keeping_stake,
 * SPEC §9 "Value flow"); anyone else's message (here a 1-nanoton top_up from a
 * stranger) gets back at most its own unused value.
 *
 * Stranding value. An exited provider "holds only its storage reserve" (§9)
 * and only a registered provider accepts plain transfers (§5): an exited one
 * rejects them, so they bounce.
 */
import { beginCell, Cell, toNano } from '@ton/core';
import '@ton/test-utils';
import { expectBounce, sendRaw, viewAccount } from '../properties/attack';
import { buildStage, Stage } from '../properties/stage';
import { valueOf } from '../helpers/fixtures';
import { Provider } from '../../wrappers/Provider';
import { Errors, Op } from '../../wrappers/constants';

describe("Attack: sweeping a provider's surplus with a minimal top-up", () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const SURPLUS = toNano('5');

    async function sweep() {
        // The owner tops up the provider's storage balance with a plain transfer (accepted, SPEC §5).
        await sendRaw(s.bc, { from: s.owner.address, to: s.provider.address, value: SURPLUS, bounce: false });
        const before = await viewAccount(s.bc, s.provider.address);
        const stake = (await s.provider.getProviderData()).stake;
        expect(before.balance).toBeGreaterThan(stake + s.fees.providerStorageReserve + SURPLUS - toNano('0.01'));
        const value = 1n + s.preq.topUp;
        const txs = await sendRaw(s.bc, { from: s.attacker.address, to: s.provider.address, value, body: Provider.topUpMessage(1n) });
        return { value, back: valueOf(txs, s.provider.address, s.attacker.address, Op.excesses) };
    }

    it("a stranger's top-up returns it at most its own unused value, never the owner's surplus", async () => {
        const before = await viewAccount(s.bc, s.provider.address);
        const { value, back } = await sweep();
        expect(back).toBeLessThan(value);
        expect(back).toBeGreaterThan(0n);
        // The surplus stays with the provider until the owner's next operation sweeps it.
        const after = await viewAccount(s.bc, s.provider.address);
        expect(after.balance).toBeGreaterThan(before.balance + SURPLUS - toNano('0.01'));
        const txs = await sendRaw(s.bc, { from: s.owner.address, to: s.provider.address, value: s.preq.ownerOp, body: Provider.updateOfferMessage({ pricePerUnit: 1n, endpoint: 'x' }) });
        expect(valueOf(txs, s.provider.address, s.owner.address, Op.excesses)).toBeGreaterThan(SURPLUS - toNano('0.01'));
        const stake = (await s.provider.getProviderData()).stake;
        const swept = await viewAccount(s.bc, s.provider.address);
        expect(swept.balance).toBeGreaterThanOrEqual(stake + s.fees.providerStorageReserve);
        expect(swept.balance).toBeLessThan(stake + s.fees.providerStorageReserve + toNano('0.01'));
    });
});

describe('Attack: stranding value in an exited provider', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    async function exit() {
        await s.provider.sendRequestUnbond(s.owner.getSender(), s.preq.ownerOp);
        s.bc.now = s.now() + s.p.params.unbondingPeriod;
        await s.provider.sendWithdrawStake(s.owner.getSender(), s.preq.ownerOp);
        expect((await s.provider.getProviderData()).state).toBe(4);
    }

    it('a plain transfer to an exited provider is rejected and bounced', async () => {
        await exit();
        await expectBounce(s.bc, { from: s.attacker.address, to: s.provider.address, value: toNano('3'), body: Cell.EMPTY }, Errors.notRegistered);
        const comment = beginCell().storeUint(0, 32).storeStringTail('hello').endCell();
        await expectBounce(s.bc, { from: s.attacker.address, to: s.provider.address, value: toNano('3'), body: comment }, Errors.notRegistered);
        expect((await viewAccount(s.bc, s.provider.address)).balance).toBeLessThanOrEqual(s.fees.providerStorageReserve);
    });
});
