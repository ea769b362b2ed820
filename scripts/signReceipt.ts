import { NetworkProvider } from '@ton/blueprint';
import { writeFileSync } from 'fs';
import { signReceipt, usageReceiptCell } from '../wrappers/Job';
import { bufferToBigint } from '../wrappers/common';
import {
    CLIENT_SECRET_ENV,
    formatAddress,
    formatHash,
    formatTime,
    parseAddress,
    parseBigUint,
    parseHash,
    parseUint,
    runScript,
    ScriptSpec,
    secretKeyArg,
    table,
    UINT32_MAX,
    UINT64_MAX,
    UsageError,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'signReceipt',
    summary:
        "The session client signs a cumulative usage receipt (TL-B usage_receipt) and writes the SignedReceipt BoC to a file, " +
        'for the provider to claim with (claimSession). Offline: reads nothing from the chain and sends nothing. The client ' +
        `secret comes from --client-secret or $${CLIENT_SECRET_ENV} (prefer the variable: flags end up in the shell history).`,
    flags: [
        { name: 'job', value: '<address>', help: 'the session job', required: true },
        { name: 'created-at', value: '<unix>', help: "the job's created_at (showJob prints it); binds the receipt to this job instance", required: true },
        { name: 'seq', value: '<n>', help: 'receipt number: strictly greater than the last one claimed', required: true },
        { name: 'usage', value: '<n>', help: 'cumulative units used so far in the session (never decreases)', required: true },
        { name: 'result-root', value: '<hex>', help: 'the running root (hash) of the results served so far', required: true },
        {
            name: 'client-secret',
            value: '<hex>',
            help: `the client's 64-byte ed25519 secret key, whose public key the job holds (default: $${CLIENT_SECRET_ENV})`,
        },
        { name: 'out', value: '<file>', help: 'where to write the signed receipt (binary BoC)', required: true },
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const job = a.required('job', parseAddress);
        const createdAt = a.required('created-at', parseUint(1, UINT32_MAX));
        const seq = a.required('seq', parseUint(1, UINT32_MAX));
        const cumulativeUsage = a.required('usage', parseBigUint(UINT64_MAX));
        const resultRoot = a.required('result-root', parseHash);
        const out = a.required('out', (raw) => raw);
        const secret = secretKeyArg(a, 'client-secret', CLIENT_SECRET_ENV);
        if (!secret) throw new UsageError(`missing the client secret: set $${CLIENT_SECRET_ENV} or give --client-secret`);
        const receipt = { job, createdAt, seq, cumulativeUsage, resultRoot };
        const signed = signReceipt(receipt, secret.keys.secretKey);
        writeFileSync(out, signed.toBoc());
        print(
            `Signed receipt written to ${out} (key from ${secret.source}). Nothing was sent.`,
            ...table([
                ['job', formatAddress(job, testOnly)],
                ['created at', formatTime(createdAt)],
                ['seq', String(seq)],
                ['cumulative usage', `${cumulativeUsage} units`],
                ['result root', formatHash(resultRoot)],
                ['client public key', formatHash(bufferToBigint(secret.keys.publicKey))],
                ['receipt hash (signed)', usageReceiptCell(receipt).hash().toString('hex')],
                ['BoC (hex)', signed.toBoc().toString('hex')],
            ]),
            `The provider claims with: npx blueprint run claimSession --testnet --mnemonic -- --job ${formatAddress(job, testOnly)} --receipt ${out}`,
        );
    });
}
