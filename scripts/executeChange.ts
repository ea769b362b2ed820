import { Cell, OpenedContract } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { paramsToCell, Root } from '../wrappers/Root';
import { QuoteVerifier } from '../wrappers/QuoteVerifier';
import { randomQueryId } from '../wrappers/common';
import { Op, ParamBounds } from '../wrappers/constants';
import { loadTimelockAction } from '../wrappers/generated/schema';
import {
    bitsToBigint,
    describeAction,
    Flags,
    formatTime,
    openRoot,
    parseChangeId,
    PreflightError,
    requireSender,
    rootReport,
    runScript,
    ScriptSpec,
    sendOrPrint,
    senderAddress,
    waitFor,
    withMargin,
    exitNote,
} from '../tools/cli';

export const spec: ScriptSpec = {
    name: 'executeChange',
    summary: 'Executes a queued change once its eta has passed (governance only; within the grace period after the eta).',
    flags: [Flags.root, { name: 'id', value: '<change id>', help: 'the id queueChange printed', required: true }, Flags.dryRun],
};

/** Whether the effect of `action` is visible in the root's getters and state. */
async function applied(provider: NetworkProvider, root: OpenedContract<Root>, action: Cell): Promise<boolean> {
    const a = loadTimelockAction(action.beginParse());
    switch (a.kind) {
        case 'TimelockAction_add_policy':
            return root.getPolicyAllowed(bitsToBigint(a.policy_hash));
        case 'TimelockAction_add_model':
            return root.getModelAllowed(bitsToBigint(a.model_hash));
        case 'TimelockAction_add_verifier_key':
            return root.getVerifierTrusted(bitsToBigint(a.key));
        case 'TimelockAction_set_params':
            return paramsToCell(await root.getParams()).equals(action.refs[0]);
        case 'TimelockAction_upgrade_root_code': {
            const state = await provider.provider(root.address).getState();
            return state.state.type === 'active' && !!state.state.code && Cell.fromBoc(state.state.code)[0].hash().equals(a.code.hash());
        }
        case 'TimelockAction_set_guardian':
            return (await root.getRootData()).guardian.equals(a.guardian);
        case 'TimelockAction_set_attestation_modes':
            return (await root.getAttestationConfig()).modes === a.modes;
        case 'TimelockAction_set_quote_verifier':
            return (await root.getAttestationConfig()).quoteVerifier?.equals(a.verifier) ?? false;
        case 'TimelockAction_add_pck_key': {
            // The root forwards the key to the quote verifier, which registers it.
            const at = (await root.getAttestationConfig()).quoteVerifier;
            if (!at) return false;
            const pck = await provider.open(QuoteVerifier.createFromAddress(at)).getPck(a.x);
            return pck.found && pck.y === a.y;
        }
    }
}

export async function run(provider: NetworkProvider, args: string[]) {
    await runScript(provider, spec, args, async (ctx) => {
        const { args: a, print, testOnly } = ctx;
        const id = a.required('id', parseChangeId);
        const root = await openRoot(ctx);
        const [change, data, required] = await Promise.all([root.getChange(id), root.getRootData(), root.getRequiredValues()]);
        if (!change) throw new PreflightError(`there is no pending change #${id} (already executed, cancelled, or never queued)`);
        if (!ctx.dryRun) requireSender(senderAddress(provider), [{ who: 'governance', address: data.governance }], 'execute_change');
        print(
            `Change #${id}: executable from ${formatTime(change.eta)} until ${formatTime(change.eta + ParamBounds.timelockGracePeriod)}`,
        );
        // add_pck_key also pays the message to the quote verifier and its gas.
        const isPck = loadTimelockAction(change.action.beginParse()).kind === 'TimelockAction_add_pck_key';
        if (isPck && !(await root.getAttestationConfig()).quoteVerifier) {
            throw new PreflightError(`change #${id} registers a PCK key but the root has no quote verifier yet (it would refuse: ${exitNote('noQuoteVerifier')}); execute set_quote_verifier first`);
        }
        const { value, note } = withMargin(isPck ? (await root.getQuoteRequiredValues()).pckOp : required.governanceOp);
        const sent = await sendOrPrint(
            ctx,
            {
                opcode: Op.executeChange,
                from: ctx.dryRun ? undefined : senderAddress(provider),
                to: root.address,
                toLabel: 'root',
                value,
                valueNote: note,
                fields: [['change_id', String(id)]],
                extra: describeAction(change.action, testOnly),
            },
            Root.changeIdMessage(Op.executeChange, id, randomQueryId()),
            (b) => root.sendBody(provider.sender(), value, b),
        );
        if (!sent) return;

        await waitFor(
            ctx.ui,
            `change #${id} to be executed`,
            async () => ((await root.getChange(id)) === null ? true : undefined),
            `Change #${id} is still pending: the root refused execute_change (before the eta: ${exitNote('timelockNotReady')}; after the grace period: ${exitNote('changeExpired')}; not governance: ${exitNote('notGovernance')}).`,
        );
        if (!(await applied(provider, root, change.action))) {
            throw new Error(`change #${id} is no longer pending but its effect is not visible: it was probably cancelled`);
        }
        print(`Change #${id} executed; its effect is visible on chain.`);
        try {
            print(...(await rootReport(provider, root, testOnly)));
        } catch (e) {
            // After upgrade_root_code the new code may not have the same getters.
            print(`(the root's getters did not answer as expected: ${(e as Error).message})`);
        }
    });
}
