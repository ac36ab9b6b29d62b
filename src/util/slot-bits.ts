/**
 * The pieces both LRU-stack structures share (analysis/mrc.ts measures stack distances,
 * workload/mrc-stream.ts draws pages at chosen distances): each page's latest reference holds
 * one slot, marked in a bitset; when the slots run out, the live ones are renumbered in order.
 */

/** Set bits of a 32-bit word (SWAR). */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Renumbers the live slots of [0, slots) — those still a page's latest (`last[page] === slot`) —
 * as 0..k−1 in slot order, marks exactly them in `bits`, and returns k. O(slots).
 */
export function compactSlots(last: Int32Array, pageAt: Int32Array, slots: number, bits: Int32Array): number {
  let k = 0;
  for (let s = 0; s < slots; s++) {
    const p = pageAt[s]!;
    if (last[p] === s) {
      pageAt[k] = p;
      last[p] = k++;
    }
  }
  const full = k >>> 5;
  bits.fill(0);
  bits.fill(-1, 0, full);
  if (k & 31) bits[full] = (1 << (k & 31)) - 1;
  return k;
}
