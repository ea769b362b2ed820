/**
 * Attack: a lookalike contract. The attacker deploys a contract with DIFFERENT
 * code (a relay compiled inline with func-js) but exactly the data of a real
 * job, provider or root, and makes it send the messages only the real one may
 * send. Addresses commit to the code as well as the data, so each lookalike
 * sits at another address and every message is rejected with the documented
 * exit code; no state changes; the value bounces back to the lookalike minus
 * fees (the attacker's own contract keeps it).
 */
import { Cell, toNano } from '@ton/core';
import '@ton/test-utils';
import { attestationCell, Bodies, deployLookalike, expectBounceVia, providerParamsCell, viewAccount } from '../properties/attack';
import { buildStage, Stage } from '../properties/stage';
import { DEFAULT_OFFER, MODEL, POLICY } from '../helpers/fixtures';
import { jobConfigToCell } from '../../wrappers/Job';
import { Provider, providerConfigToCell } from '../../wrappers/Provider';
import { DEFAULT_JOB_PARAMS, jobParamsToCell, offerToCell } from '../../wrappers/Root';
import { bufferToBigint, hashSet } from '../../wrappers/common';
import { Errors, JobState, Outcome, Slash } from '../../wrappers/constants';
import { beginCell } from '@ton/core';

describe('Attack: lookalike contract with the same data and different code', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const value = toNano('0.5');

    it('a fake job holding a real open job\'s data cannot offer, close or slash at the provider (160)', async () => {
        const o = await s.openJob();
        const bond = (await o.job.getJobTerms()).bond;
        const fake = await deployLookalike(s.bc, jobConfigToCell({ root: s.p.root.address, client: s.client.address, nonce: o.nonce }));
        expect(fake.equals(o.job.address)).toBe(false);
        const watch = [s.provider.address, o.job.address];
        const offer = { modelHash: MODEL, budget: toNano('100000'), maxPrice: toNano('1'), deadline: s.now() + 3600, createdAt: s.now(), session: false };
        await expectBounceVia(s.bc, { from: s.attacker.address, relay: fake, to: s.provider.address, value, body: Bodies.offerJob(s.client.address, o.nonce, offer) }, Errors.notJob, watch);
        await expectBounceVia(s.bc, { from: s.attacker.address, relay: fake, to: s.provider.address, value, body: Bodies.jobClosed(s.client.address, o.nonce, bond, Outcome.completed) }, Errors.notJob, watch);
        await expectBounceVia(
            s.bc,
            { from: s.attacker.address, relay: fake, to: s.provider.address, value, body: Bodies.slashBond(s.client.address, o.nonce, bond, bond, Slash.timeout, s.attacker.address) },
            Errors.notJob,
            watch,
        );
        expect(await s.provider.getProviderJobs()).toMatchObject({ locked: bond, openJobs: 1, failed: 0, slashed: 0n });
        // The bounced value stayed with the attacker's lookalike.
        expect((await viewAccount(s.bc, fake)).balance).toBeGreaterThan(toNano('1'));
    });

    it("a fake job holding the data of a job the attacker never created (its own client, any nonce) is not that job either (160)", async () => {
        const fake = await deployLookalike(s.bc, jobConfigToCell({ root: s.p.root.address, client: s.attacker.address, nonce: 1n }));
        const offer = { modelHash: MODEL, budget: toNano('1'), maxPrice: toNano('1'), deadline: s.now() + 3600, createdAt: s.now(), session: false };
        await expectBounceVia(s.bc, { from: s.attacker.address, relay: fake, to: s.provider.address, value, body: Bodies.offerJob(s.attacker.address, 1n, offer) }, Errors.notJob, [s.provider.address]);
    });

    it("a fake provider holding the real provider's data cannot answer a job (201)", async () => {
        const o = await s.openJob();
        const data = providerConfigToCell({ root: s.p.root.address, owner: s.owner.address, jobCode: s.p.jobCode });
        const fake = await deployLookalike(s.bc, data);
        expect(fake.equals(s.provider.address)).toBe(false);
        const terms = { price: 1n, bond: 0n, operatorKey: 1n, owner: s.attacker.address, params: providerParamsCell(0n, 0, 0, s.attacker.address, jobParamsToCell(DEFAULT_JOB_PARAMS)) };
        await expectBounceVia(s.bc, { from: s.attacker.address, relay: fake, to: o.job.address, value, body: Bodies.jobAccepted(terms) }, Errors.notProvider, [o.job.address]);
        await expectBounceVia(s.bc, { from: s.attacker.address, relay: fake, to: o.job.address, value, body: Bodies.jobRejected(Errors.notEligible) }, Errors.notProvider, [o.job.address]);
        expect((await o.job.getJobState()).state).toBe(JobState.accepted);
    });

    it("a fake root holding the real root's data can neither rule a dispute (150) nor command a provider (151 / 154)", async () => {
        const d = await s.disputed();
        const rootData = (await s.bc.getContract(s.p.root.address)).accountState;
        if (rootData?.type !== 'active') throw new Error('root not active');
        const fake = await deployLookalike(s.bc, rootData.state.data!);
        expect(fake.equals(s.p.root.address)).toBe(false);
        await expectBounceVia(s.bc, { from: s.attacker.address, relay: fake, to: d.job.address, value, body: Bodies.disputeVerdict(true, toNano('1000')) }, Errors.notRoot, [d.job.address, s.provider.address]);

        const att = attestationCell({ policyHash: POLICY, operatorKey: 1n, encryptionKey: 2n, attestedAt: s.now() + 1, expiresAt: s.now() + 86400, verifierKey: bufferToBigint(s.p.verifier.publicKey) });
        const params = providerParamsCell(1n, 3600, 0, s.attacker.address, jobParamsToCell(DEFAULT_JOB_PARAMS));
        const models = beginCell().storeDictDirect(hashSet([MODEL])).endCell();
        for (const body of [Bodies.providerReattest(att, params), Bodies.providerSetModels(models, params), Bodies.providerRevoke(0, POLICY, s.attacker.address)]) {
            await expectBounceVia(s.bc, { from: s.attacker.address, relay: fake, to: s.provider.address, value, body }, Errors.notOwner, [s.provider.address]);
        }
        // A provider_init at a registered provider, and at an unregistered owner's (deployed) address.
        const init = Bodies.providerInit(toNano('1000'), att, offerToCell(DEFAULT_OFFER), models, params);
        await expectBounceVia(s.bc, { from: s.attacker.address, relay: fake, to: s.provider.address, value, body: init }, Errors.notOwner, [s.provider.address]);
        const fresh = s.bc.openContract(Provider.createFromConfig({ root: s.p.root.address, owner: s.newcomer.address, jobCode: s.p.jobCode }, s.p.providerCode));
        // Deployed by the owner's own failed attempt: uninit data, nothing else.
        await s.bc.sendMessage(
            (await import('@ton/sandbox')).internal({ from: s.newcomer.address, to: fresh.address, value: toNano('0.1'), body: Bodies.simple(0x1), stateInit: fresh.init }),
        );
        expect((await fresh.getProviderData()).state).toBe(0);
        await expectBounceVia(s.bc, { from: s.attacker.address, relay: fake, to: fresh.address, value, body: init }, Errors.notRegistered, [fresh.address]);
        expect((await fresh.getProviderData()).state).toBe(0);
        expect((await d.job.getJobState()).state).toBe(JobState.disputed);
    });

    it('a lookalike forging the bounced flag gets an ordinary message delivered, which the job rejects (0xffff) instead of refunding its client', async () => {
        // Only the network sets `bounced`; a contract setting it in its outbound message
        // (flags 0b011100) gets an ordinary message delivered, which the job rejects (0xffff)
        // instead of treating it as a bounce (a bounce would make the job refund its client).
        const o = await s.openJob();
        const fake = await deployLookalike(s.bc, Cell.EMPTY);
        const body = beginCell().storeUint(0xffffffff, 32).storeUint(0xc0c02031, 32).storeUint(0, 64).endCell();
        const out = await expectBounceVia(s.bc, { from: s.attacker.address, relay: fake, to: o.job.address, value, body, flags: 0x1c }, Errors.unknownOp, [o.job.address]);
        const delivered = out.txs.find((t) => t.inMessage?.info.dest?.toString() === o.job.address.toString())!;
        expect(delivered.inMessage!.info.type === 'internal' && delivered.inMessage!.info.bounced).toBe(false);
        expect((await o.job.getJobState()).state).toBe(JobState.accepted);
        expect(await o.job.getBalance()).toBeGreaterThan(o.budget);
    });
});
