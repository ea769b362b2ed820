/**
 * Cocoon Protocol client SDK.
 *
 * - providers.ts: fetchProviderKeys — a provider's attested keys, checked against the root;
 * - envelope.ts: prompts sealed to the provider's attested X25519 key, results sealed to a key
 *   the client chose (X25519 + HKDF-SHA256 + XChaCha20-Poly1305, @noble), canonical bytes and
 *   commitments;
 * - payloads.ts: the JSON inside the envelopes (chat messages, result key, usage);
 * - results.ts: delivered results and their verification against the chain;
 * - endpoint.ts: the provider's off-chain endpoint (HTTP client, memory:// registry);
 * - client.ts: CocoonClient / SessionClient — create and fund jobs, deliver, verify, confirm,
 *   dispute, sessions;
 * - jobs.ts: commitments, values, the session receipt book;
 * - chain.ts: the chain access the SDK needs (sandbox, TonClient).
 */
export * from './errors';
export * from './envelope';
export * from './payloads';
export * from './chain';
export * from './providers';
export * from './results';
export * from './endpoint';
export * from './client';
export {
    bondFor,
    commitment,
    createJobValue,
    jobFor,
    nextResultRoot,
    paymentFor,
    randomNonce,
    SessionReceipts,
    verifyResult,
} from './jobs';
