import {
    Address,
    beginCell,
    Cell,
    Contract,
    contractAddress,
    ContractProvider,
    Sender,
    SendMode,
    TupleBuilder,
} from '@ton/core';
import { p256HintCell } from './p256-hints';

export * from './p256-hints';

/** Op codes of contracts/p256-harness.fc. */
export const P256Op = {
    verify: 0x50323536,
    result: 0x50323552,
    verifyHinted: 0x50324856,
} as const;

/** Exit codes of contracts/p256-harness.fc. */
export const P256Exit = { malformed: 101, unknownOp: 0xffff } as const;

export type P256Request = {
    hash: bigint;
    r: bigint;
    s: bigint;
    qx: bigint;
    qy: bigint;
};

const U256 = (1n << 256n) - 1n;

export function verifyBody(req: P256Request, queryId = 0n): Cell {
    const b = beginCell()
        .storeUint(P256Op.verify, 32)
        .storeUint(queryId, 64)
        .storeUint(req.hash & U256, 256)
        .storeUint(req.r & U256, 256)
        .storeUint(req.s & U256, 256)
        .storeRef(beginCell().storeUint(req.qx & U256, 256).storeUint(req.qy & U256, 256).endCell());
    return b.endCell();
}

/** verify_hinted body: the hint cell as built by wrappers/p256-hints.ts (computed when omitted). */
export function verifyHintedBody(req: P256Request, hint: Cell = p256HintCell(req), queryId = 0n): Cell {
    return beginCell()
        .storeUint(P256Op.verifyHinted, 32)
        .storeUint(queryId, 64)
        .storeUint(req.hash & U256, 256)
        .storeUint(req.r & U256, 256)
        .storeUint(req.s & U256, 256)
        .storeRef(beginCell().storeUint(req.qx & U256, 256).storeUint(req.qy & U256, 256).endCell())
        .storeRef(hint)
        .endCell();
}

export class P256Harness implements Contract {
    constructor(
        readonly address: Address,
        readonly init?: { code: Cell; data: Cell },
    ) {}

    static createFromCode(code: Cell, workchain = 0): P256Harness {
        const data = beginCell().endCell();
        const init = { code, data };
        return new P256Harness(contractAddress(workchain, init), init);
    }

    async sendDeploy(provider: ContractProvider, via: Sender, value: bigint) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: beginCell().endCell() });
    }

    async sendVerify(provider: ContractProvider, via: Sender, value: bigint, req: P256Request, queryId = 0n) {
        await provider.internal(via, {
            value,
            sendMode: SendMode.PAY_GAS_SEPARATELY,
            body: verifyBody(req, queryId),
        });
    }

    async sendVerifyHinted(provider: ContractProvider, via: Sender, value: bigint, req: P256Request, hint?: Cell, queryId = 0n) {
        await provider.internal(via, {
            value,
            sendMode: SendMode.PAY_GAS_SEPARATELY,
            body: verifyHintedBody(req, hint, queryId),
        });
    }

    async sendRaw(provider: ContractProvider, via: Sender, value: bigint, body: Cell) {
        await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
    }

    /** Runs the verifier in a get-method: true when valid. */
    async getVerify(provider: ContractProvider, req: P256Request): Promise<boolean> {
        const t = new TupleBuilder();
        t.writeNumber(req.hash);
        t.writeNumber(req.r);
        t.writeNumber(req.s);
        t.writeNumber(req.qx);
        t.writeNumber(req.qy);
        const res = await provider.get('verify', t.build());
        return res.stack.readBigNumber() !== 0n;
    }

    /** Runs the hinted verifier in a get-method: true when valid. */
    async getVerifyHinted(provider: ContractProvider, req: P256Request, hint: Cell = p256HintCell(req)): Promise<boolean> {
        const t = new TupleBuilder();
        t.writeNumber(req.hash);
        t.writeNumber(req.r);
        t.writeNumber(req.s);
        t.writeNumber(req.qx);
        t.writeNumber(req.qy);
        t.writeCell(hint);
        const res = await provider.get('verify_hinted', t.build());
        return res.stack.readBigNumber() !== 0n;
    }

    async getIsOnCurve(provider: ContractProvider, x: bigint, y: bigint): Promise<boolean> {
        const t = new TupleBuilder();
        t.writeNumber(x);
        t.writeNumber(y);
        const res = await provider.get('is_on_curve', t.build());
        return res.stack.readBigNumber() !== 0n;
    }

    async getLastResult(provider: ContractProvider): Promise<{ valid: boolean; count: number; queryId: bigint }> {
        const res = await provider.get('get_last_result', []);
        const valid = res.stack.readBigNumber() !== 0n;
        const count = res.stack.readNumber();
        const queryId = res.stack.readBigNumber();
        return { valid, count, queryId };
    }
}
