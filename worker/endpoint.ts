/**
 * The worker's side of the off-chain endpoint (sdk/endpoint.ts describes the
 * protocol): an in-memory transport for the sandbox and an HTTP server bound
 * to 127.0.0.1 by default. Both hand requests to a handler (the Worker) and
 * encode everything through the same JSON wire form, so the in-memory path
 * exercises the same codecs as HTTP.
 */
import { Address, Cell } from '@ton/core';
import http from 'http';
import { AddressInfo } from 'net';
import { ackFromJson, ackToJson, JobEndpoint, RequestAck } from '../sdk/endpoint';
import { EndpointError } from '../sdk/errors';
import { deliveryFromJson, deliveryToJson, ResultDelivery } from '../sdk/results';

/** What the worker implements (the same calls as JobEndpoint, plus a health summary). */
export interface EndpointHandler extends JobEndpoint {
    health(): Promise<Record<string, unknown>>;
}

/** In-process transport (sandbox): every call goes through the JSON wire form and back. */
export class InMemoryEndpoint implements JobEndpoint {
    constructor(private readonly handler: JobEndpoint) {}

    async postRequest(job: Address, seq: number, envelope: Buffer): Promise<RequestAck> {
        const ack = await this.handler.postRequest(Address.parse(job.toRawString()), seq, Buffer.from(envelope));
        return ackFromJson(JSON.parse(JSON.stringify(ackToJson(ack))));
    }

    async getResult(job: Address, seq: number): Promise<ResultDelivery | null> {
        const d = await this.handler.getResult(Address.parse(job.toRawString()), seq);
        return d ? deliveryFromJson(JSON.parse(JSON.stringify(deliveryToJson(d)))) : null;
    }

    async postReceipt(job: Address, signedReceipt: Cell, final: boolean): Promise<void> {
        await this.handler.postReceipt(Address.parse(job.toRawString()), Cell.fromBoc(signedReceipt.toBoc())[0], final);
    }
}

export const ENDPOINT_BASE_PATH = '/cocoon/v1';
const MAX_BODY_BYTES = 4 << 20;

/** The HTTP transport (see sdk/endpoint.ts for the routes). */
export class HttpEndpointServer {
    private server?: http.Server;

    constructor(
        private readonly handler: EndpointHandler,
        private readonly opts: { host?: string; port?: number; basePath?: string } = {},
    ) {}

    /** Starts listening; returns the base URL (e.g. http://127.0.0.1:8787/cocoon/v1). */
    async listen(): Promise<string> {
        const server = http.createServer((req, res) => void this.route(req, res));
        this.server = server;
        await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(this.opts.port ?? 8787, this.opts.host ?? '127.0.0.1', () => resolve());
        });
        return this.url;
    }

    get url(): string {
        const a = this.server?.address() as AddressInfo | null;
        if (!a) throw new Error('the endpoint server is not listening');
        const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        return `http://${host}:${a.port}${this.opts.basePath ?? ENDPOINT_BASE_PATH}`;
    }

    async close(): Promise<void> {
        const s = this.server;
        if (!s) return;
        this.server = undefined;
        s.closeAllConnections?.();
        await new Promise<void>((resolve) => s.close(() => resolve()));
    }

    private async route(req: http.IncomingMessage, res: http.ServerResponse) {
        const send = (status: number, body?: unknown) => {
            res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
            res.end(body === undefined ? undefined : JSON.stringify(body));
        };
        try {
            const base = this.opts.basePath ?? ENDPOINT_BASE_PATH;
            const url = new URL(req.url ?? '/', 'http://localhost');
            if (!url.pathname.startsWith(base + '/')) throw new EndpointError('NOT_FOUND', `no route ${url.pathname}`, 404);
            const parts = url.pathname.slice(base.length + 1).split('/');
            if (req.method === 'GET' && parts.length === 1 && parts[0] === 'health') return send(200, await this.handler.health());
            if (parts[0] !== 'jobs' || parts.length < 3) throw new EndpointError('NOT_FOUND', `no route ${url.pathname}`, 404);
            let job: Address;
            try {
                job = Address.parse(decodeURIComponent(parts[1]));
            } catch {
                throw new EndpointError('BAD_REQUEST', `not an address: ${parts[1]}`, 400);
            }
            if (req.method === 'POST' && parts.length === 3 && parts[2] === 'requests') {
                const body = (await readJson(req)) as { seq?: unknown; envelope?: unknown };
                if (!Number.isInteger(body.seq) || typeof body.envelope !== 'string') {
                    throw new EndpointError('BAD_REQUEST', 'expected {seq: integer, envelope: base64}', 400);
                }
                const ack = await this.handler.postRequest(job, body.seq as number, Buffer.from(body.envelope, 'base64'));
                return send(200, ackToJson(ack));
            }
            if (req.method === 'GET' && parts.length === 4 && parts[2] === 'results') {
                const seq = Number(parts[3]);
                if (!Number.isInteger(seq) || seq < 0) throw new EndpointError('BAD_REQUEST', `bad request number ${parts[3]}`, 400);
                const d = await this.handler.getResult(job, seq);
                return d ? send(200, deliveryToJson(d)) : send(404, { code: 'NOT_READY', error: 'no result yet' });
            }
            if (req.method === 'POST' && parts.length === 3 && parts[2] === 'receipts') {
                const body = (await readJson(req)) as { receipt?: unknown; final?: unknown };
                if (typeof body.receipt !== 'string') throw new EndpointError('BAD_REQUEST', 'expected {receipt: base64 BoC, final: boolean}', 400);
                let cell: Cell;
                try {
                    cell = Cell.fromBoc(Buffer.from(body.receipt, 'base64'))[0];
                } catch {
                    throw new EndpointError('BAD_REQUEST', 'the receipt is not a BoC', 400);
                }
                await this.handler.postReceipt(job, cell, body.final === true);
                return send(204);
            }
            throw new EndpointError('NOT_FOUND', `no route ${req.method} ${url.pathname}`, 404);
        } catch (e) {
            const err = e instanceof EndpointError ? e : new EndpointError('INTERNAL', (e as Error).message, 500);
            if (!res.headersSent) send(err.status, { code: err.code, error: err.message });
        }
    }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) throw new EndpointError('TOO_LARGE', `request body above ${MAX_BODY_BYTES} bytes`, 413);
        chunks.push(chunk as Buffer);
    }
    try {
        return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
        throw new EndpointError('BAD_REQUEST', 'the body is not JSON', 400);
    }
}
