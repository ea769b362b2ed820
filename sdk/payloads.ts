/**
 * What travels inside the envelopes: an inference request (the prompt, and the
 * X25519 key the result must be sealed to) and an inference result. Both are
 * UTF-8 JSON documents with a version field; unknown versions are refused.
 *
 * Prompt plaintext (v1):
 *   {"v":1,"messages":[{"role":"user","content":"..."}],"max_tokens":256,"result_key":"<64 hex>"}
 * Result plaintext (v1):
 *   {"v":1,"content":"...","finish_reason":"stop","backend":"...",
 *    "usage":{"prompt_tokens":n,"completion_tokens":n,"total_tokens":n}}
 *   or, when the provider could not serve the request: {"v":1,"error":"...","usage":{... zeros}}
 *
 * One usage unit on chain is one token (prompt + completion), as reported by the backend.
 */
import { CocoonError } from './errors';

export type ChatRole = 'system' | 'user' | 'assistant';
export type ChatMessage = { role: ChatRole; content: string };

export type InferenceRequest = {
    messages: ChatMessage[];
    /** Upper bound of completion tokens the client asks for. */
    maxTokens?: number;
    temperature?: number;
    /** X25519 public key (32 bytes) the result is sealed to. */
    resultKey: Buffer;
};

export type TokenUsage = { promptTokens: number; completionTokens: number; totalTokens: number };

export type InferenceResult =
    | { ok: true; content: string; finishReason: string; backend: string; usage: TokenUsage }
    | { ok: false; error: string; usage: TokenUsage };

export class PayloadError extends CocoonError {
    constructor(message: string) {
        super('MALFORMED_PAYLOAD', message);
    }
}

const ROLES = new Set<ChatRole>(['system', 'user', 'assistant']);

export function encodeInferenceRequest(r: InferenceRequest): Buffer {
    validateMessages(r.messages);
    if (r.resultKey.length !== 32) throw new PayloadError('resultKey must be a 32-byte X25519 public key');
    return Buffer.from(
        JSON.stringify({
            v: 1,
            messages: r.messages.map((m) => ({ role: m.role, content: m.content })),
            ...(r.maxTokens !== undefined ? { max_tokens: r.maxTokens } : {}),
            ...(r.temperature !== undefined ? { temperature: r.temperature } : {}),
            result_key: r.resultKey.toString('hex'),
        }),
        'utf8',
    );
}

export function decodeInferenceRequest(bytes: Uint8Array): InferenceRequest {
    const j = parseJson(bytes);
    if (j.v !== 1) throw new PayloadError(`unsupported request version ${String(j.v)}`);
    if (!Array.isArray(j.messages)) throw new PayloadError('messages must be an array');
    const messages = j.messages as ChatMessage[];
    validateMessages(messages);
    if (typeof j.result_key !== 'string' || !/^[0-9a-f]{64}$/.test(j.result_key)) {
        throw new PayloadError('result_key must be 64 lowercase hex digits');
    }
    if (j.max_tokens !== undefined && (!Number.isInteger(j.max_tokens) || (j.max_tokens as number) < 1)) {
        throw new PayloadError('max_tokens must be a positive integer');
    }
    if (j.temperature !== undefined && typeof j.temperature !== 'number') throw new PayloadError('temperature must be a number');
    return {
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        maxTokens: j.max_tokens as number | undefined,
        temperature: j.temperature as number | undefined,
        resultKey: Buffer.from(j.result_key, 'hex'),
    };
}

export function encodeInferenceResult(r: InferenceResult): Buffer {
    const usage = {
        prompt_tokens: r.usage.promptTokens,
        completion_tokens: r.usage.completionTokens,
        total_tokens: r.usage.totalTokens,
    };
    return Buffer.from(
        JSON.stringify(
            r.ok
                ? { v: 1, content: r.content, finish_reason: r.finishReason, backend: r.backend, usage }
                : { v: 1, error: r.error, usage },
        ),
        'utf8',
    );
}

export function decodeInferenceResult(bytes: Uint8Array): InferenceResult {
    const j = parseJson(bytes);
    if (j.v !== 1) throw new PayloadError(`unsupported result version ${String(j.v)}`);
    const u = (j.usage ?? {}) as Record<string, unknown>;
    const n = (x: unknown) => (Number.isInteger(x) && (x as number) >= 0 ? (x as number) : 0);
    const usage = { promptTokens: n(u.prompt_tokens), completionTokens: n(u.completion_tokens), totalTokens: n(u.total_tokens) };
    if (typeof j.error === 'string') return { ok: false, error: j.error, usage };
    if (typeof j.content !== 'string') throw new PayloadError('result content must be a string');
    return {
        ok: true,
        content: j.content,
        finishReason: typeof j.finish_reason === 'string' ? j.finish_reason : 'stop',
        backend: typeof j.backend === 'string' ? j.backend : 'unknown',
        usage,
    };
}

function validateMessages(messages: ChatMessage[]) {
    if (messages.length === 0) throw new PayloadError('at least one message is required');
    for (const m of messages) {
        if (!m || typeof m !== 'object' || !ROLES.has(m.role) || typeof m.content !== 'string') {
            throw new PayloadError('each message needs a role (system, user, assistant) and a string content');
        }
    }
}

function parseJson(bytes: Uint8Array): Record<string, unknown> {
    try {
        const j = JSON.parse(Buffer.from(bytes).toString('utf8'));
        if (!j || typeof j !== 'object' || Array.isArray(j)) throw new Error('not an object');
        return j as Record<string, unknown>;
    } catch (e) {
        throw new PayloadError(`not a JSON object: ${(e as Error).message}`);
    }
}
