import { X509Certificate, createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
    SIMULATED_PCK_CA_NAME,
    SIMULATED_PCK_CERT_NAME,
    SIMULATED_QE_VENDOR_ID,
    SIMULATED_QUOTE_USER_DATA,
    SIMULATED_ROOT_CA_NAME,
    SimulatedCaKeys,
    SimulatedTdxCa,
    createSimulatedTdxCa,
    createSimulatedTdxQuote,
    parseTdxQuote,
    verifyTdxQuote,
} from '../../attestation';
import { describeWithRealQuote, expectCode } from './helpers';

const DAY = 86_400_000;

describe('createSimulatedTdxCa', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    let ca: SimulatedTdxCa;
    beforeAll(async () => {
        ca = await createSimulatedTdxCa({ now });
    });

    it('names every certificate SIMULATED and NOT INTEL, never as an Intel CA', () => {
        const certs = [ca.pckCertificatePem, ca.intermediateCertificatePem, ca.rootCertificatePem].map((p) => new X509Certificate(p));
        expect(certs[0].subject).toContain(`CN=${SIMULATED_PCK_CERT_NAME}`);
        expect(certs[1].subject).toContain(`CN=${SIMULATED_PCK_CA_NAME}`);
        expect(certs[2].subject).toContain(`CN=${SIMULATED_ROOT_CA_NAME}`);
        expect(SIMULATED_ROOT_CA_NAME).toBe('Cocoon SIMULATED TDX Root CA - NOT INTEL');
        for (const c of certs) {
            expect(c.subject).toMatch(/SIMULATED/);
            expect(c.subject).toMatch(/NOT INTEL/);
            expect(c.subject).not.toMatch(/O=Intel Corporation/);
        }
    });

    it('builds a linked chain: self-signed root CA, PCK CA, non-CA PCK leaf', () => {
        const [leaf, inter, root] = [ca.pckCertificatePem, ca.intermediateCertificatePem, ca.rootCertificatePem].map((p) => new X509Certificate(p));
        expect(root.verify(root.publicKey) && root.checkIssued(root)).toBe(true);
        expect(inter.verify(root.publicKey) && inter.checkIssued(root)).toBe(true);
        expect(leaf.verify(inter.publicKey) && leaf.checkIssued(inter)).toBe(true);
        expect([root.ca, inter.ca, leaf.ca]).toEqual([true, true, false]);
        expect(root.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    });

    it('makes certificates valid from now - 1 day for 10 years', () => {
        const leaf = new X509Certificate(ca.pckCertificatePem);
        expect(new Date(leaf.validFrom).getTime()).toBe(now.getTime() - DAY);
        expect(new Date(leaf.validTo).toISOString()).toBe('2036-02-28T12:00:00.000Z');
    });

    it('exposes the root key as the uncompressed point of the root certificate', () => {
        const jwk = new X509Certificate(ca.rootCertificatePem).publicKey.export({ format: 'jwk' });
        expect(ca.rootPublicKey.toString('hex')).toBe(
            '04' + Buffer.from(jwk.x!, 'base64url').toString('hex') + Buffer.from(jwk.y!, 'base64url').toString('hex'),
        );
    });

    it('carries the chain leaf first, NUL-terminated, like Intel quotes', () => {
        expect(ca.chainData[ca.chainData.length - 1]).toBe(0);
        expect(ca.chainData.toString('ascii', 0, ca.chainData.length - 1)).toBe(
            ca.pckCertificatePem + ca.intermediateCertificatePem + ca.rootCertificatePem,
        );
    });

    it('reuses caller-supplied keys (same root key and serial numbers)', async () => {
        const keys: SimulatedCaKeys = ca.keys;
        const again = await createSimulatedTdxCa({ now, keys });
        expect(again.rootPublicKey.equals(ca.rootPublicKey)).toBe(true);
        expect(new X509Certificate(again.pckCertificatePem).serialNumber).toBe(new X509Certificate(ca.pckCertificatePem).serialNumber);
        expect(new X509Certificate(again.pckCertificatePem).publicKey.equals(new X509Certificate(ca.pckCertificatePem).publicKey)).toBe(true);
        const fresh = await createSimulatedTdxCa({ now });
        expect(fresh.rootPublicKey.equals(ca.rootPublicKey)).toBe(false);
    });
});

describe('createSimulatedTdxQuote', () => {
    let ca: SimulatedTdxCa;
    beforeAll(async () => {
        ca = await createSimulatedTdxCa();
    });

    it('verifies under the test CA pin and is rejected with UNTRUSTED_ROOT under the Intel pin', () => {
        const quote = createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(64, 1) });
        expect(verifyTdxQuote(quote, { rootPublicKey: ca.rootPublicKey }).checks).toContain('debugDisabled');
        expectCode(() => verifyTdxQuote(quote), 'UNTRUSTED_ROOT');
    });

    it('labels the header: QE vendor id "cocoon.sim.qe.v1", user data "COCOON-SIMULATED-TDX"', () => {
        const q = parseTdxQuote(createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(64) }));
        expect(q.header.qeVendorId.equals(SIMULATED_QE_VENDOR_ID)).toBe(true);
        expect(q.header.userData.toString('ascii')).toBe('COCOON-SIMULATED-TDX');
        expect(q.header.userData.equals(SIMULATED_QUOTE_USER_DATA)).toBe(true);
        expect(q.header.qeVendorId.toString('hex')).not.toBe('939a7233f79c4ca9940a0db3957f0607');
    });

    it('uses the caller-chosen measurements and REPORTDATA', () => {
        const m = {
            tdAttributes: Buffer.from('0000000000000000', 'hex'),
            mrTd: Buffer.alloc(48, 0xa0),
            rtmr0: Buffer.alloc(48, 0xa1),
            rtmr1: Buffer.alloc(48, 0xa2),
            rtmr2: Buffer.alloc(48, 0xa3),
            rtmr3: Buffer.alloc(48, 0xa4),
        };
        const reportData = Buffer.alloc(64, 0x77);
        const r = verifyTdxQuote(createSimulatedTdxQuote(ca, { reportData, measurements: m }), { rootPublicKey: ca.rootPublicKey });
        for (const k of Object.keys(m) as Array<keyof typeof m>) expect(r.measurements[k].equals(m[k])).toBe(true);
        expect(r.reportData.equals(reportData)).toBe(true);
    });

    it('binds the attestation key and QE auth data in the QE report data', () => {
        const attestationKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
        const qeAuthData = Buffer.from('simulated auth data');
        const q = parseTdxQuote(createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(64), attestationKey, qeAuthData }));
        const jwk = createPublicKey(attestationKey).export({ format: 'jwk' });
        const xy = Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
        expect(q.attestationKey.equals(xy)).toBe(true);
        expect(q.qeAuthData.equals(qeAuthData)).toBe(true);
        expect(q.qeReport.reportData.subarray(0, 32).equals(createHash('sha256').update(xy).update(qeAuthData).digest())).toBe(true);
        expect(q.qeReport.reportData.subarray(32).equals(Buffer.alloc(32))).toBe(true);
    });

    it('rejects malformed options with BAD_ARGUMENT', () => {
        expectCode(() => createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(63) }), 'BAD_ARGUMENT');
        expectCode(() => createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(64), measurements: { mrTd: Buffer.alloc(32) } }), 'BAD_ARGUMENT');
        const publicOnly = createPublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
        expectCode(() => createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(64), attestationKey: publicOnly }), 'BAD_ARGUMENT');
        const ed = generateKeyPairSync('ed25519').privateKey;
        expectCode(() => createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(64), attestationKey: ed }), 'BAD_ARGUMENT');
    });
});

describeWithRealQuote('createSimulatedTdxQuote with the real quote as template', (realQuote) => {
    let ca: SimulatedTdxCa;
    beforeAll(async () => {
        ca = await createSimulatedTdxCa();
    });

    it('copies the real measurements by default, so the policy hash equals the real one', () => {
        const real = verifyTdxQuote(realQuote());
        const sim = verifyTdxQuote(createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(64), template: realQuote() }), {
            rootPublicKey: ca.rootPublicKey,
        });
        expect(sim.measurements.mrTd.toString('hex')).toBe(
            '7357a10d2e2724dffe68813e3cc4cfcde6814d749f2fb62e3953e54f6e0b50a219786afe2cd478f684b52c61837e1114',
        );
        expect(sim.policyHash.equals(real.policyHash)).toBe(true);
        expect(sim.quote.body.mrSeam.equals(real.quote.body.mrSeam)).toBe(true);
        expect(sim.quote.qeReport.mrSigner.equals(real.quote.qeReport.mrSigner)).toBe(true);
    });

    it('overrides single measurements of the template and accepts a parsed template', () => {
        const sim = parseTdxQuote(
            createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(64), template: parseTdxQuote(realQuote()), measurements: { rtmr3: Buffer.alloc(48, 0xee) } }),
        );
        const real = parseTdxQuote(realQuote());
        expect(sim.body.rtmr3.equals(Buffer.alloc(48, 0xee))).toBe(true);
        expect(sim.body.mrTd.equals(real.body.mrTd)).toBe(true);
        expect(sim.body.rtmr2.equals(real.body.rtmr2)).toBe(true);
    });
});
