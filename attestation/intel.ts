/**
 * Intel's public trust anchor for SGX/TDX DCAP attestation.
 *
 * This is the public key of the **Intel SGX Root CA** (subject and issuer
 * `CN=Intel SGX Root CA, O=Intel Corporation, L=Santa Clara, ST=CA, C=US`, self-signed, valid
 * 2018-05-21 10:45:10 UTC to 2049-12-31 23:59:59 UTC), as the uncompressed P-256 point
 * 0x04 || x || y. It is Intel's public root key, not a secret. It was read from the root
 * certificate at the end of the PCK chain of the real TDX quote published as `tee/test/quote.dat`
 * in TelegramMessenger/cocoon (copy: /work/shared/testdata/tdx-quote-v4.dat; root certificate
 * SHA-256 fingerprint 44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3, CRL
 * distribution point https://certificates.trustedservices.intel.com/IntelSGXRootCA.der), and it
 * matches the root key pinned by other public DCAP verifiers (x = 0ba9c4c0…25f5,
 * y = 67918e2e…7394).
 *
 * Every PCK chain accepted by `verifyTdxQuote` under the default trust must end in a self-signed
 * root with exactly this key.
 */
export const INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX =
    '04' +
    '0ba9c4c0c0c86193a3fe23d6b02cda10a8bbd4e88e48b4458561a36e705525f5' +
    '67918e2edc88e40d860bd0cc4ee26aacc988e505a953558c453f6b0904ae7394';

/** {@link INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX} as a 65-byte Buffer (returns a fresh copy). */
export function intelSgxRootCaPublicKey(): Buffer {
    return Buffer.from(INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX, 'hex');
}

/** Intel's Quoting Enclave vendor ID (quote header bytes 12..28). */
export const INTEL_QE_VENDOR_ID_HEX = '939a7233f79c4ca9940a0db3957f0607';
