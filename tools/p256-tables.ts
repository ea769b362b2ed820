/**
 * Generator of the machine-made parts of the P-256 library (contracts/p256/):
 *
 *   contracts/p256/tables.fc     precomputed multiples j·G and j·2^128·G (j = 1..255) as
 *                                4-ary trees of cells embedded in the code (PUSHREF), plus
 *                                the table lookup routine.
 *   contracts/p256/point-asm.fc  the Jacobian point formulas (doubling, mixed addition with an
 *                                affine point, full addition) as straight-line TVM assembly:
 *                                each formula is written once below as a small SSA program,
 *                                its value ranges are checked (no intermediate may leave the
 *                                257-bit TVM integer range), it is evaluated against
 *                                @noble/curves on random points, then scheduled onto the TVM
 *                                stack and the emitted instruction list is run in a small
 *                                stack simulator against the same reference.
 *
 * Regenerate (deterministic, no randomness in the output):
 *     npx ts-node tools/p256-tables.ts
 * `--check` regenerates in memory and fails if the committed files differ.
 *
 * Field elements are kept "centred": every multiplication is MULMODR (or MULADDDIVMODR), whose
 * remainder lies in [-(p-1)/2, (p-1)/2], so the sum or difference of two reduced values
 * (|v| <= p-1 < 2^256) still fits a TVM integer and needs no reduction of its own.
 */
import { p256 } from '@noble/curves/p256';
import { beginCell, Cell } from '@ton/core';
import { readFileSync, writeFileSync } from 'fs';
import path from 'path';

// ---------------------------------------------------------------------------------------------
// Curve constants (SEC 2 / FIPS 186-4 P-256)
// ---------------------------------------------------------------------------------------------
export const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
export const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
export const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
export const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
export const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;
const HALF = (P - 1n) / 2n;
const INT_MAX = (1n << 256n) - 1n; // largest |v| every TVM integer operation accepts here

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
/** Centred representative in [-(m-1)/2, (m-1)/2], what MULMODR returns. */
const centre = (a: bigint, m: bigint) => {
    const r = mod(a, m);
    return r > (m - 1n) / 2n ? r - m : r;
};
function powmod(b: bigint, e: bigint, m: bigint): bigint {
    let r = 1n;
    b = mod(b, m);
    while (e > 0n) {
        if (e & 1n) r = (r * b) % m;
        b = (b * b) % m;
        e >>= 1n;
    }
    return r;
}
/** 3/2 mod p, centred: the doubling formula below is scaled by 1/2. */
const C3H = centre(3n * powmod(2n, P - 2n, P), P);

// ---------------------------------------------------------------------------------------------
// A tiny SSA language for the formulas
// ---------------------------------------------------------------------------------------------
type Op = 'in' | 'mm' | 'mma' | 'add' | 'sub' | 'neg' | 'mulc' | 'const';
type Val = { id: number; name: string; op: Op; args: Val[]; k?: bigint; bound: bigint };

class Prog {
    vals: Val[] = [];
    inputs: Val[] = [];
    body: Val[] = [];
    outputs: Val[] = [];
    private n = 0;
    constructor(public name: string) {}
    private mk(name: string, op: Op, args: Val[], bound: bigint, k?: bigint): Val {
        if (bound > INT_MAX) throw new Error(`${this.name}: ${name} may overflow 257 bits (bound ${bound})`);
        const v: Val = { id: this.n++, name, op, args, bound, k };
        this.vals.push(v);
        if (op !== 'in') this.body.push(v);
        return v;
    }
    input(name: string, bound: bigint = HALF): Val {
        const v = this.mk(name, 'in', [], bound);
        this.inputs.push(v);
        return v;
    }
    /** a·b mod p (MULMODR). */
    mm(name: string, a: Val, b: Val): Val {
        return this.mk(name, 'mm', [a, b], HALF);
    }
    /** (a·b + w) mod p (MULADDDIVMODR; the quotient must fit 257 bits). */
    mma(name: string, a: Val, b: Val, w: Val): Val {
        if ((a.bound * b.bound + w.bound) / P >= INT_MAX) throw new Error(`${this.name}: ${name} quotient overflow`);
        return this.mk(name, 'mma', [a, b, w], HALF);
    }
    add(name: string, a: Val, b: Val): Val {
        return this.mk(name, 'add', [a, b], a.bound + b.bound);
    }
    sub(name: string, a: Val, b: Val): Val {
        return this.mk(name, 'sub', [a, b], a.bound + b.bound);
    }
    neg(name: string, a: Val): Val {
        return this.mk(name, 'neg', [a], a.bound);
    }
    mulc(name: string, a: Val, k: bigint): Val {
        if (k < -128n || k > 127n) throw new Error('MULCONST takes an 8-bit constant');
        return this.mk(name, 'mulc', [a], a.bound * (k < 0n ? -k : k), k);
    }
    konst(name: string, k: bigint): Val {
        return this.mk(name, 'const', [], k < 0n ? -k : k, k);
    }
    /** Final outputs must be reduced; `partial` outputs (handed to a second program) only < p. */
    out(...vs: Val[]) {
        for (const v of vs) if (v.bound > HALF) throw new Error(`${this.name}: output ${v.name} is not reduced`);
        this.outputs = vs;
    }
    partial(...vs: Val[]) {
        // |v| <= p-1 also makes "v == 0" the exact test of v ≡ 0 (mod p)
        for (const v of vs) if (v.bound > P - 1n) throw new Error(`${this.name}: output ${v.name} out of range`);
        this.outputs = vs;
    }
    /** Reference evaluation with exact TVM semantics (MULMODR = round-to-nearest remainder). */
    eval(inputs: bigint[]): Map<Val, bigint> {
        const env = new Map<Val, bigint>();
        this.inputs.forEach((v, i) => env.set(v, inputs[i]));
        for (const v of this.body) env.set(v, evalOp(v.op, v.args.map((a) => env.get(a)!), v.k));
        return env;
    }
}

/** Rounded-quotient remainder, as TVM's ...MODR instructions (ties round up). */
function modr(x: bigint, m: bigint): bigint {
    // q = floor((2x + m) / (2m))
    const num = 2n * x + m;
    const den = 2n * m;
    let q = num / den;
    if (num % den !== 0n && num < 0n) q -= 1n;
    return x - q * m;
}

function checkInt(x: bigint): bigint {
    if (x > INT_MAX || x < -(1n << 256n)) throw new Error('integer overflow');
    return x;
}

function evalOp(op: Op, a: bigint[], k?: bigint): bigint {
    switch (op) {
        case 'mm':
            return modr(a[0] * a[1], P);
        case 'mma':
            return modr(a[0] * a[1] + a[2], P);
        case 'add':
            return checkInt(a[0] + a[1]);
        case 'sub':
            return checkInt(a[0] - a[1]);
        case 'neg':
            return checkInt(-a[0]);
        case 'mulc':
            return checkInt(a[0] * k!);
        case 'const':
            return k!;
        default:
            throw new Error('bad op ' + op);
    }
}

// ---------------------------------------------------------------------------------------------
// The formulas. Inputs/outputs in Jacobian coordinates (x = X/Z^2, y = Y/Z^3), all reduced.
// ---------------------------------------------------------------------------------------------

/**
 * Doubling for a = -3 (dbl-2001-b), output scaled by 1/2 (Jacobian (X,Y,Z) ~ (X/4, Y/8, Z/2)):
 *   d = Z^2, g = Y^2, b = X·g, a = (3/2)(X-d)(X+d)
 *   X3 = a^2 - 2b,  Y3 = a(b - X3) - g^2,  Z3 = Y·Z
 * 9 multiplications. Z = 0 (the point at infinity) gives Z3 = 0 again.
 */
function progDbl(): Prog {
    const g = new Prog('dbl');
    const X = g.input('X');
    const Y = g.input('Y');
    const Z = g.input('Z');
    const d = g.mm('d', Z, Z);
    const gg = g.mm('g', Y, Y);
    const t1 = g.sub('t1', X, d);
    const t2 = g.add('t2', X, d);
    const t = g.mm('t', t1, t2);
    const c = g.konst('c3h', C3H);
    const a = g.mm('a', t, c);
    const b = g.mm('b', X, gg);
    const w = g.mulc('w', b, -2n);
    const X3 = g.mma('X3', a, a, w);
    const gn = g.neg('gn', gg);
    const g2n = g.mm('g2n', gg, gn);
    const e = g.sub('e', b, X3);
    const Y3 = g.mma('Y3', a, e, g2n);
    const Z3 = g.mm('Z3', Y, Z);
    g.out(X3, Y3, Z3);
    return g;
}

/**
 * The same doubling, returning the NEGATED point -2·P1: Y3' = a(X3 - b) + g^2 = -Y3 needs no
 * negation of g^2. Two of these in a row give 4·P1, so the ladder uses them in pairs.
 */
function progDblNeg(): Prog {
    const g = new Prog('dbl_neg');
    const X = g.input('X');
    const Y = g.input('Y');
    const Z = g.input('Z');
    const d = g.mm('d', Z, Z);
    const gg = g.mm('g', Y, Y);
    const t1 = g.sub('t1', X, d);
    const t2 = g.add('t2', X, d);
    const t = g.mm('t', t1, t2);
    const c = g.konst('c3h', C3H);
    const a = g.mm('a', t, c);
    const b = g.mm('b', X, gg);
    const w = g.mulc('w', b, -2n);
    const X3 = g.mma('X3', a, a, w);
    const g2 = g.mm('g2', gg, gg);
    const e = g.sub('e', X3, b);
    const Y3 = g.mma('Y3', a, e, g2);
    const Z3 = g.mm('Z3', Y, Z);
    g.out(X3, Y3, Z3);
    return g;
}

/**
 * Mixed addition P1 (Jacobian) + P2 (affine x2, y2), madd-2004-hmv arranged for centred values.
 * Split in two at the exceptional-case test (h = u2 - X1 = 0: P1 = ±P2).
 */
function progMaddPre(): Prog {
    const g = new Prog('madd.pre');
    const X1 = g.input('X1');
    const Y1 = g.input('Y1');
    const Z1 = g.input('Z1');
    const x2 = g.input('x2');
    const y2 = g.input('y2');
    const zz = g.mm('zz', Z1, Z1);
    const u2 = g.mm('u2', x2, zz);
    const zzz = g.mm('zzz', Z1, zz);
    const s2 = g.mm('s2', y2, zzz);
    const h = g.sub('h', u2, X1); // |h| <= p-1, so h == 0 exactly when u2 ≡ X1
    const r = g.sub('r', s2, Y1);
    g.partial(X1, Y1, Z1, h, r);
    return g;
}

function progAddPost(name: string): Prog {
    // inputs: X1 (or U1 for the full addition), Y1 (or S1), Z (Z1 or Z1·Z2), h, r
    const g = new Prog(name);
    const U1 = g.input('U1');
    const S1 = g.input('S1');
    const Z = g.input('Z');
    const h = g.input('h', P - 1n);
    const r = g.input('r', P - 1n);
    const hh = g.mm('hh', h, h);
    const v = g.mm('v', U1, hh);
    const v2 = g.mulc('v2', v, 2n);
    const w = g.mma('w', h, hh, v2); // h^3 + 2v
    const wn = g.neg('wn', w);
    const X3 = g.mma('X3', r, r, wn);
    const s1h = g.mm('s1h', S1, h);
    const q = g.mm('q', s1h, hh); // S1·h^3
    const qn = g.neg('qn', q);
    const e = g.sub('e', v, X3);
    const Y3 = g.mma('Y3', r, e, qn);
    const Z3 = g.mm('Z3', Z, h);
    g.out(X3, Y3, Z3);
    return g;
}

/** Full addition P1 + P2, both Jacobian (add-2007-bl without the squaring tricks). */
function progAddPre(): Prog {
    const g = new Prog('add.pre');
    const X1 = g.input('X1');
    const Y1 = g.input('Y1');
    const Z1 = g.input('Z1');
    const X2 = g.input('X2');
    const Y2 = g.input('Y2');
    const Z2 = g.input('Z2');
    const z1z1 = g.mm('z1z1', Z1, Z1);
    const z2z2 = g.mm('z2z2', Z2, Z2);
    const u1 = g.mm('u1', X1, z2z2);
    const u2 = g.mm('u2', X2, z1z1);
    const z2c = g.mm('z2c', Z2, z2z2);
    const s1 = g.mm('s1', Y1, z2c);
    const z1c = g.mm('z1c', Z1, z1z1);
    const s2 = g.mm('s2', Y2, z1c);
    const h = g.sub('h', u2, u1);
    const r = g.sub('r', s2, s1);
    const zz = g.mm('zz', Z1, Z2);
    g.partial(X1, Y1, Z1, u1, s1, zz, h, r);
    return g;
}

// ---------------------------------------------------------------------------------------------
// Stack scheduling
// ---------------------------------------------------------------------------------------------
type Slot = Val | null; // null = garbage (a dead value still on the stack)
type Ins =
    | { k: 'push'; i: number }
    | { k: 'push2'; i: number; j: number }
    | { k: 'push3'; i: number; j: number; l: number }
    | { k: 'xchg'; i: number; j: number }
    | { k: 'roll'; i: number }
    | { k: 'blkdrop2'; i: number; j: number }
    | { k: 'drop' }
    | { k: 'pushint'; v: bigint }
    | { k: 'op'; op: Op; c?: bigint }
    | { k: 'branchz'; i: number; body: Ins[] } // s(i) PUSH <{ body }>c IFNOTJMPREF
    | { k: 'raw'; text: string };

const GAS: Record<string, (x: Ins) => number> = {};

function insText(x: Ins): string {
    switch (x.k) {
        case 'push':
            return x.i === 0 ? 'DUP' : x.i === 1 ? 'OVER' : `s${x.i} PUSH`;
        case 'push2':
            return `s${x.i} s${x.j} PUSH2`;
        case 'push3':
            return `s${x.i} s${x.j} s${x.l} PUSH3`;
        case 'xchg':
            if (x.i === 0 && x.j === 1) return 'SWAP';
            return `s${x.i} s${x.j} XCHG`;
        case 'roll':
            return x.i === 1 ? 'SWAP' : x.i === 2 ? 'ROT' : `1 ${x.i} BLKSWAP`;
        case 'blkdrop2':
            return x.i === 1 && x.j === 1 ? 'NIP' : `${x.i} ${x.j} BLKDROP2`;
        case 'drop':
            return 'DROP';
        case 'pushint':
            return `${x.v} PUSHINT`;
        case 'op':
            switch (x.op) {
                case 'mm':
                    return 'MULMODR';
                case 'mma':
                    return 'MULADDDIVMODR NIP';
                case 'add':
                    return 'ADD';
                case 'sub':
                    return 'SUB';
                case 'neg':
                    return 'NEGATE';
                case 'mulc':
                    return `${x.c} MULCONST`;
                default:
                    throw new Error('op ' + x.op);
            }
        case 'branchz':
            return `s${x.i} PUSH <{ ${x.body.map(insText).join(' ')} }>c IFNOTJMPREF`;
        case 'raw':
            return x.text;
    }
}

/** Rough gas of an instruction (10 + opcode bits), used only to report the schedule's cost. */
function insGas(x: Ins): number {
    switch (x.k) {
        case 'push':
            return x.i <= 15 ? 18 : 26;
        case 'push2':
            return 26;
        case 'push3':
            return 34;
        case 'xchg':
            return x.i <= 1 && x.j <= 15 ? 18 : 26;
        case 'roll':
            return x.i <= 2 ? 18 : 26;
        case 'blkdrop2':
            return x.i === 1 && x.j === 1 ? 18 : 26;
        case 'drop':
            return 18;
        case 'pushint':
            return x.v >= -5n && x.v <= 10n ? 18 : 23;
        case 'op':
            return x.op === 'mma' ? 26 + 18 : x.op === 'mm' || x.op === 'mulc' ? 26 : 18;
        case 'branchz':
            return 18 + 26;
        case 'raw':
            return 0;
    }
}

class Sched {
    stack: Slot[];
    code: Ins[] = [];
    constructor(
        frame: Slot[],
        private pval: Val,
    ) {
        this.stack = frame.slice();
    }
    depth(v: Val): number {
        for (let d = 0; d < this.stack.length; d++) if (this.stack[this.stack.length - 1 - d] === v) return d;
        throw new Error(`value ${v.name} not on stack`);
    }
    private pushCopies(vals: Val[]) {
        // group copies into PUSH3/PUSH2 where the indices allow it
        let i = 0;
        while (i < vals.length) {
            const rest = vals.length - i;
            if (rest >= 3) {
                const a = this.depth(vals[i]);
                const b = this.depth(vals[i + 1]) + 1;
                const c = this.depth(vals[i + 2]) + 2;
                if (a <= 15 && b - 1 <= 15 && c - 2 <= 15) {
                    // PUSH3 s(a),s(b'),s(c') = PUSH s(a); PUSH s(b'+1); PUSH s(c'+2)
                    this.code.push({ k: 'push3', i: a, j: b - 1, l: c - 2 });
                    this.stack.push(vals[i], vals[i + 1], vals[i + 2]);
                    i += 3;
                    continue;
                }
            }
            if (rest >= 2) {
                const a = this.depth(vals[i]);
                const b = this.depth(vals[i + 1]) + 1;
                if (a <= 15 && b - 1 <= 15) {
                    this.code.push({ k: 'push2', i: a, j: b - 1 });
                    this.stack.push(vals[i], vals[i + 1]);
                    i += 2;
                    continue;
                }
            }
            this.code.push({ k: 'push', i: this.depth(vals[i]) });
            this.stack.push(vals[i]);
            i += 1;
        }
    }
    /** Bring `ops` to the top of the stack in order; values in `dead` may be consumed. */
    place(ops: Val[], dead: Set<Val>) {
        const n = ops.length;
        const unique = (v: Val) => ops.filter((o) => o === v).length === 1;
        // the longest prefix of ops already sitting on top in order, all consumable
        let j = 0;
        for (let cand = Math.min(n, this.stack.length); cand > 0; cand--) {
            let ok = true;
            for (let m = 0; m < cand; m++) {
                const v = ops[m];
                if (this.stack[this.stack.length - cand + m] !== v || !dead.has(v)) ok = false;
            }
            if (ok) {
                j = cand;
                break;
            }
        }
        const pending: Val[] = [];
        const flush = () => {
            if (pending.length) this.pushCopies(pending.splice(0));
        };
        for (let m = j; m < n; m++) {
            const v = ops[m];
            const d = this.depth(v);
            const movable = dead.has(v) && unique(v);
            if (movable && m === 0 && j === 0 && d === 0) continue; // already on top
            if (movable && m === 0 && j === 0 && d <= 15) {
                flush();
                this.code.push({ k: 'xchg', i: 0, j: d });
                const top = this.stack.length - 1;
                [this.stack[top], this.stack[top - d]] = [this.stack[top - d], this.stack[top]];
                continue;
            }
            if (movable && pending.length === 0 && d >= 1 && d <= 2) {
                this.code.push({ k: 'roll', i: d });
                this.stack.splice(this.stack.length - 1 - d, 1);
                this.stack.push(v);
                continue;
            }
            pending.push(v);
        }
        flush();
        // every other instance of a consumed value on the stack is garbage now
        for (let m = 0; m < n; m++) {
            const v = ops[m];
            if (!dead.has(v)) continue;
            for (let s = 0; s < this.stack.length - n; s++) if (this.stack[s] === v) this.stack[s] = null;
        }
    }
    emitOp(v: Val, dead: Set<Val>) {
        switch (v.op) {
            case 'const':
                this.code.push({ k: 'pushint', v: v.k! });
                this.stack.push(v);
                return;
            case 'mm':
                this.place([v.args[0], v.args[1], this.pval], dead);
                this.code.push({ k: 'op', op: 'mm' });
                this.stack.splice(-3, 3, v);
                return;
            case 'mma':
                this.place([v.args[0], v.args[1], v.args[2], this.pval], dead);
                this.code.push({ k: 'op', op: 'mma' });
                this.stack.splice(-4, 4, v);
                return;
            case 'add':
            case 'sub':
                this.place([v.args[0], v.args[1]], dead);
                this.code.push({ k: 'op', op: v.op });
                this.stack.splice(-2, 2, v);
                return;
            case 'neg':
            case 'mulc':
                this.place([v.args[0]], dead);
                this.code.push({ k: 'op', op: v.op, c: v.k });
                this.stack.splice(-1, 1, v);
                return;
            default:
                throw new Error('emit ' + v.op);
        }
    }
    /** Rearrange the frame so that it holds exactly `want` (bottom to top), dropping the rest. */
    finish(want: (Val | bigint)[]) {
        const vals = want.filter((w): w is Val => typeof w !== 'bigint');
        if (new Set(vals).size !== vals.length) throw new Error('duplicate wanted value');
        // constants go on top at the end; they must be a suffix of `want`
        const firstConst = want.findIndex((w) => typeof w === 'bigint');
        if (firstConst >= 0 && want.slice(firstConst).some((w) => typeof w !== 'bigint'))
            throw new Error('constants must come last');
        this.dropGarbage(new Set(vals));
        const W = vals.length;
        if (this.stack.length !== W) throw new Error('finish: frame mismatch');
        for (let t = 0; t < W; t++) {
            const v = vals[W - 1 - t];
            const d = this.depth(v);
            if (d === t) continue;
            const a = Math.min(t, d);
            const b = Math.max(t, d);
            this.code.push({ k: 'xchg', i: a, j: b });
            const top = this.stack.length - 1;
            [this.stack[top - a], this.stack[top - b]] = [this.stack[top - b], this.stack[top - a]];
        }
        for (const w of want)
            if (typeof w === 'bigint') {
                this.code.push({ k: 'pushint', v: w });
                this.stack.push(null);
            }
    }
    /** Drop every slot not in `keep`, preserving the order of the rest (runs via BLKDROP2). */
    dropGarbage(keep: Set<Val>) {
        let d = 0;
        while (d < this.stack.length) {
            const at = (x: number) => this.stack[this.stack.length - 1 - x];
            const isG = (x: number) => {
                const v = at(x);
                return v === null || !keep.has(v);
            };
            if (!isG(d)) {
                d++;
                continue;
            }
            let c = 0;
            while (d + c < this.stack.length && isG(d + c) && c < 15) c++;
            if (d === 0) this.code.push(c === 1 ? { k: 'drop' } : { k: 'raw', text: `${c} BLKDROP` });
            else if (d <= 15) this.code.push({ k: 'blkdrop2', i: c, j: d });
            else throw new Error('garbage too deep');
            this.stack.splice(this.stack.length - d - c, c);
        }
    }
    /** Drop garbage when it grows, keeping the order of the live values. */
    compact() {
        const garbage = this.stack.filter((s) => s === null).length;
        if (garbage < 3) return;
        this.dropGarbage(new Set(this.stack.filter((x): x is Val => x !== null)));
    }
}

/** Schedules `prog` given the frame layout; returns the scheduler (code + final stack). */
function schedule(prog: Prog, frame: Slot[], pval: Val, want: (Val | bigint)[], keepAlive: Val[] = [], tries = 4000): Sched {
    // try the written order and many random topological orders (seeded: deterministic output)
    let best = scheduleOrder(prog, prog.body, frame, pval, want, keepAlive);
    let seed = 0x2545f491n;
    const rand = (n: number) => {
        seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
        return Number((seed >> 33n) % BigInt(n));
    };
    for (let t = 0; t < tries; t++) {
        const done = new Set<Val>(prog.inputs);
        const order: Val[] = [];
        const left = prog.body.slice();
        while (left.length) {
            const ready = left.filter((v) => v.args.every((a) => done.has(a)));
            const pick = ready[rand(ready.length)];
            order.push(pick);
            done.add(pick);
            left.splice(left.indexOf(pick), 1);
        }
        try {
            const s = scheduleOrder(prog, order, frame, pval, want, keepAlive);
            if (gasOf(s.code) < gasOf(best.code)) best = s;
        } catch {
            /* an order the simple scheduler cannot handle (e.g. too deep): skip */
        }
    }
    return best;
}

function scheduleOrder(prog: Prog, body: Val[], frame: Slot[], pval: Val, want: (Val | bigint)[], keepAlive: Val[] = []): Sched {
    const s = new Sched(frame, pval);
    const lastUse = new Map<Val, number>();
    body.forEach((v, i) => v.args.forEach((a) => lastUse.set(a, i)));
    const forever = new Set<Val>([pval, ...keepAlive, ...want.filter((w): w is Val => typeof w !== 'bigint')]);
    body.forEach((v, i) => {
        const dead = new Set<Val>();
        for (const a of v.args) if (lastUse.get(a) === i && !forever.has(a)) dead.add(a);
        s.emitOp(v, dead);
        // values produced but never used, or consumed inputs left behind, become garbage
        const live = new Set<Val>(forever);
        for (const [val, lu] of lastUse) if (lu > i) live.add(val);
        s.stack = s.stack.map((x) => (x && (live.has(x) || x === v) ? x : null));
        s.compact();
    });
    s.finish(want);
    return s;
}

// ---------------------------------------------------------------------------------------------
// Assembling the routines
// ---------------------------------------------------------------------------------------------
type Routine = { name: string; code: Ins[]; gas: number };

function gasOf(code: Ins[]): number {
    return code.reduce((a, x) => a + insGas(x), 0);
}

function buildDbl(neg = false): { code: Ins[]; prog: Prog } {
    const prog = neg ? progDblNeg() : progDbl();
    const pval = { id: -1, name: 'p', op: 'in', args: [], bound: P } as Val;
    const [X, Y, Z] = prog.inputs;
    const s = schedule(prog, [pval, X, Y, Z], pval, [pval, ...prog.outputs]);
    return { code: s.code, prog };
}

/** madd: frame [p X1 Y1 Z1 x2 y2] -> [p X3 Y3 Z3]. */
function buildMadd(): Ins[] {
    const pval = { id: -1, name: 'p', op: 'in', args: [], bound: P } as Val;
    const pre = progMaddPre();
    const [X1, Y1, Z1, x2, y2] = pre.inputs;
    const code: Ins[] = [];
    // P1 = O: the result is P2
    const s0 = new Sched([pval, X1, Y1, Z1, x2, y2], pval);
    s0.finish([pval, x2, y2, 1n]);
    code.push({ k: 'branchz', i: 2, body: s0.code });
    // up to h, r
    const [, , , h, r] = pre.outputs;
    const sp = schedule(pre, [pval, X1, Y1, Z1, x2, y2], pval, [pval, X1, Y1, Z1, h, r]);
    code.push(...sp.code);
    // h == 0: r == 0 -> 2·P1, otherwise O
    const frameAt: Slot[] = [pval, X1, Y1, Z1, h, r];
    const sd = new Sched(frameAt, pval);
    sd.finish([pval, X1, Y1, Z1]);
    const dbl = buildDbl().code;
    const so = new Sched(frameAt, pval);
    so.finish([pval, 1n, 1n, 0n]);
    code.push({ k: 'branchz', i: 1, body: [{ k: 'branchz', i: 0, body: [...sd.code, ...dbl] }, ...so.code] });
    // the rest
    const post = progAddPost('madd.post');
    const [U1, S1, Z, hh, rr] = post.inputs;
    const sq = schedule(post, [pval, U1, S1, Z, hh, rr], pval, [pval, ...post.outputs]);
    code.push(...sq.code);
    return code;
}

/** add: frame [p X1 Y1 Z1 X2 Y2 Z2] -> [p X3 Y3 Z3]; P2 must not be O. */
function buildAdd(): Ins[] {
    const pval = { id: -1, name: 'p', op: 'in', args: [], bound: P } as Val;
    const pre = progAddPre();
    const [X1, Y1, Z1, X2, Y2, Z2] = pre.inputs;
    const code: Ins[] = [];
    const s0 = new Sched([pval, X1, Y1, Z1, X2, Y2, Z2], pval);
    s0.finish([pval, X2, Y2, Z2]);
    code.push({ k: 'branchz', i: 3, body: s0.code });
    const [, , , u1, s1, zz, h, r] = pre.outputs;
    const sp = schedule(pre, [pval, X1, Y1, Z1, X2, Y2, Z2], pval, [pval, X1, Y1, Z1, u1, s1, zz, h, r]);
    code.push(...sp.code);
    const frameAt: Slot[] = [pval, X1, Y1, Z1, u1, s1, zz, h, r];
    const sd = new Sched(frameAt, pval);
    sd.finish([pval, X1, Y1, Z1]);
    const dbl = buildDbl().code;
    const so = new Sched(frameAt, pval);
    so.finish([pval, 1n, 1n, 0n]);
    code.push({ k: 'branchz', i: 1, body: [{ k: 'branchz', i: 0, body: [...sd.code, ...dbl] }, ...so.code] });
    const post = progAddPost('add.post');
    const [U1, S1, Z, hh, rr] = post.inputs;
    // frame now [p X1 Y1 Z1 u1 s1 zz h r]: drop X1 Y1 Z1 first
    const sc = new Sched(frameAt, pval);
    sc.finish([pval, u1, s1, zz, h, r]);
    code.push(...sc.code);
    const sq = schedule(post, [pval, U1, S1, Z, hh, rr], pval, [pval, ...post.outputs]);
    code.push(...sq.code);
    return code;
}


/**
 * s^(n-2) mod n (Fermat inverse modulo the group order) as one straight line: odd powers
 * s, s^3, ..., s^15 first, then left-to-right sliding windows of up to 4 bits over n - 2.
 * Frame [n s] -> [w] with w centred (|w| <= (n-1)/2).
 */
function buildInvN(): { code: Ins[]; mults: number } {
    const g = new Prog('inv_n');
    const s = g.input('s');
    const s2 = g.mm('s2', s, s);
    const odd: Val[] = [s];
    for (let i = 1; i < 8; i++) odd.push(g.mm(`s${2 * i + 1}`, odd[i - 1], s2));
    const e = N - 2n;
    let i = e.toString(2).length - 1;
    let acc: Val | null = null;
    let k = 0;
    while (i >= 0) {
        if (((e >> BigInt(i)) & 1n) === 0n) {
            acc = g.mm(`a${k++}`, acc!, acc!);
            i -= 1;
            continue;
        }
        let j = Math.max(i - 3, 0);
        while (((e >> BigInt(j)) & 1n) === 0n) j++;
        const value = Number((e >> BigInt(j)) & ((1n << BigInt(i - j + 1)) - 1n));
        if (acc === null) acc = odd[(value - 1) / 2];
        else {
            for (let t = 0; t < i - j + 1; t++) acc = g.mm(`a${k++}`, acc, acc);
            acc = g.mm(`a${k++}`, acc, odd[(value - 1) / 2]);
        }
        i = j - 1;
    }
    g.out(acc!);
    const nval = { id: -1, name: 'n', op: 'in', args: [], bound: N } as Val;
    const sch = schedule(g, [nval, s], nval, [acc!], [], 0);
    return { code: sch.code, mults: g.body.length };
}

// ---------------------------------------------------------------------------------------------
// Stack simulator for the emitted code (validates the scheduler)
// ---------------------------------------------------------------------------------------------
function simulate(code: Ins[], stack: bigint[], M: bigint = P): bigint[] {
    const st = stack.slice();
    const at = (i: number) => {
        if (i >= st.length) throw new Error('stack underflow');
        return st[st.length - 1 - i];
    };
    const run = (cs: Ins[]): boolean => {
        for (const x of cs) {
            switch (x.k) {
                case 'push':
                    st.push(at(x.i));
                    break;
                case 'push2': {
                    const a = at(x.i);
                    st.push(a);
                    st.push(at(x.j + 1));
                    break;
                }
                case 'push3': {
                    st.push(at(x.i));
                    st.push(at(x.j + 1));
                    st.push(at(x.l + 2));
                    break;
                }
                case 'xchg': {
                    const a = st.length - 1 - x.i;
                    const b = st.length - 1 - x.j;
                    [st[a], st[b]] = [st[b], st[a]];
                    break;
                }
                case 'roll': {
                    const v = st.splice(st.length - 1 - x.i, 1)[0];
                    st.push(v);
                    break;
                }
                case 'blkdrop2':
                    st.splice(st.length - x.j - x.i, x.i);
                    break;
                case 'drop':
                    st.pop();
                    break;
                case 'raw': {
                    const m = /^(\d+) BLKDROP$/.exec(x.text);
                    if (!m) throw new Error('raw ' + x.text);
                    st.splice(st.length - Number(m[1]), Number(m[1]));
                    break;
                }
                case 'pushint':
                    st.push(x.v);
                    break;
                case 'op': {
                    const arity = { mm: 3, mma: 4, add: 2, sub: 2, neg: 1, mulc: 1 }[x.op as string]!;
                    const args = st.splice(st.length - arity, arity);
                    let r: bigint;
                    if (x.op === 'mm') {
                        if (args[2] !== M) throw new Error('wrong modulus');
                        r = modr(args[0] * args[1], M);
                    } else if (x.op === 'mma') {
                        if (args[3] !== M) throw new Error('wrong modulus');
                        const q = (args[0] * args[1] + args[2] - modr(args[0] * args[1] + args[2], M)) / M;
                        checkInt(q);
                        r = modr(args[0] * args[1] + args[2], M);
                    } else r = evalOp(x.op, args, x.c);
                    st.push(checkInt(r));
                    break;
                }
                case 'branchz': {
                    const v = at(x.i);
                    if (v === 0n) {
                        run(x.body);
                        return true;
                    }
                    break;
                }
            }
        }
        return false;
    };
    run(code);
    return st;
}

// ---------------------------------------------------------------------------------------------
// Reference checks against @noble/curves
// ---------------------------------------------------------------------------------------------
type Jac = [bigint, bigint, bigint];
const Pt = p256.ProjectivePoint;
function toAffine([X, Y, Z]: Jac): { x: bigint; y: bigint } | null {
    if (mod(Z, P) === 0n) return null;
    const zi = powmod(Z, P - 2n, P);
    return { x: mod(X * zi * zi, P), y: mod(Y * zi * zi * zi, P) };
}
function randJac(k: bigint, rnd: () => bigint): Jac {
    const a = Pt.BASE.multiply(k).toAffine();
    const z = centre(rnd(), P) || 1n;
    return [centre(a.x * z * z, P), centre(a.y * z * z * z, P), z];
}
function sameAffine(j: Jac, expect: (typeof Pt)['BASE'] | null, what: string) {
    const a = toAffine(j);
    if (expect === null || expect.equals(Pt.ZERO)) {
        if (a !== null) throw new Error(`${what}: expected infinity`);
        return;
    }
    const e = expect.toAffine();
    if (!a || a.x !== e.x || a.y !== e.y) throw new Error(`${what}: wrong result`);
}

function selfTest(dbl: Ins[], madd: Ins[], add: Ins[]) {
    let seed = 0x1234567n;
    const rnd = () => {
        seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
        let x = 0n;
        for (let i = 0; i < 4; i++) {
            seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
            x = (x << 64n) | seed;
        }
        return x;
    };
    const tail = (st: bigint[]): Jac => {
        if (st.length !== 5 || st[0] !== 7n || st[1] !== P) throw new Error('frame not restored: ' + st.length);
        for (const v of st.slice(2)) if (v > HALF || v < -HALF) throw new Error('output not reduced');
        return [st[2], st[3], st[4]];
    };
    for (let i = 0; i < 200; i++) {
        const k1 = (rnd() % (N - 1n)) + 1n;
        const k2 = i % 7 === 0 ? k1 : i % 11 === 0 ? N - k1 : (rnd() % (N - 1n)) + 1n;
        const P1 = randJac(k1, rnd);
        const P2 = randJac(k2, rnd);
        // doubling
        sameAffine(tail(simulate(dbl, [7n, P, ...P1])), Pt.BASE.multiply(k1).double(), 'dbl');
        // mixed addition
        const a2 = Pt.BASE.multiply(k2).toAffine();
        const sum = Pt.BASE.multiply(k1).add(Pt.BASE.multiply(k2));
        sameAffine(tail(simulate(madd, [7n, P, ...P1, centre(a2.x, P), centre(a2.y, P)])), sum, 'madd');
        sameAffine(tail(simulate(add, [7n, P, ...P1, ...P2])), sum, 'add');
        // accumulator at infinity
        const O: Jac = [1n, 1n, 0n];
        sameAffine(tail(simulate(madd, [7n, P, ...O, centre(a2.x, P), centre(a2.y, P)])), Pt.BASE.multiply(k2), 'madd O');
        sameAffine(tail(simulate(add, [7n, P, ...O, ...P2])), Pt.BASE.multiply(k2), 'add O');
        sameAffine(tail(simulate(dbl, [7n, P, ...O])), null, 'dbl O');
    }
}

// ---------------------------------------------------------------------------------------------
// Tables of multiples of G
// ---------------------------------------------------------------------------------------------
/** 4-ary tree: the root has 4 children, ... 4 levels of directories, leaves (257|257 bits). */
function tableCell(base: (typeof Pt)['BASE']): Cell {
    const leaves: Cell[] = [];
    let acc = Pt.ZERO;
    for (let j = 0; j < 256; j++) {
        if (j === 0) leaves.push(beginCell().endCell());
        else {
            acc = acc.add(base);
            const a = acc.toAffine();
            leaves.push(beginCell().storeInt(centre(a.x, P), 257).storeInt(centre(a.y, P), 257).endCell());
        }
    }
    let level = leaves;
    while (level.length > 1) {
        const up: Cell[] = [];
        for (let i = 0; i < level.length; i += 4) {
            const b = beginCell();
            for (let m = 0; m < 4; m++) b.storeRef(level[i + m]);
            up.push(b.endCell());
        }
        level = up;
    }
    return level[0];
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------
function asm(code: Ins[]): string {
    return code.map(insText).join(' ');
}

function fcString(lines: string[]): string {
    // FunC asm strings: one instruction group per string literal keeps the lines readable
    return lines.map((l) => `    "${l}"`).join('\n');
}

function chunks(code: Ins[], per = 6): string[] {
    const out: string[] = [];
    for (let i = 0; i < code.length; i += per) out.push(code.slice(i, i + per).map(insText).join(' '));
    return out;
}

function generate(): Record<string, string> {
    const dbl = buildDbl().code;
    const dblNeg = buildDbl(true).code;
    const madd = buildMadd();
    const add = buildAdd();
    selfTest(dbl, madd, add);
    for (let i = 1n; i < 100n; i++) {
        const k = (i * 0x9e3779b97f4a7c15f39cc0605cedc834n) % N;
        const a = Pt.BASE.multiply(k).toAffine();
        const z = centre(i * 0x1234567890abcdefn + 17n, P);
        const st = simulate(dblNeg, [7n, P, centre(a.x * z * z, P), centre(a.y * z * z * z, P), z]);
        sameAffine([st[2], st[3], st[4]], Pt.BASE.multiply(k).double().negate(), 'dbl_neg');
        if (st.length !== 5) throw new Error('dbl_neg frame');
    }
    const inv = buildInvN();
    for (let i = 1n; i < 300n; i++) {
        const x = (i * 0x9e3779b97f4a7c15f39cc0605cedc834n * i + i) % N || 1n;
        const st = simulate(inv.code, [N, x], N);
        if (st.length !== 1 || mod(st[0] * x, N) !== 1n || st[0] > (N - 1n) / 2n || st[0] < -(N - 1n) / 2n)
            throw new Error('inv_n self-test failed');
    }

    const header = (what: string) =>
        `;; ${what}\n;; GENERATED by tools/p256-tables.ts — do not edit; regenerate with \`npx ts-node tools/p256-tables.ts\`.\n`;

    const pointAsm =
        header('P-256 Jacobian point formulas as straight-line TVM assembly.') +
        `;;
;; Every routine takes the field prime p as its first (deepest) argument and returns it
;; unchanged first, so a chain of calls keeps p in place. Coordinates in and out are centred
;; residues (|v| <= (p-1)/2, as MULMODR returns them); (X, Y, Z) is x = X/Z^2, y = Y/Z^3 and
;; Z = 0 is the point at infinity. Exceptional cases are handled inside the routines:
;; adding to infinity returns the other point, P + P doubles, P + (-P) gives infinity.
;;
;; Scheduled gas (instructions only, excluding the cell loads of the code): dbl ${gasOf(dbl)},
;; dbl_neg ${gasOf(dblNeg)}, madd ${gasOf(madd)}, add ${gasOf(add)}.

;; 2·P1. The result is scaled by 1/2 (same point).
(int, int, int, int) p256::dbl(int p, int x1, int y1, int z1) asm
${fcString(chunks(dbl))};

;; -2·P1 (one negation cheaper than p256::dbl): use in pairs, dbl_neg(dbl_neg(P)) = 4·P.
(int, int, int, int) p256::dbl_neg(int p, int x1, int y1, int z1) asm
${fcString(chunks(dblNeg))};

;; P1 + P2 with P2 = (x2, y2) affine (never infinity; centred coordinates).
(int, int, int, int) p256::madd(int p, int x1, int y1, int z1, int x2, int y2) asm
    "<{"
${fcString(chunks(madd))}
    "}>c CALLREF";

;; P1 + P2, both Jacobian; P2 must not be the point at infinity.
(int, int, int, int) p256::add(int p, int x1, int y1, int z1, int x2, int y2, int z2) asm
    "<{"
${fcString(chunks(add))}
    "}>c CALLREF";
`;

    const scalarAsm =
        header('Inverse modulo the P-256 group order n, as straight-line TVM assembly.') +
        `;;
;; s^(n-2) mod n (Fermat): odd powers s..s^15, then sliding windows of up to 4 bits over n - 2;
;; ${inv.mults} multiplications, scheduled gas ${gasOf(inv.code)} (plus the cell loads of the code).
;; Requires 0 < s < n; the result is centred (|w| <= (n-1)/2): add n when negative.
int p256::inv_mod_n_centred(int s) asm
    "${N} PUSHINT SWAP"
${fcString(chunks(inv.code, 8))};
`;
    const g = tableCell(Pt.BASE);
    const g128 = tableCell(Pt.BASE.multiply(1n << 128n));
    const hex = (c: Cell) => c.toBoc({ idx: false, crc32: false }).toString('hex').toUpperCase();
    const tables =
        header('Precomputed multiples of the P-256 generator.') +
        `;;
;; p256::g_table() holds j·G and p256::g128_table() holds j·2^128·G for j = 1..255, affine,
;; centred coordinates as two 257-bit signed integers in a leaf cell. The leaves hang under a
;; 4-ary tree of directory cells (4 levels): leaf j is reached through refs (j>>6)&3,
;; (j>>4)&3, (j>>2)&3, j&3. Entry 0 is an empty cell and must never be read.

cell p256::g_table() asm "B{${hex(g)}} B>boc PUSHREF";
cell p256::g128_table() asm "B{${hex(g128)}} B>boc PUSHREF";

;; (x, y) of entry j (1..255) of a table.
(int, int) p256::table_get(cell table, int j) asm
    "SWAP CTOS"
    "OVER 6 RSHIFT# PLDREFVAR CTOS"
    "OVER 4 RSHIFT# 2 MODPOW2# PLDREFVAR CTOS"
    "OVER 2 RSHIFT# 2 MODPOW2# PLDREFVAR CTOS"
    "SWAP 2 MODPOW2# PLDREFVAR CTOS"
    "257 PUSHINT LDIX 257 PUSHINT PLDIX";
`;
    return {
        'contracts/p256/point-asm.fc': pointAsm,
        'contracts/p256/tables.fc': tables,
        'contracts/p256/scalar-asm.fc': scalarAsm,
    };
}

function main() {
    const root = path.resolve(__dirname, '..');
    const files = generate();
    const check = process.argv.includes('--check');
    let stale = false;
    for (const [rel, text] of Object.entries(files)) {
        const file = path.join(root, rel);
        if (check) {
            let old = '';
            try {
                old = readFileSync(file, 'utf8');
            } catch {
                /* missing */
            }
            if (old !== text) {
                console.error(`${rel} is stale; run npx ts-node tools/p256-tables.ts`);
                stale = true;
            }
        } else {
            writeFileSync(file, text);
            console.log(`wrote ${rel} (${text.length} bytes)`);
        }
    }
    if (stale) process.exit(1);
}

if (require.main === module) main();
