/**
 * Runs a property suite: random sequences of operations (tests/properties/
 * operations.ts) from a few snapshot-restored starting worlds, the invariants
 * checked after every transaction and every operation (tests/properties/
 * harness.ts), and, for a share of the sequences, a wind-down that closes
 * every job, exits every provider, and reports and claims every reward entry
 * before the final "no stranded value" check.
 *
 * Deterministic by default (fixed seed and run count). Environment:
 *   FUZZ_RUNS=n     run n sequences instead of the default
 *   FUZZ_SEED=s     another seed
 *   FUZZ_COVERAGE=1 print the transitions and operation outcomes observed
 * A failure prints the shrunk sequence, one operation per line, and the
 * invariant it broke.
 */
import * as fc from 'fast-check';
import { applyOperation, formatOperation, Operation, operationArb, Weights, windDown } from './operations';
import { Base, InvariantError, World } from './harness';

export type SuiteOptions = {
    seed: number;
    runs: number;
    weights: Weights;
    maxOperations: number;
    /** Share of sequences (0..1) that end with a wind-down. */
    windDown: number;
};

/**
 * Starting worlds: two registered providers; the same with jobs in flight; exits, unbonding and
 * pending changes; reward entries due for a report; reward entries counted with claims open.
 */
export async function buildBases(w: World): Promise<{ name: string; base: Base }[]> {
    const run = async (ops: Operation[]) => {
        for (const o of ops) {
            await applyOperation(w, o);
            if (o.t !== 'wait' && o.t !== 'epochWait' && !w.step[0]?.ok) throw new Error(`building the starting worlds: ${formatOperation(o)} failed`);
            await w.checkWorld();
        }
    };
    await run([
        { t: 'register', owner: 0, stake: 1, v: 'ok' },
        { t: 'register', owner: 1, stake: 0, v: 'ok' },
    ]);
    await w.rebase();
    const fresh = w.snapshotBase();
    await run([
        { t: 'create', client: 0, owner: 0, budget: 0, session: false, deadline: 0, price: 0, v: 'ok' },
        { t: 'create', client: 1, owner: 1, budget: 0, session: false, deadline: 0, price: 0, v: 'ok' },
        { t: 'submit', job: 1, who: 0, usage: 1, v: 'ok' },
        { t: 'create', client: 0, owner: 0, budget: 0, session: true, deadline: 0, price: 0, v: 'ok' },
        { t: 'claim', job: 2, who: 0, close: false, seq: 0, usage: 1, v: 'ok' },
        { t: 'create', client: 1, owner: 0, budget: 1, session: false, deadline: 0, price: 0, v: 'ok' },
        { t: 'submit', job: 3, who: 0, usage: 2, v: 'ok' },
        { t: 'dispute', job: 3, who: 0 },
    ]);
    await w.rebase();
    const busy = w.snapshotBase();
    // From the busy world: two jobs settle (a confirmed one-shot job at the second provider, a
    // session closed by its provider's claim at the first), and their epoch ends: both
    // providers hold a pending reward entry that is due for a report. Then the same reported
    // (counted by the pool) with claims open.
    await run([
        { t: 'confirm', job: 1, who: 0 },
        { t: 'claim', job: 2, who: 0, close: true, seq: 0, usage: 1, v: 'ok' },
        { t: 'fund', who: 0, ahead: 0, v: 'ok' },
        { t: 'epochWait', to: 0 },
    ]);
    await w.rebase();
    const due = w.snapshotBase();
    await run([
        { t: 'report', owner: 0, who: 0 },
        { t: 'report', owner: 1, who: 1 },
        { t: 'epochWait', to: 1 },
    ]);
    await w.rebase();
    const counted = w.snapshotBase();
    // From the fresh world: a third owner registered and exited, a model revoked, two changes
    // (re-allow the model, raise min_stake by half) queued long enough to be executable, and the
    // second owner unbonding.
    await w.restore(fresh);
    await run([
        { t: 'register', owner: 2, stake: 0, v: 'ok' },
        { t: 'unbond', owner: 2, who: 0 },
        { t: 'revoke', what: 0, who: 0 },
        { t: 'queue', action: 0, who: 0 },
        { t: 'queue', action: 3, who: 0 },
        { t: 'wait', dt: 5 },
        { t: 'withdraw', owner: 2, who: 0 },
        { t: 'reattest', owner: 0, v: 'ok' },
        { t: 'reattest', owner: 1, v: 'ok' },
        { t: 'unbond', owner: 1, who: 0 },
    ]);
    await w.rebase();
    const governed = w.snapshotBase();
    return [
        { name: 'fresh', base: fresh },
        { name: 'busy', base: busy },
        { name: 'exited and governed', base: governed },
        { name: 'rewards due', base: due },
        { name: 'rewards counted', base: counted },
    ];
}

export function propertySuite(title: string, opts: SuiteOptions) {
    describe(title, () => {
        let w: World;
        let bases: { name: string; base: Base }[];

        beforeAll(async () => {
            w = await World.create();
            bases = await buildBases(w);
        }, 120_000);

        // A sequence takes well under 0.5 s here: the time limit grows with FUZZ_RUNS (10 minutes at least).
        const timeLimit = Math.max(600_000, Number(process.env.FUZZ_RUNS ?? opts.runs) * 500);
        it('keeps every invariant over random operation sequences', async () => {
            const runs = Number(process.env.FUZZ_RUNS ?? opts.runs);
            const seed = Number(process.env.FUZZ_SEED ?? opts.seed);
            const started = Date.now();
            w.stats = { sequences: 0, operations: 0, transactions: 0, steps: 0 };
            let windDowns = 0;
            const property = fc.asyncProperty(
                fc.integer({ min: 0, max: bases.length - 1 }),
                fc.array(operationArb(opts.weights), { minLength: 1, maxLength: opts.maxOperations }),
                fc.oneof(
                    { arbitrary: fc.constant(true), weight: Math.round(opts.windDown * 100) },
                    { arbitrary: fc.constant(false), weight: Math.round((1 - opts.windDown) * 100) },
                ),
                async (b, ops, wind) => {
                    w.stats.sequences += 1;
                    await w.restore(bases[b].base);
                    const trace: string[] = [`start from "${bases[b].name}"`];
                    try {
                        for (const o of ops) {
                            trace.push(formatOperation(o));
                            await applyOperation(w, o);
                            await w.checkWorld();
                        }
                        if (wind) {
                            windDowns += 1;
                            trace.push('wind down: close every job, exit every provider, report and claim every reward entry');
                            await windDown(w);
                        }
                    } catch (e) {
                        const what = e instanceof InvariantError ? 'invariant broken' : 'error';
                        throw new Error(`${what}: ${(e as Error).message}\nsequence:\n  ${trace.join('\n  ')}\n(failed at the last line)`);
                    }
                },
            );
            await fc.assert(property, { seed, numRuns: runs, endOnFailure: false });
            const seconds = ((Date.now() - started) / 1000).toFixed(1);
            const s = w.stats;
            console.log(
                `${title}: ${s.sequences} operation sequences (seed ${seed}), ${s.operations} operations, ` +
                    `${s.transactions} protocol transactions, ${windDowns} wind-downs, in ${seconds} s`,
            );
            if (process.env.FUZZ_COVERAGE === '1') {
                const lines = [...w.coverage.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${String(n).padStart(6)}  ${k}`);
                console.log(`${title}: coverage\n${lines.join('\n')}`);
            }
            expect(s.sequences).toBe(runs);
        }, timeLimit);
    });
}
