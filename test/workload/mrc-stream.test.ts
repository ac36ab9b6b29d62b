import { describe, expect, it } from 'vitest';
import { exactHistogram, MissCurve } from '../../src/analysis/mrc.js';
import { evenSizes } from '../../src/analysis/mrc-run.js';
import { loadTrace } from '../../src/traces/load.js';
import { Rng } from '../../src/util/rng.js';
import { MrcStream } from '../../src/workload/mrc-stream.js';
import { RegionStream } from '../../src/workload/stream.js';

/** The exact LRU curve of a stream at 200 even sizes, as `faultline mrc` reports it. */
function measured(stream: Int32Array, pages: number) {
  const curve = new MissCurve(exactHistogram(stream, pages));
  const frames = evenSizes(pages, 200);
  return { frames, missRatio: frames.map((f) => curve.ratio(f)) };
}

/** Largest |Δ miss ratio| between a curve and the exact curve of `n` synthesised references, below `pages`. */
function synthesisError(curve: ReturnType<typeof measured>, pages: number, n: number): number {
  const s = new MrcStream(curve.frames, curve.missRatio, pages, new Rng(42));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = s.next();
  const got = new MissCurve(exactHistogram(out, pages));
  let worst = 0;
  curve.frames.forEach((f, i) => {
    if (f < pages) worst = Math.max(worst, Math.abs(got.ratio(f) - (curve.missRatio[i] as number)));
  });
  return worst;
}

describe('MrcStream', () => {
  it('references the page at the drawn depth of an LRU stack (checked against a move-to-front list)', () => {
    // 300 pages: the time slots are renumbered every ~700 references, 280 times over.
    const frames = Array.from({ length: 30 }, (_, i) => (i + 1) * 10);
    const missRatio = frames.map((f) => Math.max(0.05, 1 - f / 300));
    const fast = new MrcStream(frames, missRatio, 300, new Rng(1));
    // The same draws through the definition: depth d from the curve, the list's d-th page.
    const rng = new Rng(1);
    const c = [0, ...frames];
    const m = [1, ...missRatio];
    const stack: number[] = [];
    let mismatches = 0;
    for (let i = 0; i < 200_000; i++) {
      const u = rng.nextFloat();
      let d = Number.POSITIVE_INFINITY;
      if (u >= (m[m.length - 1] as number)) {
        let k = 1;
        while ((m[k] as number) > u) k++;
        const frac = ((m[k - 1] as number) - u) / ((m[k - 1] as number) - (m[k] as number));
        d = (c[k - 1] as number) + Math.max(1, Math.ceil(frac * ((c[k] as number) - (c[k - 1] as number))));
      }
      let page: number;
      if (d <= stack.length) page = stack.splice(d - 1, 1)[0] as number;
      else if (stack.length < 300) page = stack.length;
      else page = stack.pop() as number;
      stack.unshift(page);
      if (fast.next() !== page) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it("a loop's curve (all misses below W pages, none at W) gives the loop back", () => {
    const s = new MrcStream([99, 100], [1, 0], 100, new Rng(3));
    expect(Array.from({ length: 350 }, () => s.next())).toEqual(Array.from({ length: 350 }, (_, i) => i % 100));
  });

  it('reproduces the measured curve of lirs-multi1 within 0.005 at every size below its 2,606 pages', async () => {
    const trace = await loadTrace('test/fixtures/traces/lirs-multi1.txt');
    const pages = trace.info.distinctPages;
    expect(pages).toBe(2606);
    // 1M references, 384 times the working set: measured 0.0009–0.0019 over seeds 1–5.
    expect(synthesisError(measured(trace.stream, pages), pages, 1_000_000)).toBeLessThan(0.005);
  });

  it('reproduces a Zipf(0.9) curve over 5,000 pages within 0.005', () => {
    const zipf = new RegionStream(5000, new Rng(1));
    zipf.configure({ kind: 'zipf', alpha: 0.9 }, 5000);
    const stream = Int32Array.from({ length: 200_000 }, () => zipf.next());
    // 2M references, 400 times the working set: measured 0.0017–0.0019 over seeds 1–5.
    expect(synthesisError(measured(stream, 5000), 5000, 2_000_000)).toBeLessThan(0.005);
  });

  it('touches new pages in ascending order until the working set is full', () => {
    const s = new MrcStream([10], [0.5], 1000, new Rng(4));
    let highest = -1;
    let outOfOrder = 0;
    for (let i = 0; i < 50_000; i++) {
      const p = s.next();
      if (p > highest + 1) outOfOrder++;
      highest = Math.max(highest, p);
    }
    expect(outOfOrder).toBe(0);
    expect(s.touched).toBe(1000);
  });
});
