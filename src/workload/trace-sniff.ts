import { closeSync, openSync, readSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { detectFormat, type TraceFormat, type TraceOptions } from '../traces/load.js';

/** Bytes read to detect a format: the trace reader looks at the first line and the first 4 KiB. */
const HEAD_BYTES = 64 << 10;

/**
 * The format `faultline replay` would detect for `file`, from its first bytes (gunzipped when
 * it is gzip), so that a scenario's trace is checked when the scenario loads rather than when
 * the replay starts. Undefined when the file cannot be read or is compressed otherwise.
 */
export function sniffTraceFormat(file: string, options: TraceOptions): TraceFormat | undefined {
  let head: Buffer;
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      head = buf.subarray(0, readSync(fd, buf, 0, HEAD_BYTES, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    try {
      // A truncated gzip stream decompresses as far as it goes with a sync flush.
      head = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, 4096);
    } catch {
      return undefined;
    }
  } else if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) {
    return undefined;
  }
  return detectFormat(file, head, options);
}
