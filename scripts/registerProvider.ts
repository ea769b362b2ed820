import { NetworkProvider } from '@ton/blueprint';
import { Root } from '../wrappers/Root';
import { Provider } from '../wrappers/Provider';
import { bufferToBigint, randomQueryId } from '../wrappers/common';
import { Op, ParamBounds, ProviderState } from '../wrappers/constants';
import {
    Flags,
    formatAddress,
    formatHash,
    formatTime,
    formatTon,
    openRoot,
    parseHash,
    parseNanoton,
    parseText,
    parseTon,
    PreflightError,
    providerReport,
    providerStateName,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    StatementArg,
    statementProblems,
    UsageError,
    waitFor,
    withMargin,
    exitNote,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'registerProvider',
    summary:
        'Registers the sender as a provider owner: stakes, and deploys the provider contract with the attested keys, ' +
        'offer and models. The statement comes from an attestation verifier (see attestation/) and must name this root ' +
        'and the sender as owner.',
    flags: [
        Flags.root,
        { name: 'stake', value: '<TON>', help: 'stake to lock (at least the root min stake)', required: true },
        StatementArg.flag,
        { name: 'price', value: '<nanoton>', help: 'price per unit of work, in nanoton', required: true },
        { name: 'endpoint', value: '<url>', help: `where clients reach the provider (<= ${ParamBounds.endpointMaxBytes} bytes)`, required: true },
        { name: 'model', value: '<hex>', help: 'a model hash to serve (allowlisted on the root)', required: true, repeatable: true },
        Flags.dryRun,
    ],
};

const parseEndpoint = (raw: string, flag: string): string => {
    if (raw.length === 0) throw new UsageError(`${flag}: the endpoint must not be empty`);
    return parseText(ParamBounds.endpointMaxBytes)(raw, flag);
};

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const stake = a.required('stake', parseTon);
        const { cell: statement, parsed } = a.required(StatementArg.flag.name, StatementArg.parse);
        const offer = { pricePerUnit: a.required('price', parseNanoton), endpoint: a.required('endpoint', parseEndpoint) };
        const models = a.all('model', parseHash);
        if (new Set(models).size !== models.length) throw new UsageError('--model: the same model is given twice');
        const root = await openRoot(ctx);
        const owner = senderAddress(provider);
        const st = parsed.statement;
        const policyHash = bufferToBigint(st.policyHash);
        const verifierKey = bufferToBigint(parsed.verifierKey);

        const [data, params, required] = await Promise.all([root.getRootData(), root.getParams(), root.getRequiredValues()]);
        const refusals = await statementProblems(root, parsed, statement, ctx.dryRun ? null : owner, data, params);
        if (models.length > params.maxModels) refusals.push(`${models.length} models, the root allows at most ${params.maxModels} (${exitNote('tooManyModels')})`);
        for (const m of models) {
            if (!(await root.getModelAllowed(m))) refusals.push(`model ${formatHash(m)} is not allowlisted (${exitNote('modelNotAllowed')})`);
        }
        if (stake < params.minStake) refusals.push(`stake ${formatTon(stake)} is below the min stake ${formatTon(params.minStake)} (${exitNote('stakeTooLow')})`);
        const providerAddress = await root.getProviderAddress(st.owner);
        const contract = provider.open(Provider.createFromAddress(providerAddress));
        if (await provider.isContractDeployed(providerAddress)) {
            const existing = await contract.getProviderData();
            if (existing.state !== ProviderState.uninit && existing.state !== ProviderState.exited) {
                refusals.push(`the owner already has a ${providerStateName(existing.state)} provider at ${providerAddress.toString()} (refused: already registered)`);
            }
        }
        if (refusals.length) throw new PreflightError(`the root would refuse this registration:\n  - ${refusals.join('\n  - ')}`);

        const { value, note } = withMargin(required.registerProvider, stake, 'stake');
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.registerProvider,
                from: ctx.dryRun ? undefined : owner,
                to: root.address,
                toLabel: 'root',
                value,
                valueNote: note,
                fields: [
                    ['stake', formatTon(stake)],
                    ['price per unit', `${offer.pricePerUnit} nanoton`],
                    ['endpoint', offer.endpoint],
                    ['models', models.map(formatHash).join(', ')],
                    ['statement verifier', formatHash(verifierKey)],
                    ['statement policy', formatHash(policyHash)],
                    ['operator key', formatHash(bufferToBigint(st.operatorKey))],
                    ['encryption key', formatHash(bufferToBigint(st.encryptionKey))],
                    ['statement owner', formatAddress(st.owner, testOnly)],
                    ['issued at', formatTime(st.issuedAt)],
                    ['expires at', formatTime(st.expiresAt)],
                    ['provider (derived)', formatAddress(providerAddress, testOnly)],
                ],
            },
            Root.registerProviderMessage({ stake, statement, offer, models, queryId: randomQueryId() }),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            'the provider to be registered',
            async () => {
                const d = await contract.getProviderData();
                if (d.state !== ProviderState.active && d.state !== ProviderState.jailed) return undefined;
                return (await contract.getAttestation()).attestedAt === st.issuedAt ? true : undefined;
            },
            `The registration was refused: check the wallet transaction (the root refuses an expired or not-yet-valid statement, ${exitNote('statementExpired')} or ${exitNote('statementNotYetValid')}).`,
        );
        print('Registered.', ...(await providerReport(provider, contract, testOnly)));
    });
}
