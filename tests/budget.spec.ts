/**
 * The gas budget of issue 6, enforced: the one-shot `job.lifecycle` (create ->
 * accepted -> result submitted -> confirmed and settled, with the reward pool
 * receiving the protocol fee) costs at most BUDGET.lifecycleGas compute gas
 * summed over the protocol contracts, and a session's settlement costs the
 * same for 10 and for 1,000 requests (ratio <= BUDGET.sessionRatio).
 *
 * It runs the bench's own scenario (bench/run.ts, n = 1: the same world,
 * values and one earlier settled job of the provider), so the test and
 * `npm run bench` measure the same chains. The 10,000-provider scaling check
 * stays in the bench (it installs 20,000 accounts).
 */
import { loadCode } from '../bench/world';
import { BUDGET, scenario, ScenarioResult } from '../bench/run';

describe('Gas budget (issue 6)', () => {
    let res: ScenarioResult;

    beforeAll(async () => {
        res = await scenario({ root: loadCode('Root'), provider: loadCode('Provider'), job: loadCode('Job') }, 1);
    });

    it(`job.lifecycle costs at most ${BUDGET.lifecycleGas} gas over the protocol contracts`, () => {
        const life = res.ops['job.lifecycle'];
        // The chain measured: create -> offer -> accepted, submit, confirm -> payment, job_closed, refund.
        const parts = ['job.create', 'job.submit', 'job.settle'].map((name) => res.ops[name].gas);
        expect(life.gas).toBe(parts.reduce((a, b) => a + b, 0));
        expect(life.gas_by_contract.provider).toBeGreaterThan(0);
        expect(life.gas_by_contract.job).toBeGreaterThan(0);
        expect(life.gas).toBeLessThanOrEqual(BUDGET.lifecycleGas);
    });

    it(`a session's settlement costs the same for 10 and for 1,000 requests (ratio <= ${BUDGET.sessionRatio})`, () => {
        const s10 = res.ops['session.settle.10'].gas;
        const s1000 = res.ops['session.settle.1000'].gas;
        expect(s10).toBeGreaterThan(0);
        expect(s1000).toBeLessThanOrEqual(BUDGET.sessionRatio * s10);
    });
});
