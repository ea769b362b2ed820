/**
 * Attack: value left in a provider's balance beyond its stake and storage
 * reserve.
 *
 * Sweeping the surplus. SPEC §5: a registered provider accepts a plain
 * transfer "into its balance (not into its stake)"; §12 invariant 2: its
 * balance holds its stake "plus nothing else that belongs to anyone but its
 * owner". Every provider answer sends everything above stake + storage reserve
 * to whoever it answers (send_keeping_stake, mode 128), so the next sender of
 * any message (here a 1-nanoton top_up from a stranger) collects the owner's
 * surplus.
 *
 * Stranding value. An exited provider "holds only its storage reserve" (§9)
 * and an unregistered provider rejects plain transfers (§5), but an exited one
 * accepts them and keeps them until its owner registers again.
 */
import { Cell, toNano } from '@ton/core';
import '@ton/test-utils';
import { expectBounce, expectKept, sendRaw, viewAccount } from '../properties/attack';
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

    // Reported: provider.fc send_keeping_stake (line 66) returns the whole balance above
    // stake + reserve to the sender of whatever message is being answered.
    it.failing("a stranger's top-up returns it at most its own unused value, never the owner's surplus", async () => {
        const { value, back } = await sweep();
        expect(back).toBeLessThan(value);
    });

    it('today the stranger collects the surplus: the excess it receives exceeds what it sent by about the surplus', async () => {
        const { value, back } = await sweep();
        expect(back - value).toBeGreaterThan(SURPLUS - toNano('0.05'));
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

    // SPEC §5: "an unregistered provider rejects it [a plain transfer]"; §9: after withdraw_stake
    // the provider "holds only its storage reserve". provider.fc recv_internal (line 443) only
    // rejects a plain transfer in state uninit, so an exited provider keeps it.
    it.failing('a plain transfer to an exited provider is rejected and bounced', async () => {
        await exit();
        await expectBounce(s.bc, { from: s.attacker.address, to: s.provider.address, value: toNano('3'), body: Cell.EMPTY }, Errors.notRegistered);
    });

    it('today an exited provider keeps a plain transfer above its storage reserve (returned only on re-registration)', async () => {
        await exit();
        const out = await expectKept(s.bc, { from: s.attacker.address, to: s.provider.address, value: toNano('3'), body: Cell.EMPTY });
        expect(out.returned).toBe(0n);
        expect((await viewAccount(s.bc, s.provider.address)).balance).toBeGreaterThan(s.fees.providerStorageReserve + toNano('2.9'));
    });
});
