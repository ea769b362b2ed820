/**
 * The Blueprint scripts (scripts/) and their shared helpers (tools/cli.ts).
 *
 * The helpers' parsing and formatting are pure functions, tested directly.
 * The scripts run unchanged against the local sandbox through a
 * NetworkProvider adapter (tests/helpers/sandbox-network.ts), in the order an
 * operator would use them; every step asserts on chain state through the
 * wrappers, not only on what the script printed.
 */
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { Address, beginCell, Cell, fromNano, toNano } from '@ton/core';
import '@ton/test-utils';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { paramsToCell, Root, TimelockActions } from '../wrappers/Root';
import { Provider } from '../wrappers/Provider';
import { bufferToBigint, readTextCell, textCell } from '../wrappers/common';
import { JobState, Op, ParamBounds, ProviderState } from '../wrappers/constants';
import { signResult } from '../wrappers/Job';
import {
    DAY,
    defaultParams,
    HOUR,
    keyFromLabel,
    loadCode,
    makeStatement,
    MODEL,
    MODEL_2,
    POLICY,
    Protocol,
    createJob,
    registerWorkingProvider,
    sha256n,
    START_TIME,
} from './helpers/fixtures';
import { SandboxNetwork } from './helpers/sandbox-network';
import {
    decodeAction,
    describeMeta,
    FEE_MARGIN,
    formatDuration,
    formatHash,
    formatTime,
    opName,
    paramsProblems,
    parseAddress,
    parseArgs,
    parseCellArg,
    parseHash,
    parseHashWithLabel,
    parseNanoton,
    parseTon,
    parseUint,
    pollIntervalMs,
    POLL_INTERVAL_ENV,
    PreflightError,
    ScriptSpec,
    usage,
    UsageError,
    withMargin,
} from '../tools/cli';
import { run as deployRoot } from '../scripts/deployRoot';
import { run as queueChange, spec as queueChangeSpec } from '../scripts/queueChange';
import { run as executeChange } from '../scripts/executeChange';
import { run as cancelChange } from '../scripts/cancelChange';
import { run as revoke } from '../scripts/revoke';
import { run as pause } from '../scripts/pause';
import { run as unpause } from '../scripts/unpause';
import { run as proposeGovernance } from '../scripts/proposeGovernance';
import { run as claimGovernance } from '../scripts/claimGovernance';
import { run as collectRootExcess } from '../scripts/collectRootExcess';
import { run as registerProvider } from '../scripts/registerProvider';
import { run as reattestProvider } from '../scripts/reattestProvider';
import { run as topUp } from '../scripts/topUp';
import { run as unbond } from '../scripts/unbond';
import { run as withdraw } from '../scripts/withdraw';
import { run as checkProvider } from '../scripts/checkProvider';
import { run as resolveDispute } from '../scripts/resolveDispute';
import { run as showRoot } from '../scripts/showRoot';
import { run as showProvider } from '../scripts/showProvider';

const HEX_HASH = 'ab'.repeat(32);
const SOME_ADDRESS = Address.parse('0:' + '11'.repeat(32));

describe('tools/cli: parsing', () => {
    it('parses 256-bit hashes with or without 0x, in either case', () => {
        expect(parseHash(HEX_HASH)).toBe(BigInt('0x' + HEX_HASH));
        expect(parseHash('0x' + HEX_HASH.toUpperCase())).toBe(BigInt('0x' + HEX_HASH));
        expect(parseHash('0X' + '00'.repeat(31) + '01')).toBe(1n);
    });

    it.each(['0x1234', HEX_HASH + 'ab', 'zz'.repeat(32), '', '0x'])('rejects the malformed hash "%s"', (raw) => {
        expect(() => parseHash(raw, '--hash')).toThrow(UsageError);
        expect(() => parseHash(raw, '--hash')).toThrow(/--hash: expected a 256-bit hash/);
    });

    it('parses a hash with an optional metadata label', () => {
        expect(parseHashWithLabel(HEX_HASH)).toEqual({ hash: BigInt('0x' + HEX_HASH), label: '' });
        expect(parseHashWithLabel(`${HEX_HASH}:qwen3-8b`)).toEqual({ hash: BigInt('0x' + HEX_HASH), label: 'qwen3-8b' });
        expect(() => parseHashWithLabel(`${HEX_HASH}:${'x'.repeat(128)}`)).toThrow(/at most 127 bytes/);
    });

    it('parses TON amounts to nanoton with toNano precision and rejects the rest', () => {
        expect(parseTon('1.5')).toBe(toNano('1.5'));
        expect(parseTon('100')).toBe(toNano('100'));
        expect(parseTon('0.000000001')).toBe(1n);
        for (const bad of ['0', '0.0', '-1', '1.0000000001', 'abc', '1e3', '', '1,5']) {
            expect(() => parseTon(bad, '--stake')).toThrow(UsageError);
        }
    });

    it('parses whole nanoton amounts', () => {
        expect(parseNanoton('1000')).toBe(1000n);
        expect(() => parseNanoton('0')).toThrow(UsageError);
        expect(() => parseNanoton('1.5')).toThrow(UsageError);
    });

    it('parses addresses in any format', () => {
        const raw = SOME_ADDRESS.toRawString();
        for (const form of [
            raw,
            SOME_ADDRESS.toString(),
            SOME_ADDRESS.toString({ bounceable: false }),
            SOME_ADDRESS.toString({ testOnly: true }),
            SOME_ADDRESS.toString({ urlSafe: false }),
        ]) {
            expect(parseAddress(form).equals(SOME_ADDRESS)).toBe(true);
        }
        expect(() => parseAddress('EQnot-an-address', '--root')).toThrow(/--root: expected a TON address/);
    });

    it('parses bounded whole numbers', () => {
        expect(parseUint(1, 32)('8', '--max-models')).toBe(8);
        expect(() => parseUint(1, 32)('33', '--max-models')).toThrow(/1\.\.32/);
        expect(() => parseUint(1, 32)('-1', '--max-models')).toThrow(UsageError);
        expect(() => parseUint(1, 32)('2.5', '--max-models')).toThrow(UsageError);
    });

    it('reads a cell from hex, a binary BoC file, a hex or base64 text file, or a compiled artifact', () => {
        const cell = beginCell().storeUint(0xc0c0, 16).storeRef(textCell('x')).endCell();
        const boc = cell.toBoc();
        const dir = mkdtempSync(path.join(tmpdir(), 'cocoon-cli-'));
        const files = {
            binary: boc,
            hex: boc.toString('hex') + '\n',
            base64: boc.toString('base64'),
            json: JSON.stringify({ hash: cell.hash().toString('hex'), hex: boc.toString('hex') }),
        };
        for (const [name, content] of Object.entries(files)) {
            const file = path.join(dir, name);
            writeFileSync(file, content);
            expect(parseCellArg(file).equals(cell)).toBe(true);
        }
        expect(parseCellArg(boc.toString('hex')).equals(cell)).toBe(true);
        expect(parseCellArg('0x' + boc.toString('hex')).equals(cell)).toBe(true);
        expect(() => parseCellArg(path.join(dir, 'missing.boc'), '--statement')).toThrow(/neither an existing file nor/);
        expect(() => parseCellArg('abcd', '--statement')).toThrow(/not a valid BoC/);
    });

    it('takes the poll interval from the environment', () => {
        expect(pollIntervalMs({})).toBe(2000);
        expect(pollIntervalMs({ [POLL_INTERVAL_ENV]: '0' })).toBe(0);
        expect(() => pollIntervalMs({ [POLL_INTERVAL_ENV]: 'soon' })).toThrow(POLL_INTERVAL_ENV);
    });
});

describe('tools/cli: command lines', () => {
    const spec: ScriptSpec = {
        name: 'example',
        summary: 'An example.',
        flags: [
            { name: 'root', value: '<address>', help: 'root', required: true },
            { name: 'id', value: '<n>', help: 'id', required: true },
            { name: 'model', value: '<hex>', help: 'model', repeatable: true },
            { name: 'dry-run', help: 'switch' },
        ],
    };

    it('parses --flag value, --flag=value, repeatable flags and switches, skipping a bare --', () => {
        const args = parseArgs(spec, ['--', '--root', 'R', '--id=7', '--model', 'a', '--model', 'b', '--dry-run']);
        expect(args.required('root', (s) => s)).toBe('R');
        expect(args.required('id', parseUint(0, 10))).toBe(7);
        expect(args.all('model', (s) => s)).toEqual(['a', 'b']);
        expect(args.has('dry-run')).toBe(true);
        expect(args.given()).toEqual(['root', 'id', 'model', 'dry-run']);
    });

    it.each([
        [['--root', 'R'], /missing required flag --id/],
        [[], /missing required flags --root, --id/],
        [['--root', 'R', '--id', '1', '--nope', 'x'], /unknown flag --nope/],
        [['--root', '--id', '1'], /--root needs a value <address>/],
        [['--root', 'R', '--root', 'S', '--id', '1'], /--root given more than once/],
        [['--root', 'R', '--id', '1', 'stray'], /unexpected argument "stray"/],
        [['--root', 'R', '--id', '1', '--dry-run=yes'], /--dry-run takes no value/],
    ])('rejects %j', (argv, message) => {
        expect(() => parseArgs(spec, argv)).toThrow(UsageError);
        expect(() => parseArgs(spec, argv)).toThrow(message);
    });

    it('does not require flags with --help', () => {
        expect(parseArgs(spec, ['--help']).has('help')).toBe(true);
    });

    it('prints a usage line naming every flag, required ones bare and optional ones in brackets', () => {
        const text = usage(spec);
        const line = text.split('\n')[0];
        expect(line).toContain('npx blueprint run example');
        expect(line).toContain(' -- --root <address> --id <n> [--model <hex> ...] [--dry-run] [--help]');
    });
});

describe('tools/cli: formatting and decoding', () => {
    it('formats durations, times, hashes and opcodes', () => {
        expect(formatDuration(2 * DAY)).toBe('2d (172800 s)');
        expect(formatDuration(5400)).toBe('1h 30m (5400 s)');
        expect(formatDuration(0)).toBe('0s (0 s)');
        expect(formatTime(START_TIME)).toBe(`${new Date(START_TIME * 1000).toISOString()} (${START_TIME})`);
        expect(formatHash(1n)).toBe('0x' + '0'.repeat(63) + '1');
        expect(opName(Op.queueChange)).toBe('queue_change');
        expect(opName(Op.revokeVerifierKey)).toBe('revoke_verifier_key');
        expect(opName(0x1234)).toBe('0x1234');
    });

    it('shows metadata as text when it is plain UTF-8, else by hash', () => {
        expect(describeMeta(textCell('cocoon-tdx v1'))).toBe('"cocoon-tdx v1"');
        expect(describeMeta(beginCell().storeUint(1, 3).endCell())).toMatch(/^cell [0-9a-f]{64} \(3 bits, 0 refs\)$/);
    });

    it('decodes every timelock action kind', () => {
        const params = defaultParams(SOME_ADDRESS);
        const code = beginCell().storeUint(42, 8).endCell();
        expect(decodeAction(TimelockActions.addPolicy(POLICY, 'v1'))).toEqual({
            name: 'add_policy',
            fields: [
                ['policy_hash', formatHash(POLICY)],
                ['meta', '"v1"'],
            ],
        });
        expect(decodeAction(TimelockActions.addModel(MODEL, 'qwen')).fields[0]).toEqual(['model_hash', formatHash(MODEL)]);
        expect(decodeAction(TimelockActions.addVerifierKey(7n))).toEqual({ name: 'add_verifier_key', fields: [['key', formatHash(7n)]] });
        const setParams = decodeAction(TimelockActions.setParams(params));
        expect(setParams.name).toBe('set_params');
        expect(setParams.fields).toContainEqual(['min stake', '100 TON']);
        expect(setParams.fields).toContainEqual(['timelock delay', '2d (172800 s)']);
        expect(decodeAction(TimelockActions.upgradeRootCode(code))).toEqual({
            name: 'upgrade_root_code',
            fields: [['code hash', code.hash().toString('hex')]],
        });
        expect(decodeAction(TimelockActions.setGuardian(SOME_ADDRESS))).toEqual({
            name: 'set_guardian',
            fields: [['guardian', SOME_ADDRESS.toString()]],
        });
    });

    it('checks params against the bounds of contracts/common/params.fc', () => {
        expect(paramsProblems(defaultParams(SOME_ADDRESS))).toEqual([]);
        const bad = paramsProblems({
            ...defaultParams(SOME_ADDRESS),
            minStake: ParamBounds.minStakeFloor - 1n,
            timelockDelay: ParamBounds.timelockDelayMin - 1,
            maxModels: 0,
            treasury: Address.parse('-1:' + '22'.repeat(32)),
        });
        expect(bad).toHaveLength(4);
    });

    it('adds the margin to the required value and explains the sum', () => {
        expect(withMargin(toNano('0.01'))).toEqual({
            value: toNano('0.01') + FEE_MARGIN,
            note: 'required fees 0.01 TON + margin 0.05 TON',
        });
        expect(withMargin(toNano('0.01'), toNano('100'), 'stake').value).toBe(toNano('100.01') + FEE_MARGIN);
    });
});

describe('scripts on the sandbox', () => {
    const TIMELOCK_DELAY = 2 * DAY;
    const UNBONDING_PERIOD = 7 * DAY;
    const ENDPOINT = 'https://gpu-1.example/v1';
    const PRICE = 1000n;
    let blockchain: Blockchain;
    let governance: SandboxContract<TreasuryContract>;
    let guardian: SandboxContract<TreasuryContract>;
    let treasury: SandboxContract<TreasuryContract>;
    let operator: SandboxContract<TreasuryContract>;
    let keeper: SandboxContract<TreasuryContract>;
    let successor: SandboxContract<TreasuryContract>;
    let net: SandboxNetwork;
    let root: SandboxContract<Root>;
    let provider: SandboxContract<Provider>;
    let tmp: string;
    const verifier = keyFromLabel('attestation verifier');
    let savedPollInterval: string | undefined;

    /** Runs a script as `wallet` with fresh output. */
    function as(wallet: SandboxContract<TreasuryContract>): SandboxNetwork {
        return net.as(wallet).reset();
    }

    function protocol(): Protocol {
        return {
            blockchain,
            root,
            governance,
            guardian,
            treasury,
            verifier,
            params: defaultParams(treasury.address),
            rootCode: loadCode('Root'),
            providerCode: loadCode('Provider'),
            jobCode: loadCode('Job'),
        };
    }

    function statementFile(owner: Address, name: string): string {
        const file = path.join(tmp, name);
        writeFileSync(file, makeStatement(protocol(), { owner }).toBoc());
        return file;
    }

    const rootFlag = () => ['--root', root.address.toString()];

    beforeAll(async () => {
        savedPollInterval = process.env[POLL_INTERVAL_ENV];
        process.env[POLL_INTERVAL_ENV] = '0';
        tmp = mkdtempSync(path.join(tmpdir(), 'cocoon-scripts-'));
        blockchain = await Blockchain.create();
        blockchain.now = START_TIME;
        governance = await blockchain.treasury('governance');
        guardian = await blockchain.treasury('guardian');
        treasury = await blockchain.treasury('treasury');
        operator = await blockchain.treasury('operator');
        keeper = await blockchain.treasury('keeper');
        successor = await blockchain.treasury('successor governance');
        net = new SandboxNetwork(blockchain, governance);
    });

    afterAll(() => {
        if (savedPollInterval === undefined) delete process.env[POLL_INTERVAL_ENV];
        else process.env[POLL_INTERVAL_ENV] = savedPollInterval;
    });

    const deployArgs = () => [
        '--guardian',
        guardian.address.toString(),
        '--treasury',
        treasury.address.toRawString(),
        '--min-stake',
        '100',
        '--unbonding-period',
        String(UNBONDING_PERIOD),
        '--attestation-max-age',
        String(30 * DAY),
        '--timelock-delay',
        String(TIMELOCK_DELAY),
        '--max-models',
        '8',
        '--model',
        `${formatHash(MODEL)}:qwen3-8b`,
        '--model',
        MODEL_2.toString(16).padStart(64, '0'),
        '--verifier-key',
        verifier.publicKey.toString('hex'),
    ];

    it('deployRoot deploys a root with the given params and genesis trust; governance defaults to the sender', async () => {
        await deployRoot(as(governance), deployArgs());
        const address = /Root address: (\S+)/.exec(net.output)?.[1];
        expect(address).toBeDefined();
        root = blockchain.openContract(Root.createFromAddress(Address.parse(address!)));

        const data = await root.getRootData();
        expect(data.governance.equals(governance.address)).toBe(true);
        expect(data.guardian.equals(guardian.address)).toBe(true);
        expect(data.paused).toBe(false);
        const params = await root.getParams();
        expect(params).toMatchObject({ minStake: toNano('100'), unbondingPeriod: UNBONDING_PERIOD, timelockDelay: TIMELOCK_DELAY, maxModels: 8 });
        expect(params.treasury.equals(treasury.address)).toBe(true);
        expect(await root.getModelAllowed(MODEL)).toBe(true);
        expect(await root.getModelAllowed(MODEL_2)).toBe(true);
        expect(readTextCell((await root.getModelMeta(MODEL))!)).toBe('qwen3-8b');
        expect(await root.getVerifierTrusted(bufferToBigint(verifier.publicKey))).toBe(true);
        expect(await root.getPolicyAllowed(POLICY)).toBe(false);
        expect(net.output).toContain('governance:');
        expect(net.output).toContain('(the sender)');
    });

    it('deployRoot sends nothing when the same root is already deployed', async () => {
        await deployRoot(as(governance), deployArgs());
        expect(net.sent).toHaveLength(0);
        expect(net.output).toContain('already deployed');
    });

    it('queueChange add-policy prints the change id, queues the action and prints the eta', async () => {
        await queueChange(as(governance), [...rootFlag(), '--action', 'add-policy', '--hash', formatHash(POLICY), '--meta', 'cocoon-tdx v1']);
        const change = await root.getChange(0);
        expect(change).not.toBeNull();
        expect(change!.action.equals(TimelockActions.addPolicy(POLICY, 'cocoon-tdx v1'))).toBe(true);
        expect(change!.eta).toBe(START_TIME + TIMELOCK_DELAY);
        expect(net.output).toContain('Change id: 0');
        expect(net.output).toContain(`eta: ${formatTime(START_TIME + TIMELOCK_DELAY)}`);
        expect(net.output).toContain('action: add_policy');
        expect(net.sent[0].result.transactions).toHaveTransaction({ from: governance.address, to: root.address, op: Op.queueChange, success: true });
    });

    it('executeChange before the eta fails after polling and leaves the change queued', async () => {
        await expect(executeChange(as(governance), [...rootFlag(), '--id', '0'])).rejects.toThrow(/still pending/);
        expect(await root.getChange(0)).not.toBeNull();
        expect(await root.getPolicyAllowed(POLICY)).toBe(false);
    });

    it('executeChange after the delay allowlists the policy, and showRoot prints it', async () => {
        blockchain.now = START_TIME + TIMELOCK_DELAY;
        await executeChange(as(governance), [...rootFlag(), '--id', '0']);
        expect(await root.getChange(0)).toBeNull();
        expect(await root.getPolicyAllowed(POLICY)).toBe(true);
        expect(net.output).toContain('Change #0 executed');

        await showRoot(as(keeper), rootFlag());
        expect(net.sent).toHaveLength(0);
        expect(net.output).toContain(`${formatHash(POLICY)} "cocoon-tdx v1"`);
        expect(net.output).toMatch(/allowlisted policies \(1\)/);
        expect(net.output).toMatch(/allowlisted models \(2\)/);
        expect(net.output).toContain('Pending changes (0 pending, next id 1)');
        expect(net.output).toContain('register_provider');
    });

    it('showRoot lists a pending change with its eta and decoded action; cancelChange by the guardian removes it', async () => {
        const newModel = BigInt('0x' + 'cd'.repeat(32));
        await queueChange(as(governance), [...rootFlag(), '--action', 'add-model', '--hash', formatHash(newModel), '--meta', 'mistral-7b']);
        await showRoot(as(keeper), rootFlag());
        expect(net.output).toContain('Pending changes (1 pending, next id 2)');
        expect(net.output).toContain(`#1: executable from ${formatTime(blockchain.now! + TIMELOCK_DELAY)}`);
        expect(net.output).toContain('action: add_model');
        expect(net.output).toContain(formatHash(newModel));

        await cancelChange(as(guardian), [...rootFlag(), '--id', '1']);
        expect(await root.getChange(1)).toBeNull();
        expect(await root.getModelAllowed(newModel)).toBe(false);
        expect((await root.getRootData()).pendingCount).toBe(0);
    });

    it('set-params through the timelock changes only the params given', async () => {
        const before = await root.getParams();
        await queueChange(as(governance), [...rootFlag(), '--action', 'set-params', '--min-stake', '50', '--keeper-reward', '0.02', '--challenge-window', String(2 * HOUR)]);
        expect(net.output).toMatch(/min stake:\s+50 TON/);
        const id = (await root.getRootData()).nextChangeId - 1;
        blockchain.now = (await root.getChange(id))!.eta;
        await executeChange(as(governance), [...rootFlag(), '--id', String(id)]);
        const after = await root.getParams();
        expect(after.minStake).toBe(toNano('50'));
        expect(after.jobs).toEqual({ ...before.jobs, keeperReward: toNano('0.02'), challengeWindow: 2 * HOUR });
        expect(paramsToCell({ ...after, minStake: before.minStake, jobs: before.jobs }).equals(paramsToCell(before))).toBe(true);
    });

    it('queueChange rejects flags that do not belong to the action, and params out of bounds, before sending', async () => {
        await expect(queueChange(as(governance), [...rootFlag(), '--action', 'add-policy', '--hash', formatHash(POLICY), '--key', formatHash(1n)])).rejects.toThrow(
            /--key does not apply to --action add-policy/,
        );
        await expect(queueChange(as(governance), [...rootFlag(), '--action', 'set-params', '--timelock-delay', '60'])).rejects.toThrow(
            /timelock delay must be in 3600\.\./,
        );
        expect(net.sent).toHaveLength(0);
    });

    it('registerProvider refuses a statement for another owner before sending', async () => {
        const file = statementFile(keeper.address, 'keeper-statement.boc');
        await expect(
            registerProvider(as(operator), [...rootFlag(), '--stake', '100', '--statement', file, '--price', String(PRICE), '--endpoint', ENDPOINT, '--model', formatHash(MODEL)]),
        ).rejects.toThrow(PreflightError);
        expect(net.output).toContain('exit 134');
        expect(net.sent).toHaveLength(0);
    });

    it('registerProvider registers the sender with a statement from a BoC file', async () => {
        const file = statementFile(operator.address, 'operator-statement.boc');
        await registerProvider(as(operator), [
            ...rootFlag(),
            '--stake',
            '100',
            '--statement',
            file,
            '--price',
            String(PRICE),
            '--endpoint',
            ENDPOINT,
            '--model',
            formatHash(MODEL),
        ]);
        provider = blockchain.openContract(Provider.createFromAddress(await root.getProviderAddress(operator.address)));
        const data = await provider.getProviderData();
        expect(data.state).toBe(ProviderState.active);
        expect(data.stake).toBe(toNano('100'));
        expect(data.eligible).toBe(true);
        expect(await provider.getModels()).toEqual([MODEL]);
        expect(await provider.getOffer()).toEqual({ pricePerUnit: PRICE, endpoint: ENDPOINT });
        expect((await provider.getAttestation()).policyHash).toBe(POLICY);
        const required = await root.getRequiredValues();
        expect(net.sent[0].args.value).toBe(toNano('100') + required.registerProvider + FEE_MARGIN);
        expect(net.output).toContain('Message register_provider');
        expect(net.output).toContain('Registered.');
    });

    it('showProvider prints the provider as active, by owner or by address', async () => {
        await showProvider(as(keeper), [...rootFlag(), '--owner', operator.address.toString()]);
        const byOwner = net.output;
        expect(byOwner).toMatch(/state:\s+active/);
        expect(byOwner).toMatch(/stake:\s+100 TON/);
        expect(byOwner).toMatch(/eligible:\s+yes/);
        expect(byOwner).toContain(formatHash(POLICY));
        const attestation = await provider.getAttestation();
        expect(byOwner).toContain(`expires at:     ${formatTime(attestation.expiresAt)}`);
        expect(byOwner).toContain(ENDPOINT);

        await showProvider(as(keeper), ['--provider', provider.address.toString()]);
        expect(net.output).toBe(byOwner);
        expect(net.sent).toHaveLength(0);
    });

    it('resolveDispute rules a disputed job for the client, slashing the bond up to the cap', async () => {
        const owner2 = await blockchain.treasury('operator 2');
        const client = await blockchain.treasury('client');
        const { provider: provider2, operator: operatorKeys } = await registerWorkingProvider(protocol(), owner2);
        const { job, setup, required } = await createJob(protocol(), client, provider2.address);
        const { createdAt } = await job.getJobState();
        const signed = signResult({ job: job.address, createdAt, seq: 0, resultCommitment: sha256n('an answer'), usage: 1000n }, operatorKeys.secretKey);
        await job.sendSubmitResult(owner2.getSender(), required.submitResult, signed);
        await job.sendDispute(client.getSender(), required.clientOp, sha256n('wrong answer'));
        expect((await job.getJobState()).state).toBe(JobState.disputed);
        const { bond } = await job.getJobTerms();
        const stakeBefore = (await provider2.getProviderData()).stake;

        await expect(
            resolveDispute(as(governance), [...rootFlag(), '--client', client.address.toString(), '--nonce', String(setup.nonce), '--for', 'provider', '--slash', '1']),
        ).rejects.toThrow(/--slash only applies with --for client/);
        await resolveDispute(as(governance), [
            ...rootFlag(),
            '--client',
            client.address.toString(),
            '--nonce',
            String(setup.nonce),
            '--for',
            'client',
            '--slash',
            fromNano(bond),
        ]);
        expect((await job.getJobState()).state).toBe(JobState.resolved);
        const cap = (bond * BigInt((await root.getJobParams()).disputeSlashCapBps)) / BigInt(ParamBounds.bps);
        expect((await provider2.getProviderData()).stake).toBe(stakeBefore - cap);
        expect(net.output).toContain('The job is now resolved.');
    });

    it('topUp adds to the stake (anyone may top up)', async () => {
        await topUp(as(keeper), [...rootFlag(), '--owner', operator.address.toString(), '--amount', '5']);
        expect((await provider.getProviderData()).stake).toBe(toNano('105'));
        expect(net.sent[0].result.transactions).toHaveTransaction({ from: keeper.address, to: provider.address, op: Op.topUp, success: true });
    });

    it('reattestProvider replaces the attestation with a newer statement and refuses a stale one before sending', async () => {
        const stale = statementFile(operator.address, 'stale-statement.boc');
        await expect(reattestProvider(as(operator), [...rootFlag(), '--statement', stale])).rejects.toThrow(/not after the current attestation/);
        expect(net.sent).toHaveLength(0);

        blockchain.now = blockchain.now! + HOUR;
        const fresh = statementFile(operator.address, 'fresh-statement.boc');
        await reattestProvider(as(operator), [...rootFlag(), '--statement', fresh]);
        const attestation = await provider.getAttestation();
        expect(attestation.attestedAt).toBe(blockchain.now);
        expect(net.output).toContain('Re-attested.');
    });

    it('checkProvider refuses while the policy is still allowlisted', async () => {
        await expect(
            checkProvider(as(keeper), [...rootFlag(), '--owner', operator.address.toString(), '--kind', 'policy', '--hash', formatHash(POLICY)]),
        ).rejects.toThrow(/still listed/);
        expect(net.sent).toHaveLength(0);
    });

    it('revoke removes the policy at once; checkProvider makes the provider ineligible, once', async () => {
        await revoke(as(guardian), [...rootFlag(), '--kind', 'policy', '--hash', formatHash(POLICY)]);
        expect(await root.getPolicyAllowed(POLICY)).toBe(false);

        const stakeBefore = (await provider.getProviderData()).stake;
        const { keeperReward } = await root.getJobParams();
        await checkProvider(as(keeper), [...rootFlag(), '--owner', operator.address.toString(), '--kind', 'policy', '--hash', formatHash(POLICY)]);
        const data = await provider.getProviderData();
        expect(data.revoked).toBe(true);
        expect(data.eligible).toBe(false);
        expect(data.state).toBe(ProviderState.active);
        expect(data.stake).toBe(stakeBefore - keeperReward);
        expect(net.sent[0].result.transactions).toHaveTransaction({ from: provider.address, to: keeper.address, op: Op.keeperReward });
        expect(net.output).toMatch(/revoked:\s+yes/);

        await expect(
            checkProvider(as(keeper), [...rootFlag(), '--owner', operator.address.toString(), '--kind', 'policy', '--hash', formatHash(POLICY)]),
        ).rejects.toThrow(/already revoked/);
        expect(net.sent).toHaveLength(0);
    });

    it('unbond starts unbonding; withdraw fails before the period and pays the stake back after it', async () => {
        const { stake } = await provider.getProviderData();
        await unbond(as(operator), rootFlag());
        const data = await provider.getProviderData();
        expect(data.state).toBe(ProviderState.unbonding);
        expect(data.unbondAt).toBe(blockchain.now! + UNBONDING_PERIOD);

        await expect(withdraw(as(operator), rootFlag())).rejects.toThrow(/still unbonding/);
        expect((await provider.getProviderData()).state).toBe(ProviderState.unbonding);

        blockchain.now = data.unbondAt;
        await withdraw(as(operator), ['--provider', provider.address.toString()]);
        const after = await provider.getProviderData();
        expect(after.state).toBe(ProviderState.exited);
        expect(after.stake).toBe(0n);
        expect(net.sent[0].result.transactions).toHaveTransaction({
            from: provider.address,
            to: operator.address,
            op: Op.stakeWithdrawn,
            value: (v) => v! >= stake,
        });
        expect(net.output).toContain(`Withdrew ${fromNano(stake)} TON`);
    });

    it('the guardian pauses; only governance unpauses', async () => {
        await pause(as(guardian), rootFlag());
        expect((await root.getRootData()).paused).toBe(true);

        await expect(unpause(as(guardian), rootFlag())).rejects.toThrow(/unpause must be sent by governance/);
        expect(net.sent).toHaveLength(0);

        await unpause(as(governance), rootFlag());
        expect((await root.getRootData()).paused).toBe(false);
    });

    it('proposeGovernance and claimGovernance transfer the root to the new governance', async () => {
        await proposeGovernance(as(governance), [...rootFlag(), '--new', successor.address.toString({ bounceable: false })]);
        expect((await root.getRootData()).pendingGovernance?.equals(successor.address)).toBe(true);
        expect(net.output).toContain('claimGovernance');

        await expect(claimGovernance(as(keeper), rootFlag())).rejects.toThrow(/must be sent by the proposed governance/);

        await claimGovernance(as(successor), rootFlag());
        const data = await root.getRootData();
        expect(data.governance.equals(successor.address)).toBe(true);
        expect(data.pendingGovernance).toBeNull();
    });

    it('collectRootExcess sends the root excess to the treasury', async () => {
        await collectRootExcess(as(successor), rootFlag());
        expect(net.sent[0].result.transactions).toHaveTransaction({ from: root.address, to: treasury.address, success: true });
        expect(net.output).toContain('Root balance:');
    });

    it('a missing required flag prints the usage naming every flag and sends nothing', async () => {
        await expect(queueChange(as(governance), ['--action', 'add-policy', '--hash', formatHash(POLICY)])).rejects.toThrow(
            /missing required flag --root/,
        );
        expect(net.output).toContain('error: missing required flag --root');
        const usageLine = net.ui_.lines.find((l) => l.startsWith('usage: npx blueprint run queueChange'));
        expect(usageLine).toBeDefined();
        for (const f of queueChangeSpec.flags) expect(usageLine).toContain(`--${f.name}`);
        expect(net.sent).toHaveLength(0);
    });

    it('a malformed hash is rejected before anything is sent', async () => {
        const before = (await blockchain.getContract(root.address)).lastTransactionLt;
        await expect(revoke(as(successor), [...rootFlag(), '--kind', 'model', '--hash', '0x1234'])).rejects.toThrow(UsageError);
        expect(net.output).toContain('--hash: expected a 256-bit hash');
        expect(net.sent).toHaveLength(0);
        expect((await blockchain.getContract(root.address)).lastTransactionLt).toBe(before);
        expect(await root.getModelAllowed(MODEL)).toBe(true);
    });

    it('--dry-run prints the exact body instead of sending it', async () => {
        await pause(as(keeper), [...rootFlag(), '--dry-run']);
        expect(net.sent).toHaveLength(0);
        const base64 = /body \(base64 BoC\):\s+(\S+)/.exec(net.output)?.[1];
        const body = Cell.fromBoc(Buffer.from(base64!, 'base64'))[0].beginParse();
        expect(body.loadUint(32)).toBe(Op.pause);
        expect((await root.getRootData()).paused).toBe(false);
    });

    it('--help prints the usage and sends nothing', async () => {
        await showProvider(as(keeper), ['--help']);
        expect(net.output).toContain('usage: npx blueprint run showProvider');
        expect(net.sent).toHaveLength(0);
    });
});
