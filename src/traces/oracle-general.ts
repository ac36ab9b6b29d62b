import { InputError } from '../util/errors.js';
import type { RecordSink } from './records.js';

/** libCacheSim's oracleGeneral record: uint32 time, uint64 id, uint32 size, int64 next access. */
export const ORACLE_RECORD_BYTES = 24;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Reads packed little-endian oracleGeneral records from a stream of chunks of any
 * length; a record split across chunks is carried. The id is read as two uint32
 * halves, so no BigInt is made per record.
 */
export class OracleGeneralScanner {
  records = 0;
  private carry: Buffer | undefined;

  constructor(
    private readonly file: string,
    private readonly sink: RecordSink,
  ) {}

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    const whole = buf.length - (buf.length % ORACLE_RECORD_BYTES);
    // Records are read as uint32 words in place (the id is words 1 and 2 of 6); a buffer
    // that does not start on a 4-byte boundary is copied once to one that does.
    const { builder } = this.sink;
    if (this.sink.collectsTimes) {
      // A time per reference (timing timestamps in a scenario): one record at a time.
      for (let o = 0; o < whole; o += ORACLE_RECORD_BYTES) {
        builder.addHiLo(buf.readUInt32LE(o + 8), buf.readUInt32LE(o + 4));
        this.sink.noteTime(buf.readUInt32LE(o));
      }
    } else if (LITTLE_ENDIAN) {
      if (buf.byteOffset % 4 !== 0) buf = Buffer.from(new Uint8Array(buf));
      const words = new Uint32Array(buf.buffer, buf.byteOffset, whole / 4);
      builder.addPairs(words, 1, ORACLE_RECORD_BYTES / 4, whole / ORACLE_RECORD_BYTES);
      builder.publish();
    } else {
      for (let o = 0; o < whole; o += ORACLE_RECORD_BYTES) {
        builder.addHiLo(buf.readUInt32LE(o + 8), buf.readUInt32LE(o + 4));
      }
    }
    if (whole > 0) {
      this.sink.noteTime(buf.readUInt32LE(0));
      this.sink.noteTime(buf.readUInt32LE(whole - ORACLE_RECORD_BYTES));
    }
    this.records += whole / ORACLE_RECORD_BYTES;
    if (whole < buf.length) this.carry = Buffer.from(buf.subarray(whole));
  }

  end(): void {
    if (this.carry) {
      throw new InputError(
        `${this.file}: truncated oracleGeneral record at byte ${this.records * ORACLE_RECORD_BYTES} ` +
          `(${this.carry.length} of ${ORACLE_RECORD_BYTES} bytes); is this really an oracleGeneral file?`,
      );
    }
  }
}
