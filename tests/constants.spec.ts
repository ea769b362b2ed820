/**
 * The protocol's constants exist in three places that must agree:
 *   - FunC (contracts/common/op-codes.fc, errors.fc, params.fc, and any other
 *     contracts/**.fc defining a constant with one of the prefixes below),
 *   - TypeScript (wrappers/constants.ts: Op, Errors, Action, Revocation,
 *     ProviderState, Tag, Mode, ParamBounds),
 *   - the TL-B schema (contracts/schema.tlb: constructor tags),
 * and SPEC.md documents the error codes (checked when SPEC.md has an
 * "Error codes" section).
 *
 * Names map snake_case (FunC, TL-B) <-> camelCase (TypeScript); every
 * failure names the mismatching constant.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import path from 'path';
import { Action, Errors, JobState, Mode, Op, Outcome, ParamBounds, ProviderState, ProviderStateName, Revocation, Slash, Tag } from '../wrappers/constants';

const ROOT_DIR = path.resolve(__dirname, '..');
const CONTRACTS = path.join(ROOT_DIR, 'contracts');

// ---------------------------------------------------------------------------
// FunC side
// ---------------------------------------------------------------------------

type FuncConst = { name: string; value: bigint; file: string };

function funcFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((f) => {
        const full = path.join(dir, f);
        if (statSync(full).isDirectory()) return f === 'imports' ? [] : funcFiles(full);
        // Test harnesses (contracts/*-harness.fc) are not protocol contracts and have their own ops.
        return f.endsWith('.fc') && !f.endsWith('-harness.fc') ? [full] : [];
    });
}

/** `const NAME = 123;` / `const ns::name = 0xabc;` (comment lines never match: the line must start with `const`). */
function parseFuncConstants(file: string): FuncConst[] {
    const src = readFileSync(file, 'utf8');
    const out: FuncConst[] = [];
    for (const m of src.matchAll(/^\s*const\s+(?:int\s+)?([A-Za-z_][\w:?]*)\s*=\s*(-?0x[0-9a-fA-F]+|-?\d+)\s*;/gm)) {
        out.push({ name: m[1], value: BigInt(m[2]), file: path.relative(ROOT_DIR, file) });
    }
    return out;
}

/** Namespaces mirrored in wrappers/constants.ts. */
const MIRRORED_PREFIXES = ['op', 'error', 'action', 'revocation', 'state', 'tag', 'outcome', 'slash', 'job', 'mode', 'params'] as const;
type Prefix = (typeof MIRRORED_PREFIXES)[number];
/** Unprefixed FunC constants mirrored in ParamBounds. */
const MIRRORED_BARE = ['TIMELOCK_GRACE_PERIOD', 'MAX_PENDING_CHANGES', 'ENDPOINT_MAX_BITS', 'BPS'];
/**
 * Unprefixed constants of the mirrored files (op-codes.fc, errors.fc,
 * params.fc) that are deliberately not part of the TypeScript API.
 */
const NOT_MIRRORED_BARE: Record<string, string> = {
    BASECHAIN: 'workchain id, internal to the contracts',
    ONE_TON: 'unit helper, internal to the contracts',
};
const MIRRORED_FILES = ['op-codes.fc', 'errors.fc', 'params.fc'].map((f) => path.join(CONTRACTS, 'common', f));

const allFunc = funcFiles(CONTRACTS).flatMap(parseFuncConstants);

function prefixOf(name: string): Prefix | null {
    const i = name.indexOf('::');
    if (i < 0) return null;
    const p = name.slice(0, i);
    return (MIRRORED_PREFIXES as readonly string[]).includes(p) ? (p as Prefix) : null;
}

/** Mirrored FunC constants, one entry per name (duplicates reported separately). */
const funcMirrored = new Map<string, FuncConst>();
const funcDuplicates: string[] = [];
for (const c of allFunc) {
    if (prefixOf(c.name) === null && !MIRRORED_BARE.includes(c.name)) continue;
    const prev = funcMirrored.get(c.name);
    if (prev && prev.value !== c.value) {
        funcDuplicates.push(`${c.name} defined twice with different values: ${prev.file} (${prev.value}) and ${c.file} (${c.value})`);
    }
    funcMirrored.set(c.name, c);
}

const funcByPrefix = (p: Prefix) =>
    [...funcMirrored.values()].filter((c) => prefixOf(c.name) === p).map((c) => ({ ...c, short: c.name.slice(p.length + 2) }));

// ---------------------------------------------------------------------------
// Name mapping
// ---------------------------------------------------------------------------

/** snake_case (or UPPER_SNAKE) -> camelCase; a trailing `?` (FunC predicate style) is dropped. */
function camel(snake: string): string {
    return snake
        .replace(/\?$/, '')
        .toLowerCase()
        .replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
}

function snake(camelName: string): string {
    return camelName.replace(/[A-Z]/g, (ch) => '_' + ch.toLowerCase());
}

type TsGroup = Record<string, number | bigint>;
const TS_GROUPS: Record<Exclude<Prefix, 'params'>, [string, TsGroup]> = {
    op: ['Op', Op],
    error: ['Errors', Errors],
    action: ['Action', Action],
    revocation: ['Revocation', Revocation],
    state: ['ProviderState', ProviderState],
    tag: ['Tag', Tag],
    outcome: ['Outcome', Outcome],
    slash: ['Slash', Slash],
    job: ['JobState', JobState],
    mode: ['Mode', Mode],
};

/**
 * ParamBounds entries that are not `params::<snake>`: bare FunC constants,
 * with a unit conversion where the TypeScript side uses another unit.
 */
const PARAM_BOUND_ALIASES: Record<string, { func: string; toTs: (v: bigint) => bigint; note: string }> = {
    timelockGracePeriod: { func: 'TIMELOCK_GRACE_PERIOD', toTs: (v) => v, note: 'seconds' },
    maxPendingChanges: { func: 'MAX_PENDING_CHANGES', toTs: (v) => v, note: 'count' },
    bps: { func: 'BPS', toTs: (v) => v, note: 'basis points in one' },
    // The contract bounds the endpoint cell in bits; TypeScript in bytes (textCell()).
    endpointMaxBytes: { func: 'ENDPOINT_MAX_BITS', toTs: (v) => v / 8n, note: 'bits / 8 = bytes' },
};

/**
 * TVM exit codes listed in Errors for integrators: not defined in FunC, and
 * they must be the real TVM codes and must not collide with a FunC code.
 */
const TVM_EXIT_CODES: Record<string, number> = {
    stackUnderflow: 2,
    stackOverflow: 3,
    integerOverflow: 4,
    rangeCheck: 5,
    invalidOpcode: 6,
    typeCheck: 7,
    cellOverflow: 8,
    cellUnderflow: 9,
    dictionaryError: 10,
    outOfGas: 13,
};

const big = (v: number | bigint) => BigInt(v);

// ---------------------------------------------------------------------------
// TL-B side
// ---------------------------------------------------------------------------

type Constructor = { name: string; tag: string | null; tagBits: number; tagValue: bigint | null; type: string; decl: string };

function parseTlb(file: string): Constructor[] {
    const src = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, ' ')
        .replace(/\/\/.*$/gm, ' ');
    const out: Constructor[] = [];
    for (const raw of src.split(';')) {
        const decl = raw.replace(/\s+/g, ' ').trim();
        if (!decl) continue;
        const m = decl.match(/^([A-Za-z_]\w*)(#[0-9a-fA-F_]*|\$[01_]*)?\s.*=\s*([A-Za-z_]\w*)(?:\s.*)?$/) ?? decl.match(/^([A-Za-z_]\w*)(#[0-9a-fA-F_]*|\$[01_]*)?\s*=\s*([A-Za-z_]\w*)/);
        if (!m) throw new Error(`cannot parse TL-B declaration: ${decl}`);
        const [, name, tag = null, type] = m;
        let tagBits = 0;
        let tagValue: bigint | null = null;
        if (tag && tag !== '$_' && tag !== '#_') {
            const digits = tag.slice(1).replace(/_$/, '');
            if (tag.startsWith('#')) {
                tagBits = digits.length * 4;
                tagValue = BigInt('0x' + digits);
            } else {
                tagBits = digits.length;
                tagValue = digits.length ? BigInt('0b' + digits) : 0n;
            }
        }
        out.push({ name, tag, tagBits, tagValue, type, decl });
    }
    return out;
}

const schema = parseTlb(path.join(CONTRACTS, 'schema.tlb'));
const ctorByName = new Map(schema.map((c) => [c.name, c]));

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe('FunC constants <-> wrappers/constants.ts', () => {
    it('parses a plausible set of FunC constants (guards against a vacuous pass)', () => {
        expect(funcByPrefix('op').length).toBeGreaterThanOrEqual(25);
        expect(funcByPrefix('error').length).toBeGreaterThanOrEqual(40);
        expect(funcByPrefix('action').length).toBeGreaterThanOrEqual(6);
        expect(funcByPrefix('revocation').length).toBe(3);
        expect(funcByPrefix('state').length).toBe(5);
        expect(funcByPrefix('tag').length).toBeGreaterThanOrEqual(1);
        expect(funcByPrefix('params').length).toBeGreaterThanOrEqual(9);
        for (const b of MIRRORED_BARE) expect({ constant: b, found: funcMirrored.has(b) }).toEqual({ constant: b, found: true });
        expect(funcDuplicates).toEqual([]);
    });

    it('every unprefixed constant in op-codes.fc, errors.fc and params.fc is mirrored or explicitly internal', () => {
        const unclassified = MIRRORED_FILES.flatMap(parseFuncConstants)
            .filter((c) => !c.name.includes('::') && !MIRRORED_BARE.includes(c.name) && !(c.name in NOT_MIRRORED_BARE))
            .map((c) => `${c.file}: ${c.name} = ${c.value} has no TypeScript twin (add it to wrappers/constants.ts or to NOT_MIRRORED_BARE)`);
        const unknownNs = MIRRORED_FILES.flatMap(parseFuncConstants)
            .filter((c) => c.name.includes('::') && prefixOf(c.name) === null)
            .map((c) => `${c.file}: ${c.name}: namespace not mirrored in wrappers/constants.ts`);
        expect([...unclassified, ...unknownNs]).toEqual([]);
    });

    it.each(Object.keys(TS_GROUPS) as (keyof typeof TS_GROUPS)[])('%s:: constants equal their TypeScript twins, both ways', (prefix) => {
        const [groupName, group] = TS_GROUPS[prefix];
        const mismatches: string[] = [];
        const func = funcByPrefix(prefix);
        for (const c of func) {
            const key = camel(c.short);
            if (!(key in group)) mismatches.push(`${c.name} (${c.file}) = ${c.value}: missing ${groupName}.${key}`);
            else if (big(group[key]) !== c.value) {
                mismatches.push(`${c.name} = ${c.value} (${c.file}) but ${groupName}.${key} = ${group[key]}`);
            }
        }
        const funcKeys = new Set(func.map((c) => camel(c.short)));
        for (const [key, value] of Object.entries(group)) {
            if (funcKeys.has(key)) continue;
            if (prefix === 'error' && key in TVM_EXIT_CODES) continue; // checked below
            mismatches.push(`${groupName}.${key} = ${value} has no FunC twin ${prefix}::${snake(key)}`);
        }
        expect(mismatches).toEqual([]);
    });

    it('error codes agree by value AND name, are unique and fit the 16-bit request_refused field', () => {
        const mismatches: string[] = [];
        const funcByValue = new Map<bigint, string[]>();
        for (const c of funcByPrefix('error')) funcByValue.set(c.value, [...(funcByValue.get(c.value) ?? []), c.name]);
        for (const [value, names] of funcByValue) {
            if (names.length > 1) mismatches.push(`error code ${value} is used by ${names.join(', ')}`);
        }
        const tsByValue = new Map<bigint, string[]>();
        for (const [k, v] of Object.entries(Errors)) tsByValue.set(big(v), [...(tsByValue.get(big(v)) ?? []), k]);
        for (const [value, names] of tsByValue) {
            if (names.length > 1) mismatches.push(`Errors: code ${value} is used by ${names.join(', ')}`);
        }
        for (const c of funcByPrefix('error')) {
            const tsNames = tsByValue.get(c.value) ?? [];
            if (!tsNames.includes(camel(c.short))) {
                mismatches.push(`${c.name} = ${c.value}: Errors has ${tsNames.length ? tsNames.join(', ') : 'nothing'} for ${c.value}, expected ${camel(c.short)}`);
            }
            if (c.value < 0n || c.value >= 1n << 16n) mismatches.push(`${c.name} = ${c.value} does not fit error:uint16`);
            if (c.value < 64n) mismatches.push(`${c.name} = ${c.value} collides with TVM's own range (compute phase 0..14, action phase 32..50)`);
        }
        // Documented TVM codes: real TVM codes, not clashing with the contracts' own.
        for (const [k, v] of Object.entries(Errors)) {
            if (funcByPrefix('error').some((c) => camel(c.short) === k)) continue;
            if (!(k in TVM_EXIT_CODES)) continue; // reported by the both-ways test
            if (TVM_EXIT_CODES[k] !== v) mismatches.push(`Errors.${k} = ${v} but TVM's ${k} is ${TVM_EXIT_CODES[k]}`);
            if (funcByValue.has(big(v))) mismatches.push(`Errors.${k} = ${v} collides with ${funcByValue.get(big(v))!.join(', ')}`);
        }
        expect(mismatches).toEqual([]);
    });

    it('params:: bounds, TIMELOCK_GRACE_PERIOD, MAX_PENDING_CHANGES and ENDPOINT_MAX_BITS equal ParamBounds, both ways', () => {
        const mismatches: string[] = [];
        const bounds = ParamBounds as Record<string, number | bigint>;
        const seen = new Set<string>();
        for (const c of funcByPrefix('params')) {
            const key = camel(c.short);
            seen.add(key);
            if (!(key in bounds)) mismatches.push(`${c.name} = ${c.value} (${c.file}): missing ParamBounds.${key}`);
            else if (big(bounds[key]) !== c.value) mismatches.push(`${c.name} = ${c.value} but ParamBounds.${key} = ${bounds[key]}`);
        }
        for (const [key, alias] of Object.entries(PARAM_BOUND_ALIASES)) {
            seen.add(key);
            const c = funcMirrored.get(alias.func);
            if (!c) mismatches.push(`ParamBounds.${key}: FunC twin ${alias.func} not found`);
            else if (!(key in bounds)) mismatches.push(`${alias.func} = ${c.value}: missing ParamBounds.${key}`);
            else if (big(bounds[key]) !== alias.toTs(c.value)) {
                mismatches.push(`${alias.func} = ${c.value} (${alias.note}) but ParamBounds.${key} = ${bounds[key]}`);
            }
        }
        for (const b of MIRRORED_BARE) {
            if (!Object.values(PARAM_BOUND_ALIASES).some((a) => a.func === b)) mismatches.push(`${b}: no ParamBounds twin declared`);
        }
        for (const key of Object.keys(bounds)) {
            if (!seen.has(key)) mismatches.push(`ParamBounds.${key} = ${bounds[key]} has no FunC twin (params::${snake(key)})`);
        }
        // The endpoint bound must be whole bytes for the conversion to be exact.
        const endpointBits = funcMirrored.get('ENDPOINT_MAX_BITS')?.value ?? 0n;
        if (endpointBits % 8n !== 0n) mismatches.push(`ENDPOINT_MAX_BITS = ${endpointBits} is not a whole number of bytes`);
        expect(mismatches).toEqual([]);
    });

    it('ProviderStateName is the inverse of ProviderState', () => {
        const inverse = Object.fromEntries(Object.entries(ProviderState).map(([k, v]) => [v, k]));
        expect(ProviderStateName).toEqual(inverse);
    });
});

describe('FunC constants <-> TL-B constructors (contracts/schema.tlb)', () => {
    it('parses the schema (guards against a vacuous pass)', () => {
        expect(schema.filter((c) => c.type === 'InMsgBody').length).toBeGreaterThanOrEqual(25);
    });

    it('every op:: constant is an InMsgBody constructor of the same name and tag', () => {
        const mismatches: string[] = [];
        for (const c of funcByPrefix('op')) {
            const ctor = ctorByName.get(c.short);
            if (!ctor) mismatches.push(`${c.name} = 0x${c.value.toString(16)}: no TL-B constructor ${c.short}#...`);
            else if (ctor.type !== 'InMsgBody') mismatches.push(`${c.name}: TL-B constructor ${c.short} is of type ${ctor.type}, not InMsgBody`);
            else if (ctor.tagBits !== 32 || ctor.tagValue !== c.value) {
                mismatches.push(`${c.name} = 0x${c.value.toString(16)} but schema.tlb has ${c.short}${ctor.tag ?? ''} (${ctor.tagBits} bits)`);
            }
        }
        expect(mismatches).toEqual([]);
    });

    it('every InMsgBody constructor has an op:: constant (and opcodes are unique)', () => {
        const mismatches: string[] = [];
        const ops = new Map(funcByPrefix('op').map((c) => [c.short, c]));
        const byTag = new Map<string, string[]>();
        for (const ctor of schema.filter((c) => c.type === 'InMsgBody')) {
            const op = ops.get(ctor.name);
            if (!op) mismatches.push(`TL-B ${ctor.name}${ctor.tag ?? ''}: no const op::${ctor.name}`);
            else if (op.value !== ctor.tagValue) mismatches.push(`TL-B ${ctor.name}${ctor.tag} but op::${ctor.name} = 0x${op.value.toString(16)}`);
            const key = String(ctor.tagValue);
            byTag.set(key, [...(byTag.get(key) ?? []), ctor.name]);
        }
        for (const [tag, names] of byTag) {
            if (names.length > 1) mismatches.push(`InMsgBody tag 0x${BigInt(tag).toString(16)} shared by ${names.join(', ')}`);
        }
        expect(mismatches).toEqual([]);
    });

    it('tag:: constants are the tags of the signed payload constructors', () => {
        const mismatches: string[] = [];
        for (const c of funcByPrefix('tag')) {
            const ctor = ctorByName.get(c.short);
            if (!ctor) mismatches.push(`${c.name}: no TL-B constructor ${c.short}`);
            else if (ctor.tagBits !== 32 || ctor.tagValue !== c.value) {
                mismatches.push(`${c.name} = 0x${c.value.toString(16)} but schema.tlb has ${c.short}${ctor.tag ?? ''}`);
            }
        }
        expect(mismatches).toEqual([]);
    });

    it('action:: constants are the 8-bit TimelockAction tags, both ways', () => {
        const mismatches: string[] = [];
        const actions = funcByPrefix('action');
        for (const c of actions) {
            const ctor = ctorByName.get(c.short);
            if (!ctor || ctor.type !== 'TimelockAction') mismatches.push(`${c.name}: no TimelockAction constructor ${c.short}`);
            else if (ctor.tagBits !== 8 || ctor.tagValue !== c.value) {
                mismatches.push(`${c.name} = 0x${c.value.toString(16)} but schema.tlb has ${c.short}${ctor.tag ?? ''} (${ctor.tagBits} bits)`);
            }
        }
        for (const ctor of schema.filter((c) => c.type === 'TimelockAction')) {
            if (!actions.some((a) => a.short === ctor.name)) mismatches.push(`TL-B ${ctor.name}${ctor.tag}: no const action::${ctor.name}`);
        }
        expect(mismatches).toEqual([]);
    });

    it('revocation:: constants are the 2-bit RevocationSubject tags (revoked_<name>), both ways', () => {
        const mismatches: string[] = [];
        const kinds = funcByPrefix('revocation');
        for (const c of kinds) {
            const ctor = ctorByName.get(`revoked_${c.short}`);
            if (!ctor || ctor.type !== 'RevocationSubject') mismatches.push(`${c.name}: no RevocationSubject constructor revoked_${c.short}`);
            else if (ctor.tagBits !== 2 || ctor.tagValue !== c.value) {
                mismatches.push(`${c.name} = ${c.value} but schema.tlb has revoked_${c.short}${ctor.tag ?? ''} (${ctor.tagBits} bits)`);
            }
        }
        for (const ctor of schema.filter((c) => c.type === 'RevocationSubject')) {
            const short = ctor.name.replace(/^revoked_/, '');
            if (!kinds.some((k) => k.short === short)) mismatches.push(`TL-B ${ctor.name}${ctor.tag}: no const revocation::${short}`);
        }
        expect(mismatches).toEqual([]);
    });

    it('state::uninit is the state the schema requires of ProviderStorageUninit, and states fit state:(## 4)', () => {
        const uninit = ctorByName.get('provider_storage_uninit');
        const required = uninit?.decl.match(/\{\s*state\s*=\s*(\d+)\s*\}/)?.[1];
        expect({ constant: 'state::uninit', schema: required }).toEqual({
            constant: 'state::uninit',
            schema: String(funcMirrored.get('state::uninit')?.value),
        });
        const tooWide = funcByPrefix('state').filter((c) => c.value < 0n || c.value >= 16n).map((c) => `${c.name} = ${c.value}`);
        expect(tooWide).toEqual([]);
    });
});

describe('errors.fc <-> SPEC.md "Error codes"', () => {
    /** The "Error codes" section of SPEC.md (up to the next heading of the same or a higher level), or null. */
    function errorSection(): string | null {
        const spec = path.join(ROOT_DIR, 'SPEC.md');
        if (!existsSync(spec)) return null;
        const lines = readFileSync(spec, 'utf8').split('\n');
        const start = lines.findIndex((l) => /^#{1,6}\s+.*\berror codes\b/i.test(l));
        if (start < 0) return null;
        const level = lines[start].match(/^#+/)![0].length;
        let end = lines.length;
        for (let i = start + 1; i < lines.length; i++) {
            const h = lines[i].match(/^(#+)\s/);
            if (h && h[1].length <= level) {
                end = i;
                break;
            }
        }
        return lines.slice(start + 1, end).join('\n');
    }

    it('documents every error code of errors.fc with its name', () => {
        const section = errorSection();
        if (section === null) {
            console.warn('SPEC.md or its "Error codes" section is missing: skipping the errors.fc <-> SPEC.md check');
            return;
        }
        const rows = section.split('\n').filter((l) => l.trim().startsWith('|'));
        const cellsOf = (row: string) =>
            row
                .split('|')
                .map((c) => c.replace(/[`*]/g, '').trim())
                .filter(Boolean);
        const missing: string[] = [];
        for (const c of funcByPrefix('error')) {
            const valueForms = new Set([c.value.toString(), '0x' + c.value.toString(16), '0x' + c.value.toString(16).toUpperCase()]);
            const nameForms = new Set([c.short, c.name, camel(c.short), `Errors.${camel(c.short)}`]);
            const row = rows.find((r) => cellsOf(r).some((cell) => valueForms.has(cell) || [...valueForms].some((v) => cell.startsWith(v + ' '))));
            if (!row) {
                missing.push(`${c.name} = ${c.value}: no row in SPEC.md "Error codes"`);
                continue;
            }
            const words = new Set(row.replace(/[`*|(),]/g, ' ').split(/\s+/).filter(Boolean));
            if (![...nameForms].some((n) => words.has(n))) missing.push(`${c.name} = ${c.value}: the SPEC.md row does not name it: ${row.trim()}`);
        }
        expect(missing).toEqual([]);
    });
});
