/**
 * Inference backends behind one interface:
 * - `openai`: any OpenAI-compatible chat-completions server (vLLM, SGLang,
 *   llama.cpp server, Ollama) over fetch;
 * - `embedded` (default): a deterministic, dependency-free stand-in that needs
 *   no network and no weights. It is NOT a language model: it echoes and
 *   summarizes the prompt and counts tokens, and says so in every answer.
 */
import { ChatMessage, TokenUsage } from '../sdk/payloads';

export type InferenceInput = { messages: ChatMessage[]; maxTokens?: number; temperature?: number };

export type InferenceOutput = { content: string; finishReason: string; usage: TokenUsage; backend: string };

export interface InferenceBackend {
    /** e.g. "embedded:cocoon-echo-1" or "openai:Qwen/Qwen3-8B@http://127.0.0.1:8000/v1". */
    readonly name: string;
    /** The model name the backend serves (its SHA-256 is the default on-chain model hash). */
    readonly model: string;
    /** Fails with BackendError if the backend cannot serve (unreachable server, unknown model). */
    check(): Promise<void>;
    complete(input: InferenceInput): Promise<InferenceOutput>;
}

export type BackendErrorCode = 'UNREACHABLE' | 'TIMEOUT' | 'HTTP_ERROR' | 'BAD_RESPONSE' | 'MODEL_NOT_SERVED';

export class BackendError extends Error {
    constructor(
        readonly code: BackendErrorCode,
        message: string,
    ) {
        super(message);
        this.name = 'BackendError';
    }
}

/** A simple, deterministic token count: runs of letters/digits, and each other non-space character. */
export function countTokens(text: string): number {
    return (text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? []).length;
}

/** Per-message framing tokens (role markers), as chat templates add them. */
const MESSAGE_OVERHEAD_TOKENS = 3;

export function promptTokens(messages: ChatMessage[]): number {
    return messages.reduce((n, m) => n + countTokens(m.content) + MESSAGE_OVERHEAD_TOKENS, 0);
}

export const EMBEDDED_MODEL = 'cocoon-echo-1';

/** The embedded default backend (see the file header). */
export class EmbeddedBackend implements InferenceBackend {
    readonly name: string;

    /** @param model the model name it stands in for (its hash is what the provider registers). */
    constructor(readonly model: string = EMBEDDED_MODEL) {
        this.name = model === EMBEDDED_MODEL ? `embedded:${EMBEDDED_MODEL}` : `embedded:${EMBEDDED_MODEL} (standing in for ${model})`;
    }

    async check(): Promise<void> {}

    async complete(input: InferenceInput): Promise<InferenceOutput> {
        const last = [...input.messages].reverse().find((m) => m.role === 'user') ?? input.messages[input.messages.length - 1];
        const words = (last.content.toLowerCase().match(/[\p{L}\p{N}]{4,}/gu) ?? []).filter((w) => !STOPWORDS.has(w));
        const freq = new Map<string, number>();
        for (const w of words) freq.set(w, (freq.get(w) ?? 0) + 1);
        const top = [...freq.entries()]
            .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
            .slice(0, 5)
            .map(([w, n]) => (n > 1 ? `${w} (${n})` : w));
        const opening = last.content.trim().split(/\s+/).slice(0, 12).join(' ');
        const pTokens = promptTokens(input.messages);
        let content =
            `[${EMBEDDED_MODEL}${this.model === EMBEDDED_MODEL ? '' : ` standing in for ${this.model}`}: embedded test backend, not a language model] ` +
            `Received ${input.messages.length} message${input.messages.length === 1 ? '' : 's'} (${pTokens} tokens). ` +
            `The last one begins "${opening}${last.content.trim().split(/\s+/).length > 12 ? ' …' : ''}"` +
            (top.length ? `; key words: ${top.join(', ')}.` : '.');
        let finishReason = 'stop';
        const limit = input.maxTokens;
        if (limit !== undefined && countTokens(content) > limit) {
            const pieces = content.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]|\s+/gu) ?? [];
            let n = 0;
            const kept: string[] = [];
            for (const p of pieces) {
                if (!/^\s+$/.test(p)) n += 1;
                if (n > limit) break;
                kept.push(p);
            }
            content = kept.join('').trimEnd();
            finishReason = 'length';
        }
        const completionTokens = countTokens(content);
        return {
            content,
            finishReason,
            backend: this.name,
            usage: { promptTokens: pTokens, completionTokens, totalTokens: pTokens + completionTokens },
        };
    }
}

const STOPWORDS = new Set(['this', 'that', 'with', 'from', 'what', 'which', 'have', 'does', 'about', 'into', 'your', 'their', 'there', 'would', 'could', 'should', 'please']);

export type OpenAIBackendOptions = {
    /** Base URL of the OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1. */
    url: string;
    model: string;
    apiKey?: string;
    timeoutMs?: number;
    /** Default max_tokens when the client sets none. */
    maxTokens?: number;
};

/** An OpenAI-compatible chat-completions server (POST {url}/chat/completions, GET {url}/models). */
export class OpenAIBackend implements InferenceBackend {
    readonly name: string;
    readonly model: string;
    private readonly url: string;

    constructor(private readonly opts: OpenAIBackendOptions) {
        if (!/^https?:\/\//.test(opts.url)) throw new BackendError('BAD_RESPONSE', `--url must be an http(s) URL, got ${opts.url}`);
        this.url = opts.url.replace(/\/+$/, '');
        this.model = opts.model;
        this.name = `openai:${opts.model}@${this.url}`;
    }

    async check(): Promise<void> {
        const res = await this.request('GET', '/models');
        const ids = Array.isArray((res as { data?: unknown }).data)
            ? ((res as { data: { id?: unknown }[] }).data.map((m) => m.id).filter((id) => typeof id === 'string') as string[])
            : [];
        if (ids.length > 0 && !ids.includes(this.model)) {
            throw new BackendError('MODEL_NOT_SERVED', `the server at ${this.url} does not serve model "${this.model}" (it lists: ${ids.slice(0, 8).join(', ')})`);
        }
    }

    async complete(input: InferenceInput): Promise<InferenceOutput> {
        const body = {
            model: this.model,
            messages: input.messages,
            max_tokens: input.maxTokens ?? this.opts.maxTokens ?? 512,
            ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
            stream: false,
        };
        const res = (await this.request('POST', '/chat/completions', body)) as {
            choices?: { message?: { content?: unknown }; finish_reason?: unknown }[];
            usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
        };
        const choice = res.choices?.[0];
        const content = choice?.message?.content;
        if (typeof content !== 'string') throw new BackendError('BAD_RESPONSE', `${this.url}/chat/completions returned no choices[0].message.content`);
        const int = (x: unknown) => (Number.isInteger(x) && (x as number) >= 0 ? (x as number) : undefined);
        const p = int(res.usage?.prompt_tokens) ?? promptTokens(input.messages);
        const c = int(res.usage?.completion_tokens) ?? countTokens(content);
        return {
            content,
            finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : 'stop',
            backend: this.name,
            usage: { promptTokens: p, completionTokens: c, totalTokens: int(res.usage?.total_tokens) ?? p + c },
        };
    }

    private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
        const url = this.url + path;
        let res: Response;
        try {
            res = await fetch(url, {
                method,
                headers: {
                    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
                    ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}),
                },
                body: body !== undefined ? JSON.stringify(body) : undefined,
                signal: AbortSignal.timeout(this.opts.timeoutMs ?? 120_000),
            });
        } catch (e) {
            const err = e as Error & { cause?: { code?: string; message?: string } };
            if (err.name === 'TimeoutError' || err.name === 'AbortError') {
                throw new BackendError('TIMEOUT', `the OpenAI-compatible server at ${this.url} did not answer ${method} ${path} in time`);
            }
            const why = err.cause?.code ?? err.cause?.message ?? err.message;
            throw new BackendError(
                'UNREACHABLE',
                `cannot reach the OpenAI-compatible server at ${this.url} (${why}): start it (vLLM, SGLang, llama.cpp, Ollama) or fix --url`,
            );
        }
        const text = await res.text();
        if (!res.ok) {
            throw new BackendError('HTTP_ERROR', `${method} ${url} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
        }
        try {
            return JSON.parse(text);
        } catch {
            throw new BackendError('BAD_RESPONSE', `${method} ${url} did not return JSON`);
        }
    }
}
