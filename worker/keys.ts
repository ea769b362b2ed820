/**
 * The worker's two keys, generated inside the worker process (inside the TD on
 * real hardware) and bound into the quote's REPORTDATA:
 * - the operator key (ed25519) signs job results;
 * - the encryption key (X25519) opens prompts.
 *
 * They are kept in the state file so that a restarted worker can still sign
 * and decrypt for the jobs it accepted: on real hardware that file must live on
 * the TD's encrypted, measured disk (it is written with mode 0600).
 */
import { KeyPair, keyPairFromSecretKey, keyPairFromSeed } from '@ton/crypto';
import { randomBytes } from 'crypto';
import { x25519KeyPairFromSecret, X25519KeyPair } from '../sdk/envelope';

export type WorkerKeys = { operator: KeyPair; encryption: X25519KeyPair };

export type WorkerKeysJson = { operatorSecret: string; encryptionSecret: string };

export function generateWorkerKeys(): WorkerKeys {
    return {
        operator: keyPairFromSeed(randomBytes(32)),
        encryption: x25519KeyPairFromSecret(randomBytes(32)),
    };
}

export function keysToJson(k: WorkerKeys): WorkerKeysJson {
    return { operatorSecret: k.operator.secretKey.toString('hex'), encryptionSecret: k.encryption.secretKey.toString('hex') };
}

export function keysFromJson(j: WorkerKeysJson): WorkerKeys {
    if (!/^[0-9a-f]{128}$/.test(j?.operatorSecret ?? '') || !/^[0-9a-f]{64}$/.test(j?.encryptionSecret ?? '')) {
        throw new Error('the state file holds malformed keys');
    }
    return {
        operator: keyPairFromSecretKey(Buffer.from(j.operatorSecret, 'hex')),
        encryption: x25519KeyPairFromSecret(Buffer.from(j.encryptionSecret, 'hex')),
    };
}
