import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/util/rng.js';
import { ZipfSampler } from '../src/workload/zipf.js';

/** One figure. `ratio` compares it with the same run's memory-bandwidth baseline. */
export interface Measurement {
  section: string;
  name: string;
  value: number;
  unit: 'refs/s' | 'lines/s' | 's' | 'MiB' | 'ratio';
  /** Pass condition, e.g. `>= 30000000` or `< 5`. */
  target?: { op: '>=' | '<'; value: number };
  ok?: boolean;
  /** value ÷ baseline refs/s, for throughput figures. */
  ratio?: number;
  note?: string;
}

export interface BenchConfig {
  refs: number;
  pages: number;
  alpha: number;
  seed: number;
  /** Runs per case of sections that compare processes (reference): median and range. */
  reps?: number;
}

/** Shared, lazily built inputs: sections that need the stream or a temp dir ask for them. */
export class BenchContext {
  private streamCache: Int32Array | undefined;
  private dir: string | undefined;
  baselineRefsPerSec: number | undefined;

  constructor(readonly config: BenchConfig) {}

  /** The seeded Zipf(alpha) stream over `pages` pages (rank = page id). */
  stream(): Int32Array {
    if (!this.streamCache) {
      const { refs, pages, alpha, seed } = this.config;
      const z = new ZipfSampler(pages, alpha, new Rng(seed));
      const s = new Int32Array(refs);
      for (let i = 0; i < refs; i++) s[i] = z.next();
      this.streamCache = s;
    }
    return this.streamCache;
  }

  tmp(): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'faultline-bench-'));
    return this.dir;
  }

  dispose(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A bench section: `npm run bench -- --only <id>` runs just the named ones. */
export interface Section {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<Measurement[]> | Measurement[];
}

/** Seconds taken by `fn`, and its result. */
export function timed<T>(fn: () => T): { seconds: number; result: T } {
  const t0 = process.hrtime.bigint();
  const result = fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, result };
}

export async function timedAsync<T>(fn: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, result };
}

export function judge(m: Measurement): Measurement {
  if (!m.target) return m;
  const ok = m.target.op === '>=' ? m.value >= m.target.value : m.value < m.target.value;
  return { ...m, ok };
}
