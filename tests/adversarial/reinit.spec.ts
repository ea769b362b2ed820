/**
 * Attack: re-initialising a deployed contract. A job is created once
 * (create_job on a live job: 202), a registered provider is initialised once
 * (provider_init while active, jailed or unbonding: request_refused(155), all
 * value back), and a state init sent to an active account is ignored by the
 * network: the original state init (uninitialised data) or a different one
 * never resets a root, provider or job.
 */
import { Cell, toNano } from '@ton/core';
import '@ton/test-utils';
import { expectBounce, expectKept, expectRefund, stateOf, viewAccount } from '../properties/attack';
import { buildStage, Stage } from '../properties/stage';
import { DEFAULT_OFFER, expectNoFailure, HOUR, makeStatement, MODEL, registrationValue } from '../helpers/fixtures';
import { Job, jobConfigToCell } from '../../wrappers/Job';
import { Provider } from '../../wrappers/Provider';
import { Root } from '../../wrappers/Root';
import { Errors, JobState, Op, ProviderState } from '../../wrappers/constants';

describe('Attack: re-initialisation of a deployed contract', () => {
    let s: Stage;
    beforeAll(async () => {
        s = await buildStage();
    });
    beforeEach(async () => {
        await s.restore();
    });

    const createBody = (provider = s.provider.address) =>
        Job.createJobMessage({
            budget: toNano('1'),
            deadline: s.now() + HOUR,
            session: false,
            clientKey: s.clientKeys.publicKey,
            provider,
            modelHash: MODEL,
            maxPrice: toNano('1'),
            requestCommitment: 0n,
        });

    it('create_job twice (with the state init again, naming another provider) is refused (202) in every state after creation', async () => {
        const open = await s.openJob();
        const done = await s.submitted();
        expectNoFailure((await done.job.sendConfirm(s.client.getSender(), s.req.closeJob)).transactions);
        for (const o of [open, done]) {
            const job = Job.createFromConfig({ root: s.p.root.address, client: s.client.address, nonce: o.nonce }, s.p.jobCode);
            await expectBounce(
                s.bc,
                { from: s.client.address, to: o.job.address, value: toNano('1') + s.req.createJob, body: createBody(s.minProvider.address), stateInit: job.init },
                Errors.jobWrongState,
                [o.job.address, s.provider.address, s.minProvider.address],
            );
        }
        expect((await open.job.getJobState()).state).toBe(JobState.accepted);
        expect((await done.job.getJobState()).state).toBe(JobState.settled);
    });

    it('provider_init to a registered provider (active, jailed, unbonding) is refused (155) with all value back, stake included', async () => {
        // minProvider sits at the minimum stake: a revocation's keeper reward jails it.
        await s.p.root.sendRevokeModel(s.p.guardian.getSender(), s.rreq.governanceOp, MODEL);
        await s.p.root.sendCheckProvider(s.keeper.getSender(), s.rreq.checkProvider, s.minOwner.address, { kind: 'model', hash: MODEL });
        expect((await s.minProvider.getProviderData()).state).toBe(ProviderState.jailed);
        await s.provider.sendRequestUnbond(s.owner.getSender(), s.preq.ownerOp);
        expect((await s.provider.getProviderData()).state).toBe(ProviderState.unbonding);
        // Re-allow the model so the registration passes the root's checks.
        await s.p.root.sendQueueChange(s.p.governance.getSender(), s.rreq.governanceOp, (await import('../../wrappers/Root')).TimelockActions.addModel(MODEL));
        s.bc.now = s.now() + s.p.params.timelockDelay;
        await s.p.root.sendExecuteChange(s.p.governance.getSender(), s.rreq.governanceOp, 0);
        for (const [who, on] of [
            [s.owner, s.provider],
            [s.minOwner, s.minProvider],
        ] as const) {
            const stake = s.p.params.minStake * 3n;
            const value = await registrationValue(s.p, stake);
            const body = Root.registerProviderMessage({ stake, statement: makeStatement(s.p, { owner: who.address }), offer: DEFAULT_OFFER, models: [MODEL] });
            const out = await expectRefund(s.bc, { from: who.address, to: s.p.root.address, value, body }, who.address, [s.p.root.address, on.address], {
                op: Op.requestRefused,
                error: Errors.alreadyRegistered,
                from: on.address,
            });
            expect(out.returned).toBeGreaterThan(stake);
        }
    });

    it("the original state init sent again to a live root, provider or job is ignored: nothing is reset", async () => {
        const o = await s.openJob();
        const providerInit = Provider.createFromConfig({ root: s.p.root.address, owner: s.owner.address, jobCode: s.p.jobCode }, s.p.providerCode).init!;
        const rootAccount = (await s.bc.getContract(s.p.root.address)).accountState;
        expect(rootAccount?.type).toBe('active');
        // Plain transfers carrying the contract's own (uninitialised) state init.
        await expectKept(s.bc, { from: s.attacker.address, to: s.provider.address, value: toNano('0.2'), body: Cell.EMPTY, stateInit: providerInit });
        expect((await s.provider.getProviderData()).state).toBe(ProviderState.active);
        await expectKept(s.bc, { from: s.attacker.address, to: s.p.root.address, value: toNano('0.2'), body: Cell.EMPTY, stateInit: s.p.root.init });
        // The job rejects an empty body, with or without its state init; its state stays.
        const jobInit = Job.createFromConfig({ root: s.p.root.address, client: s.client.address, nonce: o.nonce }, s.p.jobCode).init!;
        await expectBounce(s.bc, { from: s.attacker.address, to: o.job.address, value: toNano('0.2'), body: Cell.EMPTY, stateInit: jobInit }, Errors.unknownOp, [o.job.address]);
        // A state init with other data does not match the address; the live job ignores it too.
        const other = { code: s.p.jobCode, data: jobConfigToCell({ root: s.p.root.address, client: s.attacker.address, nonce: o.nonce }) };
        const before = await viewAccount(s.bc, o.job.address);
        await expectBounce(s.bc, { from: s.attacker.address, to: o.job.address, value: toNano('0.2'), body: Job.simpleMessage(Op.settleJob), stateInit: other }, Errors.jobWrongState, [o.job.address]);
        expect(stateOf(await viewAccount(s.bc, o.job.address))).toBe(stateOf(before));
        expect((await o.job.getJobState()).state).toBe(JobState.accepted);
    });
});
