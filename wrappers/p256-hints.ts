/**
 * Off-chain hints for the hinted ECDSA P-256 verifier (contracts/p256/hinted.fc,
 * `ecdsa_p256_verify_hinted`). The hint is untrusted: the contract checks every value, so a
 * wrong hint only makes verification fail. See hinted.fc for the cell layout and the checks.
 *
 *   w          s^-1 mod n
 *   R          u1·G + u2·Q (its y, and whether x(R) = r + n)
 *   (a, b)     a ≡ b·u2 (mod n), |a|, |b| < 2^128: the first remainder below 2^128 of the
 *              extended Euclidean algorithm on (n, u2) (the "half-GCD" lattice split)
 *   2Q..8Q, 2R..8R  affine multiples (the contract checks them with the chord/tangent equations)
 */
import { beginCell, Builder, Cell } from '@ton/core';
import { p256 } from '@noble/curves/p256';

export const P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P256_B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const Pt = p256.ProjectivePoint;
type Point = InstanceType<typeof Pt>;

export type Affine = { x: bigint; y: bigint };

/** The hint of one verification. All fields are free to be wrong (the contract rejects). */
export type P256Hint = {
    w: bigint;
    ry: bigint;
    rxPlusN: boolean;
    a: bigint;
    b: bigint;
    /** 2Q..8Q (7 points). */
    qMultiples: Affine[];
    /** 2R..8R (7 points). */
    rMultiples: Affine[];
};

/** The signature statement the hint is for (hash as a big-endian integer). */
export type P256Statement = { hash: bigint; r: bigint; s: bigint; qx: bigint; qy: bigint };

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

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

/** (a, b) with a ≡ b·u (mod n), |a|, |b| < 2^128, b ≠ 0 (u in [1, n)). */
export function splitScalar(u: bigint, n: bigint = P256_N): { a: bigint; b: bigint } {
    const LIM = 1n << 128n;
    // invariant r_i ≡ t_i·u (mod n); |t_i|·r_{i-1} <= n, so at the first r_i < 2^128,
    // |t_i| <= n / r_{i-1} < n / 2^128 < 2^128.
    let r0 = n,
        r1 = mod(u, n),
        t0 = 0n,
        t1 = 1n;
    if (r1 === 0n) throw new Error('splitScalar: u ≡ 0');
    while (r1 >= LIM) {
        const q = r0 / r1;
        [r0, r1] = [r1, r0 - q * r1];
        [t0, t1] = [t1, t0 - q * t1];
    }
    if (t1 === 0n || t1 >= LIM || -t1 >= LIM || mod(r1 - t1 * u, n) !== 0n) throw new Error('splitScalar: internal error');
    return { a: r1, b: t1 };
}

function sqrtModP(v: bigint): bigint | null {
    const y = powmod(v, (P256_P + 1n) / 4n, P256_P);
    return (y * y) % P256_P === mod(v, P256_P) ? y : null;
}

function pointOrNull(x: bigint, y: bigint): Point | null {
    try {
        const q = Pt.fromAffine({ x, y });
        q.assertValidity();
        return q;
    } catch {
        return null;
    }
}

function multiples(P: Point | null): Affine[] {
    const out: Affine[] = [];
    for (let k = 2n; k <= 8n; k++) out.push(P ? P.multiply(k).toAffine() : { x: 0n, y: 0n });
    return out;
}

/**
 * Computes the hint of a signature statement. For a valid signature the result makes
 * `ecdsa_p256_verify_hinted` accept. For an invalid one (no correct hint exists) it returns the
 * most plausible hint: every individually checkable value correct where possible (w, a point R
 * with x = r or r + n when one exists, a correct split, correct multiples), so that the contract
 * runs to the final point equation and rejects there.
 */
export function computeP256Hint(req: P256Statement): P256Hint {
    const n = P256_N;
    const sOk = req.s > 0n && req.s < n;
    const w = sOk ? powmod(req.s, n - 2n, n) : 1n;
    const u1 = mod(req.hash * w, n);
    const u2 = mod(req.r * w, n);
    const Q = req.qx >= 0n && req.qx < P256_P && req.qy >= 0n && req.qy < P256_P ? pointOrNull(req.qx, req.qy) : null;

    let R: Point | null = null;
    let rxPlusN = false;
    if (Q && u2 !== 0n) {
        const T = Pt.BASE.multiplyUnsafe(u1).add(Q.multiplyUnsafe(u2));
        if (!T.equals(Pt.ZERO)) {
            const t = T.toAffine();
            if (mod(t.x, n) === mod(req.r, n) && req.r > 0n && req.r < n) {
                R = T;
                rxPlusN = t.x !== req.r;
            }
        }
    }
    if (!R && req.r > 0n) {
        // invalid signature: any curve point with x = r (or r + n)
        for (const [x, plus] of [
            [req.r, false],
            [req.r + n, true],
        ] as [bigint, boolean][]) {
            if (x >= P256_P) continue;
            const y = sqrtModP(x * x * x - 3n * x + P256_B);
            if (y !== null) {
                R = Pt.fromAffine({ x, y });
                rxPlusN = plus;
                break;
            }
        }
    }
    const { a, b } = u2 !== 0n ? splitScalar(u2) : { a: 0n, b: 1n };
    return {
        w,
        ry: R ? R.toAffine().y : 0n,
        rxPlusN,
        a,
        b,
        qMultiples: multiples(Q),
        rMultiples: multiples(R),
    };
}

const U256 = (1n << 256n) - 1n;

/** Multiples chain: 14 uint256 values, 3 per cell, each cell but the last with one ref. */
export function multiplesCell(points: Affine[]): Cell {
    const values = points.flatMap((p) => [p.x & U256, p.y & U256]);
    let next: Cell | null = null;
    for (let i = Math.floor((values.length - 1) / 3) * 3; i >= 0; i -= 3) {
        const b: Builder = beginCell();
        for (const v of values.slice(i, i + 3)) b.storeUint(v, 256);
        if (next) b.storeRef(next);
        next = b.endCell();
    }
    return next ?? beginCell().endCell();
}

/** The hint cell (771 bits, 2 refs) of contracts/p256/hinted.fc. */
export function hintCell(h: P256Hint): Cell {
    return beginCell()
        .storeUint(h.w & U256, 256)
        .storeUint(h.ry & U256, 256)
        .storeBit(h.rxPlusN)
        .storeInt(h.a, 129)
        .storeInt(h.b, 129)
        .storeRef(multiplesCell(h.qMultiples))
        .storeRef(multiplesCell(h.rMultiples))
        .endCell();
}

/** computeP256Hint + hintCell. */
export function p256HintCell(req: P256Statement): Cell {
    return hintCell(computeP256Hint(req));
}
