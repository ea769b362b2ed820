import {
    ATTESTATION_ERROR_CODES,
    AttestationError,
    isAttestationError,
    encodeTdxQuote,
    parseTdxQuote,
    splitPemChain,
    createSimulatedTdxCa,
    createSimulatedTdxQuote,
    SimulatedTdxCa,
} from '../../attestation';
import { describeWithRealQuote, expectCode } from './helpers';

const REAL_MRTD =
    '7357a10d2e2724dffe68813e3cc4cfcde6814d749f2fb62e3953e54f6e0b50a219786afe2cd478f684b52c61837e1114';

describeWithRealQuote('parseTdxQuote on the real Intel TDX quote', (realQuote) => {
    it('decodes the v4 header: version 4, ECDSA P-256 key type, TDX TEE type, Intel QE vendor id', () => {
        const q = parseTdxQuote(realQuote());
        expect(q.header.version).toBe(4);
        expect(q.header.attestationKeyType).toBe(2);
        expect(q.header.teeType).toBe(0x81);
        expect(q.header.qeVendorId.toString('hex')).toBe('939a7233f79c4ca9940a0db3957f0607');
        expect(q.header.userData).toHaveLength(20);
    });

    it('decodes MRTD, TD attributes and the other TD report body fields at their documented offsets', () => {
        const buf = realQuote();
        const q = parseTdxQuote(buf);
        expect(q.body.mrTd.toString('hex')).toBe(REAL_MRTD);
        expect(q.body.tdAttributes.toString('hex')).toBe('0000001000000000');
        expect(q.body.mrTd.equals(buf.subarray(48 + 136, 48 + 184))).toBe(true);
        expect(q.body.rtmr0.equals(buf.subarray(48 + 328, 48 + 376))).toBe(true);
        expect(q.body.rtmr1.equals(buf.subarray(48 + 376, 48 + 424))).toBe(true);
        expect(q.body.rtmr2.equals(buf.subarray(48 + 424, 48 + 472))).toBe(true);
        expect(q.body.rtmr3.equals(buf.subarray(48 + 472, 48 + 520))).toBe(true);
        expect(q.body.reportData.equals(buf.subarray(48 + 520, 632))).toBe(true);
        expect(q.body.xfam.toString('hex')).toBe('e702060000000000');
    });

    it('exposes the signed region (bytes 0..632), signature, attestation key and signature data length', () => {
        const buf = realQuote();
        const q = parseTdxQuote(buf);
        expect(q.signedRegion.equals(buf.subarray(0, 632))).toBe(true);
        expect(q.signatureDataLength).toBe(4304);
        expect(q.signature.equals(buf.subarray(636, 700))).toBe(true);
        expect(q.attestationKey.equals(buf.subarray(700, 764))).toBe(true);
    });

    it('decodes the QE certification data: QE report, its signature, 32 bytes of auth data and a 3-certificate PEM chain', () => {
        const q = parseTdxQuote(realQuote());
        expect(q.certificationDataType).toBe(6);
        expect(q.qeReport.raw).toHaveLength(384);
        expect(q.qeReport.reportData.equals(q.qeReport.raw.subarray(320))).toBe(true);
        expect(q.qeReportSignature).toHaveLength(64);
        expect(q.qeAuthData.toString('hex')).toBe('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
        expect(q.pckCertDataType).toBe(5);
        expect(q.certificates).toHaveLength(3);
        for (const c of q.certificates) expect(c.pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    });

    it('accepts the 70 trailing zero bytes of the file as padding and excludes them from raw', () => {
        const q = parseTdxQuote(realQuote());
        expect(q.trailingPadding).toBe(70);
        expect(q.raw).toHaveLength(636 + 4304);
    });

    it('returns data independent of later changes to the input buffer', () => {
        const buf = realQuote();
        const q = parseTdxQuote(buf);
        buf.fill(0);
        expect(q.body.mrTd.toString('hex')).toBe(REAL_MRTD);
    });

    it('round-trips through encodeTdxQuote byte for byte', () => {
        const buf = realQuote();
        const q = parseTdxQuote(buf);
        const re = encodeTdxQuote({ ...q, qeReport: q.qeReport.raw, padding: q.trailingPadding });
        expect(re.equals(buf)).toBe(true);
    });

    it('rejects every truncation that cuts into the quote with QUOTE_TRUNCATED', () => {
        const buf = realQuote();
        for (const len of [0, 1, 2, 47, 48, 100, 631, 632, 635, 636, 700, 764, 770, 1154, 1218, 1252, 2000, 4939]) {
            expectCode(() => parseTdxQuote(buf.subarray(0, len)), 'QUOTE_TRUNCATED');
        }
    });

    it('treats a cut inside the trailing zero padding as a complete quote', () => {
        const buf = realQuote();
        expect(parseTdxQuote(buf.subarray(0, 4940)).trailingPadding).toBe(0);
    });

    it('rejects a non-zero byte after the signature data with TRAILING_DATA', () => {
        const buf = realQuote();
        buf[5009] = 1;
        expectCode(() => parseTdxQuote(buf), 'TRAILING_DATA');
        expectCode(() => parseTdxQuote(Buffer.concat([realQuote().subarray(0, 4940), Buffer.from([0x2d])])), 'TRAILING_DATA');
    });

    it('rejects wrong version, key type and TEE type with their codes', () => {
        const v3 = realQuote();
        v3.writeUInt16LE(3, 0);
        expectCode(() => parseTdxQuote(v3), 'BAD_VERSION');
        const v5 = realQuote();
        v5.writeUInt16LE(5, 0);
        expectCode(() => parseTdxQuote(v5), 'BAD_VERSION');
        const key3 = realQuote();
        key3.writeUInt16LE(3, 2);
        expectCode(() => parseTdxQuote(key3), 'BAD_KEY_TYPE');
        const sgx = realQuote();
        sgx.writeUInt32LE(0, 4);
        expectCode(() => parseTdxQuote(sgx), 'BAD_TEE_TYPE');
    });

    it('rejects unexpected certification data types with BAD_CERT_DATA_TYPE', () => {
        const outer = realQuote();
        outer.writeUInt16LE(5, 764);
        expectCode(() => parseTdxQuote(outer), 'BAD_CERT_DATA_TYPE');
        const inner = realQuote();
        inner.writeUInt16LE(6, 1252);
        expectCode(() => parseTdxQuote(inner), 'BAD_CERT_DATA_TYPE');
    });

    it('rejects nested lengths that disagree with their container with LENGTH_MISMATCH', () => {
        const longer = realQuote();
        longer.writeUInt32LE(4305, 632); // one byte of padding swallowed into the signature data
        expectCode(() => parseTdxQuote(longer), 'LENGTH_MISMATCH');
        const shorter = realQuote();
        shorter.writeUInt32LE(4303, 632);
        expectCode(() => parseTdxQuote(shorter), 'LENGTH_MISMATCH');
        const certSize = realQuote();
        certSize.writeUInt32LE(certSize.readUInt32LE(766) - 1, 766);
        expectCode(() => parseTdxQuote(certSize), 'LENGTH_MISMATCH');
        const authSize = realQuote();
        authSize.writeUInt16LE(0xffff, 1218);
        expectCode(() => parseTdxQuote(authSize), 'LENGTH_MISMATCH');
        const chainSize = realQuote();
        chainSize.writeUInt32LE(chainSize.readUInt32LE(1254) + 1, 1254);
        expectCode(() => parseTdxQuote(chainSize), 'LENGTH_MISMATCH');
    });

    it('rejects a huge declared signature data length with QUOTE_TRUNCATED instead of reading past the buffer', () => {
        const buf = realQuote();
        buf.writeUInt32LE(0xffffffff, 632);
        expectCode(() => parseTdxQuote(buf), 'QUOTE_TRUNCATED');
    });

    it('rejects a non-Buffer input with BAD_ARGUMENT', () => {
        expectCode(() => parseTdxQuote('not a quote' as unknown as Buffer), 'BAD_ARGUMENT');
    });
});

describe('parseTdxQuote on simulated quotes', () => {
    let ca: SimulatedTdxCa;
    beforeAll(async () => {
        ca = await createSimulatedTdxCa();
    });

    it('parses a quote built without a template and returns the chosen fields', () => {
        const mrTd = Buffer.alloc(48, 0x42);
        const reportData = Buffer.alloc(64, 0x17);
        const q = parseTdxQuote(createSimulatedTdxQuote(ca, { reportData, measurements: { mrTd } }));
        expect(q.body.mrTd.equals(mrTd)).toBe(true);
        expect(q.body.reportData.equals(reportData)).toBe(true);
        expect(q.body.rtmr0.equals(Buffer.alloc(48))).toBe(true);
        expect(q.certificates).toHaveLength(3);
        expect(q.trailingPadding).toBe(0);
    });

    it('accepts explicit zero padding', () => {
        const q = parseTdxQuote(createSimulatedTdxQuote(ca, { reportData: Buffer.alloc(64), padding: 16 }));
        expect(q.trailingPadding).toBe(16);
    });
});

describe('AttestationError', () => {
    it('carries a stable code, prefixes the message with it and is recognised by isAttestationError', () => {
        const e = expectCode(() => parseTdxQuote(Buffer.alloc(10)), 'QUOTE_TRUNCATED');
        expect(e.name).toBe('AttestationError');
        expect(e.message.startsWith('QUOTE_TRUNCATED: ')).toBe(true);
        expect(isAttestationError(e)).toBe(true);
        expect(isAttestationError(e, 'QUOTE_TRUNCATED')).toBe(true);
        expect(isAttestationError(e, 'BAD_VERSION')).toBe(false);
        expect(isAttestationError(new Error('QUOTE_TRUNCATED'))).toBe(false);
        expect(ATTESTATION_ERROR_CODES).toContain(e.code);
        expect(new Set(ATTESTATION_ERROR_CODES).size).toBe(ATTESTATION_ERROR_CODES.length);
    });
});

describe('splitPemChain', () => {
    let chain: Buffer;
    beforeAll(async () => {
        chain = (await createSimulatedTdxCa()).chainData;
    });

    it('splits a NUL-terminated chain into DER certificates in order', () => {
        const certs = splitPemChain(chain);
        expect(certs).toHaveLength(3);
        expect(Buffer.concat([Buffer.from(certs.map((c) => c.pem).join(''), 'ascii'), Buffer.from([0])]).equals(chain)).toBe(true);
    });

    it('accepts CRLF line ends', () => {
        const crlf = Buffer.from(chain.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
        expect(splitPemChain(crlf)).toHaveLength(3);
    });

    it.each([
        ['text before the first block', (s: string) => 'junk\n' + s],
        ['a blank line between blocks', (s: string) => s.replace('-----END CERTIFICATE-----\n-----BEGIN', '-----END CERTIFICATE-----\n\n-----BEGIN')],
        ['a non-base64 character', (s: string) => s.replace(/\n([A-Za-z0-9+/]{10})/, '\n$1*')],
        ['a private key block', (s: string) => s.replace('BEGIN CERTIFICATE', 'BEGIN PRIVATE KEY')],
        ['nothing but NULs', () => '\0\0'],
    ])('rejects %s with BAD_CERT_CHAIN_ENCODING', (_name, mutate) => {
        const text = mutate(chain.toString('latin1'));
        expectCode(() => splitPemChain(Buffer.from(text, 'latin1')), 'BAD_CERT_CHAIN_ENCODING');
    });

    it('rejects base64 whose unused low bits are set (two encodings of the same bytes)', () => {
        const block = (b64: string) => Buffer.from(`-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`, 'ascii');
        // 30 03 01 02 03: a 5-byte DER SEQUENCE; canonically "MAMBAgM=", "MAMBAgN=" decodes to the same bytes.
        expect(splitPemChain(block('MAMBAgM='))[0].der.toString('hex')).toBe('3003010203');
        expect(Buffer.from('MAMBAgN=', 'base64').toString('hex')).toBe('3003010203');
        expectCode(() => splitPemChain(block('MAMBAgN=')), 'BAD_CERT_CHAIN_ENCODING');
    });

    it('rejects base64 that decodes to a DER certificate followed by extra bytes', () => {
        const certs = splitPemChain(chain);
        const padded = Buffer.concat([certs[0].der, Buffer.from([0x00])]).toString('base64');
        const text = `-----BEGIN CERTIFICATE-----\n${padded}\n-----END CERTIFICATE-----\n`;
        const e = expectCode(() => splitPemChain(Buffer.from(text, 'ascii')), 'BAD_CERT_CHAIN_ENCODING');
        expect(e).toBeInstanceOf(AttestationError);
    });
});
