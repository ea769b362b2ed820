import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import {
    AttestationError,
    INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX,
    SimulatedTdxCa,
    VerifyTdxQuoteOptions,
    createSimulatedTdxCa,
    createSimulatedTdxQuote,
    encodeTdxQuote,
    intelSgxRootCaPublicKey,
    measurementPolicyHash,
    parseTdxQuote,
    verifyTdxQuote,
} from '../../attestation';
import { makeChain, withCertificate, withChain } from './chains';
import { describeWithRealQuote, expectCode, flipBit, quoteRegions } from './helpers';

const REAL_POLICY_HASH = '3b578e38c87cd8ff93a26c3b509e46bdf003319689bbe450177b981338cf3a56';

/**
 * Flips one bit in bytes of every region of `quote` and checks each flip is rejected with one of
 * the region's codes: every byte outside the PEM chain (bit = offset mod 8) and every
 * `chainStride`-th byte of the chain. Returns the number of flips and the failures.
 */
function flipSweep(quote: Buffer, opts: VerifyTdxQuoteOptions, chainStride: number): { flips: number; failures: string[] } {
    const q = parseTdxQuote(quote);
    const failures: string[] = [];
    let flips = 0;
    for (const r of quoteRegions(q.qeAuthData.length, q.pckChainData.length, q.trailingPadding)) {
        const stride = r.name === 'PCK certificate chain' ? chainStride : 1;
        for (let i = r.start; i < r.end; i += stride) {
            flips++;
            try {
                verifyTdxQuote(flipBit(quote, i, i % 8), opts);
                failures.push(`${r.name}: flip of byte ${i} bit ${i % 8} was ACCEPTED`);
            } catch (e) {
                const code = (e as AttestationError).code;
                if (!r.codes.includes(code)) failures.push(`${r.name}: byte ${i} bit ${i % 8} gave ${(e as Error).message}`);
            }
        }
    }
    return { flips, failures };
}

describeWithRealQuote('verifyTdxQuote on the real Intel TDX quote', (realQuote) => {
    let sim: SimulatedTdxCa;
    beforeAll(async () => {
        sim = await createSimulatedTdxCa();
    });

    it('verifies under the default Intel SGX Root CA pin and reports every check', () => {
        const r = verifyTdxQuote(realQuote());
        expect(r.checks).toEqual([
            'pckChain',
            'rootPinned',
            'certificateValidity',
            'qeReportSignature',
            'qeReportData',
            'quoteSignature',
            'debugDisabled',
        ]);
        expect(r.pckChain.rootPublicKey.toString('hex')).toBe(INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX);
        expect(r.policyHash.toString('hex')).toBe(REAL_POLICY_HASH);
        expect(r.policyHash.equals(measurementPolicyHash(r.measurements))).toBe(true);
        expect(r.reportData.equals(r.quote.body.reportData)).toBe(true);
    });

    it('pins the key of the self-signed "Intel SGX Root CA" certificate carried in the quote', () => {
        const r = verifyTdxQuote(realQuote());
        expect(r.pckChain.root.subject).toContain('CN=Intel SGX Root CA');
        expect(r.pckChain.root.issuer).toBe(r.pckChain.root.subject);
        const jwk = r.pckChain.root.publicKey.export({ format: 'jwk' });
        const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
        expect(point.toString('hex')).toBe(INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX);
    });

    it('accepts the pin as raw point (64 or 65 bytes), hex, SPKI DER, PEM or KeyObject', () => {
        const raw = intelSgxRootCaPublicKey();
        const key = createPublicKey({ key: Buffer.from(verifyTdxQuote(realQuote()).pckChain.root.publicKey.export({ type: 'spki', format: 'der' })), format: 'der', type: 'spki' });
        for (const pin of [
            raw,
            raw.subarray(1),
            INTEL_SGX_ROOT_CA_PUBLIC_KEY_HEX,
            key.export({ type: 'spki', format: 'der' }),
            key.export({ type: 'spki', format: 'pem' }) as string,
            key,
        ]) {
            expect(verifyTdxQuote(realQuote(), { rootPublicKey: pin }).checks).toContain('rootPinned');
        }
    });

    it('rejects the quote under another pinned root with UNTRUSTED_ROOT', () => {
        expectCode(() => verifyTdxQuote(realQuote(), { rootPublicKey: sim.rootPublicKey }), 'UNTRUSTED_ROOT');
        const other = createPublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
        expectCode(() => verifyTdxQuote(realQuote(), { rootPublicKey: other }), 'UNTRUSTED_ROOT');
        const intermediateKey = verifyTdxQuote(realQuote()).pckChain.intermediate.publicKey;
        expectCode(() => verifyTdxQuote(realQuote(), { rootPublicKey: intermediateKey }), 'UNTRUSTED_ROOT');
    });

    it('refuses a malformed pin with BAD_ROOT_KEY', () => {
        const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]);
        for (const pin of [offCurve, Buffer.alloc(10), 'zz', createPublicKey(generateKeyPairSync('ed25519').privateKey)]) {
            expectCode(() => verifyTdxQuote(realQuote(), { rootPublicKey: pin }), 'BAD_ROOT_KEY');
        }
    });

    it('checks certificate validity at `now`: CERT_EXPIRED after the PCK certificate expires, CERT_NOT_YET_VALID before it starts', () => {
        const leaf = verifyTdxQuote(realQuote()).pckChain.leaf;
        const from = new Date(leaf.validFrom);
        const to = new Date(leaf.validTo);
        expect(verifyTdxQuote(realQuote(), { now: from }).checks).toContain('certificateValidity');
        expect(verifyTdxQuote(realQuote(), { now: to }).checks).toContain('certificateValidity');
        expectCode(() => verifyTdxQuote(realQuote(), { now: new Date(to.getTime() + 1000) }), 'CERT_EXPIRED');
        expectCode(() => verifyTdxQuote(realQuote(), { now: new Date(from.getTime() - 1000) }), 'CERT_NOT_YET_VALID');
        expectCode(() => verifyTdxQuote(realQuote(), { now: new Date('2017-01-01T00:00:00Z') }), 'CERT_NOT_YET_VALID');
        expectCode(() => verifyTdxQuote(realQuote(), { now: new Date('2060-01-01T00:00:00Z') }), 'CERT_EXPIRED');
        expectCode(() => verifyTdxQuote(realQuote(), { now: new Date('garbage') }), 'BAD_ARGUMENT');
    });

    it('enforces an optional policy allowlist with POLICY_NOT_ALLOWED', () => {
        const ok = verifyTdxQuote(realQuote(), { allowedPolicyHashes: [REAL_POLICY_HASH] });
        expect(ok.checks[ok.checks.length - 1]).toBe('policyAllowed');
        expect(verifyTdxQuote(realQuote(), { allowedPolicyHashes: [Buffer.from(REAL_POLICY_HASH, 'hex')] }).checks).toContain('policyAllowed');
        expectCode(() => verifyTdxQuote(realQuote(), { allowedPolicyHashes: [] }), 'POLICY_NOT_ALLOWED');
        expectCode(() => verifyTdxQuote(realQuote(), { allowedPolicyHashes: ['00'.repeat(32)] }), 'POLICY_NOT_ALLOWED');
        expectCode(() => verifyTdxQuote(realQuote(), { allowedPolicyHashes: ['abc'] }), 'BAD_ARGUMENT');
    });

    it('rejects single-bit flips in every region (every byte outside the chain, every 7th chain byte) with the region code', () => {
        const { flips, failures } = flipSweep(realQuote(), {}, 7);
        expect(failures).toEqual([]);
        expect(flips).toBeGreaterThan(1800);
    });

    it('rejects flips at named positions with the expected code', () => {
        const q = realQuote();
        const cases: Array<[number, number, string]> = [
            [0, 1, 'BAD_VERSION'],
            [2, 0, 'BAD_KEY_TYPE'],
            [4, 0, 'BAD_TEE_TYPE'],
            [12, 0, 'BAD_QUOTE_SIGNATURE'], // QE vendor id
            [48 + 120, 0, 'BAD_QUOTE_SIGNATURE'], // TD attributes DEBUG bit: signature fails before policy
            [48 + 136, 7, 'BAD_QUOTE_SIGNATURE'], // MRTD
            [48 + 328 + 47, 3, 'BAD_QUOTE_SIGNATURE'], // RTMR0 last byte
            [48 + 520, 0, 'BAD_QUOTE_SIGNATURE'], // REPORTDATA
            [636, 0, 'BAD_QUOTE_SIGNATURE'], // r
            [699, 7, 'BAD_QUOTE_SIGNATURE'], // s
            [700, 0, 'BAD_QE_REPORT_DATA'], // attestation key x
            [763, 7, 'BAD_QE_REPORT_DATA'], // attestation key y
            [770, 0, 'BAD_QE_REPORT_SIGNATURE'], // QE report cpusvn
            [770 + 320, 0, 'BAD_QE_REPORT_SIGNATURE'], // QE report data
            [1154, 5, 'BAD_QE_REPORT_SIGNATURE'], // QE report signature
            [1220, 0, 'BAD_QE_REPORT_DATA'], // QE auth data
            [1251, 7, 'BAD_QE_REPORT_DATA'],
            [4940, 0, 'TRAILING_DATA'],
        ];
        for (const [offset, bit, code] of cases) {
            expectCode(() => verifyTdxQuote(flipBit(q, offset, bit)), code as AttestationError['code']);
        }
    });

    (process.env.COCOON_EXHAUSTIVE_FLIPS ? it : it.skip)(
        'rejects EVERY single-bit flip of the whole file (opt-in: COCOON_EXHAUSTIVE_FLIPS=1, ~25 s)',
        () => {
            const q = realQuote();
            const p = parseTdxQuote(q);
            const failures: string[] = [];
            for (const r of quoteRegions(p.qeAuthData.length, p.pckChainData.length, p.trailingPadding)) {
                for (let i = r.start; i < r.end; i++) {
                    for (let bit = 0; bit < 8; bit++) {
                        try {
                            verifyTdxQuote(flipBit(q, i, bit));
                            failures.push(`${r.name}: byte ${i} bit ${bit} ACCEPTED`);
                        } catch (e) {
                            if (!r.codes.includes((e as AttestationError).code)) failures.push(`${r.name}: ${(e as Error).message}`);
                        }
                    }
                }
            }
            expect(failures).toEqual([]);
        },
        120_000,
    );

    it('rejects a PCK certificate swapped for a simulated one with BAD_PCK_CHAIN', () => {
        expectCode(() => verifyTdxQuote(withCertificate(realQuote(), 0, sim.pckCertificatePem)), 'BAD_PCK_CHAIN');
    });

    it('rejects a swapped intermediate or root certificate with BAD_PCK_CHAIN', () => {
        expectCode(() => verifyTdxQuote(withCertificate(realQuote(), 1, sim.intermediateCertificatePem)), 'BAD_PCK_CHAIN');
        expectCode(() => verifyTdxQuote(withCertificate(realQuote(), 2, sim.rootCertificatePem)), 'BAD_PCK_CHAIN');
    });

    it('rejects a reordered, shortened or lengthened chain with BAD_PCK_CHAIN', () => {
        const q = realQuote();
        const pems = parseTdxQuote(q).certificates.map((c) => c.pem);
        const chain = (list: string[]) => Buffer.from(list.join(''), 'ascii');
        expectCode(() => verifyTdxQuote(withChain(q, chain([pems[2], pems[1], pems[0]]))), 'BAD_PCK_CHAIN');
        expectCode(() => verifyTdxQuote(withChain(q, chain([pems[0], pems[1]]))), 'BAD_PCK_CHAIN');
        expectCode(() => verifyTdxQuote(withChain(q, chain([...pems, pems[2]]))), 'BAD_PCK_CHAIN');
    });

    it('rejects the real QE report wrapped in a simulated chain: UNTRUSTED_ROOT under Intel, BAD_QE_REPORT_SIGNATURE under the test pin', () => {
        const q = withChain(realQuote(), sim.chainData);
        expectCode(() => verifyTdxQuote(q), 'UNTRUSTED_ROOT');
        expectCode(() => verifyTdxQuote(q, { rootPublicKey: sim.rootPublicKey }), 'BAD_QE_REPORT_SIGNATURE');
    });
});

describe('verifyTdxQuote on simulated quotes', () => {
    let ca: SimulatedTdxCa;
    let quote: Buffer;
    beforeAll(async () => {
        ca = await createSimulatedTdxCa();
        quote = createSimulatedTdxQuote(ca, {
            reportData: Buffer.alloc(64, 0x5a),
            measurements: { mrTd: Buffer.alloc(48, 1), rtmr0: Buffer.alloc(48, 2), tdAttributes: Buffer.from('0000001000000000', 'hex') },
        });
    });

    it('verifies under the test CA pin', () => {
        const r = verifyTdxQuote(quote, { rootPublicKey: ca.rootPublicKey });
        expect(r.checks).toContain('quoteSignature');
        expect(r.reportData.equals(Buffer.alloc(64, 0x5a))).toBe(true);
    });

    it('is rejected with UNTRUSTED_ROOT under the default Intel pin', () => {
        expectCode(() => verifyTdxQuote(quote), 'UNTRUSTED_ROOT');
    });

    it('rejects a debug-mode TD (TDATTRIBUTES bit 0), properly signed, with DEBUG_TD', () => {
        const debug = createSimulatedTdxQuote(ca, {
            reportData: Buffer.alloc(64),
            measurements: { tdAttributes: Buffer.from('0100001000000000', 'hex') },
        });
        expect(parseTdxQuote(debug).body.tdAttributes[0] & 1).toBe(1);
        const e = expectCode(() => verifyTdxQuote(debug, { rootPublicKey: ca.rootPublicKey }), 'DEBUG_TD');
        expect(e.message).toContain('0100001000000000');
    });

    it('rejects single-bit flips in every region of a simulated quote with the region code', () => {
        const { flips, failures } = flipSweep(quote, { rootPublicKey: ca.rootPublicKey }, 11);
        expect(failures).toEqual([]);
        expect(flips).toBeGreaterThan(1400);
    });

    it('rejects a PCK certificate from another simulated CA with BAD_PCK_CHAIN', async () => {
        const other = await createSimulatedTdxCa();
        expectCode(() => verifyTdxQuote(withCertificate(quote, 0, other.pckCertificatePem), { rootPublicKey: ca.rootPublicKey }), 'BAD_PCK_CHAIN');
        // Same, with the QE report re-signed by the foreign PCK key: the chain still does not link.
        const resigned = withChain(
            quote,
            Buffer.from(other.pckCertificatePem + ca.intermediateCertificatePem + ca.rootCertificatePem, 'ascii'),
            other.pckPrivateKey,
        );
        expectCode(() => verifyTdxQuote(resigned, { rootPublicKey: ca.rootPublicKey }), 'BAD_PCK_CHAIN');
    });

    it('rejects chain entries that are DER but not X.509 certificates with BAD_CERTIFICATE', () => {
        const notACert = '-----BEGIN CERTIFICATE-----\nMAMBAgM=\n-----END CERTIFICATE-----\n'; // SEQUENCE { 01 02 03 }
        const q = withChain(quote, Buffer.from(notACert.repeat(3), 'ascii'));
        expectCode(() => verifyTdxQuote(q, { rootPublicKey: ca.rootPublicKey }), 'BAD_CERTIFICATE');
        expectCode(() => verifyTdxQuote(withCertificate(quote, 2, notACert), { rootPublicKey: ca.rootPublicKey }), 'BAD_CERTIFICATE');
    });

    it('rejects a QE report signed by a key other than the PCK certificate key with BAD_QE_REPORT_SIGNATURE', () => {
        const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
        const q = withChain(quote, ca.chainData, stranger);
        expectCode(() => verifyTdxQuote(q, { rootPublicKey: ca.rootPublicKey }), 'BAD_QE_REPORT_SIGNATURE');
    });

    it('rejects an attestation key that is not a P-256 point, even when the QE report binds it, with BAD_ATTESTATION_KEY', () => {
        const p = parseTdxQuote(quote);
        const badKey = Buffer.alloc(64, 0x01);
        const qeReport = Buffer.from(p.qeReport.raw);
        createHash('sha256').update(badKey).update(p.qeAuthData).digest().copy(qeReport, 320);
        const qeReportSignature = sign('sha256', qeReport, { key: ca.pckPrivateKey, dsaEncoding: 'ieee-p1363' });
        const q = encodeTdxQuote({ ...p, attestationKey: badKey, qeReport, qeReportSignature });
        expectCode(() => verifyTdxQuote(q, { rootPublicKey: ca.rootPublicKey }), 'BAD_ATTESTATION_KEY');
    });

    it('rejects QE report data whose upper 32 bytes are not zero with BAD_QE_REPORT_DATA', () => {
        const p = parseTdxQuote(quote);
        const qeReport = Buffer.from(p.qeReport.raw);
        qeReport[383] = 1;
        const qeReportSignature = sign('sha256', qeReport, { key: ca.pckPrivateKey, dsaEncoding: 'ieee-p1363' });
        const q = encodeTdxQuote({ ...p, qeReport, qeReportSignature });
        expectCode(() => verifyTdxQuote(q, { rootPublicKey: ca.rootPublicKey }), 'BAD_QE_REPORT_DATA');
    });

    it('rejects simulated certificates once they expire (10 years) with CERT_EXPIRED', () => {
        expectCode(
            () => verifyTdxQuote(quote, { rootPublicKey: ca.rootPublicKey, now: new Date(Date.now() + 11 * 365 * 86_400_000) }),
            'CERT_EXPIRED',
        );
    });
});

describe('verifyTdxQuote CA constraints on hand-made chains', () => {
    let ca: SimulatedTdxCa;
    let quote: Buffer;
    beforeAll(async () => {
        ca = await createSimulatedTdxCa();
        quote = createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(64) });
    });

    it('accepts a well-formed custom chain under its own pin (control)', async () => {
        const chain = await makeChain({ intermediateIsCa: true, leafIsCa: false });
        const q = withChain(quote, chain.chainData, chain.pckPrivateKey);
        expect(verifyTdxQuote(q, { rootPublicKey: chain.rootPublicKey }).checks).toContain('quoteSignature');
    });

    it('rejects an intermediate without the basicConstraints cA flag with BAD_PCK_CHAIN', async () => {
        const chain = await makeChain({ intermediateIsCa: false, leafIsCa: false });
        const q = withChain(quote, chain.chainData, chain.pckPrivateKey);
        const e = expectCode(() => verifyTdxQuote(q, { rootPublicKey: chain.rootPublicKey }), 'BAD_PCK_CHAIN');
        expect(e.message).toContain('not a CA (basicConstraints)');
    });

    it('rejects a PCK leaf that is itself a CA with BAD_PCK_CHAIN', async () => {
        const chain = await makeChain({ intermediateIsCa: true, leafIsCa: true });
        const q = withChain(quote, chain.chainData, chain.pckPrivateKey);
        const e = expectCode(() => verifyTdxQuote(q, { rootPublicKey: chain.rootPublicKey }), 'BAD_PCK_CHAIN');
        expect(e.message).toContain('must not be a CA');
    });
});
