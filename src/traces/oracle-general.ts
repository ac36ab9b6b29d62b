import { InputError } from '../util/errors.js';
import type { RecordSink } from './records.js';

/** libCacheSim's oracleGeneral record: uint32 time, uint64 id, uint32 size, int64 next access. */
export const ORACLE_RECORD_BYTES = 24;

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
    const { builder } = this.sink;
    for (let o = 0; o < whole; o += ORACLE_RECORD_BYTES) {
      builder.addHiLo(buf.readUInt32LE(o + 8), buf.readUInt32LE(o + 4));
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
