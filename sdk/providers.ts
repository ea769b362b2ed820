/**
 * Reading a provider's attested keys, and checking them against the root's
 * allowlists before anything is encrypted to them.
 */
import { Address } from '@ton/core';
import { Root } from '../wrappers/Root';
import { Provider } from '../wrappers/Provider';
import { ProviderState, ProviderStateName } from '../wrappers/constants';
import { bigintToBuffer } from '../wrappers/common';
import { ChainAccess } from './chain';
import { ProviderKeyError } from './errors';

/** A root on a chain: what fetchProviderKeys reads the allowlists from (CocoonClient is one). */
export type RootHandle = { chain: ChainAccess; address: Address };

/** A provider's keys and offer, as checked by {@link fetchProviderKeys}. */
export type ProviderKeys = {
    provider: Address;
    owner: Address;
    /** ed25519 key that signs results (bound in the TEE's REPORTDATA). */
    operatorKey: Buffer;
    /** X25519 key prompts are encrypted to (bound in the TEE's REPORTDATA). */
    encryptionKey: Buffer;
    policyHash: Buffer;
    /** The attestation verifier that vouched for the keys. */
    verifierKey: Buffer;
    attestedAt: number;
    expiresAt: number;
    models: bigint[];
    pricePerUnit: bigint;
    /** Where the provider takes encrypted requests (its off-chain endpoint). */
    endpoint: string;
    stake: bigint;
};

export type FetchProviderKeysOptions = {
    /** The model the client wants: it must be served by the provider and allowlisted by the root. */
    model?: bigint;
    /** The attestation must still be valid at this unix time (e.g. the job's deadline). */
    validUntil?: number;
    /** Unix time of the checks (default: the chain's time). */
    now?: number;
};

const hex = (n: bigint) => n.toString(16).padStart(64, '0');

/**
 * Reads the provider's attestation from its contract and checks, in order:
 * that it is a provider of this root (its address derives from the root and its owner),
 * not revoked, not tombstoned, active; that the root still trusts the verifier key and
 * allowlists the measurement policy; that the attestation has not expired (and lasts until
 * `validUntil`); and that the model is served and allowlisted.
 *
 * @throws ProviderKeyError whose `check` names the first check that failed.
 */
export async function fetchProviderKeys(
    root: RootHandle,
    providerAddress: Address,
    opts: FetchProviderKeysOptions = {},
): Promise<ProviderKeys> {
    const { chain } = root;
    const r = chain.open(Root.createFromAddress(root.address));
    const p = chain.open(Provider.createFromAddress(providerAddress));
    const where = providerAddress.toString();

    let data;
    try {
        data = await p.getProviderData();
    } catch {
        throw new ProviderKeyError('PROVIDER_NOT_REGISTERED', `no provider contract answers at ${where}`);
    }
    if (!data.root.equals(root.address)) {
        throw new ProviderKeyError('PROVIDER_NOT_REGISTERED', `${where} belongs to root ${data.root.toString()}, not ${root.address.toString()}`);
    }
    // A contract that only mimics the getters cannot sit at the address the root derives.
    const derived = await r.getProviderAddress(data.owner);
    if (!derived.equals(providerAddress)) {
        throw new ProviderKeyError('PROVIDER_NOT_REGISTERED', `${where} is not the root's provider of ${data.owner.toString()} (${derived.toString()})`);
    }
    if (data.state === ProviderState.uninit) {
        throw new ProviderKeyError('PROVIDER_NOT_REGISTERED', `${where} never registered`);
    }
    if (data.revoked) {
        throw new ProviderKeyError('PROVIDER_REVOKED', `${where} was revoked: its policy, verifier key or a model was removed by governance`);
    }
    const jobs = await p.getProviderJobs();
    if (jobs.tombstoned) {
        throw new ProviderKeyError('PROVIDER_TOMBSTONED', `${where} was slashed for equivocation`);
    }
    if (data.state !== ProviderState.active) {
        throw new ProviderKeyError('PROVIDER_NOT_ACTIVE', `${where} is ${ProviderStateName[data.state] ?? data.state}, not active`);
    }
    const att = await p.getAttestation();
    if (!(await r.getVerifierTrusted(att.verifierKey))) {
        throw new ProviderKeyError('VERIFIER_NOT_TRUSTED', `the root no longer trusts verifier key ${hex(att.verifierKey)} that attested ${where}`);
    }
    if (!(await r.getPolicyAllowed(att.policyHash))) {
        throw new ProviderKeyError('POLICY_NOT_ALLOWED', `measurement policy ${hex(att.policyHash)} of ${where} is not allowlisted`);
    }
    const now = opts.now ?? (await chain.now());
    if (now >= att.expiresAt) {
        throw new ProviderKeyError('ATTESTATION_EXPIRED', `the attestation of ${where} expired at ${iso(att.expiresAt)} (now ${iso(now)})`);
    }
    if (opts.validUntil !== undefined && att.expiresAt < opts.validUntil) {
        throw new ProviderKeyError(
            'ATTESTATION_EXPIRES_TOO_SOON',
            `the attestation of ${where} expires at ${iso(att.expiresAt)}, before ${iso(opts.validUntil)}`,
        );
    }
    const models = await p.getModels();
    if (opts.model !== undefined) {
        if (!models.includes(opts.model)) {
            throw new ProviderKeyError('MODEL_NOT_SERVED', `${where} does not serve model ${hex(opts.model)}`);
        }
        if (!(await r.getModelAllowed(opts.model))) {
            throw new ProviderKeyError('MODEL_NOT_ALLOWED', `model ${hex(opts.model)} is not allowlisted by the root`);
        }
    }
    if (!(await p.getEligible())) {
        throw new ProviderKeyError('PROVIDER_NOT_ELIGIBLE', `${where} reports itself not eligible for jobs`);
    }
    const offer = await p.getOffer();
    return {
        provider: providerAddress,
        owner: data.owner,
        operatorKey: bigintToBuffer(att.operatorKey),
        encryptionKey: bigintToBuffer(att.encryptionKey),
        policyHash: bigintToBuffer(att.policyHash),
        verifierKey: bigintToBuffer(att.verifierKey),
        attestedAt: att.attestedAt,
        expiresAt: att.expiresAt,
        models,
        pricePerUnit: offer.pricePerUnit,
        endpoint: offer.endpoint,
        stake: data.stake,
    };
}

function iso(t: number): string {
    return new Date(t * 1000).toISOString();
}
