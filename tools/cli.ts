/**
 * Shared helpers of the Blueprint scripts in scripts/: command-line flags,
 * value parsing, pretty printing, decoding of timelock actions, polling for
 * the effect of a message, and the root/provider reports.
 *
 * This file lives outside scripts/ because Blueprint treats every file there
 * as a runnable script. The parsing and formatting functions are pure and
 * unit-tested in tests/scripts.spec.ts.
 *
 * Blueprint's `run` command rejects options it does not know, so script flags
 * follow a `--` separator:
 *     npx blueprint run queueChange --testnet --mnemonic -- --root <address> --action add-policy ...
 */
import { Address, beginCell, BitString, Cell, ContractProvider, fromNano, OpenedContract, toNano } from '@ton/core';
import { NetworkProvider, UIProvider } from '@ton/blueprint';
import { existsSync, readFileSync } from 'fs';
import { JobParams, paramsFromCell, RevocationSubject, Root, RootData, RootParams } from '../wrappers/Root';
import { bufferToBigint } from '../wrappers/common';
import { isAttestationError } from '../attestation/errors';
import { parseSignedStatement, ParsedSignedStatement, verifySignedStatement } from '../attestation/statement';
import { Provider, RewardEntry } from '../wrappers/Provider';
import { EpochTotals, estimateShare, RewardPool } from '../wrappers/RewardPool';
import { Errors, Mode, Op, ParamBounds, ProviderState, ProviderStateName, RewardEntryState, RewardLimits } from '../wrappers/constants';
import { loadRootStorage, loadTimelockAction } from '../wrappers/generated/schema';

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

/** Hex digits of a 256-bit hash or ed25519 public key. */
export const HASH_HEX_DIGITS = 64;
/** Decimal places of a TON amount (1 TON = 10^9 nanoton). */
export const TON_DECIMALS = 9;
/** Largest uint32 (timestamps, durations, change ids). */
export const UINT32_MAX = 0xffff_ffff;
/** Largest value of a `Coins` field (VarUInteger 16: 120 bits). */
export const COINS_MAX = (1n << 120n) - 1n;
/** Text stored as bytes in one cell (metadata labels): 1023 data bits hold 127 bytes. */
export const ONE_CELL_TEXT_MAX_BYTES = 127;
/** Added to every required value the root reports; the contracts return what is left. */
export const FEE_MARGIN = toNano('0.05');
/**
 * Default balance a new root is deployed with. It pays the root's storage; collect_root_excess
 * always keeps RESERVE_PERIOD (5 years, contracts/common/gas.fc) of storage for the root's code,
 * data and child code (about 0.55 TON with the current root, provider and job code), so a
 * balance below that leaves nothing to collect.
 */
export const DEFAULT_ROOT_DEPLOY_VALUE = '1';
/** Environment variable overriding the polling interval, milliseconds (tests set 0). */
export const POLL_INTERVAL_ENV = 'COCOON_POLL_MS';
/** Interval between two polls of a getter on a real network, milliseconds. */
export const DEFAULT_POLL_INTERVAL_MS = 2000;
/** How many times a getter is polled before a script gives up waiting for an effect. */
export const POLL_ATTEMPTS = 30;
/** How many change ids below next_change_id showRoot inspects for pending changes. */
export const MAX_CHANGE_SCAN = 256;
/** Width of the flag column in a usage text; longer flags push their help to the right. */
const USAGE_COLUMN = 34;
/** Magic prefix of a serialized bag of cells. */
const BOC_MAGIC = Buffer.from('b5ee9c72', 'hex');

// ---------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------

export type FlagSpec = {
    /** Name without the leading dashes. */
    name: string;
    /** Placeholder of the value in the usage line, e.g. `<address>`; absent for a switch. */
    value?: string;
    help: string;
    required?: boolean;
    repeatable?: boolean;
};

export type ScriptSpec = {
    /** The script's file name in scripts/ (what `blueprint run` takes). */
    name: string;
    summary: string;
    flags: FlagSpec[];
};

/** A wrong or missing command-line argument: the script prints its usage and fails. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'UsageError';
    }
}

/** A check against the chain that failed before anything was sent. */
export class PreflightError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'PreflightError';
    }
}

export type Parser<T> = (raw: string, flag: string) => T;

/** Flags shared by several scripts, so that each is described once. */
export const Flags = {
    root: { name: 'root', value: '<address>', help: 'the Cocoon root contract', required: true },
    help: { name: 'help', help: 'print this usage and exit' },
    dryRun: {
        name: 'dry-run',
        help: 'print the message (body as a BoC) without sending it, e.g. for a multisig order',
    },
} satisfies Record<string, FlagSpec>;

export function flagSpec(spec: ScriptSpec, name: string): FlagSpec | undefined {
    return [...spec.flags, Flags.help].find((f) => f.name === name);
}

/** The parsed command line of a script; values are parsed lazily by typed accessors. */
export class CliArgs {
    constructor(
        readonly spec: ScriptSpec,
        private readonly values: Map<string, string[]>,
    ) {}

    has(name: string): boolean {
        this.known(name);
        return this.values.has(name);
    }

    /** Names of the flags given on the command line. */
    given(): string[] {
        return [...this.values.keys()];
    }

    optional<T>(name: string, parse: Parser<T>): T | undefined {
        const raw = this.values.get(this.known(name).name);
        return raw === undefined ? undefined : parse(raw[0], `--${name}`);
    }

    required<T>(name: string, parse: Parser<T>): T {
        const v = this.optional(name, parse);
        if (v === undefined) throw new UsageError(`missing required flag --${name}`);
        return v;
    }

    all<T>(name: string, parse: Parser<T>): T[] {
        return (this.values.get(this.known(name).name) ?? []).map((raw) => parse(raw, `--${name}`));
    }

    private known(name: string): FlagSpec {
        const f = flagSpec(this.spec, name);
        if (!f) throw new Error(`script ${this.spec.name} has no flag --${name}`);
        return f;
    }
}

/**
 * Parses `--flag value` / `--flag=value` arguments against a script's spec:
 * unknown flags, missing values, stray positional arguments, a repeated
 * non-repeatable flag and missing required flags are UsageErrors. A bare `--`
 * is skipped. With `--help`, required flags are not checked.
 */
export function parseArgs(spec: ScriptSpec, argv: string[]): CliArgs {
    const values = new Map<string, string[]>();
    for (let i = 0; i < argv.length; i++) {
        const token = argv[i];
        if (token === '--') continue;
        if (!token.startsWith('--')) throw new UsageError(`unexpected argument "${token}" (flags are --name value)`);
        const eq = token.indexOf('=');
        const name = token.slice(2, eq < 0 ? undefined : eq);
        const flag = flagSpec(spec, name);
        if (!flag) throw new UsageError(`unknown flag --${name}`);
        let value: string;
        if (flag.value === undefined) {
            if (eq >= 0) throw new UsageError(`--${name} takes no value`);
            value = 'true';
        } else if (eq >= 0) {
            value = token.slice(eq + 1);
        } else {
            const next = argv[i + 1];
            if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value ${flag.value}`);
            value = next;
            i++;
        }
        const prev = values.get(name);
        if (prev && !flag.repeatable) throw new UsageError(`--${name} given more than once`);
        values.set(name, [...(prev ?? []), value]);
    }
    if (!values.has(Flags.help.name)) {
        const missing = spec.flags.filter((f) => f.required && !values.has(f.name)).map((f) => `--${f.name}`);
        if (missing.length === 1) throw new UsageError(`missing required flag ${missing[0]}`);
        if (missing.length > 1) throw new UsageError(`missing required flags ${missing.join(', ')}`);
    }
    return new CliArgs(spec, values);
}

function usageToken(f: FlagSpec): string {
    const core = f.value === undefined ? `--${f.name}` : `--${f.name} ${f.value}`;
    const repeated = f.repeatable ? `${core} ...` : core;
    return f.required ? repeated : `[${repeated}]`;
}

/** The usage line (naming every flag) followed by one line per flag. */
export function usage(spec: ScriptSpec): string {
    const flags = [...spec.flags, Flags.help];
    const line = `usage: npx blueprint run ${spec.name} --testnet --mnemonic -- ${flags.map(usageToken).join(' ')}`;
    const width = Math.min(USAGE_COLUMN, Math.max(...flags.map((f) => usageToken(f).length)));
    const rows = flags.map((f) => `  ${usageToken(f).padEnd(width)}  ${f.help}`);
    return [line, `${spec.summary}`, ...rows].join('\n');
}

// ---------------------------------------------------------------------------
// Value parsers (pure; `flag` names the argument in error messages)
// ---------------------------------------------------------------------------

/** A TON amount in decimal TON (`1`, `0.5`, up to 9 decimals), strictly positive; returns nanoton. */
export function parseTon(raw: string, flag = 'amount'): bigint {
    const nano = parseTonOrZero(raw, flag);
    if (nano === 0n) throw new UsageError(`${flag}: the amount must be positive, got "${raw}"`);
    return nano;
}

/** A TON amount that may be zero (a bond floor, a keeper reward); returns nanoton. */
export function parseTonOrZero(raw: string, flag = 'amount'): bigint {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(raw.trim());
    if (!m || (m[2] !== undefined && m[2].length > TON_DECIMALS)) {
        throw new UsageError(`${flag}: expected an amount of TON like 1.5 (at most ${TON_DECIMALS} decimals), got "${raw}"`);
    }
    const nano = BigInt(m[1]) * 10n ** BigInt(TON_DECIMALS) + BigInt((m[2] ?? '').padEnd(TON_DECIMALS, '0'));
    if (nano > COINS_MAX) throw new UsageError(`${flag}: the amount does not fit in Coins, got "${raw}"`);
    return nano;
}

/** A positive whole number of nanoton. */
export function parseNanoton(raw: string, flag = 'amount'): bigint {
    if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${flag}: expected a whole number of nanoton, got "${raw}"`);
    const n = BigInt(raw.trim());
    if (n <= 0n || n > COINS_MAX) throw new UsageError(`${flag}: expected 1..${COINS_MAX} nanoton, got "${raw}"`);
    return n;
}

/** A 256-bit hash or key: exactly 64 hex digits, with or without 0x. */
export function parseHash(raw: string, flag = 'hash'): bigint {
    const hex = raw.trim().replace(/^0x/i, '');
    if (!new RegExp(`^[0-9a-fA-F]{${HASH_HEX_DIGITS}}$`).test(hex)) {
        throw new UsageError(`${flag}: expected a 256-bit hash (${HASH_HEX_DIGITS} hex digits, optional 0x), got "${raw}"`);
    }
    return BigInt('0x' + hex);
}

/** `<hex>` or `<hex>:<label>`: a hash with an optional metadata label (genesis allowlists). */
export function parseHashWithLabel(raw: string, flag = 'hash'): { hash: bigint; label: string } {
    const colon = raw.indexOf(':');
    const label = colon < 0 ? '' : raw.slice(colon + 1);
    return { hash: parseHash(colon < 0 ? raw : raw.slice(0, colon), flag), label: parseText(ONE_CELL_TEXT_MAX_BYTES)(label, flag) };
}

/** An address in any format: raw (`0:...`) or user-friendly (`EQ...`, `UQ...`, `kQ...`). */
export function parseAddress(raw: string, flag = 'address'): Address {
    try {
        return Address.parse(raw.trim());
    } catch {
        throw new UsageError(`${flag}: expected a TON address (raw 0:<hex> or user-friendly), got "${raw}"`);
    }
}

/** A whole number in [min, max]. */
export function parseUint(min: number, max: number): Parser<number> {
    return (raw, flag) => {
        if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${flag}: expected a whole number, got "${raw}"`);
        const n = Number(raw.trim());
        if (!Number.isSafeInteger(n) || n < min || n > max) {
            throw new UsageError(`${flag}: expected a number in ${min}..${max}, got "${raw}"`);
        }
        return n;
    };
}

/** A duration in seconds that fits a uint32. */
export const parseSeconds: Parser<number> = parseUint(0, UINT32_MAX);
/** A timelock change id (uint32). */
export const parseChangeId: Parser<number> = parseUint(0, UINT32_MAX);

export function parseChoice<T extends string>(choices: readonly T[]): Parser<T> {
    return (raw, flag) => {
        if (!(choices as readonly string[]).includes(raw)) {
            throw new UsageError(`${flag}: expected one of ${choices.join(', ')}, got "${raw}"`);
        }
        return raw as T;
    };
}

/** UTF-8 text of at most `maxBytes` bytes. */
export function parseText(maxBytes: number): Parser<string> {
    return (raw, flag) => {
        const bytes = Buffer.byteLength(raw, 'utf8');
        if (bytes > maxBytes) throw new UsageError(`${flag}: at most ${maxBytes} bytes of text, got ${bytes}`);
        return raw;
    };
}

export const parseString: Parser<string> = (raw) => raw;

/**
 * A cell given as hex of a BoC, or as a file holding a BoC: binary, hex or
 * base64 text, or a compiled artifact JSON with a `hex` field (build/*.compiled.json).
 * The BoC must have exactly one root.
 */
export function parseCellArg(raw: string, flag = 'cell'): Cell {
    const hexArg = raw.trim().replace(/^0x/i, '');
    let boc: Buffer;
    if (!existsSync(raw) && /^[0-9a-fA-F]+$/.test(hexArg) && hexArg.length % 2 === 0) {
        boc = Buffer.from(hexArg, 'hex');
    } else if (existsSync(raw)) {
        boc = bocFromFileContent(readFileSync(raw), raw, flag);
    } else {
        throw new UsageError(`${flag}: "${raw}" is neither an existing file nor the hex of a BoC`);
    }
    let roots: Cell[];
    try {
        roots = Cell.fromBoc(boc);
    } catch (e) {
        throw new UsageError(`${flag}: not a valid BoC (${(e as Error).message})`);
    }
    if (roots.length !== 1) throw new UsageError(`${flag}: the BoC must have exactly one root cell, it has ${roots.length}`);
    return roots[0];
}

function bocFromFileContent(content: Buffer, file: string, flag: string): Buffer {
    if (content.subarray(0, BOC_MAGIC.length).equals(BOC_MAGIC)) return content;
    const text = content.toString('utf8').trim();
    if (text.startsWith('{')) {
        try {
            const json = JSON.parse(text) as { hex?: unknown };
            if (typeof json.hex === 'string') return Buffer.from(json.hex, 'hex');
        } catch {
            // not JSON: fall through to the error below
        }
        throw new UsageError(`${flag}: ${file} is JSON without a "hex" field`);
    }
    const hex = text.replace(/^0x/i, '');
    if (/^[0-9a-fA-F]+$/.test(hex) && hex.length % 2 === 0) return Buffer.from(hex, 'hex');
    if (/^[A-Za-z0-9+/=_-]+$/.test(text)) return Buffer.from(text, 'base64');
    throw new UsageError(`${flag}: ${file} holds neither a binary BoC nor its hex or base64`);
}

// ---------------------------------------------------------------------------
// Formatting (pure)
// ---------------------------------------------------------------------------

export function formatTon(nano: bigint): string {
    return `${fromNano(nano)} TON`;
}

export function formatHash(h: bigint): string {
    return '0x' + h.toString(16).padStart(HASH_HEX_DIGITS, '0');
}

export function formatAddress(a: Address, testOnly = false): string {
    return a.toString({ testOnly });
}

/** A unix time as ISO 8601 with the raw value: `2027-01-15T08:00:00.000Z (1800000000)`. */
export function formatTime(unix: number): string {
    return `${new Date(unix * 1000).toISOString()} (${unix})`;
}

const DURATION_UNITS: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
];

/** `172800` -> `2d (172800 s)`, `5400` -> `1h 30m (5400 s)`. */
export function formatDuration(seconds: number): string {
    let rest = seconds;
    const parts: string[] = [];
    for (const [unit, size] of DURATION_UNITS) {
        const n = Math.floor(rest / size);
        if (n > 0) parts.push(`${n}${unit}`);
        rest -= n * size;
    }
    return `${parts.length ? parts.join(' ') : '0s'} (${seconds} s)`;
}

export function yesNo(b: boolean): string {
    return b ? 'yes' : 'no';
}

/** `key: value` rows with aligned values. */
export function table(rows: [string, string][], indent = '  '): string[] {
    const width = Math.max(0, ...rows.map(([k]) => k.length));
    return rows.map(([k, v]) => `${indent}${(k + ':').padEnd(width + 1)} ${v}`);
}

/** TL-B constructor name of an opcode (`0xc0c01010` -> `queue_change`). */
export function opName(opcode: number): string {
    const entry = Object.entries(Op).find(([, v]) => v === opcode);
    if (!entry) return `0x${opcode.toString(16)}`;
    return entry[0].replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

/** `exit 134 wrong_owner`: an exit code of wrappers/constants.ts with its SPEC.md name. */
export function exitNote(name: Exclude<keyof typeof Errors, 'cellUnderflow'>): string {
    return `exit ${Errors[name]} ${name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())}`;
}

export function providerStateName(state: number): string {
    return ProviderStateName[state] ?? `unknown (${state})`;
}

/** Metadata cell as quoted text when it is plain UTF-8, else as its hash and size. */
export function describeMeta(meta: Cell): string {
    const s = meta.beginParse();
    if (meta.refs.length === 0 && s.remainingBits % 8 === 0) {
        const bytes = s.loadBuffer(s.remainingBits / 8);
        const text = bytes.toString('utf8');
        // eslint-disable-next-line no-control-regex
        if (Buffer.from(text, 'utf8').equals(bytes) && !/[\u0000-\u001f\u007f]/.test(text)) return JSON.stringify(text);
    }
    return `cell ${meta.hash().toString('hex')} (${meta.bits.length} bits, ${meta.refs.length} refs)`;
}

/** A bitsN field of a generated TL-B value as an unsigned integer. */
export function bitsToBigint(bits: BitString): bigint {
    return beginCell().storeBits(bits).endCell().beginParse().loadUintBig(bits.length);
}

export function paramsRows(p: RootParams, testOnly = false): [string, string][] {
    return [
        ['min stake', formatTon(p.minStake)],
        ['unbonding period', formatDuration(p.unbondingPeriod)],
        ['attestation max age', formatDuration(p.attestationMaxAge)],
        ['timelock delay', formatDuration(p.timelockDelay)],
        ['max models', String(p.maxModels)],
        ['treasury', formatAddress(p.treasury, testOnly)],
        ...(p.jobs ? jobParamsRows(p.jobs, testOnly) : []),
    ];
}

// ---------------------------------------------------------------------------
// Job params (TL-B JobParams): one table drives their flags, printing and checks
// ---------------------------------------------------------------------------

type JobParamKind = 'bps' | 'ton' | 'seconds';

export const JOB_PARAMS: { flag: string; field: keyof JobParams; kind: JobParamKind; help: string }[] = [
    { flag: 'bond-bps', field: 'bondBps', kind: 'bps', help: 'bond locked per job, in basis points of its budget' },
    { flag: 'bond-floor', field: 'bondFloor', kind: 'ton', help: 'smallest bond per job' },
    { flag: 'min-job-duration', field: 'minJobDuration', kind: 'seconds', help: 'shortest job deadline' },
    { flag: 'max-job-duration', field: 'maxJobDuration', kind: 'seconds', help: 'longest job deadline' },
    { flag: 'challenge-window', field: 'challengeWindow', kind: 'seconds', help: 'how long a client may dispute a result' },
    { flag: 'arbitration-period', field: 'arbitrationPeriod', kind: 'seconds', help: 'how long governance has to rule on a dispute' },
    { flag: 'session-grace', field: 'sessionGrace', kind: 'seconds', help: "how long a closing session waits for the provider's claim" },
    { flag: 'protocol-fee-bps', field: 'protocolFeeBps', kind: 'bps', help: 'protocol fee on payments, basis points' },
    { flag: 'slash-client-bps', field: 'slashClientBps', kind: 'bps', help: "harmed client's share of a slash, basis points" },
    { flag: 'slash-reporter-bps', field: 'slashReporterBps', kind: 'bps', help: "reporter's share of a slash, basis points" },
    { flag: 'equivocation-slash-bps', field: 'equivocationSlashBps', kind: 'bps', help: 'stake slashed for equivocation, basis points' },
    { flag: 'dispute-slash-cap-bps', field: 'disputeSlashCapBps', kind: 'bps', help: 'most of a bond a lost dispute slashes, basis points' },
    { flag: 'keeper-reward', field: 'keeperReward', kind: 'ton', help: 'reward of the keeper who triggers a timeout' },
];

const JOB_PARAM_PLACEHOLDER: Record<JobParamKind, string> = { bps: '<bps>', ton: '<TON>', seconds: '<seconds>' };

/**
 * JobParams.rewards (TL-B RewardTerms): where protocol fees go. The three
 * flags go together and must repeat the pool's own schedule (deployRewardPool
 * prints them; showRewards shows the pool's get_pool_config); `--reward-pool
 * none` removes the pool (fees go to the treasury again).
 */
export const REWARD_TERM_FLAGS = {
    pool: {
        name: 'reward-pool',
        value: '<address|none>',
        help: 'reward pool the protocol fees go to (deployRewardPool), with --epoch-genesis and --epoch-length; none: fees go to the treasury',
    },
    genesis: { name: 'epoch-genesis', value: '<unix time>', help: "the reward pool's epoch 0 start (its get_pool_config genesis)" },
    length: {
        name: 'epoch-length',
        value: '<seconds>',
        help: `the reward pool's epoch length (${ParamBounds.epochLengthMin}..${ParamBounds.epochLengthMax})`,
    },
} satisfies Record<string, FlagSpec>;

/** Optional flags for every job param; `context` prefixes their help (e.g. `set-params: `). */
export function jobParamFlags(context = ''): FlagSpec[] {
    return [
        ...JOB_PARAMS.map((j) => ({ name: j.flag, value: JOB_PARAM_PLACEHOLDER[j.kind], help: context + j.help })),
        ...Object.values(REWARD_TERM_FLAGS).map((f) => ({ ...f, help: context + f.help })),
    ];
}

/** A reward pool address, or null for `none`. */
export function parsePoolOrNone(raw: string, flag = 'reward-pool'): Address | null {
    return raw.trim() === 'none' ? null : parseAddress(raw, flag);
}

/**
 * The reward terms given on the command line: undefined when none of the
 * three flags is given (or the script does not take them), `{ rewards:
 * undefined }` for `--reward-pool none`.
 */
export function rewardTermsOverride(args: CliArgs): Pick<JobParams, 'rewards'> | undefined {
    const F = REWARD_TERM_FLAGS;
    if (!Object.values(F).every((f) => args.spec.flags.some((s) => s.name === f.name))) return undefined;
    const pool = args.optional(F.pool.name, parsePoolOrNone);
    const genesis = args.optional(F.genesis.name, parseSeconds);
    const length = args.optional(F.length.name, parseSeconds);
    if (pool === undefined && genesis === undefined && length === undefined) return undefined;
    if (pool === null) {
        if (genesis !== undefined || length !== undefined) throw new UsageError(`--${F.pool.name} none takes no --${F.genesis.name} or --${F.length.name}`);
        return { rewards: undefined };
    }
    if (pool === undefined || genesis === undefined || length === undefined) {
        throw new UsageError(`--${F.pool.name}, --${F.genesis.name} and --${F.length.name} go together (the pool's own schedule, see showRewards)`);
    }
    return { rewards: { pool, epochGenesis: genesis, epochLength: length } };
}

/** The job params given on the command line (parsed and range-checked per field). */
export function jobParamOverrides(args: CliArgs): Partial<JobParams> {
    const overrides: Partial<Record<keyof JobParams, number | bigint>> = {};
    for (const j of JOB_PARAMS) {
        let value: number | bigint | undefined;
        if (j.kind === 'ton') value = args.optional(j.flag, parseTonOrZero);
        else if (j.kind === 'bps') value = args.optional(j.flag, parseUint(0, ParamBounds.bps));
        else value = args.optional(j.flag, parseSeconds);
        if (value !== undefined) overrides[j.field] = value;
    }
    return { ...(overrides as Partial<JobParams>), ...rewardTermsOverride(args) };
}

export function formatBps(bps: number): string {
    return `${bps} bps (${(bps * 100) / ParamBounds.bps}%)`;
}

export function jobParamsRows(jobs: JobParams, testOnly = false): [string, string][] {
    const rows = JOB_PARAMS.map((j): [string, string] => {
        const v = jobs[j.field] as number | bigint;
        const text = j.kind === 'ton' ? formatTon(v as bigint) : j.kind === 'bps' ? formatBps(v as number) : formatDuration(v as number);
        return [`job ${j.flag.replace(/-/g, ' ')}`, text];
    });
    const r = jobs.rewards;
    if (!r) return [...rows, ['job reward pool', 'none (protocol fees go to the treasury)']];
    return [
        ...rows,
        ['job reward pool', formatAddress(r.pool, testOnly)],
        ['job epoch genesis', formatTime(r.epochGenesis)],
        ['job epoch length', formatDuration(r.epochLength)],
    ];
}

/** Bound violations of JobParams (check_job_params in contracts/root/storage.fc), empty when valid. */
export function jobParamsProblems(j: JobParams): string[] {
    const b = ParamBounds;
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
        if (!ok) problems.push(what);
    };
    check(j.bondBps <= b.bps, `bond bps must be at most ${b.bps}`);
    check(j.bondFloor <= b.bondFloorMax, `bond floor must be at most ${formatTon(b.bondFloorMax)}`);
    check(j.bondBps > 0 || j.bondFloor > 0n, 'bond bps or bond floor must be positive');
    check(
        j.minJobDuration >= b.jobDurationMin && j.minJobDuration <= j.maxJobDuration && j.maxJobDuration <= b.jobDurationMax,
        `job durations must satisfy ${b.jobDurationMin} <= min <= max <= ${b.jobDurationMax}`,
    );
    check(j.challengeWindow >= b.challengeWindowMin && j.challengeWindow <= b.challengeWindowMax, `challenge window must be in ${b.challengeWindowMin}..${b.challengeWindowMax}`);
    check(
        j.arbitrationPeriod >= b.arbitrationPeriodMin && j.arbitrationPeriod <= b.arbitrationPeriodMax,
        `arbitration period must be in ${b.arbitrationPeriodMin}..${b.arbitrationPeriodMax}`,
    );
    check(j.sessionGrace >= b.sessionGraceMin && j.sessionGrace <= b.sessionGraceMax, `session grace must be in ${b.sessionGraceMin}..${b.sessionGraceMax}`);
    check(j.protocolFeeBps <= b.protocolFeeBpsMax, `protocol fee must be at most ${b.protocolFeeBpsMax} bps`);
    check(j.slashReporterBps <= b.slashReporterBpsMax, `slash reporter share must be at most ${b.slashReporterBpsMax} bps`);
    check(j.slashClientBps + j.slashReporterBps <= b.bps, `slash client + reporter shares must be at most ${b.bps} bps`);
    check(j.equivocationSlashBps > 0 && j.equivocationSlashBps <= b.bps, `equivocation slash must be in 1..${b.bps} bps`);
    check(j.disputeSlashCapBps <= b.bps, `dispute slash cap must be at most ${b.bps} bps`);
    check(j.keeperReward <= b.keeperRewardMax, `keeper reward must be at most ${formatTon(b.keeperRewardMax)}`);
    if (j.rewards) {
        const r = j.rewards;
        check(r.epochLength >= b.epochLengthMin && r.epochLength <= b.epochLengthMax, `epoch length must be in ${b.epochLengthMin}..${b.epochLengthMax}, got ${r.epochLength}`);
        check(r.pool.workChain === 0, 'the reward pool must be a basechain (workchain 0) address (JobParams keeps only its account hash)');
    }
    return problems;
}

// ---------------------------------------------------------------------------
// Reward pools (scripts deployRewardPool, fundRewards, reportRewards,
// claimRewards, showRewards)
// ---------------------------------------------------------------------------

export const RewardFlags = {
    pool: (help: string, required = false): FlagSpec => ({ name: 'pool', value: '<address>', help, required }),
} satisfies Record<string, (...a: never[]) => FlagSpec>;

export const RewardEntryStateName: Record<number, string> = { 0: 'pending', 1: 'reported', 2: 'counted' };

/** The reward pool at `address`, checked to be deployed. */
export async function openPool(ctx: ScriptContext, address: Address): Promise<OpenedContract<RewardPool>> {
    if (!(await ctx.provider.isContractDeployed(address))) throw new PreflightError(`no reward pool is deployed at ${formatAddress(address, ctx.testOnly)}`);
    return ctx.provider.open(RewardPool.createFromAddress(address));
}

/** The reward pool of a provider's JobParams snapshot (the pool its jobs stamp), if any. */
export async function providerRewardPool(provider: NetworkProvider, address: Address): Promise<Address | undefined> {
    return (await providerJobParams(provider, address))?.rewards?.pool;
}

/** --pool, else the pool of the provider's JobParams; a PreflightError when neither names one. */
export async function poolOfProvider(ctx: ScriptContext, provider: Address): Promise<Address> {
    const given = ctx.args.optional('pool', parseAddress);
    if (given) return given;
    const pool = await providerRewardPool(ctx.provider, provider);
    if (!pool) throw new PreflightError("the provider's JobParams name no reward pool (its jobs pay fees to the treasury): give --pool");
    return pool;
}

/** Entries of the provider's reward book for `pool`, by epoch (the key holds the pool hash without its low 32 bits). */
export function poolEntries(entries: RewardEntry[], pool: Address): RewardEntry[] {
    const prefix = (bufferToBigint(pool.hash) >> 32n) << 32n;
    return entries.filter((e) => e.poolPrefix === prefix).sort((a, b) => a.epoch - b.epoch);
}

/**
 * What the provider will put in one report_rewards (`state` pending, epoch
 * ended: `at` = end) or claim_rewards (`state` counted, claims open: `at` =
 * claim_at) at `now`: it looks at the pool's first RewardLimits.maxScan
 * entries and takes at most RewardLimits.maxRecords (contracts/provider.fc).
 */
export function providerWillSend(entries: RewardEntry[], state: number, now: number): RewardEntry[] {
    return entries
        .slice(0, RewardLimits.maxScan)
        .filter((e) => e.state === state && e.at <= now)
        .slice(0, RewardLimits.maxRecords);
}

export type PoolSnapshot = {
    config: Awaited<ReturnType<RewardPool['getConfig']>>;
    current: number;
    liability: bigint;
    balance: bigint;
    required: { report: bigint; claim: bigint; fund: bigint };
    epochs: (EpochTotals & { epoch: number })[];
};

export async function readPool(provider: NetworkProvider, pool: OpenedContract<RewardPool>): Promise<PoolSnapshot> {
    const [config, current, liability, state, required, live] = await Promise.all([
        pool.getConfig(),
        pool.getCurrentEpoch(),
        pool.getLiability(),
        provider.provider(pool.address).getState(),
        pool.getRequiredValues(),
        pool.getEpochs(),
    ]);
    const numbers = [...live.keys()].sort((a, b) => a - b);
    const epochs = await Promise.all(numbers.map(async (epoch) => ({ epoch, ...(await pool.getEpoch(epoch)) })));
    return { config, current, liability, balance: state.balance, required, epochs };
}

/** Where an epoch is in its life at `now`. */
export function epochPhase(t: { endsAt: number; claimAt: number; claimUntil: number }, now: number): string {
    if (now < t.endsAt) return `open until ${formatTime(t.endsAt)} (fundable)`;
    if (now < t.claimAt) return `ended; reports counted until ${formatTime(t.claimAt)}`;
    if (now < t.claimUntil) return `claimable until ${formatTime(t.claimUntil)}`;
    return 'claim window over: its rest rolls into the current epoch at the next message';
}

/** Everything showRewards prints about a pool. */
export function poolReport(s: PoolSnapshot, address: Address, now: number, testOnly = false): string[] {
    const c = s.config;
    const lines = [
        `Reward pool ${formatAddress(address, testOnly)}`,
        ...table([
            ['root', formatAddress(c.root, testOnly)],
            ['provider code hash', formatHash(c.providerCodeHash)],
            ['job code hash', formatHash(c.jobCodeHash)],
            ['genesis', formatTime(c.genesis)],
            ['epoch length', formatDuration(c.epochLength)],
            ['report grace', formatDuration(c.reportGrace)],
            ['claim window', formatDuration(c.claimWindow)],
            [
                'current epoch',
                `${s.current}: ${formatTime(c.genesis + s.current * c.epochLength)} .. ${formatTime(c.genesis + (s.current + 1) * c.epochLength)}` +
                    (now < c.genesis ? ' (not started: epoch 0 takes everything until its end)' : ''),
            ],
            ['liability', `${formatTon(s.liability)} (funded - paid over live epochs)`],
            ['balance', formatTon(s.balance)],
        ]),
        `Epochs (${s.epochs.length} live):`,
    ];
    if (s.epochs.length === 0) lines.push('    none funded or reported yet');
    for (const e of s.epochs) {
        lines.push(
            `  #${e.epoch}: ${epochPhase(e, now)}`,
            ...table(
                [
                    ['work counted', `${e.work} nanoton settled`],
                    ['funded', formatTon(e.funded)],
                    ['paid', formatTon(e.paid)],
                    ['owed', formatTon(e.funded - e.paid)],
                ],
                '      ',
            ),
        );
    }
    lines.push(
        'Required values (minimum msg value; scripts add a margin of ' + formatTon(FEE_MARGIN) + '):',
        ...table(
            [
                ['fund_rewards', `${formatTon(s.required.fund)} + amount`],
                ['report_usage (pool part)', `${formatTon(s.required.report)} + fees`],
                ['pool_claim (pool part)', formatTon(s.required.claim)],
            ],
            '    ',
        ),
    );
    return lines;
}

/**
 * What an entry of a provider's book is worth now: counted entries by the
 * pool's get_reward_share (0 past the claim window); pending and reported
 * ones as if counted now, their fees added to the epoch's funding and their
 * work to its total (an estimate: later reports and funding change it).
 */
export async function entryEstimate(pool: OpenedContract<RewardPool>, e: RewardEntry, now: number): Promise<{ amount: bigint; note: string }> {
    const t = await pool.getEpoch(e.epoch);
    if (e.state === RewardEntryState.counted) {
        if (now >= t.claimUntil) return { amount: 0n, note: `claim window over at ${formatTime(t.claimUntil)}: pays 0` };
        const amount = await pool.getRewardShare(e.epoch, e.work);
        return { amount, note: now >= e.at ? 'claimable now' : `claimable from ${formatTime(e.at)}` };
    }
    const amount = estimateShare(t, e.work, e.fees);
    const late = now >= t.claimAt;
    if (e.state === RewardEntryState.pending) {
        if (late) return { amount: 0n, note: `late: reported now its fees fund the current epoch and its work earns nothing (reports counted until ${formatTime(t.claimAt)})` };
        if (now < e.at) return { amount, note: `estimate; the epoch ends ${formatTime(e.at)}, then report it (reportRewards) before ${formatTime(t.claimAt)}` };
        return { amount, note: `estimate; report it (reportRewards) before ${formatTime(t.claimAt)}` };
    }
    return { amount, note: "estimate; reported, waiting for the pool's answer" };
}

/** A provider's reward entries of `pool` with their estimates, and the total. */
export async function providerRewardsReport(
    pool: OpenedContract<RewardPool>,
    contract: OpenedContract<Provider>,
    now: number,
    testOnly = false,
): Promise<string[]> {
    const { heldFees, entries } = await contract.getRewards();
    const mine = poolEntries(entries, pool.address);
    const lines = [
        `Provider ${formatAddress(contract.address, testOnly)}: reward entries of this pool (${mine.length}; ${entries.length} in all)`,
        ...table([['fees held for pools', formatTon(heldFees)]], '    '),
    ];
    let counted = 0n;
    let pending = 0n;
    for (const e of mine) {
        const est = await entryEstimate(pool, e, now);
        if (e.state === RewardEntryState.counted) counted += est.amount;
        else pending += est.amount;
        lines.push(
            `  epoch ${e.epoch}: ${RewardEntryStateName[e.state] ?? e.state}`,
            ...table(
                [
                    ['work', `${e.work} nanoton settled`],
                    ['fees', formatTon(e.fees)],
                    [e.state === RewardEntryState.counted ? 'claims open' : 'epoch ends', formatTime(e.at)],
                    ['reward', `${formatTon(est.amount)} (${est.note})`],
                ],
                '      ',
            ),
        );
    }
    lines.push(
        ...table(
            [
                ['counted (claimable or soon)', formatTon(counted)],
                ['pending reward estimate', formatTon(pending)],
            ],
            '    ',
        ),
    );
    return lines;
}

export type DecodedAction = {
    /** TL-B constructor name, e.g. `add_policy`. */
    name: string;
    fields: [string, string][];
};

/** Decodes a TimelockAction cell (contracts/schema.tlb) with the generated codec. */
export function decodeAction(action: Cell, testOnly = false): DecodedAction {
    const a = loadTimelockAction(action.beginParse());
    switch (a.kind) {
        case 'TimelockAction_add_policy':
            return { name: 'add_policy', fields: [['policy_hash', formatHash(bitsToBigint(a.policy_hash))], ['meta', describeMeta(a.meta)]] };
        case 'TimelockAction_add_model':
            return { name: 'add_model', fields: [['model_hash', formatHash(bitsToBigint(a.model_hash))], ['meta', describeMeta(a.meta)]] };
        case 'TimelockAction_add_verifier_key':
            return { name: 'add_verifier_key', fields: [['key', formatHash(bitsToBigint(a.key))]] };
        case 'TimelockAction_set_params':
            // The wrapper's decoder of the Params ref (same layout as the generated one).
            return { name: 'set_params', fields: paramsRows(paramsFromCell(action.refs[0]), testOnly) };
        case 'TimelockAction_upgrade_root_code':
            return { name: 'upgrade_root_code', fields: [['code hash', a.code.hash().toString('hex')]] };
        case 'TimelockAction_set_guardian':
            return { name: 'set_guardian', fields: [['guardian', formatAddress(a.guardian, testOnly)]] };
        case 'TimelockAction_set_attestation_modes':
            return { name: 'set_attestation_modes', fields: [['modes', formatModes(a.modes)]] };
        case 'TimelockAction_set_quote_verifier':
            return { name: 'set_quote_verifier', fields: [['verifier', formatAddress(a.verifier, testOnly)]] };
        case 'TimelockAction_add_pck_key':
            return { name: 'add_pck_key', fields: [['x', formatHash(a.x)], ['y', formatHash(a.y)]] };
    }
}

/** Attestation modes as names (`statement+quote`), or `none`. */
export function formatModes(modes: number): string {
    const names = (Object.keys(Mode) as (keyof typeof Mode)[]).filter((k) => k !== 'all' && (modes & Mode[k]) !== 0);
    const unknown = modes & ~Mode.all;
    return [...names, ...(unknown ? [`unknown bits 0x${unknown.toString(16)}`] : [])].join('+') || 'none';
}

export function describeAction(action: Cell, testOnly = false, indent = '  '): string[] {
    const d = decodeAction(action, testOnly);
    return [`${indent}action: ${d.name}`, ...table(d.fields, indent + '  ')];
}

/** Bound violations of a Params value (contracts/common/params.fc), empty when valid. */
export function paramsProblems(p: RootParams): string[] {
    const b = ParamBounds;
    const problems: string[] = [];
    if (p.minStake < b.minStakeFloor || p.minStake > b.minStakeCeiling) {
        problems.push(`min stake must be in ${formatTon(b.minStakeFloor)}..${formatTon(b.minStakeCeiling)}`);
    }
    const ranges: [string, number, number, number][] = [
        ['unbonding period', p.unbondingPeriod, b.unbondingPeriodMin, b.unbondingPeriodMax],
        ['attestation max age', p.attestationMaxAge, b.attestationMaxAgeMin, b.attestationMaxAgeMax],
        ['timelock delay', p.timelockDelay, b.timelockDelayMin, b.timelockDelayMax],
        ['max models', p.maxModels, 1, b.maxModelsCeiling],
    ];
    for (const [what, v, min, max] of ranges) {
        if (v < min || v > max) problems.push(`${what} must be in ${min}..${max}, got ${v}`);
    }
    if (p.treasury.workChain !== 0) problems.push('the treasury must be a basechain (workchain 0) address');
    if (p.jobs) problems.push(...jobParamsProblems(p.jobs));
    return problems;
}

/** What a message will carry, printed before it is sent. */
export type MessagePlan = {
    opcode: number;
    from?: Address;
    to: Address;
    toLabel: string;
    value: bigint;
    /** How the value is made up, e.g. `required 0.01 TON + margin 0.05 TON`. */
    valueNote?: string;
    fields: [string, string][];
    extra?: string[];
};

export function describeMessage(m: MessagePlan, testOnly = false): string[] {
    return [
        `Message ${opName(m.opcode)} (op 0x${m.opcode.toString(16)})`,
        ...table([
            ...(m.from ? ([['from', formatAddress(m.from, testOnly)]] as [string, string][]) : []),
            ['to', `${formatAddress(m.to, testOnly)} (${m.toLabel})`],
            ['value', formatTon(m.value) + (m.valueNote ? ` (${m.valueNote})` : '')],
            ...m.fields,
        ]),
        ...(m.extra ?? []),
    ];
}

/** The value to attach: what the contract requires plus FEE_MARGIN, with its breakdown. */
export function withMargin(required: bigint, onTop = 0n, onTopLabel = ''): { value: bigint; note: string } {
    const parts = [...(onTop > 0n ? [`${onTopLabel} ${formatTon(onTop)}`] : []), `required fees ${formatTon(required)}`, `margin ${formatTon(FEE_MARGIN)}`];
    return { value: onTop + required + FEE_MARGIN, note: parts.join(' + ') };
}

/** Allowlists of a root, decoded from its storage (there are no getters that enumerate them). */
export function describeAllowlists(data: Cell, indent = '  '): string[] {
    const s = loadRootStorage(data.beginParse());
    const lines: string[] = [];
    const section = (title: string, entries: [bigint, string | null][]) => {
        lines.push(`${indent}${title} (${entries.length}):`);
        for (const [k, meta] of entries) lines.push(`${indent}  ${formatHash(k)}${meta === null ? '' : ' ' + meta}`);
    };
    const label = (meta: Cell) => (meta.bits.length === 0 && meta.refs.length === 0 ? null : describeMeta(meta));
    section('allowlisted policies', s.trust.policies.keys().map((k) => [k, label(s.trust.policies.get(k)!)]));
    section('allowlisted models', s.trust.models.keys().map((k) => [k, label(s.trust.models.get(k)!)]));
    section('trusted verifier keys', s.trust.verifier_keys.keys().map((k) => [k, null]));
    return lines;
}

// ---------------------------------------------------------------------------
// Running a script
// ---------------------------------------------------------------------------

export type ScriptContext = {
    provider: NetworkProvider;
    ui: UIProvider;
    args: CliArgs;
    /** Addresses print in testnet form on testnet. */
    testOnly: boolean;
    /** --dry-run was given: print the message instead of sending it. */
    dryRun: boolean;
    /** ui.write for each line. */
    print: (...lines: string[]) => void;
};

/**
 * Parses the arguments and runs `main`. On a UsageError (a missing or
 * malformed flag) it prints the error and the usage, then rethrows; on a
 * PreflightError it prints the error and rethrows. Nothing is sent before
 * `main` has parsed its flags.
 */
export async function runScript(
    provider: NetworkProvider,
    spec: ScriptSpec,
    argv: string[],
    main: (ctx: ScriptContext) => Promise<void>,
): Promise<void> {
    const ui = provider.ui();
    const print = (...lines: string[]) => lines.forEach((l) => ui.write(l));
    try {
        const args = parseArgs(spec, argv);
        if (args.has(Flags.help.name)) {
            print(usage(spec));
            return;
        }
        const dryRun = spec.flags.some((f) => f.name === Flags.dryRun.name) && args.has(Flags.dryRun.name);
        await main({ provider, ui, args, testOnly: provider.network() === 'testnet', dryRun, print });
    } catch (e) {
        if (e instanceof UsageError) print(`error: ${e.message}`, usage(spec));
        else if (e instanceof PreflightError) print(`error: ${e.message}`);
        throw e;
    }
}

export function senderAddress(provider: NetworkProvider): Address {
    const a = provider.sender().address;
    if (!a) throw new PreflightError('the sender has no address (connect a wallet first)');
    return a;
}

export function pollIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
    const raw = env[POLL_INTERVAL_ENV];
    if (raw === undefined || raw === '') return DEFAULT_POLL_INTERVAL_MS;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${POLL_INTERVAL_ENV} must be a whole number of milliseconds, got "${raw}"`);
    return n;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns a value (not undefined), at most
 * POLL_ATTEMPTS times, POLL_INTERVAL_ENV / DEFAULT_POLL_INTERVAL_MS apart.
 * A probe that throws (e.g. a getter of a contract not deployed yet) counts
 * as "not yet". Throws with `hint` when the attempts run out.
 */
export async function waitFor<T>(
    ui: UIProvider,
    what: string,
    probe: () => Promise<T | undefined>,
    hint = '',
    attempts = POLL_ATTEMPTS,
): Promise<T> {
    const interval = pollIntervalMs();
    let lastError: unknown;
    for (let i = 1; i <= attempts; i++) {
        ui.setActionPrompt(`Waiting for ${what} [${i}/${attempts}]`);
        try {
            const v = await probe();
            if (v !== undefined) {
                ui.clearActionPrompt();
                return v;
            }
        } catch (e) {
            lastError = e;
        }
        if (i < attempts) await sleep(interval);
    }
    ui.clearActionPrompt();
    const cause = lastError instanceof Error ? ` (last getter error: ${lastError.message})` : '';
    throw new Error(`gave up waiting for ${what} after ${attempts} tries${cause}.${hint ? ' ' + hint : ''}`);
}

/** Logical time of the last transaction of an account (0 when it has none). */
export async function lastLt(cp: ContractProvider): Promise<bigint> {
    return (await cp.getState()).last?.lt ?? 0n;
}

/**
 * Sends a wrapper-built body through the wrapper's `sendBody`, or with
 * --dry-run prints it (base64 and hex BoC) instead. Returns whether it sent.
 */
export async function sendOrPrint(
    ctx: ScriptContext,
    plan: MessagePlan,
    body: Cell,
    send: (body: Cell) => Promise<void>,
): Promise<boolean> {
    ctx.print(...describeMessage(plan, ctx.testOnly));
    if (ctx.dryRun) {
        ctx.print(
            'Dry run: not sent. To send it from another wallet (e.g. a multisig order):',
            ...table([
                ['destination', formatAddress(plan.to, ctx.testOnly)],
                ['value', formatTon(plan.value)],
                ['body (base64 BoC)', body.toBoc().toString('base64')],
                ['body (hex BoC)', body.toBoc().toString('hex')],
            ]),
        );
        return false;
    }
    await send(body);
    ctx.print('Sent. Waiting for the effect on chain...');
    return true;
}

// ---------------------------------------------------------------------------
// Chain reads shared by several scripts
// ---------------------------------------------------------------------------

export type ChangeEntry = { id: number; eta: number; action: Cell };

/**
 * The pending timelocked changes, found by the get_change getter from
 * next_change_id down (pending_count says how many to find), inspecting at
 * most MAX_CHANGE_SCAN ids. `complete` is false when the scan stopped early.
 */
export async function pendingChanges(root: OpenedContract<Root>): Promise<{ changes: ChangeEntry[]; complete: boolean }> {
    const data = await root.getRootData();
    const changes: ChangeEntry[] = [];
    const lowest = Math.max(0, data.nextChangeId - MAX_CHANGE_SCAN);
    for (let id = data.nextChangeId - 1; id >= lowest && changes.length < data.pendingCount; id--) {
        const c = await root.getChange(id);
        if (c) changes.push({ id, ...c });
    }
    return { changes: changes.reverse(), complete: changes.length === data.pendingCount };
}

/** Everything showRoot prints; also printed by governance scripts after their effect. */
export async function rootReport(provider: NetworkProvider, root: OpenedContract<Root>, testOnly: boolean): Promise<string[]> {
    const [data, params, required, jobRequired, state] = await Promise.all([
        root.getRootData(),
        root.getParams(),
        root.getRequiredValues(),
        root.getJobRequiredValues(),
        provider.provider(root.address).getState(),
    ]);
    const lines = [
        `Root ${formatAddress(root.address, testOnly)}`,
        ...table([
            ['version', String(data.version)],
            ['paused', yesNo(data.paused)],
            ['governance', formatAddress(data.governance, testOnly)],
            ['guardian', formatAddress(data.guardian, testOnly)],
            ['pending governance', data.pendingGovernance ? formatAddress(data.pendingGovernance, testOnly) : 'none'],
            ['balance', formatTon(state.balance)],
        ]),
        'Params:',
        ...table(paramsRows(params, testOnly), '    '),
    ];
    if (state.state.type === 'active' && state.state.data) {
        try {
            lines.push('Trust:', ...describeAllowlists(Cell.fromBoc(state.state.data)[0], '    '));
        } catch (e) {
            lines.push(`Trust: storage not in the RootStorage layout of contracts/schema.tlb (${(e as Error).message})`);
        }
    }
    const { changes, complete } = await pendingChanges(root);
    lines.push(`Pending changes (${data.pendingCount} pending, next id ${data.nextChangeId}):`);
    for (const c of changes) {
        lines.push(
            `  #${c.id}: executable from ${formatTime(c.eta)} until ${formatTime(c.eta + ParamBounds.timelockGracePeriod)}`,
            ...describeAction(c.action, testOnly, '    '),
        );
    }
    if (!complete) lines.push(`  (only ids ${Math.max(0, data.nextChangeId - MAX_CHANGE_SCAN)}..${data.nextChangeId - 1} inspected)`);
    lines.push(
        'Required values (minimum msg value; scripts add a margin of ' + formatTon(FEE_MARGIN) + '):',
        ...table(
            [
                ['register_provider', `${formatTon(required.registerProvider)} + stake`],
                ['reattest_provider', formatTon(required.reattestProvider)],
                ['update_provider_models', formatTon(required.updateProviderModels)],
                ['check_provider', formatTon(required.checkProvider)],
                ['governance ops', formatTon(required.governanceOp)],
                ['resolve_dispute', formatTon(required.resolveDispute)],
                ['create_job', `${formatTon(jobRequired.createJob)} + budget`],
                ['submit_result', formatTon(jobRequired.submitResult)],
                ['claim_session', formatTon(jobRequired.claimSession)],
                ['confirm/settle/expire job', formatTon(jobRequired.closeJob)],
                ['cancel/dispute/close job', formatTon(jobRequired.clientOp)],
            ],
            '    ',
        ),
    );
    return lines;
}

/** Everything showProvider prints; also printed by operator scripts after their effect. */
export async function providerReport(
    provider: NetworkProvider,
    contract: OpenedContract<Provider>,
    testOnly: boolean,
): Promise<string[]> {
    const header = `Provider ${formatAddress(contract.address, testOnly)}`;
    if (!(await provider.isContractDeployed(contract.address))) {
        return [header, '  not deployed: no provider was ever registered at this address'];
    }
    const data = await contract.getProviderData();
    const identity: [string, string][] = [
        ['root', formatAddress(data.root, testOnly)],
        ['owner', formatAddress(data.owner, testOnly)],
        ['state', providerStateName(data.state)],
    ];
    if (data.state === ProviderState.uninit) return [header, ...table(identity), '  not registered'];
    const [balance, att, offer, models, params, jobs] = await Promise.all([
        contract.getBalance(),
        contract.getAttestation(),
        contract.getOffer(),
        contract.getModels(),
        contract.getProviderParams(),
        contract.getProviderJobs(),
    ]);
    return [
        header,
        ...table([
            ...identity,
            ['stake', formatTon(data.stake)],
            ['eligible', yesNo(data.eligible)],
            ['revoked', yesNo(data.revoked)],
            ['unbond at', data.state === ProviderState.unbonding ? formatTime(data.unbondAt) : '-'],
            ['balance', formatTon(balance)],
        ]),
        'Jobs:',
        ...table(
            [
                ['open jobs', String(jobs.openJobs)],
                ['locked in bonds', formatTon(jobs.locked)],
                ['completed', String(jobs.completed)],
                ['failed', String(jobs.failed)],
                ['slashed', formatTon(jobs.slashed)],
                ['tombstoned', yesNo(jobs.tombstoned) + (jobs.tombstoned ? ' (slashed for equivocation: never eligible again)' : '')],
            ],
            '    ',
        ),
        'Attestation:',
        ...table(
            [
                ['policy hash', formatHash(att.policyHash)],
                ['operator key', formatHash(att.operatorKey)],
                ['encryption key', formatHash(att.encryptionKey)],
                ['verifier key', formatHash(att.verifierKey)],
                ['attested at', formatTime(att.attestedAt)],
                ['expires at', formatTime(att.expiresAt)],
            ],
            '    ',
        ),
        'Offer:',
        ...table(
            [
                ['price per unit', `${offer.pricePerUnit} nanoton (${formatTon(offer.pricePerUnit)})`],
                ['endpoint', offer.endpoint],
            ],
            '    ',
        ),
        `Models (${models.length}):`,
        ...models.map((m) => `    ${formatHash(m)}`),
        'Params snapshot:',
        ...table(
            [
                ['min stake', formatTon(params.minStake)],
                ['unbonding period', formatDuration(params.unbondingPeriod)],
                ['root version', String(params.rootVersion)],
            ],
            '    ',
        ),
    ];
}

/** Throws a PreflightError unless the sender is `expected` (one of them). */
export function requireSender(sender: Address, expected: { who: string; address: Address }[], action: string): void {
    if (expected.some((e) => e.address.equals(sender))) return;
    const who = expected.map((e) => `${e.who} ${e.address.toString()}`).join(' or ');
    throw new PreflightError(`${action} must be sent by ${who}; the sender is ${sender.toString()}`);
}

export async function requireDeployed(provider: NetworkProvider, address: Address, what: string): Promise<void> {
    if (!(await provider.isContractDeployed(address))) {
        throw new PreflightError(`no ${what} is deployed at ${address.toString()}`);
    }
}

/** The root at --root, checked to be deployed. */
export async function openRoot(ctx: ScriptContext): Promise<OpenedContract<Root>> {
    const address = ctx.args.required(Flags.root.name, parseAddress);
    await requireDeployed(ctx.provider, address, 'contract');
    return ctx.provider.open(Root.createFromAddress(address));
}

/** Flags that name a provider: --provider, or --root with --owner. */
export const ProviderFlags = {
    provider: { name: 'provider', value: '<address>', help: 'the provider contract (instead of --root)' },
    root: { ...Flags.root, required: false, help: 'the Cocoon root; the provider is the one of the owner' },
    owner: (defaultsToSender: boolean): FlagSpec => ({
        name: 'owner',
        value: '<address>',
        help: defaultsToSender ? "the provider's owner, with --root (default: the sender)" : "the provider's owner, with --root",
    }),
} satisfies Record<string, FlagSpec | ((b: boolean) => FlagSpec)>;

/**
 * The provider named by --provider, or by --root and the owner (--owner when
 * the script has that flag, else the sender). Its root comes from --root or,
 * with --provider, from the provider's own data (null if it is not deployed).
 */
export async function resolveProvider(
    ctx: ScriptContext,
    ownerDefaultsToSender: boolean,
): Promise<{ contract: OpenedContract<Provider>; root: OpenedContract<Root> | null }> {
    const hasFlag = (name: string) => ctx.args.spec.flags.some((f) => f.name === name);
    const hasOwnerFlag = hasFlag('owner');
    const providerAddress = hasFlag(ProviderFlags.provider.name) ? ctx.args.optional(ProviderFlags.provider.name, parseAddress) : undefined;
    const rootAddress = ctx.args.optional(Flags.root.name, parseAddress);
    const owner = hasOwnerFlag ? ctx.args.optional('owner', parseAddress) : undefined;
    if (providerAddress && (rootAddress || owner)) {
        throw new UsageError(`give either --provider or --root${hasOwnerFlag ? ' (with --owner)' : ''}, not both`);
    }
    if (providerAddress) {
        const contract = ctx.provider.open(Provider.createFromAddress(providerAddress));
        if (!(await ctx.provider.isContractDeployed(providerAddress))) return { contract, root: null };
        const data = await contract.getProviderData();
        return { contract, root: ctx.provider.open(Root.createFromAddress(data.root)) };
    }
    if (!rootAddress) throw new UsageError('missing --provider or --root');
    const resolvedOwner = owner ?? (ownerDefaultsToSender ? senderAddress(ctx.provider) : undefined);
    if (!resolvedOwner) throw new UsageError('missing required flag --owner (with --root)');
    await requireDeployed(ctx.provider, rootAddress, 'contract');
    const root = ctx.provider.open(Root.createFromAddress(rootAddress));
    const address = await root.getProviderAddress(resolvedOwner);
    return { contract: ctx.provider.open(Provider.createFromAddress(address)), root };
}

/**
 * The provider named on the command line (see resolveProvider), its root and
 * its data; a PreflightError when it was never registered.
 */
export async function resolveRegisteredProvider(ctx: ScriptContext, ownerDefaultsToSender: boolean) {
    const { contract, root } = await resolveProvider(ctx, ownerDefaultsToSender);
    if (!root || !(await ctx.provider.isContractDeployed(contract.address))) {
        throw new PreflightError(`no provider is registered at ${contract.address.toString()}`);
    }
    const data = await contract.getProviderData();
    if (data.state === ProviderState.uninit) {
        throw new PreflightError(`the provider at ${contract.address.toString()} is not registered`);
    }
    return { contract, root, data };
}

/**
 * The value of an owner operation on a provider (top_up on top of the amount,
 * request_unbond, withdraw_stake). The provider has no required-values getter;
 * its owner operations are local handlers (fee::local) like the root's
 * governance operations, with less gas (gas::provider_owner_op <
 * gas::root_admin in contracts/common/gas.fc), so the root's governanceOp
 * value is an upper bound. The provider returns what it does not use.
 */
export async function providerOpRequired(root: OpenedContract<Root>): Promise<bigint> {
    return (await root.getRequiredValues()).governanceOp;
}

/** How to run a follow-up script on the same network, e.g. for "execute it after the eta". */
export function commandLine(ctx: ScriptContext, script: string, flags: string): string {
    const network = ctx.provider.network();
    const networkFlag = network === 'testnet' || network === 'mainnet' ? ` --${network}` : '';
    return `npx blueprint run ${script}${networkFlag} --mnemonic -- ${flags}`;
}

/** What a revocation or a keeper's check_provider is about (command-line names). */
export const REVOCATION_KINDS = ['policy', 'model', 'verifier-key'] as const;
export type RevocationKind = (typeof REVOCATION_KINDS)[number];

/** The wrapper's RevocationSubject for a command-line kind. */
export function revocationSubject(kind: RevocationKind, hash: bigint): RevocationSubject {
    return { kind: kind === 'verifier-key' ? 'verifierKey' : kind, hash };
}

/** Whether the root currently lists `hash` as an allowed policy/model or trusted verifier key. */
export async function isListed(root: OpenedContract<Root>, kind: RevocationKind, hash: bigint): Promise<boolean> {
    switch (kind) {
        case 'policy':
            return root.getPolicyAllowed(hash);
        case 'model':
            return root.getModelAllowed(hash);
        case 'verifier-key':
            return root.getVerifierTrusted(hash);
    }
}

/** --statement: a verifier-signed SignedStatement cell (attestation/statement.ts). */
export const StatementArg = {
    flag: {
        name: 'statement',
        value: '<file|hex>',
        help: 'the SignedStatement cell from an attestation verifier: a BoC file (binary, hex or base64) or its hex',
        required: true,
    } satisfies FlagSpec,
    parse(raw: string, flag: string): { cell: Cell; parsed: ParsedSignedStatement } {
        const cell = parseCellArg(raw, flag);
        try {
            return { cell, parsed: parseSignedStatement(cell) };
        } catch (e) {
            if (isAttestationError(e)) throw new UsageError(`${flag}: not a SignedStatement (${e.message})`);
            throw e;
        }
    },
};

/**
 * What the root would refuse in a statement, as far as it can be checked off
 * chain (the chain's clock cannot: the root also requires issued_at <= now <
 * expires_at). `owner` null skips the owner check (a dry run from another wallet).
 */
export async function statementProblems(
    root: OpenedContract<Root>,
    parsed: ParsedSignedStatement,
    cell: Cell,
    owner: Address | null,
    data: RootData,
    params: RootParams,
): Promise<string[]> {
    const st = parsed.statement;
    const problems: string[] = [];
    const verifierKey = bufferToBigint(parsed.verifierKey);
    const policyHash = bufferToBigint(st.policyHash);
    if (data.paused) problems.push(`the root is paused (${exitNote('paused')})`);
    if (!st.root.equals(root.address)) problems.push(`the statement is for root ${st.root.toString()}, not this root (${exitNote('wrongRoot')})`);
    if (owner && !st.owner.equals(owner)) {
        problems.push(`the statement is for owner ${st.owner.toString()}, but the sender is ${owner.toString()} (${exitNote('wrongOwner')})`);
    }
    if (!(await root.getVerifierTrusted(verifierKey))) problems.push(`verifier key ${formatHash(verifierKey)} is not trusted by the root (${exitNote('untrustedVerifier')})`);
    try {
        verifySignedStatement(cell, [parsed.verifierKey]);
    } catch (e) {
        problems.push(`the statement does not verify: ${(e as Error).message} (${exitNote('badSignature')})`);
    }
    if (st.expiresAt - st.issuedAt > params.attestationMaxAge) {
        problems.push(
            `the statement lives ${formatDuration(st.expiresAt - st.issuedAt)}, more than the attestation max age ${formatDuration(params.attestationMaxAge)} (${exitNote('statementLifetimeTooLong')})`,
        );
    }
    if (!(await root.getPolicyAllowed(policyHash))) problems.push(`policy ${formatHash(policyHash)} is not allowlisted (${exitNote('policyNotAllowed')})`);
    return problems;
}

/** A whole number in [0, max] as a bigint (uint64 nonces and the like). */
export function parseBigUint(max: bigint): Parser<bigint> {
    return (raw, flag) => {
        if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${flag}: expected a whole number, got "${raw}"`);
        const n = BigInt(raw.trim());
        if (n > max) throw new UsageError(`${flag}: expected a number in 0..${max}, got "${raw}"`);
        return n;
    };
}

/** Largest uint64 (job nonces). */
export const UINT64_MAX = (1n << 64n) - 1n;

// Imports of the job helpers below (kept with them, so that this section is self-contained).
import { createHash } from 'crypto';
import { KeyPair, keyPairFromSecretKey, sign, signVerify } from '@ton/crypto';
import { Transaction } from '@ton/core';
import { Job, JobProgressView, JobStateView, JobTermsView } from '../wrappers/Job';
import { JobRequiredValues } from '../wrappers/Root';
import { JobState, JobStateName } from '../wrappers/constants';
import { JobParams as TlbJobParams, loadJobStorage, loadProviderStorage } from '../wrappers/generated/schema';

// ---------------------------------------------------------------------------
// Jobs: flags, secrets, the job report, what can happen next, sending a job
// message and reading how the job answered it
// ---------------------------------------------------------------------------

/**
 * Environment variable with the unix time the scripts' timing pre-checks use
 * (deadlines, challenge windows, grace periods) and `--deadline +<seconds>`
 * counts from. Default: this machine's clock (the chain's clock follows it
 * within seconds). The sandbox tests set it to the sandbox's clock.
 */
export const NOW_ENV = 'COCOON_NOW';
/** Environment variable with the operator's ed25519 secret key (hex), instead of --operator-secret. */
export const OPERATOR_SECRET_ENV = 'COCOON_OPERATOR_SECRET';
/** Environment variable with the client's ed25519 secret key (hex), instead of --client-secret. */
export const CLIENT_SECRET_ENV = 'COCOON_CLIENT_SECRET';
/** Bytes of an ed25519 secret key as @ton/crypto (tweetnacl) stores it: the 32-byte seed, then the public key. */
export const ED25519_SECRET_BYTES = 64;
export const ED25519_PUBLIC_BYTES = 32;
/** How many of a job's latest transactions are read to find how it answered a message. */
const JOB_TX_SCAN = 16;

/** The current unix time of the pre-checks: NOW_ENV, else this machine's clock. */
export function currentTime(env: NodeJS.ProcessEnv = process.env): number {
    const raw = env[NOW_ENV];
    if (raw === undefined || raw === '') return Math.floor(Date.now() / 1000);
    if (!/^\d+$/.test(raw.trim())) throw new Error(`${NOW_ENV} must be a unix time in seconds, got "${raw}"`);
    return Number(raw.trim());
}

/** `<unix time>`, or `+<seconds>` from `now`. */
export function parseDeadline(now: number): Parser<number> {
    return (raw, flag) => {
        const m = /^(\+)?(\d+)$/.exec(raw.trim());
        if (!m) throw new UsageError(`${flag}: expected a unix time or +<seconds> from now, got "${raw}"`);
        const t = m[1] ? now + Number(m[2]) : Number(m[2]);
        if (!Number.isSafeInteger(t) || t > UINT32_MAX) throw new UsageError(`${flag}: the time does not fit a uint32, got "${raw}"`);
        return t;
    };
}

/** Exactly `bytes` bytes as hex (optional 0x). */
export function parseHexBytes(bytes: number, what: string): Parser<Buffer> {
    return (raw, flag) => {
        const hex = raw.trim().replace(/^0x/i, '');
        if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(hex)) {
            throw new UsageError(`${flag}: expected ${what} (${bytes * 2} hex digits, optional 0x), got ${raw.length} characters`);
        }
        return Buffer.from(hex, 'hex');
    };
}

export const parseEd25519Public: Parser<Buffer> = parseHexBytes(ED25519_PUBLIC_BYTES, 'a 32-byte ed25519 public key');

/**
 * A 64-byte ed25519 secret key (seed then public key, as @ton/crypto keeps
 * it); its two halves must belong together. Error messages never echo the key.
 */
export function parseEd25519Secret(raw: string, flag: string): KeyPair {
    const secretKey = parseHexBytes(ED25519_SECRET_BYTES, 'a 64-byte ed25519 secret key')(raw, flag);
    const keys = keyPairFromSecretKey(secretKey);
    const probe = Buffer.from('cocoon key check');
    if (!signVerify(probe, sign(probe, keys.secretKey), keys.publicKey)) {
        throw new UsageError(`${flag}: the last 32 bytes of the secret key are not the public key of its first 32 (a corrupted key?)`);
    }
    return keys;
}

/**
 * A secret key from `--<flag>` or, when the flag is absent, from the
 * environment variable `envName` (safer: not in the shell history or the
 * process list). `source` says where it came from; undefined when neither is set.
 */
export function secretKeyArg(
    args: CliArgs,
    flag: string,
    envName: string,
    env: NodeJS.ProcessEnv = process.env,
): { keys: KeyPair; source: string } | undefined {
    const fromFlag = args.optional(flag, parseEd25519Secret);
    if (fromFlag) return { keys: fromFlag, source: `--${flag}` };
    const raw = env[envName];
    if (raw === undefined || raw.trim() === '') return undefined;
    return { keys: parseEd25519Secret(raw, envName), source: `$${envName}` };
}

/** --reason: 64 hex digits are the reason hash itself; any other text is hashed (SHA-256 of its UTF-8 bytes). */
export function parseReason(raw: string, flag: string): { hash: bigint; note: string } {
    if (raw.length === 0) throw new UsageError(`${flag}: the reason must not be empty`);
    if (/^(0x)?[0-9a-fA-F]{64}$/.test(raw.trim())) return { hash: parseHash(raw, flag), note: 'given as a hash' };
    const hash = BigInt('0x' + createHash('sha256').update(raw, 'utf8').digest('hex'));
    return { hash, note: `SHA-256 of the text ${JSON.stringify(raw)}` };
}

/** The content of an existing file (an encrypted request or result). */
export function readFileArg(raw: string, flag: string): Buffer {
    if (!existsSync(raw)) throw new UsageError(`${flag}: no such file "${raw}"`);
    return readFileSync(raw);
}

/** SHA-256 of a payload as the uint256 the contracts store (sdk/jobs.ts `commitment`). */
export function sha256Commitment(payload: Buffer): bigint {
    return BigInt('0x' + createHash('sha256').update(payload).digest('hex'));
}

export const JobFlags = {
    job: { name: 'job', value: '<address>', help: 'the job contract (createJob prints it)', required: true },
} satisfies Record<string, FlagSpec>;

export function jobStateName(state: number): string {
    return JobStateName[state] ?? `unknown (${state})`;
}

/** `exit 205 window_open`, for any exit code (TVM codes and unknown codes by number). */
export function exitCodeNote(code: number): string {
    const entry = Object.entries(Errors).find(([, v]) => v === code);
    if (!entry || entry[0] === 'cellUnderflow') return `exit ${code}${code === 9 ? ' (cell underflow)' : code === 7 ? ' (type check error)' : ''}`;
    return `exit ${code} ${entry[0].replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())}`;
}

/** Everything the job's getters (and its storage, for the params snapshot) say. */
export type JobSnapshot = {
    address: Address;
    state: JobStateView;
    parties: { root: Address; client: Address; nonce: bigint; provider: Address | null };
    request: { modelHash: bigint; maxPrice: bigint; requestCommitment: bigint; clientKey: bigint };
    terms: JobTermsView;
    progress: JobProgressView;
    balance: bigint;
    /** The job params the job applies (its provider's snapshot, from the terms); null before acceptance. */
    params: JobParams | null;
};

/** Converts the generated TL-B JobParams into the wrappers' JobParams. */
export function jobParamsFromTlb(j: TlbJobParams): JobParams {
    return {
        bondBps: j.bond_bps,
        bondFloor: j.bond_floor.grams,
        minJobDuration: j.min_job_duration,
        maxJobDuration: j.max_job_duration,
        challengeWindow: j.challenge_window,
        arbitrationPeriod: j.arbitration_period,
        sessionGrace: j.session_grace,
        protocolFeeBps: j.protocol_fee_bps,
        slashClientBps: j.slash_client_bps,
        slashReporterBps: j.slash_reporter_bps,
        equivocationSlashBps: j.equivocation_slash_bps,
        disputeSlashCapBps: j.dispute_slash_cap_bps,
        keeperReward: j.keeper_reward.grams,
        ...(j.rewards.kind === 'Maybe_just'
            ? {
                  rewards: {
                      pool: new Address(0, Buffer.from(bitsToBigint(j.rewards.value.pool).toString(16).padStart(64, '0'), 'hex')),
                      epochGenesis: j.rewards.value.epoch_genesis,
                      epochLength: j.rewards.value.epoch_length,
                  },
              }
            : {}),
    };
}

/** The job params in a job's storage (TL-B JobStorage: terms -> ProviderParams -> JobParams); null without terms. */
async function jobParamsOfJob(provider: NetworkProvider, address: Address): Promise<JobParams | null> {
    const st = await provider.provider(address).getState();
    if (st.state.type !== 'active' || !st.state.data) return null;
    try {
        const s = loadJobStorage(Cell.fromBoc(st.state.data)[0].beginParse());
        return s.terms.kind === 'Maybe_just' ? jobParamsFromTlb(s.terms.value.params.jobs) : null;
    } catch {
        return null; // not the JobStorage layout (e.g. uninit): the getters still answer
    }
}

/** The job params snapshot a provider applies to offers (TL-B ProviderStorage); null when unreadable. */
export async function providerJobParams(provider: NetworkProvider, address: Address): Promise<JobParams | null> {
    const st = await provider.provider(address).getState();
    if (st.state.type !== 'active' || !st.state.data) return null;
    try {
        return jobParamsFromTlb(loadProviderStorage(Cell.fromBoc(st.state.data)[0].beginParse()).params.jobs);
    } catch {
        return null;
    }
}

export async function readJob(provider: NetworkProvider, job: OpenedContract<Job>): Promise<JobSnapshot> {
    const [state, parties, request, terms, progress, balance, params] = await Promise.all([
        job.getJobState(),
        job.getJobParties(),
        job.getJobRequest(),
        job.getJobTerms(),
        job.getJobProgress(),
        job.getBalance(),
        jobParamsOfJob(provider, job.address),
    ]);
    return { address: job.address, state, parties, request, terms, progress, balance, params };
}

/**
 * The job at --job, checked to be deployed and created, with a snapshot of
 * it, its root and the root's required values of job messages.
 */
export async function openJob(ctx: ScriptContext): Promise<{
    job: OpenedContract<Job>;
    snap: JobSnapshot;
    root: OpenedContract<Root>;
    required: JobRequiredValues;
}> {
    const address = ctx.args.required(JobFlags.job.name, parseAddress);
    await requireDeployed(ctx.provider, address, 'job');
    const job = ctx.provider.open(Job.createFromAddress(address));
    let snap: JobSnapshot;
    try {
        snap = await readJob(ctx.provider, job);
    } catch (e) {
        throw new PreflightError(`the contract at ${address.toString()} does not answer the job getters (${(e as Error).message}): not a job?`);
    }
    if (snap.state.state === JobState.uninit) throw new PreflightError(`the job at ${address.toString()} was never created (state uninit)`);
    const root = ctx.provider.open(Root.createFromAddress(snap.parties.root));
    return { job, snap, root, required: await root.getJobRequiredValues() };
}

/** Units the job can pay at most: budget / price (0 before acceptance). */
export function maxUsage(s: JobSnapshot): bigint {
    return s.terms.price > 0n ? s.state.budget / s.terms.price : 0n;
}

/** What `usage` more units pay: the total, the protocol fee to the treasury and the owner's part. */
export function paymentOf(usage: bigint, price: bigint, feeBps: number): { amount: bigint; fee: bigint; owner: bigint } {
    const amount = usage * price;
    const fee = (amount * BigInt(feeBps)) / BigInt(ParamBounds.bps);
    return { amount, fee, owner: amount - fee };
}

function paymentText(usage: bigint, price: bigint, feeBps: number): string {
    const p = paymentOf(usage, price, feeBps);
    return `${usage} units x ${price} nanoton = ${formatTon(p.amount)} (owner ${formatTon(p.owner)}, protocol fee ${formatTon(p.fee)})`;
}

/** Each message the job can take next, given its state and `now` (one line each). */
export function jobNextSteps(s: JobSnapshot, now: number, testOnly = false): string[] {
    const { state, session, deadline, timer } = s.state;
    const window = s.terms.challengeWindow;
    const at = (from: number) => (now >= from ? 'allowed now' : `allowed from ${formatTime(from)}`);
    const owner = s.terms.owner ? formatAddress(s.terms.owner, testOnly) : 'the provider owner';
    switch (state) {
        case JobState.uninit:
            return ['create_job: the job was never created (createJob)'];
        case JobState.created:
            return [
                "waiting for the provider's answer (job_accepted or job_rejected)",
                'cancel_job allowed now: the client only (cancelJob)',
            ];
        case JobState.accepted:
            if (!session) {
                return now <= deadline
                    ? [
                          `submit_result allowed until ${formatTime(deadline)}: anyone, with a result signed by the operator key (submitResult)`,
                          `expire_job allowed from ${formatTime(deadline + 1)} if no result arrives: anyone; the bond is slashed (expireJob)`,
                      ]
                    : [
                          `submit_result no longer allowed: the deadline ${formatTime(deadline)} has passed`,
                          'expire_job allowed now: anyone; the bond is slashed, the caller is the reporter (expireJob)',
                      ];
            }
            return [
                `claim_session allowed now: anyone, with the latest client-signed receipt; with --close only the provider owner ${owner} (claimSession)`,
                `close_session allowed now: the client only; the provider then has ${s.params ? formatDuration(s.params.sessionGrace) : 'the session grace'} for a final claim (closeSession)`,
                `settle_job ${at(deadline + 1)}: anyone, past the deadline (settleJob)`,
            ];
        case JobState.submitted:
            return [
                'confirm_result allowed now: the client only (confirmJob)',
                now < timer + window
                    ? `dispute_job allowed until ${formatTime(timer + window - 1)}: the client only (disputeJob)`
                    : `dispute_job no longer allowed: the challenge window closed at ${formatTime(timer + window)}`,
                `settle_job ${at(timer + window)}: anyone; the provider is paid (settleJob)`,
            ];
        case JobState.disputed:
            return [
                now <= timer
                    ? `dispute verdict allowed until ${formatTime(timer)}: governance (resolveDispute --root ${formatAddress(s.parties.root, testOnly)} --client ${formatAddress(s.parties.client, testOnly)} --nonce ${s.parties.nonce})`
                    : `dispute verdict no longer allowed: the arbitration period ended at ${formatTime(timer)}`,
                `settle_job ${at(timer + 1)}: anyone; the provider is paid, no slash (settleJob)`,
            ];
        case JobState.closing:
            return [
                `claim_session allowed now: anyone, with the latest client-signed receipt; with --close only the provider owner ${owner} (claimSession)`,
                `settle_job ${at(timer)}: anyone, at the end of the session grace (settleJob)`,
            ];
        case JobState.cancelled:
            return ['none: the job is final (cancelled); a late answer of the provider only releases its bond'];
        default:
            return [`none: the job is final (${jobStateName(state)})`];
    }
}

/** What the state's timer means, for printing. */
function timerText(s: JobSnapshot): string {
    const t = s.state.timer;
    switch (s.state.state) {
        case JobState.submitted:
            return `result submitted at ${formatTime(t)}`;
        case JobState.disputed:
            return `arbitration deadline ${formatTime(t)}`;
        case JobState.closing:
            return `session grace ends ${formatTime(t)}`;
        default:
            return t === 0 ? '-' : formatTime(t);
    }
}

/** Everything showJob prints; also printed by the job scripts after their effect. */
export function jobReport(s: JobSnapshot, now: number, testOnly = false): string[] {
    const lines = [
        `Job ${formatAddress(s.address, testOnly)}`,
        ...table([
            ['state', jobStateName(s.state.state)],
            ['kind', s.state.session ? 'session' : 'one-shot'],
            ['budget', formatTon(s.state.budget)],
            ['created at', s.state.createdAt ? formatTime(s.state.createdAt) : '-'],
            ['deadline', s.state.deadline ? formatTime(s.state.deadline) : '-'],
            ['timer', timerText(s)],
            ['balance', formatTon(s.balance)],
        ]),
        'Parties:',
        ...table(
            [
                ['root', formatAddress(s.parties.root, testOnly)],
                ['client', formatAddress(s.parties.client, testOnly)],
                ['nonce', String(s.parties.nonce)],
                ['provider', s.parties.provider ? formatAddress(s.parties.provider, testOnly) : '-'],
            ],
            '    ',
        ),
        'Request:',
        ...table(
            [
                ['model', formatHash(s.request.modelHash)],
                ['max price', `${s.request.maxPrice} nanoton per unit`],
                ['request commitment', formatHash(s.request.requestCommitment)],
                ['client key', formatHash(s.request.clientKey)],
            ],
            '    ',
        ),
    ];
    if (s.terms.accepted) {
        const p = s.params;
        lines.push(
            'Terms:',
            ...table(
                [
                    ['price', `${s.terms.price} nanoton per unit`],
                    ['bond', formatTon(s.terms.bond)],
                    ['operator key', formatHash(s.terms.operatorKey)],
                    ['owner', s.terms.owner ? formatAddress(s.terms.owner, testOnly) : '-'],
                    ['protocol fee', formatBps(s.terms.feeBps)],
                    ['challenge window', formatDuration(s.terms.challengeWindow)],
                    ...(p
                        ? ([
                              ['arbitration period', formatDuration(p.arbitrationPeriod)],
                              ['session grace', formatDuration(p.sessionGrace)],
                              ['keeper reward', formatTon(p.keeperReward)],
                          ] as [string, string][])
                        : []),
                    ['max usage', `${maxUsage(s)} units (budget / price)`],
                ],
                '    ',
            ),
        );
    } else {
        lines.push('Terms: none (the provider has not accepted the job)');
    }
    lines.push(
        'Progress:',
        ...table(
            [
                [s.state.session ? 'result root' : 'result commitment', formatHash(s.progress.resultCommitment)],
                [s.state.session ? 'usage (last receipt)' : 'usage', String(s.progress.usage)],
                ['seq', String(s.progress.seq)],
                ['paid usage', String(s.progress.paidUsage)],
                ['dispute reason', s.progress.reasonHash === 0n ? '-' : formatHash(s.progress.reasonHash)],
            ],
            '    ',
        ),
        `Next (as of ${formatTime(now)}):`,
        ...jobNextSteps(s, now, testOnly).map((l) => `    - ${l}`),
    );
    return lines;
}

/** Throws a PreflightError listing what the job would refuse; does nothing when the list is empty. */
export function refuseIf(action: string, refusals: string[]): void {
    if (refusals.length === 0) return;
    throw new PreflightError(`the job would refuse ${action}:\n  - ${refusals.join('\n  - ')}`);
}

/** `the job is accepted, not submitted (exit 202 job_wrong_state)`, or nothing when the state is one of `allowed`. */
export function stateRefusal(s: JobSnapshot, allowed: number[]): string[] {
    if (allowed.includes(s.state.state)) return [];
    const want = allowed.map(jobStateName).join(' or ');
    const final = [JobState.settled, JobState.expired, JobState.cancelled, JobState.resolved] as number[];
    const note = final.includes(s.state.state) ? ' and final' : '';
    return [`the job is ${jobStateName(s.state.state)}${note}, not ${want} (${exitNote('jobWrongState')})`];
}

/** The refusal of a one-shot-only or session-only message on the other kind, if any. */
export function kindRefusal(s: JobSnapshot, session: boolean): string[] {
    if (s.state.session === session) return [];
    return [`the job is ${s.state.session ? 'a session' : 'one-shot'}; this message is for ${session ? 'sessions' : 'one-shot jobs'} (${exitNote('wrongKind')})`];
}

/** The refusal of a client-only message from another sender (skipped on a dry run: another wallet may send it). */
export function clientRefusal(ctx: ScriptContext, s: JobSnapshot): string[] {
    if (ctx.dryRun) return [];
    const sender = senderAddress(ctx.provider);
    if (sender.equals(s.parties.client)) return [];
    return [`only the client ${formatAddress(s.parties.client, ctx.testOnly)} may send it; the sender is ${formatAddress(sender, ctx.testOnly)} (${exitNote('notClient')})`];
}

/** How the job (or another account) answered one message: the transaction's exit code, when it failed. */
export type TxOutcome = { ok: true } | { ok: false; reason: string };

export function txOutcome(tx: Transaction): TxOutcome {
    const d = tx.description;
    if (d.type !== 'generic') return { ok: true };
    if (d.computePhase.type === 'skipped') return { ok: false, reason: `compute phase skipped (${d.computePhase.reason})` };
    if (!d.computePhase.success) return { ok: false, reason: exitCodeNote(d.computePhase.exitCode) };
    if (d.actionPhase && !d.actionPhase.success) return { ok: false, reason: `action phase failed (result code ${d.actionPhase.resultCode})` };
    return d.aborted ? { ok: false, reason: 'aborted' } : { ok: true };
}

/** The account's transactions after logical time `after`, newest first (at most JOB_TX_SCAN). */
export async function transactionsSince(provider: NetworkProvider, address: Address, after: bigint): Promise<Transaction[]> {
    const cp = provider.provider(address);
    const st = await cp.getState();
    if (!st.last || st.last.lt <= after) return [];
    const txs = await cp.getTransactions(address, st.last.lt, st.last.hash, JOB_TX_SCAN);
    return txs.filter((t) => t.lt > after);
}

/** Opcode and query id of an internal inbound message, if its body has them. */
export function inboundOp(tx: Transaction): { from: Address; op: number; queryId: bigint } | null {
    const m = tx.inMessage;
    if (!m || m.info.type !== 'internal') return null;
    const s = m.body.beginParse();
    if (s.remainingBits < 96) return null;
    return { from: m.info.src, op: s.loadUint(32), queryId: s.loadUintBig(64) };
}

/**
 * The transaction in which `address` processed our message (op and query id).
 * `available` is false when the API could not list the account's
 * transactions (the sandbox's lookup by lt and hash does not work, for one);
 * `tx` is undefined when the message has not been processed (yet).
 */
export async function findOurTransaction(
    provider: NetworkProvider,
    address: Address,
    after: bigint,
    op: number,
    queryId: bigint,
): Promise<{ available: boolean; tx?: Transaction }> {
    try {
        const tx = (await transactionsSince(provider, address, after)).find((t) => {
            const i = inboundOp(t);
            return i !== null && i.op === op && i.queryId === queryId;
        });
        return { available: true, tx };
    } catch {
        return { available: false };
    }
}

/**
 * After a message was sent to `address`: whether the account processed it and
 * refused it. `lt` is the account's logical time read before the state the
 * caller found without the expected effect, so that state reflects every
 * transaction up to `lt`. With the transaction list it reports the exit code;
 * without it, any transaction since `after` counts as the refusal. Called only
 * when the effect is not visible (the sandbox's lookup of transactions by lt
 * and hash fails, and reorders its transaction list while doing so).
 */
export async function refusalSince(
    provider: NetworkProvider,
    address: Address,
    after: bigint,
    lt: bigint,
    op: number,
    queryId: bigint,
): Promise<string | undefined> {
    if (lt <= after) return undefined;
    const found = await findOurTransaction(provider, address, after, op, queryId);
    if (found.tx) {
        const o = txOutcome(found.tx);
        return o.ok ? undefined : o.reason;
    }
    if (!found.available) return 'it processed a message without the expected effect (the exit code is not readable through this API)';
    return undefined;
}

/** A job message the scripts send: the plan, the refusals checked, and the effect awaited. */
export type JobMessage = {
    /** TL-B name, e.g. `confirm_result`. */
    action: string;
    opcode: number;
    queryId: bigint;
    body: Cell;
    /** Which of the root's job required values applies. */
    required: keyof JobRequiredValues;
    fields: [string, string][];
    extra?: string[];
    /** The effect to wait for, on a fresh snapshot. */
    done: (s: JobSnapshot) => boolean;
    /** What is awaited, e.g. `the job to be settled`. */
    what: string;
};

/**
 * Prints and sends (or with --dry-run prints) a job message with the required
 * value plus FEE_MARGIN, then polls until `done` holds. If the job processed
 * the message but refused it, throws with its exit code. Returns the new
 * snapshot, or null on a dry run.
 */
export async function sendJobMessage(
    ctx: ScriptContext,
    job: OpenedContract<Job>,
    required: JobRequiredValues,
    m: JobMessage,
): Promise<JobSnapshot | null> {
    const { value, note } = withMargin(required[m.required]);
    const cp = ctx.provider.provider(job.address);
    const ltBefore = await lastLt(cp);
    const sent = await sendOrPrint(
        ctx,
        {
            opcode: m.opcode,
            from: ctx.dryRun ? undefined : senderAddress(ctx.provider),
            to: job.address,
            toLabel: 'job',
            value,
            valueNote: note,
            fields: [['query id', String(m.queryId)], ...m.fields],
            extra: m.extra,
        },
        m.body,
        (b) => job.sendBody(ctx.provider.sender(), value, b),
    );
    if (!sent) return null;
    const result = await waitFor(
        ctx.ui,
        m.what,
        async (): Promise<{ snap: JobSnapshot } | { refused: string } | undefined> => {
            const lt = await lastLt(cp);
            const snap = await readJob(ctx.provider, job);
            if (m.done(snap)) return { snap };
            const refused = await refusalSince(ctx.provider, job.address, ltBefore, lt, m.opcode, m.queryId);
            return refused ? { refused } : undefined;
        },
        `The job has not processed ${m.action} yet, or did so without the expected effect: check the wallet's transaction.`,
    );
    if ('refused' in result) {
        throw new Error(`the job refused ${m.action}: ${result.refused}; the value comes back with the bounce, minus gas`);
    }
    return result.snap;
}

// ---------------------------------------------------------------------------
// Quote mode: PCK keys (checked off chain before governance registers them)
// ---------------------------------------------------------------------------

import { intelSgxRootCaPublicKey } from '../attestation/intel';
import { verifyPckChain } from '../attestation/pck';
import { splitPemChain } from '../attestation/pem';
import { parseTdxQuote } from '../attestation/quote';
import { rawP256Point } from '../attestation/p256';

export type VerifiedPckKey = { x: bigint; y: bigint; subject: string; notAfter: string; rootPublicKey: string };

/**
 * The PCK key of a certificate chain (a PEM file: PCK, PCK CA, root), or of the chain a raw
 * quote carries, after verifying the chain up to `pinnedRoot` (Intel's SGX Root CA unless told)
 * at `now`: the check the contracts do not do (SPEC §6.5), so it must happen before add_pck_key.
 */
export function verifiedPckKey(source: { pemChain?: Buffer; quote?: Buffer }, pinnedRoot: Buffer = intelSgxRootCaPublicKey(), now = new Date()): VerifiedPckKey {
    const certs = source.quote ? [...parseTdxQuote(source.quote).certificates] : splitPemChain(source.pemChain ?? Buffer.alloc(0));
    const chain = verifyPckChain(certs, pinnedRoot, now);
    const point = rawP256Point(chain.pckKey, 'BAD_PCK_CHAIN', 'PCK key');
    const coord = (b: Buffer) => BigInt('0x' + b.toString('hex'));
    return {
        x: coord(point.subarray(1, 33)),
        y: coord(point.subarray(33, 65)),
        subject: chain.leaf.subject.replace(/\n/g, ', '),
        notAfter: chain.leaf.validTo,
        rootPublicKey: chain.rootPublicKey.toString('hex'),
    };
}

/** Attestation mode names for --modes (`statement,quote`). */
export function parseModes(raw: string, flag = 'modes'): number {
    let modes = 0;
    for (const name of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (name === 'none') continue;
        if (name !== 'statement' && name !== 'quote') throw new UsageError(`${flag}: unknown mode "${name}" (statement, quote, none)`);
        modes |= Mode[name];
    }
    return modes;
}
