/**
 * Wrapper of contracts/quote-verifier.fc: on-chain verification of an Intel TDX DCAP v4 quote
 * and quote-mode provider registration (SPEC §6.5; messages in contracts/schema.tlb, cell
 * layouts in contracts/quote/tdx.fc).
 *
 * `splitQuote(quote)` cuts a raw quote into its parts; `verifyQuoteBody` / `registerByQuoteBody`
 * build the messages, with the untrusted ECDSA hints (wrappers/p256-hints.ts) of both signatures.
 */
import {
    Address,
    beginCell,
    Builder,
    Cell,
    Contract,
    contractAddress,
    ContractProvider,
    Dictionary,
    Sender,
    SendMode,
    TupleBuilder,
} from '@ton/core';
import { createHash, X509Certificate } from 'crypto';
import { computeP256Hint, hintCell, P256Hint } from './p256-hints';
import { Errors, Op } from './constants';
import { hashSet, randomQueryId } from './common';
import { offerToCell, ProviderOffer } from './Root';

/** The verifier's opcodes (the protocol's Op table). */
export const QuoteVerifierOp = {
    registerPck: Op.registerPck,
    revokePck: Op.revokePck,
    verifyQuote: Op.verifyQuote,
    quoteOk: Op.quoteOk,
    registerByQuote: Op.registerByQuote,
} as const;

/** The verifier's exit codes (the protocol's Errors table, SPEC §11). */
export const QuoteVerifierExit = {
    notEnoughValue: Errors.notEnoughValue,
    malformed: Errors.malformedBody,
    layout: Errors.quoteLayout,
    header: Errors.quoteHeader,
    quoteSignature: Errors.quoteSignature,
    unknownPck: Errors.unknownPck,
    qeSignature: Errors.qeSignature,
    qeBinding: Errors.qeBinding,
    debug: Errors.debugTd,
    reportData: Errors.reportDataMismatch,
    notOwner: Errors.notVerifierOwner,
    badKey: Errors.badPckKey,
    unknownOp: Errors.unknownOp,
} as const;

/** Chunk sizes of the signed region (quote bytes [0, 632)) and of the QE report (384 bytes). */
export const REGION_CHUNKS = [127, 57, 127, 65, 96, 96, 64];
export const QE_REPORT_CHUNKS = [127, 127, 66, 64];

/** A byte chain: `data` cut into cells of the given sizes, each cell with one ref to the next. */
export function byteChain(data: Buffer, sizes: number[]): Cell {
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== data.length) throw new Error(`byteChain: ${data.length} bytes, layout has ${total}`);
    let next: Cell | null = null;
    let end = data.length;
    for (let i = sizes.length - 1; i >= 0; i--) {
        const b: Builder = beginCell().storeBuffer(data.subarray(end - sizes[i], end));
        if (next) b.storeRef(next);
        next = b.endCell();
        end -= sizes[i];
    }
    return next!;
}

export type Point = { x: bigint; y: bigint };

export type QuoteParts = {
    /** quote bytes [0, 632) */
    region: Buffer;
    quoteSig: { r: bigint; s: bigint };
    attestationKey: Point;
    qeReport: Buffer;
    qeSig: { r: bigint; s: bigint };
    qeAuthData: Buffer;
    /** the PCK leaf certificate's key, when the quote carries a PEM chain */
    pckKey?: Point;
};

export type KeyBinding = { operatorKey: bigint; encryptionKey: bigint; owner: Address };

const big = (b: Buffer) => BigInt('0x' + (b.length ? b.toString('hex') : '0'));
const u32le = (b: Buffer, o: number) => b.readUInt32LE(o);

/** Splits a raw DCAP v4 TDX quote (layout: attestation/layout.ts) into the parts the contract needs. */
export function splitQuote(quote: Buffer): QuoteParts {
    const sig = 636;
    const certType = quote.readUInt16LE(sig + 128);
    if (certType !== 6) throw new Error(`certification data type ${certType}, expected 6`);
    const qe = sig + 128 + 6;
    const authLen = quote.readUInt16LE(qe + 384 + 64);
    const auth = quote.subarray(qe + 384 + 64 + 2, qe + 384 + 64 + 2 + authLen);
    let pckKey: Point | undefined;
    const inner = qe + 384 + 64 + 2 + authLen;
    if (inner + 6 <= quote.length && quote.readUInt16LE(inner) === 5) {
        const len = u32le(quote, inner + 2);
        const pem = quote.subarray(inner + 6, inner + 6 + len).toString('latin1');
        const first = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/);
        if (first) {
            const jwk = new X509Certificate(first[0]).publicKey.export({ format: 'jwk' }) as { x: string; y: string };
            pckKey = { x: big(Buffer.from(jwk.x, 'base64url')), y: big(Buffer.from(jwk.y, 'base64url')) };
        }
    }
    return {
        region: Buffer.from(quote.subarray(0, 632)),
        quoteSig: { r: big(quote.subarray(sig, sig + 32)), s: big(quote.subarray(sig + 32, sig + 64)) },
        attestationKey: { x: big(quote.subarray(sig + 64, sig + 96)), y: big(quote.subarray(sig + 96, sig + 128)) },
        qeReport: Buffer.from(quote.subarray(qe, qe + 384)),
        qeSig: { r: big(quote.subarray(qe + 384, qe + 416)), s: big(quote.subarray(qe + 416, qe + 448)) },
        qeAuthData: Buffer.from(auth),
        pckKey,
    };
}

const sha = (b: Buffer) => big(createHash('sha256').update(b).digest());

/** The hints of the two signatures of a quote (PCK key given explicitly). */
export function quoteHints(parts: QuoteParts, pck: Point): { quote: P256Hint; qe: P256Hint } {
    return {
        quote: computeP256Hint({ hash: sha(parts.region), ...parts.quoteSig, qx: parts.attestationKey.x, qy: parts.attestationKey.y }),
        qe: computeP256Hint({ hash: sha(parts.qeReport), ...parts.qeSig, qx: pck.x, qy: pck.y }),
    };
}

type Hints = { quote: P256Hint | Cell; qe: P256Hint | Cell };
const asHintCell = (x: P256Hint | Cell) => (x instanceof Cell ? x : hintCell(x));

function qeCell(parts: QuoteParts): Cell {
    return beginCell()
        .storeRef(byteChain(parts.qeReport, QE_REPORT_CHUNKS))
        .storeRef(beginCell().storeBuffer(parts.qeAuthData).endCell())
        .endCell();
}

function signaturesCell(parts: QuoteParts): Cell {
    return beginCell()
        .storeUint(parts.quoteSig.r, 256)
        .storeUint(parts.quoteSig.s, 256)
        .storeUint(parts.qeSig.r, 256)
        .storeRef(beginCell().storeUint(parts.qeSig.s, 256).storeUint(parts.attestationKey.x, 256).storeUint(parts.attestationKey.y, 256).endCell())
        .endCell();
}

/** TL-B TdxQuote: the quote's cells, the PCK key's x and the hints (computed when not given). */
export function tdxQuoteCell(parts: QuoteParts, opts: { pck?: Point; hints?: Hints } = {}): Cell {
    const pck = opts.pck ?? parts.pckKey;
    if (!pck) throw new Error('no PCK key');
    const h = opts.hints ?? quoteHints(parts, pck);
    return beginCell()
        .storeUint(pck.x, 256)
        .storeRef(byteChain(parts.region, REGION_CHUNKS))
        .storeRef(qeCell(parts))
        .storeRef(signaturesCell(parts))
        .storeRef(beginCell().storeRef(asHintCell(h.quote)).storeRef(asHintCell(h.qe)).endCell())
        .endCell();
}

export type RegisterByQuote = {
    stake: bigint;
    /** The keys REPORTDATA binds (with the sender as owner and the root). */
    operatorKey: bigint;
    encryptionKey: bigint;
    offer: ProviderOffer;
    models: bigint[];
    pck?: Point;
    hints?: Hints;
    queryId?: bigint;
};

/** register_by_quote body (TL-B): a provider registration in the quote mode. */
export function registerByQuoteBody(parts: QuoteParts, o: RegisterByQuote): Cell {
    return beginCell()
        .storeUint(Op.registerByQuote, 32)
        .storeUint(o.queryId ?? 0n, 64)
        .storeCoins(o.stake)
        .storeUint(o.operatorKey, 256)
        .storeUint(o.encryptionKey, 256)
        .storeRef(tdxQuoteCell(parts, { pck: o.pck, hints: o.hints }))
        .storeRef(offerToCell(o.offer))
        .storeDict(hashSet(o.models))
        .endCell();
}

/** verify_quote body. Hints are computed when not given. */
export function verifyQuoteBody(
    parts: QuoteParts,
    opts: { pck?: Point; binding?: KeyBinding; hints?: Hints; queryId?: bigint } = {},
): Cell {
    const pck = opts.pck ?? parts.pckKey;
    if (!pck) throw new Error('no PCK key');
    const h = opts.hints ?? quoteHints(parts, pck);
    const binding = opts.binding
        ? beginCell()
              .storeUint(opts.binding.operatorKey, 256)
              .storeUint(opts.binding.encryptionKey, 256)
              .storeAddress(opts.binding.owner)
              .endCell()
        : null;
    return beginCell()
        .storeUint(QuoteVerifierOp.verifyQuote, 32)
        .storeUint(opts.queryId ?? 0n, 64)
        .storeUint(pck.x, 256)
        .storeRef(byteChain(parts.region, REGION_CHUNKS))
        .storeRef(qeCell(parts))
        .storeRef(signaturesCell(parts))
        .storeRef(beginCell().storeMaybeRef(binding).storeRef(asHintCell(h.quote)).storeRef(asHintCell(h.qe)).endCell())
        .endCell();
}

export type QuoteVerifierConfig = {
    /** Registers and revokes PCK keys; in the protocol: the root. */
    owner: Address;
};

export function quoteVerifierConfigToCell(c: QuoteVerifierConfig): Cell {
    return beginCell()
        .storeAddress(c.owner)
        .storeDict(Dictionary.empty(Dictionary.Keys.BigUint(256), Dictionary.Values.BigUint(256)))
        .storeUint(0, 32)
        .storeUint(0, 256)
        .endCell();
}

export type QuoteVerifierRequiredValues = {
    verifyQuote: bigint;
    /** register_by_quote: the verifier's part on top of the stake (the root's getter gives the full value). */
    registerByQuote: bigint;
    pckOp: bigint;
};

export class QuoteVerifier implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: { code: Cell; data: Cell },
    ) {}

    static createFromAddress(address: Address) {
        return new QuoteVerifier(address);
    }

    /** `config` may be the owner's address alone. */
    static createFromConfig(config: QuoteVerifierConfig | Address, code: Cell, workchain = 0): QuoteVerifier {
        const data = quoteVerifierConfigToCell(config instanceof Address ? { owner: config } : config);
        const init = { code, data };
        return new QuoteVerifier(contractAddress(workchain, init), init);
    }

    static registerPckMessage(key: Point, response: Address, queryId = 0n): Cell {
        return beginCell().storeUint(Op.registerPck, 32).storeUint(queryId, 64).storeUint(key.x, 256).storeUint(key.y, 256).storeAddress(response).endCell();
    }

    static revokePckMessage(x: bigint, response: Address, queryId = 0n): Cell {
        return beginCell().storeUint(Op.revokePck, 32).storeUint(queryId, 64).storeUint(x, 256).storeAddress(response).endCell();
    }

    async sendDeploy(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: beginCell().endCell() });
    }

    /** Owner only (a stand-alone verifier; in the protocol the root sends it). */
    async sendRegisterPck(provider: ContractProvider, via: Sender, value: bigint, key: Point, queryId = 0n) {
        await this.sendRaw(provider, via, value, QuoteVerifier.registerPckMessage(key, via.address!, queryId));
    }

    async sendRevokePck(provider: ContractProvider, via: Sender, value: bigint, x: bigint, queryId = 0n) {
        await this.sendRaw(provider, via, value, QuoteVerifier.revokePckMessage(x, via.address!, queryId));
    }

    /** Registers the sender as a provider owner with a quote (value: stake + the root's get_quote_required_values). */
    async sendRegisterByQuote(provider: ContractProvider, via: Sender, value: bigint, parts: QuoteParts, o: RegisterByQuote) {
        await this.sendRaw(provider, via, value, registerByQuoteBody(parts, { queryId: randomQueryId(), ...o }));
    }

    async sendRaw(provider: ContractProvider, via: Sender, value: bigint, body: Cell) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
    }

    async getPck(provider: ContractProvider, x: bigint): Promise<{ found: boolean; y: bigint }> {
        const t = new TupleBuilder();
        t.writeNumber(x);
        const res = await provider.get('get_pck', t.build());
        return { found: res.stack.readBigNumber() !== 0n, y: res.stack.readBigNumber() };
    }

    async getStats(provider: ContractProvider): Promise<{ verified: number; lastPolicy: bigint }> {
        const res = await provider.get('get_stats', []);
        return { verified: res.stack.readNumber(), lastPolicy: res.stack.readBigNumber() };
    }

    async getOwner(provider: ContractProvider): Promise<Address> {
        return (await provider.get('get_owner', [])).stack.readAddress();
    }

    async getRequiredValues(provider: ContractProvider): Promise<QuoteVerifierRequiredValues> {
        const r = (await provider.get('get_required_values', [])).stack;
        return { verifyQuote: r.readBigNumber(), registerByQuote: r.readBigNumber(), pckOp: r.readBigNumber() };
    }
}
