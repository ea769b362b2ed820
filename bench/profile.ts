/**
 * `npm run profile`: where the gas of the one-shot job lifecycle goes. Runs
 * create -> submit -> confirm in the bench world with the VM's gas log on and
 * prints, per protocol transaction, its compute gas and the instructions that
 * cost the most (summed by mnemonic), plus cell creations and loads.
 * A diagnostic for optimising the contracts; bench/run.ts is the measurement.
 */
import { toNano } from '@ton/core';
import { signResult } from '../wrappers/Job';
import { createJob, createWorld, loadCode, registerProvider, setupRewards, sha256n } from './world';

type Row = { op: string; gas: number; byInstr: Map<string, { n: number; gas: number }> };

function profileLog(log: string): Map<string, { n: number; gas: number }> {
    const by = new Map<string, { n: number; gas: number }>();
    let instr: string | null = null;
    let prev: number | null = null;
    for (const line of log.split('\n')) {
        if (line.startsWith('execute ')) {
            instr = line.slice(8).split(' ')[0];
        } else if (line.startsWith('gas remaining: ')) {
            const g = Number(line.slice(15));
            if (prev !== null && instr !== null) {
                const e = by.get(instr) ?? { n: 0, gas: 0 };
                e.n++;
                e.gas += prev - g;
                by.set(instr, e);
            }
            prev = g;
        }
    }
    return by;
}

async function main() {
    const codes = { root: loadCode('Root'), provider: loadCode('Provider'), job: loadCode('Job') };
    const { world: w } = await createWorld(codes);
    await setupRewards(w);
    const p = await registerProvider(w, 'provider', toNano('1000'));
    const rows: Row[] = [];
    const top = Number(process.env.TOP ?? 12);
    const collect = (label: string, txs: any[]) => {
        for (const tx of txs) {
            const d = tx.description;
            if (d.type !== 'generic' || d.computePhase.type !== 'vm') continue;
            if (w.reg.kind(tx.inMessage.info.dest) === 'wallet') continue;
            const by = profileLog(tx.vmLogs ?? '');
            rows.push({ op: `${label} @ ${w.reg.name(tx.inMessage.info.dest)}${d.computePhase.exitCode ? ` (exit ${d.computePhase.exitCode})` : ""}`, gas: Number(d.computePhase.gasUsed), byInstr: by });
        }
    };
    // As bench/run.ts: one earlier job of the provider settled (its reward book has the epoch's entry).
    const j0 = await createJob(w, p, { name: 'earlier-job' });
    const s0 = signResult({ job: j0.job.address, createdAt: j0.createdAt, seq: 0, resultCommitment: sha256n('e'), usage: 420_000n }, p.operator.secretKey);
    await j0.job.sendSubmitResult(p.owner.getSender(), w.jobRequired.submitResult, s0);
    await j0.job.sendConfirm(w.client.getSender(), w.jobRequired.closeJob);
    w.blockchain.verbosity = { ...w.blockchain.verbosity, vmLogs: 'vm_logs_gas', print: false } as any;
    const j = await createJob(w, p, { name: 'job' });
    collect('create', j.result.transactions);
    const signed = signResult({ job: j.job.address, createdAt: j.createdAt, seq: 0, resultCommitment: sha256n('a'), usage: 420_000n }, p.operator.secretKey);
    const s = await j.job.sendSubmitResult(p.owner.getSender(), w.jobRequired.submitResult, signed);
    collect('submit', s.transactions);
    const c = await j.job.sendConfirm(w.client.getSender(), w.jobRequired.closeJob);
    collect('confirm', c.transactions);
    let total = 0;
    for (const r of rows) {
        total += r.gas;
        const sorted = [...r.byInstr.entries()].sort((a, b) => b[1].gas - a[1].gas).slice(0, top);
        console.log(`\n${r.op}: ${r.gas} gas`);
        for (const [k, v] of sorted) console.log(`  ${k.padEnd(22)} ${String(v.n).padStart(5)} x  ${String(v.gas).padStart(6)}`);
    }
    console.log(`\ntotal ${total}`);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
