import { toNano } from '@ton/core';
import '@ton/test-utils';
import { deployProtocol, registerProvider, Protocol, MODEL, POLICY, DEFAULT_OFFER, sha256n, gasOf } from './helpers/fixtures';
import { Op, ProviderState } from '../wrappers/constants';

describe('Provider registration', () => {
    let p: Protocol;
    beforeEach(async () => {
        p = await deployProtocol();
    });

    it('deploys an active, eligible provider holding exactly the stake', async () => {
        const owner = await p.blockchain.treasury('operator-1');
        const rootBalance = await p.root.getBalance();
        const { result, provider, stake } = await registerProvider(p, owner);
        expect(result.transactions).toHaveTransaction({ from: owner.address, to: p.root.address, success: true });
        expect(result.transactions).toHaveTransaction({ from: p.root.address, to: provider.address, success: true, deploy: true });
        expect(result.transactions).toHaveTransaction({ from: provider.address, to: owner.address, op: Op.providerRegistered });
        const data = await provider.getProviderData();
        expect(data.state).toBe(ProviderState.active);
        expect(data.stake).toBe(stake);
        expect(data.eligible).toBe(true);
        const att = await provider.getAttestation();
        expect(att.policyHash).toBe(POLICY);
        expect(att.operatorKey).toBe(sha256n('operator key'));
        expect(await provider.getModels()).toEqual([MODEL]);
        expect(await provider.getOffer()).toEqual(DEFAULT_OFFER);
        expect(await p.root.getProviderAddress(owner.address)).toEqualAddress(provider.address);
        // The root keeps nothing; the provider keeps stake + storage reserve.
        expect(await p.root.getBalance()).toBeLessThanOrEqual(rootBalance);
        const balance = await provider.getBalance();
        expect(balance).toBeGreaterThan(stake);
        console.log('root gas', gasOf(result.transactions, p.root.address), 'provider gas', gasOf(result.transactions, provider.address), 'reserve', balance - stake);
    });
});
