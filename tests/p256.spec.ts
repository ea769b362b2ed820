/**
 * ECDSA P-256 verification in TVM (contracts/p256/, exercised through contracts/p256-harness.fc)
 * against node:crypto.
 *
 * Every verification runs in a real transaction of the harness, so the gas printed at the end
 * (compute phase, min/avg/max) is what the chain would charge. Vectors come from a seeded
 * generator (private keys and messages are derived from a fixed seed; node's ECDSA nonces are
 * random, so signatures differ between runs but their validity does not). Default: 30 valid
 * and 30 invalid (plus ~60 edge cases, about a minute: one verification is ~0.2 s of emulation);
 * `P256_VECTORS=2000` runs 2000 of each.
 *
 * The hinted verifier (ecdsa_p256_verify_hinted, hints from wrappers/p256-hints.ts) runs on the
 * same kinds of vectors (HINTED_COUNT valid + invalid, the edge cases, the real quote), and on
 * valid signatures with each hinted value wrong in turn, which must all be rejected.
 *
 * Edge cases are built with a small bigint ECDSA (sign with a chosen hash, or forge a valid
 * signature for a key without its private key: R = a·G + b·Q, r = R.x, s = r/b, hash = a·s),
 * checked against @noble/curves before being sent.
 */
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { beginCell, Cell, toNano, Transaction } from '@ton/core';
import { compile } from '@ton/blueprint';
import '@ton/test-utils';
import { createECDH, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import path from 'path';
import { p256 } from '@noble/curves/p256';
import {
    computeP256Hint,
    hintCell,
    multiplesCell,
    P256Exit,
    P256Harness,
    P256Hint,
    P256Op,
    P256Request,
    splitScalar,
    verifyBody,
    verifyHintedBody,
} from '../wrappers/P256Harness';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const Pt = p256.ProjectivePoint;
const TX_GAS_LIMIT = 1_000_000n;

const COUNT = Number(process.env.P256_VECTORS ?? 30);
/** Vectors for the hinted verifier (each valid and invalid); default 12, P256_HINTED_VECTORS to change. */
const HINTED_COUNT = Number(process.env.P256_HINTED_VECTORS ?? 12);

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------
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
const inv = (a: bigint, m: bigint) => powmod(a, m - 2n, m);
const hex32 = (x: bigint) => x.toString(16).padStart(64, '0');
const toBig = (b: Buffer | Uint8Array) => BigInt('0x' + Buffer.from(b).toString('hex'));

/** Deterministic byte stream: SHA-256(seed || counter). */
class Rng {
    private i = 0;
    constructor(private seed: string) {}
    bytes(n: number): Buffer {
        const out: Buffer[] = [];
        let have = 0;
        while (have < n) {
            const h = createHash('sha256').update(`${this.seed}:${this.i++}`).digest();
            out.push(h);
            have += h.length;
        }
        return Buffer.concat(out).subarray(0, n);
    }
    scalar(): bigint {
        return (toBig(this.bytes(32)) % (N - 1n)) + 1n;
    }
    int(n: number): number {
        return this.bytes(4).readUInt32BE(0) % n;
    }
}

type Key = { priv: KeyObject; pub: KeyObject; qx: bigint; qy: bigint; d?: bigint };

function keyFromScalar(d: bigint): Key {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(hex32(d), 'hex'));
    const pubRaw = ecdh.getPublicKey();
    const qx = toBig(pubRaw.subarray(1, 33));
    const qy = toBig(pubRaw.subarray(33, 65));
    const b64 = (x: bigint) => Buffer.from(hex32(x), 'hex').toString('base64url');
    const jwk = { kty: 'EC', crv: 'P-256', x: b64(qx), y: b64(qy), d: b64(d) };
    const priv = createPrivateKey({ key: jwk, format: 'jwk' });
    const pub = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' });
    return { priv, pub, qx, qy, d };
}

function keyFromNode(): Key {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
    return {
        priv: privateKey,
        pub: publicKey,
        qx: toBig(Buffer.from(jwk.x, 'base64url')),
        qy: toBig(Buffer.from(jwk.y, 'base64url')),
    };
}

/** node:crypto ECDSA-SHA256 signature (ieee-p1363) of msg, as a request. */
function nodeSign(key: Key, msg: Buffer): P256Request {
    const sig = sign('sha256', msg, { key: key.priv, dsaEncoding: 'ieee-p1363' });
    expect(verify('sha256', msg, { key: key.pub, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
    return {
        hash: toBig(createHash('sha256').update(msg).digest()),
        r: toBig(sig.subarray(0, 32)),
        s: toBig(sig.subarray(32, 64)),
        qx: key.qx,
        qy: key.qy,
    };
}

/** Textbook ECDSA with a chosen hash integer and nonce. */
function rawSign(d: bigint, hash: bigint, k: bigint): { r: bigint; s: bigint } {
    const R = Pt.BASE.multiply(k).toAffine();
    const r = R.x % N;
    const s = mod(inv(k, N) * (hash + r * d), N);
    if (r === 0n || s === 0n) throw new Error('degenerate nonce');
    return { r, s };
}

/** Independent reference verdict (@noble/curves, hash used as a 256-bit prehashed integer). */
function reference(req: P256Request): boolean {
    if (req.r <= 0n || req.r >= N || req.s <= 0n || req.s >= N) return false;
    if (req.qx < 0n || req.qx >= P || req.qy < 0n || req.qy >= P) return false;
    if (req.hash < 0n || req.hash >= 1n << 256n) return false;
    try {
        const pub = new Uint8Array(Buffer.from('04' + hex32(req.qx) + hex32(req.qy), 'hex'));
        Pt.fromHex(pub).assertValidity();
        const sig = new p256.Signature(req.r, req.s);
        return p256.verify(sig.toCompactRawBytes(), new Uint8Array(Buffer.from(hex32(req.hash), 'hex')), pub, { prehash: false, lowS: false });
    } catch {
        return false;
    }
}

function sqrtModP(a: bigint): bigint | null {
    const y = powmod(a, (P + 1n) / 4n, P);
    return (y * y) % P === mod(a, P) ? y : null;
}

/** A curve point whose x is the smallest value >= x0 that has one. */
function pointWithXFrom(x0: bigint): { x: bigint; y: bigint } {
    for (let x = x0; ; x++) {
        const y = sqrtModP(x * x * x - 3n * x + B);
        if (y !== null) return { x, y };
    }
}

/** A valid signature for the public key Q without its private key (hash is a free integer). */
function forge(qx: bigint, qy: bigint, a: bigint, b: bigint): P256Request {
    const Q = Pt.fromAffine({ x: qx % P, y: qy % P });
    const R = Pt.BASE.multiply(a).add(Q.multiply(b)).toAffine();
    const r = R.x % N;
    const s = mod(r * inv(b, N), N);
    const hash = mod(a * s, N);
    return { hash, r, s, qx, qy };
}

// ---------------------------------------------------------------------------------------------
// the suite
// ---------------------------------------------------------------------------------------------
describe('ECDSA P-256 in TVM', () => {
    let code: Cell;
    let blockchain: Blockchain;
    let harness: SandboxContract<P256Harness>;
    let sender: SandboxContract<TreasuryContract>;
    const gas: Record<string, bigint[]> = {};
    let queryId = 0n;

    beforeAll(async () => {
        code = await compile('P256Harness');
        blockchain = await Blockchain.create();
        sender = await blockchain.treasury('sender');
        harness = blockchain.openContract(P256Harness.createFromCode(code));
        const r = await harness.sendDeploy(sender.getSender(), toNano('1'));
        expect(r.transactions).toHaveTransaction({ to: harness.address, deploy: true, success: true });
    }, 120_000);

    afterAll(() => {
        const lines: string[] = [];
        for (const [k, v] of Object.entries(gas)) {
            if (!v.length) continue;
            const min = v.reduce((a, b) => (a < b ? a : b));
            const max = v.reduce((a, b) => (a > b ? a : b));
            const avg = v.reduce((a, b) => a + b, 0n) / BigInt(v.length);
            lines.push(`  ${k.padEnd(34)} n=${String(v.length).padStart(5)}  min ${min}  avg ${avg}  max ${max}`);
        }
        if (lines.length) console.log('P-256 verification gas per transaction (compute phase):\n' + lines.join('\n'));
    });

    function record(kind: string, g: bigint) {
        (gas[kind] ??= []).push(g);
    }

    /** Runs one verification in a transaction; returns the verdict and the gas used. */
    async function verifyTx(req: P256Request): Promise<{ valid: boolean; gas: bigint }> {
        const q = ++queryId;
        const res = await harness.sendVerify(sender.getSender(), toNano('1'), req, q);
        const tx = res.transactions.find((t) => t.inMessage?.info.dest?.toString() === harness.address.toString());
        expect(tx).toBeDefined();
        const d = (tx as Transaction).description;
        if (d.type !== 'generic' || d.computePhase.type !== 'vm') throw new Error('no compute phase');
        expect(d.computePhase.success).toBe(true);
        const g = d.computePhase.gasUsed;
        expect(g).toBeLessThan(TX_GAS_LIMIT);
        // the reply carries the same verdict
        expect(res.transactions).toHaveTransaction({ from: harness.address, to: sender.address, success: true });
        const reply = (tx as Transaction).outMessages.get(0)!.body.beginParse();
        expect(reply.loadUint(32)).toBe(P256Op.result);
        expect(reply.loadUintBig(64)).toBe(q);
        const valid = reply.loadBit();
        const last = await harness.getLastResult();
        expect(last.valid).toBe(valid);
        expect(last.queryId).toBe(q);
        return { valid, gas: g };
    }

    async function expectVerdict(req: P256Request, expected: boolean, kind: string) {
        expect(reference(req)).toBe(expected);
        const r = await verifyTx(req);
        if (r.valid !== expected) throw new Error(`${kind}: expected ${expected} for ${JSON.stringify(req, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`);
        record(kind, r.gas);
        return r;
    }

    /** Runs one hinted verification in a transaction (the reply carries the verdict). */
    async function verifyHintedTx(req: P256Request, hint: Cell): Promise<{ valid: boolean; gas: bigint }> {
        const q = ++queryId;
        const res = await harness.sendRaw(sender.getSender(), toNano('1'), verifyHintedBody(req, hint, q));
        const tx = res.transactions.find((t) => t.inMessage?.info.dest?.toString() === harness.address.toString());
        expect(tx).toBeDefined();
        const d = (tx as Transaction).description;
        if (d.type !== 'generic' || d.computePhase.type !== 'vm') throw new Error('no compute phase');
        expect(d.computePhase.success).toBe(true);
        const g = d.computePhase.gasUsed;
        expect(g).toBeLessThan(TX_GAS_LIMIT);
        const reply = (tx as Transaction).outMessages.get(0)!.body.beginParse();
        expect(reply.loadUint(32)).toBe(P256Op.result);
        expect(reply.loadUintBig(64)).toBe(q);
        return { valid: reply.loadBit(), gas: g };
    }

    /** Hinted verification with the computed hint (or `hint`): must give `expected`. */
    async function expectHinted(req: P256Request, expected: boolean, kind: string, hint?: Cell) {
        if (!hint) expect(reference(req)).toBe(expected);
        const r = await verifyHintedTx(req, hint ?? hintCell(computeP256Hint(req)));
        if (r.valid !== expected) throw new Error(`hinted ${kind}: expected ${expected} for ${JSON.stringify(req, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`);
        record('hinted ' + kind, r.gas);
        return r;
    }

    /** Both verifiers on one request (the edge cases). */
    async function expectBoth(req: P256Request, expected: boolean, kind: string) {
        await expectVerdict(req, expected, kind);
        await expectHinted(req, expected, kind);
    }

    const rng = new Rng('cocoon p256 vectors v1');
    const vectors: { key: Key; msg: Buffer }[] = [];
    for (let i = 0; i < COUNT; i++) vectors.push({ key: keyFromScalar(rng.scalar()), msg: rng.bytes(1 + rng.int(300)) });

    it(`accepts ${COUNT} valid signatures from node:crypto (seeded keys and messages)`, async () => {
        for (const { key, msg } of vectors) await expectVerdict(nodeSign(key, msg), true, 'valid');
    }, 600_000 + COUNT * 2_000);

    it('accepts signatures of keys from generateKeyPairSync', async () => {
        for (let i = 0; i < 5; i++) {
            const key = keyFromNode();
            await expectVerdict(nodeSign(key, Buffer.from(`fresh key ${i}`)), true, 'valid');
        }
    }, 120_000);

    it(`rejects ${COUNT} invalid signatures (bit flips, wrong key, out-of-range r/s, bad keys)`, async () => {
        const mutations: ((req: P256Request, i: number) => P256Request)[] = [
            (q, i) => ({ ...q, hash: q.hash ^ (1n << BigInt(i % 256)) }),
            (q, i) => ({ ...q, r: q.r ^ (1n << BigInt(i % 256)) }),
            (q, i) => ({ ...q, s: q.s ^ (1n << BigInt(i % 256)) }),
            (q, i) => {
                const other = vectors[(i + 1) % vectors.length].key;
                return { ...q, qx: other.qx, qy: other.qy };
            },
            (q) => ({ ...q, r: 0n }),
            (q) => ({ ...q, s: 0n }),
            (q) => ({ ...q, r: N }),
            (q) => ({ ...q, s: N }),
            (q) => ({ ...q, r: q.r + N < 1n << 256n ? q.r + N : N + 1n }),
            (q) => ({ ...q, s: q.s + N < 1n << 256n ? q.s + N : N + 1n }),
            (q) => ({ ...q, qy: (q.qy + 1n) % P }), // not on the curve
            (q) => ({ ...q, qx: q.qx ^ 1n }), // almost surely not on the curve
            (q) => ({ ...q, qy: P - q.qy }), // -Q: on the curve, wrong key
        ];
        const mrng = new Rng('cocoon p256 invalid v1');
        for (let i = 0; i < COUNT; i++) {
            const { key, msg } = vectors[i % vectors.length];
            const base = nodeSign(key, msg);
            const m = mutations[i % mutations.length];
            const bad = m(base, mrng.int(256));
            const kind = [0, 1, 2, 3, 12].includes(i % mutations.length) ? 'invalid (full ladder)' : 'invalid (early reject)';
            await expectVerdict(bad, false, kind);
        }
    }, 600_000 + COUNT * 2_000);

    it('rejects public keys with coordinates >= p even when they are the same point mod p', async () => {
        // a point with a small x, so that x + p still fits 256 bits
        const Q = pointWithXFrom(1n);
        const ok = forge(Q.x, Q.y, 12345n, 67890n);
        await expectBoth(ok, true, 'edge');
        expect(await harness.getIsOnCurve(Q.x, Q.y)).toBe(true);
        expect(await harness.getIsOnCurve(Q.x + P, Q.y)).toBe(false);
        await expectBoth({ ...ok, qx: Q.x + P }, false, 'edge');
        // y >= p: the message field is 256 bits, so check it through the get-method (257-bit ints)
        expect(await harness.getVerify(ok)).toBe(true);
        expect(await harness.getIsOnCurve(Q.x, P)).toBe(false);
        expect(await harness.getVerify({ ...ok, qx: ok.qx + P })).toBe(false);
        expect(await harness.getIsOnCurve(-1n, Q.y)).toBe(false);
        // (0, 0) and the "point at infinity" encodings are not curve points
        expect(await harness.getIsOnCurve(0n, 0n)).toBe(false);
        await expectVerdict({ ...ok, qx: 0n, qy: 0n }, false, 'edge');
    }, 120_000);

    it('handles doublings and cancellations inside the ladder (Q = ±G, ±2G; u1 = ±u2)', async () => {
        // forge() controls the scalars: u1 = a, u2 = b. With Q = G and a = b, every G-window
        // addition meets an accumulator equal to the table point (P + P: doubling); with
        // Q = -G and a = b + small, the accumulator cancels to infinity and the ladder goes on.
        const G = Pt.BASE.toAffine();
        const G2 = Pt.BASE.double().toAffine();
        const cases: [{ x: bigint; y: bigint }, bigint, bigint][] = [
            [G, 0x1234567890abcdef1234567890abcdefn, 0x1234567890abcdef1234567890abcdefn],
            [G, N - 3n, N - 3n],
            [G, (1n << 255n) + 1n, (1n << 255n) + 1n],
            [{ x: G.x, y: P - G.y }, 0xabcdef0123456789n << 190n, (0xabcdef0123456789n << 190n) + 1n],
            [{ x: G.x, y: P - G.y }, N - 10n, N - 11n],
            [{ x: G.x, y: P - G.y }, 5n, 4n],
            [G2, 2n * 0x77777777n, 0x77777777n],
            [{ x: G2.x, y: P - G2.y }, (0x55n << 200n) + 1n, (0x55n << 200n) + 1n],
        ];
        for (const [Q, a, b] of cases) {
            const req = forge(Q.x, Q.y, a, b);
            await expectBoth(req, true, 'edge');
            await expectBoth({ ...req, hash: req.hash ^ 1n }, false, 'edge');
        }
        // ordinary signatures by tiny private keys
        for (const d of [1n, 2n, N - 1n, N - 2n, 3n]) {
            const key = keyFromScalar(d);
            await expectBoth(nodeSign(key, Buffer.from('small key')), true, 'edge');
            const { r, s } = rawSign(d, 12345n, 0x1234567890abcdefn);
            await expectBoth({ hash: 12345n, r, s, qx: key.qx, qy: key.qy }, true, 'edge');
        }
    }, 300_000);

    it('accepts R.x >= n (x = r + n) and hash = 0', async () => {
        // R = (n + t, y) on the curve; Q = R, u1 = 0 (hash = 0), u2 = 1 (s = r): R = Q
        const R = pointWithXFrom(N + 1n);
        expect(R.x).toBeLessThan(P);
        const r = R.x - N;
        const req = { hash: 0n, r, s: r, qx: R.x, qy: R.y };
        await expectBoth(req, true, 'edge');
        expect(computeP256Hint(req).rxPlusN).toBe(true);
        await expectBoth({ ...req, hash: N }, true, 'edge'); // hash ≡ 0 (mod n) too
        await expectBoth({ ...req, r: r + 1n, s: r + 1n }, false, 'edge');
        // the hinted verifier rejects x = r (instead of r + n) for this signature
        await expectHinted(req, false, 'wrong hint', hintCell({ ...computeP256Hint(req), rxPlusN: false, ry: pointWithXFrom(r).y }));
        // r + n with r + n >= p is not accepted as an x-coordinate
        const req2 = forge(R.x, R.y, 3n, 1n);
        await expectBoth(req2, true, 'edge');
    }, 120_000);

    it('accepts hashes >= n and the extremes of the hash range', async () => {
        const rng2 = new Rng('cocoon p256 big hashes');
        for (const hash of [N, N + 1n, (1n << 256n) - 1n, 1n, 0n]) {
            const d = rng2.scalar();
            const key = keyFromScalar(d);
            const sig = rawSign(d, hash, rng2.scalar());
            const req = { hash, ...sig, qx: key.qx, qy: key.qy };
            await expectBoth(req, true, 'edge');
            await expectBoth({ ...req, hash: hash ^ (1n << 200n) }, false, 'edge');
        }
    }, 120_000);

    it('verifies the real TDX quote signature (attestation key over the header and TD report)', async () => {
        const dir = process.env.COCOON_SHARED_TESTDATA ?? path.resolve(__dirname, '../../shared/testdata');
        const file = path.join(dir, 'tdx-quote-v4.dat');
        if (!existsSync(file)) {
            console.warn(`skipping the real-quote check: ${file} is absent (set COCOON_SHARED_TESTDATA)`);
            return;
        }
        const quote = readFileSync(file);
        const req: P256Request = {
            hash: toBig(createHash('sha256').update(quote.subarray(0, 632)).digest()),
            r: toBig(quote.subarray(636, 668)),
            s: toBig(quote.subarray(668, 700)),
            qx: toBig(quote.subarray(700, 732)),
            qy: toBig(quote.subarray(732, 764)),
        };
        await expectVerdict(req, true, 'real quote');
        await expectHinted(req, true, 'real quote');
        // single-bit changes in the signed region are rejected
        for (const bit of [0, 8 * 48 + 3, 8 * 631 + 7]) {
            const bad = Buffer.from(quote);
            bad[bit >> 3] ^= 1 << (bit & 7);
            const badReq = { ...req, hash: toBig(createHash('sha256').update(bad.subarray(0, 632)).digest()) };
            await expectVerdict(badReq, false, 'real quote');
            await expectHinted(badReq, false, 'real quote');
        }
    }, 120_000);

    // -----------------------------------------------------------------------------------------
    // hinted verification
    // -----------------------------------------------------------------------------------------
    it(`hinted: accepts ${HINTED_COUNT} valid signatures and rejects ${HINTED_COUNT} invalid ones`, async () => {
        for (let i = 0; i < HINTED_COUNT; i++) {
            const { key, msg } = vectors[i % vectors.length];
            await expectHinted(nodeSign(key, msg), true, 'valid');
        }
        const mrng = new Rng('cocoon p256 hinted invalid v1');
        const other = vectors[1].key;
        const mutations: ((q: P256Request, bit: number) => P256Request)[] = [
            (q, b) => ({ ...q, hash: q.hash ^ (1n << BigInt(b)) }),
            (q, b) => ({ ...q, r: q.r ^ (1n << BigInt(b)) }),
            (q, b) => ({ ...q, s: q.s ^ (1n << BigInt(b)) }),
            (q) => ({ ...q, qx: other.qx, qy: other.qy }),
            (q) => ({ ...q, qy: P - q.qy }),
            (q) => ({ ...q, r: 0n }),
            (q) => ({ ...q, s: N }),
            (q) => ({ ...q, qy: (q.qy + 1n) % P }),
        ];
        for (let i = 0; i < HINTED_COUNT; i++) {
            const { key, msg } = vectors[(i + 7) % vectors.length];
            const bad = mutations[i % mutations.length](nodeSign(key, msg), mrng.int(256));
            // the hint is as plausible as possible: a curve point with x = r, a correct split,
            // correct multiples, so most of these run to the final point equation
            await expectHinted(bad, false, 'invalid');
        }
    }, 300_000);

    it('hinted: rejects a valid signature when any hinted value is wrong', async () => {
        const { key, msg } = vectors[2];
        const req = nodeSign(key, msg);
        const h = computeP256Hint(req);
        await expectHinted(req, true, 'valid');
        // the same statement is accepted with the other correct split (−a, −b)
        await expectHinted(req, true, 'valid', hintCell({ ...h, a: -h.a, b: -h.b }));
        const R = Pt.fromAffine({ x: req.r + (h.rxPlusN ? N : 0n), y: h.ry });
        const negR = R.negate().toAffine();
        const wrong: [string, P256Hint | Cell][] = [
            ['w + 1', { ...h, w: h.w + 1n }],
            ['w = n - w', { ...h, w: N - h.w }],
            ['ry off the curve', { ...h, ry: h.ry ^ 1n }],
            ['R negated (on the curve)', { ...h, ry: negR.y, rMultiples: computeP256Hint(req).rMultiples.map((p) => ({ x: p.x, y: (P - p.y) % P })) }],
            ['rx flag flipped', { ...h, rxPlusN: !h.rxPlusN }],
            ['a + 1', { ...h, a: h.a + 1n }],
            ['b + 1', { ...h, b: h.b + 1n }],
            ['a negated', { ...h, a: -h.a }],
            ['a = b = 0', { ...h, a: 0n, b: 0n }],
            ['a = -2^128', { ...h, a: -(1n << 128n) }],
            ['b = -2^128', { ...h, b: -(1n << 128n) }],
            ['b + n·k: same residue, far out of range (b = b - n is not storable, so b ± 2^127)', { ...h, b: h.b > 0n ? h.b - (1n << 127n) : h.b + (1n << 127n) }],
            ['Q multiples swapped with R multiples', { ...h, qMultiples: h.rMultiples, rMultiples: h.qMultiples }],
        ];
        for (let k = 0; k < 7; k++) {
            for (const which of ['qMultiples', 'rMultiples'] as const) {
                for (const coord of ['x', 'y'] as const) {
                    const ms = h[which].map((p) => ({ ...p }));
                    ms[k][coord] = (ms[k][coord] + 1n) % P;
                    wrong.push([`${which}[${k + 2}].${coord} + 1`, { ...h, [which]: ms }]);
                }
            }
            // the negated point is on the curve but the wrong multiple
            const ms = h.qMultiples.map((p) => ({ ...p }));
            ms[k].y = P - ms[k].y;
            wrong.push([`qMultiples[${k + 2}] negated`, { ...h, qMultiples: ms }]);
        }
        // malformed cells: never throw, just reject
        const good = hintCell(h);
        const gs = good.beginParse();
        wrong.push(['hint missing a bit', beginCell().storeBits(gs.loadBits(770)).storeRef(good.refs[0]).storeRef(good.refs[1]).endCell()]);
        wrong.push(['hint with an extra bit', beginCell().storeSlice(good.beginParse()).storeBit(0).endCell()]);
        wrong.push(['hint missing a ref', beginCell().storeBits(good.beginParse().loadBits(771)).storeRef(good.refs[0]).endCell()]);
        const oneValuePerCell = (() => {
            const vals = h.qMultiples.flatMap((p) => [p.x, p.y]);
            let c: Cell | null = null;
            for (let i = vals.length - 1; i >= 0; i--) {
                const b = beginCell().storeUint(vals[i], 256);
                if (c) b.storeRef(c);
                c = b.endCell();
            }
            return c!;
        })();
        wrong.push(['Q multiples not canonically packed', beginCell().storeBits(good.beginParse().loadBits(771)).storeRef(oneValuePerCell).storeRef(good.refs[1]).endCell()]);
        wrong.push(['Q multiples truncated', beginCell().storeBits(good.beginParse().loadBits(771)).storeRef(multiplesCell(h.qMultiples.slice(0, 6))).storeRef(good.refs[1]).endCell()]);
        expect(wrong.length).toBeGreaterThan(40);
        for (const [what, hint] of wrong) {
            const cell = hint instanceof Cell ? hint : hintCell(hint);
            const r = await verifyHintedTx(req, cell);
            if (r.valid) throw new Error(`wrong hint accepted: ${what}`);
            record('hinted wrong hint', r.gas);
            // and the get-method agrees
            expect(await harness.getVerifyHinted(req, cell)).toBe(false);
        }
        expect(await harness.getVerifyHinted(req, good)).toBe(true);
    }, 300_000);

    it('hinted: a forged 8Q/8R entry that would complete the point equation is caught', async () => {
        // Without the chord check of the last table entry, an attacker could pick 8·(±P) so that
        // c·G + a·Q − b·R = O holds for an INVALID signature: every nibble 0 of |a| + BIAS (digit
        // −8) adds −8·A = −σ·P8, so replacing P8 by P8 + Δ moves the sum by −σ·M·Δ with
        // M = Σ 16^i over those nibbles; Δ = σ·M⁻¹·S cancels the honest sum S.
        const BIAS = BigInt('0x' + '8'.repeat(32));
        const modn = (x: bigint) => ((x % N) + N) % N;
        const mul = (pt: InstanceType<typeof Pt>, k: bigint) => (modn(k) === 0n ? Pt.ZERO : pt.multiply(modn(k)));
        let done = 0;
        for (let v = 0; v < vectors.length && done < 2; v++) {
            const { key, msg } = vectors[v];
            const bad = { ...nodeSign(key, msg) };
            bad.hash ^= 1n;
            const h = computeP256Hint(bad);
            const Q = Pt.fromAffine({ x: bad.qx, y: bad.qy });
            const R = Pt.fromAffine({ x: bad.r + (h.rxPlusN ? N : 0n), y: h.ry });
            const u1 = modn(bad.hash * h.w);
            const c = modn(h.b * u1);
            const S = mul(Pt.BASE, c).add(mul(Q, h.a)).subtract(mul(R, h.b));
            expect(S.equals(Pt.ZERO)).toBe(false);
            const which = done === 0 ? 'q' : 'r';
            // A = sign(a)·Q for the Q table, B = −sign(b)·R for the R table
            const scalar = which === 'q' ? h.a : h.b;
            const sigma = which === 'q' ? (h.a < 0n ? -1n : 1n) : h.b > 0n ? -1n : 1n;
            const e = (scalar < 0n ? -scalar : scalar) + BIAS;
            let M = 0n;
            for (let i = 0n; i < 32n; i++) if (((e >> (4n * i)) & 15n) === 0n) M += 16n ** i;
            if (M === 0n) continue;
            const delta = mul(S, sigma * inv(modn(M), N));
            const table = which === 'q' ? h.qMultiples : h.rMultiples;
            const P8 = Pt.fromAffine(table[6]);
            const forged8 = P8.add(delta).toAffine();
            // the forged table really completes the equation: S − σ·M·Δ = O
            expect(S.subtract(mul(delta, sigma * M)).equals(Pt.ZERO)).toBe(true);
            const forgedTable = table.map((p, i) => (i === 6 ? forged8 : p));
            const forged: P256Hint = which === 'q' ? { ...h, qMultiples: forgedTable } : { ...h, rMultiples: forgedTable };
            await expectHinted(bad, false, 'wrong hint', hintCell(forged));
            done++;
        }
        expect(done).toBe(2);
    }, 120_000);

    it('hinted: the lattice split is in range for random and extreme scalars', () => {
        const srng = new Rng('cocoon p256 split v1');
        const cases = [1n, 2n, N - 1n, (1n << 128n) - 1n, 1n << 128n, (N + 1n) / 2n];
        for (let i = 0; i < 2000; i++) cases.push(srng.scalar());
        for (const u of cases) {
            const { a, b } = splitScalar(u);
            expect(b).not.toBe(0n);
            expect(a < 1n << 128n && -a < 1n << 128n && b < 1n << 128n && -b < 1n << 128n).toBe(true);
            expect((((a - b * u) % N) + N) % N).toBe(0n);
        }
    });

    it('the get-method agrees with the transaction', async () => {
        const { key, msg } = vectors[0];
        const req = nodeSign(key, msg);
        expect(await harness.getVerify(req)).toBe(true);
        expect(await harness.getVerify({ ...req, hash: req.hash ^ 1n })).toBe(false);
    }, 60_000);

    it('rejects malformed bodies with exit code 101 and unknown ops with 0xffff', async () => {
        const { key, msg } = vectors[0];
        const good = verifyBody(nodeSign(key, msg), 1n);
        const gs = good.beginParse();
        const cases: Cell[] = [
            // truncated: drop the last 8 bits
            beginCell().storeBits(gs.loadBits(good.bits.length - 8)).storeRef(good.refs[0]).endCell(),
            // extra bits
            beginCell().storeSlice(good.beginParse()).storeUint(0, 1).endCell(),
            // missing key ref
            beginCell().storeBits(good.beginParse().loadBits(good.bits.length)).endCell(),
            // key cell with an extra bit
            beginCell()
                .storeBits(good.beginParse().loadBits(good.bits.length))
                .storeRef(beginCell().storeSlice(good.refs[0].beginParse()).storeUint(1, 1).endCell())
                .endCell(),
        ];
        for (const body of cases) {
            const r = await harness.sendRaw(sender.getSender(), toNano('1'), body);
            expect(r.transactions).toHaveTransaction({ to: harness.address, success: false, exitCode: P256Exit.malformed });
        }
        const r = await harness.sendRaw(sender.getSender(), toNano('1'), beginCell().storeUint(0x12345678, 32).endCell());
        expect(r.transactions).toHaveTransaction({ to: harness.address, success: false, exitCode: P256Exit.unknownOp });
    }, 60_000);
});
