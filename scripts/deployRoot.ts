import { Cell } from '@ton/core';
import { compile, NetworkProvider } from '@ton/blueprint';
import { DEFAULT_JOB_PARAMS, Root, RootConfig, RootParams } from '../wrappers/Root';
import { textCell } from '../wrappers/common';
import {
    DEFAULT_ROOT_DEPLOY_VALUE,
    formatAddress,
    formatHash,
    formatTon,
    jobParamFlags,
    jobParamOverrides,
    paramsProblems,
    paramsRows,
    parseAddress,
    parseHash,
    parseHashWithLabel,
    parseSeconds,
    parseTon,
    parseUint,
    pollIntervalMs,
    POLL_ATTEMPTS,
    rootReport,
    runScript,
    ScriptSpec,
    senderAddress,
    table,
    UsageError,
} from '../tools/cli';
import { ParamBounds } from '../wrappers/constants';

export const spec: ScriptSpec = {
    name: 'deployRoot',
    summary:
        'Deploys a Cocoon root with its params, job terms and genesis allowlists (later additions go through the timelock). ' +
        'governance, guardian and treasury default to the sender (fine on testnet; use a multisig governance in production).',
    flags: [
        { name: 'governance', value: '<address>', help: 'owns the root: timelocked changes, unpause (default: the sender)' },
        { name: 'guardian', value: '<address>', help: 'may only pause, revoke and cancel changes (default: the sender)' },
        { name: 'treasury', value: '<address>', help: 'receives protocol fees and the root excess (default: the sender)' },
        { name: 'min-stake', value: '<TON>', help: 'minimum stake of an active provider', required: true },
        { name: 'unbonding-period', value: '<seconds>', help: 'wait between unbond and withdraw', required: true },
        { name: 'attestation-max-age', value: '<seconds>', help: 'longest lifetime of an attestation statement', required: true },
        { name: 'timelock-delay', value: '<seconds>', help: 'delay of every timelocked change', required: true },
        { name: 'max-models', value: '<n>', help: `most models one provider may serve (1..${ParamBounds.maxModelsCeiling})`, required: true },
        { name: 'policy', value: '<hex>[:label]', help: 'genesis allowlisted measurement policy hash', repeatable: true },
        { name: 'model', value: '<hex>[:label]', help: 'genesis allowlisted model hash', repeatable: true },
        { name: 'verifier-key', value: '<hex>', help: 'genesis trusted attestation-verifier ed25519 key', repeatable: true },
        { name: 'value', value: '<TON>', help: `balance to deploy the root with (default ${DEFAULT_ROOT_DEPLOY_VALUE})` },
        ...jobParamFlags('job terms (default: DEFAULT_JOB_PARAMS of wrappers/Root.ts): '),
    ],
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async ({ args: a, print, testOnly }) => {
        const params: Omit<RootParams, 'treasury'> = {
            minStake: a.required('min-stake', parseTon),
            unbondingPeriod: a.required('unbonding-period', parseSeconds),
            attestationMaxAge: a.required('attestation-max-age', parseSeconds),
            timelockDelay: a.required('timelock-delay', parseSeconds),
            maxModels: a.required('max-models', parseUint(1, ParamBounds.maxModelsCeiling)),
        };
        const policies = a.all('policy', parseHashWithLabel);
        const models = a.all('model', parseHashWithLabel);
        const verifierKeys = a.all('verifier-key', parseHash);
        const value = a.optional('value', parseTon) ?? parseTon(DEFAULT_ROOT_DEPLOY_VALUE);
        const governance = a.optional('governance', parseAddress);
        const guardian = a.optional('guardian', parseAddress);
        const treasury = a.optional('treasury', parseAddress);
        const sender = senderAddress(provider);
        const jobs = { ...DEFAULT_JOB_PARAMS, ...jobParamOverrides(a) };
        const fullParams: RootParams = { ...params, treasury: treasury ?? sender, jobs };
        const problems = paramsProblems(fullParams);
        if (problems.length) throw new UsageError(`params out of bounds: ${problems.join('; ')}`);

        const config: RootConfig = {
            governance: governance ?? sender,
            guardian: guardian ?? sender,
            params: fullParams,
            providerCode: await compile('Provider'),
            jobCode: await compile('Job'),
            policies: new Map(policies.map((p): [bigint, Cell] => [p.hash, textCell(p.label)])),
            models: new Map(models.map((m): [bigint, Cell] => [m.hash, textCell(m.label)])),
            verifierKeys,
        };
        const root = provider.open(Root.createFromConfig(config, await compile('Root')));
        const labelled = (entries: { hash: bigint; label: string }[]) =>
            entries.length ? entries.map((e) => `${formatHash(e.hash)}${e.label ? ` "${e.label}"` : ''}`).join(', ') : 'none';

        print(
            `Deploying a Cocoon root at ${formatAddress(root.address, testOnly)}`,
            ...table([
                ['from', formatAddress(sender, testOnly)],
                ['value', formatTon(value)],
                ['root code hash', root.init!.code.hash().toString('hex')],
                ['provider code hash', config.providerCode.hash().toString('hex')],
                ['job code hash', config.jobCode.hash().toString('hex')],
                ['governance', formatAddress(config.governance, testOnly) + (governance ? '' : ' (the sender)')],
                ['guardian', formatAddress(config.guardian, testOnly) + (guardian ? '' : ' (the sender)')],
                ...paramsRows(fullParams, testOnly).map(([k, v]): [string, string] => [k, k === 'treasury' && !treasury ? `${v} (the sender)` : v]),
                ['policies', labelled(policies)],
                ['models', labelled(models)],
                ['verifier keys', verifierKeys.length ? verifierKeys.map(formatHash).join(', ') : 'none'],
            ]),
        );
        if (await provider.isContractDeployed(root.address)) {
            print('A root with exactly this genesis state is already deployed; nothing sent.', ...(await rootReport(provider, root, testOnly)));
            return;
        }
        await root.sendDeploy(provider.sender(), value);
        await provider.waitForDeploy(root.address, POLL_ATTEMPTS, pollIntervalMs());
        print(...(await rootReport(provider, root, testOnly)), `Root address: ${formatAddress(root.address, testOnly)}`);
    });
}
