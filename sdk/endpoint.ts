/**
 * The provider's off-chain endpoint: where encrypted requests go and results
 * come back. Only ciphertext, commitments and signed cells cross it; the chain
 * sees only commitments.
 *
 * One interface, two transports: HTTP (`HttpEndpoint`, the worker serves it on
 * 127.0.0.1 by default) and in-memory (the sandbox; the worker package's
 * `InMemoryEndpoint`, reachable through `memory://name` URLs registered with
 * {@link registerMemoryEndpoint}).
 *
 * HTTP API (JSON bodies; `<job>` is a raw address `0:hex`; binary fields base64):
 *   POST <base>/jobs/<job>/requests      {seq, envelope}          → 200 RequestAck
 *   GET  <base>/jobs/<job>/results/<seq>                           → 200 ResultDeliveryJson | 404
 *   POST <base>/jobs/<job>/receipts      {receipt (BoC), final}    → 204
 *   GET  <base>/health                                             → 200 {provider, operatorKey, encryptionKey}
 * Errors: 4xx/5xx with {code, error}.
 */
import { Address, Cell } from '@ton/core';
import { EndpointError } from './errors';
import { deliveryFromJson, deliveryToJson, ResultDelivery, ResultDeliveryJson } from './results';

/** The worker's answer to a request: queued (one-shot: served after its acceptance) or served at once (session). */
export type RequestAck = { status: 'queued' } | { status: 'served'; result: ResultDelivery };

export interface JobEndpoint {
    /** Client → worker: the canonical bytes of a prompt envelope for request `seq` of `job` (0: one-shot). */
    postRequest(job: Address, seq: number, envelope: Buffer): Promise<RequestAck>;
    /** The result of request `seq`, or null while it is not ready. */
    getResult(job: Address, seq: number): Promise<ResultDelivery | null>;
    /** Session: the client's latest signed usage receipt; `final` asks the provider to claim and close. */
    postReceipt(job: Address, signedReceipt: Cell, final: boolean): Promise<void>;
}

// ---- wire codecs shared by the HTTP and in-memory transports ----

export type RequestAckJson = { status: 'queued' } | { status: 'served'; result: ResultDeliveryJson };

export function ackToJson(a: RequestAck): RequestAckJson {
    return a.status === 'served' ? { status: 'served', result: deliveryToJson(a.result) } : { status: 'queued' };
}

export function ackFromJson(j: RequestAckJson): RequestAck {
    if (j?.status === 'served') return { status: 'served', result: deliveryFromJson(j.result) };
    if (j?.status === 'queued') return { status: 'queued' };
    throw new EndpointError('BAD_RESPONSE', 'malformed request acknowledgement', 502);
}

/** HTTP client of a worker endpoint (`baseUrl` as registered on chain, e.g. http://127.0.0.1:8787/cocoon/v1). */
export class HttpEndpoint implements JobEndpoint {
    readonly baseUrl: string;

    constructor(
        baseUrl: string,
        private readonly opts: { timeoutMs?: number } = {},
    ) {
        this.baseUrl = baseUrl.replace(/\/+$/, '');
    }

    async postRequest(job: Address, seq: number, envelope: Buffer): Promise<RequestAck> {
        const body = await this.call('POST', `/jobs/${job.toRawString()}/requests`, { seq, envelope: envelope.toString('base64') });
        return ackFromJson(body as RequestAckJson);
    }

    async getResult(job: Address, seq: number): Promise<ResultDelivery | null> {
        const body = await this.call('GET', `/jobs/${job.toRawString()}/results/${seq}`, undefined, true);
        return body === null ? null : deliveryFromJson(body as ResultDeliveryJson);
    }

    async postReceipt(job: Address, signedReceipt: Cell, final: boolean): Promise<void> {
        await this.call('POST', `/jobs/${job.toRawString()}/receipts`, { receipt: signedReceipt.toBoc().toString('base64'), final });
    }

    private async call(method: string, path: string, body?: unknown, nullOn404 = false): Promise<unknown> {
        const url = this.baseUrl + path;
        let res: Response;
        try {
            res = await fetch(url, {
                method,
                headers: body === undefined ? undefined : { 'content-type': 'application/json' },
                body: body === undefined ? undefined : JSON.stringify(body),
                signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
            });
        } catch (e) {
            const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
            throw new EndpointError('UNREACHABLE', `the provider endpoint ${url} is unreachable (${cause})`, 503, { cause: e });
        }
        if (res.status === 404 && nullOn404) return null;
        if (res.status === 204) return undefined;
        const text = await res.text();
        let json: unknown = undefined;
        try {
            json = text ? JSON.parse(text) : undefined;
        } catch {
            // fall through: reported below
        }
        if (!res.ok) {
            const j = json as { code?: string; error?: string } | undefined;
            throw new EndpointError(j?.code ?? `HTTP_${res.status}`, `${method} ${url}: ${j?.error ?? text ?? res.statusText}`, res.status);
        }
        if (json === undefined) throw new EndpointError('BAD_RESPONSE', `${method} ${url}: not JSON`, 502);
        return json;
    }
}

// ---- resolution of the endpoint a provider registered on chain ----

const memoryEndpoints = new Map<string, JobEndpoint>();

/** Makes an in-process endpoint reachable as `url` (a `memory://...` URL registered on chain in the sandbox). */
export function registerMemoryEndpoint(url: string, endpoint: JobEndpoint): void {
    if (!url.startsWith('memory://')) throw new Error(`in-memory endpoints use memory:// URLs, got ${url}`);
    memoryEndpoints.set(url, endpoint);
}

export function unregisterMemoryEndpoint(url: string): void {
    memoryEndpoints.delete(url);
}

/** The endpoint behind a URL registered on chain: http(s):// → HttpEndpoint, memory:// → the registered one. */
export function resolveEndpoint(url: string): JobEndpoint {
    if (url.startsWith('memory://')) {
        const e = memoryEndpoints.get(url);
        if (!e) throw new EndpointError('UNREACHABLE', `no in-memory endpoint is registered as ${url} (is the worker running?)`, 503);
        return e;
    }
    if (/^https?:\/\//.test(url)) return new HttpEndpoint(url);
    throw new EndpointError('UNSUPPORTED_ENDPOINT', `unsupported endpoint URL ${url}`, 400);
}
