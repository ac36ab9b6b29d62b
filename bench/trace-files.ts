import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * The bench's trace files, written from its in-memory Zipf stream: libCacheSim's csv
 * layout and its binary oracleGeneral layout, so that faultline and the reference
 * simulator read the same references from the same bytes. Ids are dense page id + 1.
 */

/** Writes the stream as `time,obj_id` CSV (libCacheSim's csv layout), in 4 MiB writes. */
export function writeCsv(path: string, s: Int32Array): void {
  const fd = openSync(path, 'w');
  const buf = Buffer.allocUnsafe(4 << 20);
  let n = buf.write('time,obj_id\n', 0, 'latin1');
  const digits = Buffer.allocUnsafe(16);
  const put = (v: number) => {
    let k = 0;
    do {
      digits[k++] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
    while (k > 0) buf[n++] = digits[--k]!;
  };
  for (let i = 0; i < s.length; i++) {
    if (n > buf.length - 64) {
      writeSync(fd, buf, 0, n);
      n = 0;
    }
    put(Math.floor(i / 1000));
    buf[n++] = 44;
    put(s[i]! + 1);
    buf[n++] = 10;
  }
  writeSync(fd, buf, 0, n);
  closeSync(fd);
}

const RECORD = 24;

/**
 * Writes libCacheSim's oracleGeneral records `{uint32 time, uint64 id, uint32 size,
 * int64 next}`: time = index / 1000, size 1, next = the 1-based position of the next
 * reference to the same id or -1 (computed backwards, one Int32Array of last uses).
 */
export function writeOracleGeneral(path: string, s: Int32Array): void {
  let pages = 0;
  for (let i = 0; i < s.length; i++) if (s[i]! >= pages) pages = s[i]! + 1;
  const next = new Float64Array(s.length);
  const seen = new Int32Array(pages).fill(-1);
  for (let i = s.length - 1; i >= 0; i--) {
    const p = s[i]!;
    next[i] = seen[p]! < 0 ? -1 : seen[p]! + 1;
    seen[p] = i;
  }
  const fd = openSync(path, 'w');
  const per = Math.floor((4 << 20) / RECORD);
  const buf = Buffer.alloc(per * RECORD);
  for (let from = 0; from < s.length; from += per) {
    const to = Math.min(s.length, from + per);
    for (let i = from; i < to; i++) {
      const o = (i - from) * RECORD;
      buf.writeUInt32LE(Math.floor(i / 1000), o);
      buf.writeUInt32LE(s[i]! + 1, o + 4);
      buf.writeUInt32LE(0, o + 8);
      buf.writeUInt32LE(1, o + 12);
      // int64 as two halves: -1 is all ones, positions fit in 32 bits.
      const nx = next[i]!;
      buf.writeUInt32LE(nx < 0 ? 0xffffffff : nx, o + 16);
      buf.writeUInt32LE(nx < 0 ? 0xffffffff : 0, o + 20);
    }
    writeSync(fd, buf, 0, (to - from) * RECORD);
  }
  closeSync(fd);
}
