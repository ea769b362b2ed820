/**
 * Self-check of the property suites (opt-in: FUZZ_MUTANTS=1): each case
 * compiles the provider or job contract with one deliberate bug, runs random
 * operation sequences against it, and requires the invariants to catch it.
 * A mutation site that no longer exists in the source fails the case (the
 * contracts moved on; update the site).
 */
import { Cell } from '@ton/core';
import { compileFunc } from '@ton-community/func-js';
import { readFileSync } from 'fs';
import path from 'path';
import * as fc from 'fast-check';
import { World } from './harness';
import { buildBases } from './suite';
import { applyOperation, operationArb, windDown } from './operations';

async function compileMutant(file: 'provider.fc' | 'job.fc', from: string, to: string): Promise<Cell> {
    const dir = path.resolve(__dirname, '../../contracts');
    const r = await compileFunc({
        targets: [file],
        sources: (p: string) => {
            const src = readFileSync(path.join(dir, p), 'utf8');
            if (p !== file) return src;
            if (!src.includes(from)) throw new Error(`mutation site not found in ${file}: ${from}`);
            return src.replace(from, to);
        },
    });
    if (r.status !== 'ok') throw new Error(r.message);
    return Cell.fromBase64(r.codeBoc);
}

const MUTANTS: [name: string, file: 'provider.fc' | 'job.fc', from: string, to: string][] = [
    ['job_closed keeps the bond locked', 'provider.fc', '    storage::locked -= bond;\n    storage::open_jobs -= 1;\n    if (outcome', '    storage::open_jobs -= 1;\n    if (outcome'],
    ['the slash parts do not add up to the slash', 'provider.fc', 'int treasury_part = amount - client_part - reporter_part;', 'int treasury_part = muldiv(amount, BPS - client_bps - reporter_bps, BPS) - 1;'],
    ['request_unbond ignores open jobs', 'provider.fc', '        throw_unless(error::open_jobs, storage::open_jobs == 0);\n        storage::state = state::unbonding;', '        storage::state = state::unbonding;'],
    ['equivocation evidence does not tombstone', 'provider.fc', '    storage::tombstoned? = true;\n', ''],
    ['withdrawal before the unbonding period ends', 'provider.fc', '        throw_unless(error::unbonding_not_finished, now() >= storage::unbond_at);\n', ''],
    ['expire before the deadline', 'job.fc', 'throw_unless(error::deadline_not_passed, now() > req::deadline);\n    load_terms();\n    notify_provider', 'load_terms();\n    notify_provider'],
    ['confirm pays the usage twice', 'job.fc', 'close_job(query_id, job::settled, outcome::completed, prog::usage, sender, false);\n}', 'pay_usage(query_id, prog::usage);\n    close_job(query_id, job::settled, outcome::completed, prog::usage, sender, false);\n}'],
    ['a dispute slash is not capped', 'job.fc', 'int capped = min(slash, muldiv(terms::bond, jp::dispute_cap_bps, BPS));', 'int capped = slash;'],
    ['a stale receipt is accepted', 'job.fc', '    throw_unless(error::stale_receipt, seq > prog::seq);\n', ''],
    ['settle inside the challenge window', 'job.fc', '        throw_unless(error::window_open, now >= prog::timer + jp::challenge_window);\n', ''],
];

const WEIGHTS = { create: 10, submit: 8, confirm: 4, dispute: 3, resolve: 3, settle: 4, expire: 4, claim: 6, closeSession: 2, equivocate: 3, wait: 8, unbond: 3, withdraw: 2, race: 3 };

(process.env.FUZZ_MUTANTS === '1' ? describe : describe.skip)('Property suites catch injected bugs (FUZZ_MUTANTS=1)', () => {
    it.each(MUTANTS)('catches: %s', async (_name, file, from, to) => {
        const code = await compileMutant(file, from, to);
        const w = await World.create(file === 'provider.fc' ? { provider: code } : { job: code });
        let bases: Awaited<ReturnType<typeof buildBases>>;
        try {
            bases = await buildBases(w);
        } catch {
            return; // caught while building the starting worlds
        }
        const property = fc.asyncProperty(
            fc.integer({ min: 0, max: bases.length - 1 }),
            fc.array(operationArb(WEIGHTS), { minLength: 1, maxLength: 5 }),
            fc.boolean(),
            async (b, ops, wind) => {
                await w.restore(bases[b].base);
                for (const o of ops) {
                    await applyOperation(w, o);
                    await w.checkWorld();
                }
                if (wind) await windDown(w);
            },
        );
        const out = await fc.check(property, { seed: 7, numRuns: 500 });
        expect(out.failed).toBe(true);
    }, 600_000);
});
