import { AttestationError, AttestationErrorCode } from './errors';

/**
 * A bounds-checked little-endian cursor over `[start, end)` of a buffer.
 *
 * Every read that would cross `end` throws an {@link AttestationError} with the reader's
 * `overflowCode` (`QUOTE_TRUNCATED` for the quote itself, `LENGTH_MISMATCH` for a nested
 * structure whose declared length is too small for its content).
 */
export class ByteReader {
    private pos: number;

    constructor(
        private readonly buf: Buffer,
        start: number,
        private readonly end: number,
        private readonly overflowCode: AttestationErrorCode,
        private readonly context: string,
    ) {
        if (start < 0 || end > buf.length || start > end) {
            throw new AttestationError(overflowCode, `${context}: range [${start}, ${end}) outside ${buf.length} bytes`);
        }
        this.pos = start;
    }

    /** Absolute offset of the next byte to read. */
    get offset(): number {
        return this.pos;
    }

    /** Bytes left before `end`. */
    get remaining(): number {
        return this.end - this.pos;
    }

    /** Reads `n` bytes (a view into the underlying buffer). */
    bytes(n: number, field: string): Buffer {
        this.need(n, field);
        const out = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return out;
    }

    /** Reads a little-endian uint16. */
    u16(field: string): number {
        this.need(2, field);
        const v = this.buf.readUInt16LE(this.pos);
        this.pos += 2;
        return v;
    }

    /** Reads a little-endian uint32. */
    u32(field: string): number {
        this.need(4, field);
        const v = this.buf.readUInt32LE(this.pos);
        this.pos += 4;
        return v;
    }

    /** Returns a reader over the next `n` bytes and advances past them. */
    sub(n: number, field: string, overflowCode: AttestationErrorCode): ByteReader {
        this.need(n, field);
        const r = new ByteReader(this.buf, this.pos, this.pos + n, overflowCode, field);
        this.pos += n;
        return r;
    }

    /** Throws `LENGTH_MISMATCH` unless every byte up to `end` has been consumed. */
    expectEnd(): void {
        if (this.pos !== this.end) {
            throw new AttestationError(
                'LENGTH_MISMATCH',
                `${this.context}: ${this.end - this.pos} unaccounted byte(s) at offset ${this.pos}`,
            );
        }
    }

    private need(n: number, field: string): void {
        if (n > this.end - this.pos) {
            throw new AttestationError(
                this.overflowCode,
                `${this.context}: ${field} needs ${n} byte(s) at offset ${this.pos}, only ${this.end - this.pos} left`,
            );
        }
    }
}
