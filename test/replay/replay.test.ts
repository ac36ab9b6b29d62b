import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeCurves, evenSizes } from '../../src/analysis/mrc-run.js';
import { parseFrameList, parseRam, parseTarget, resolveFrames } from '../../src/analysis/mrc-sizes.js';
import { canonicalPolicies, replayTrace } from '../../src/engine/replay.js';
import { renderTraceHtml } from '../../src/report/trace/html.js';
import { TRACE_RESULT_SCHEMA, type TraceResult } from '../../src/result/trace.js';
import { loadTrace } from '../../src/traces/load.js';
import { InputError } from '../../src/util/errors.js';

const FIX = new URL('../fixtures/traces/', import.meta.url).pathname;

describe('frame sizes', () => {
  it('rounds percentages of distinct pages down, never below 1, without float error', () => {
    const [p10, p1, p25, abs] = parseFrameList('10%, 1%,2.5%,4096');
    expect(resolveFrames(p10!, 45_920)).toBe(4592);
    expect(resolveFrames(p1!, 48_974)).toBe(489);
    expect(resolveFrames(p25!, 1000)).toBe(25);
    expect(resolveFrames(p1!, 50)).toBe(1);
    expect(resolveFrames(abs!, 10)).toBe(4096);
  });

  it('rejects sizes that are not counts or percentages', () => {
    for (const bad of ['0', '0%', '101%', 'ten', '1.5', '', '-3']) {
      expect(() => parseFrameList(bad), bad).toThrow(InputError);
    }
  });

  it('reads RAM as frames or as a size, and targets as ratios or percentages', () => {
    expect(parseRam('16384', 4096)).toBe(16384);
    expect(parseRam('64Mi', 4096)).toBe(16384);
    expect(parseRam('1G', 4096)).toBe(244140);
    expect(() => parseRam('lots', 4096)).toThrow(InputError);
    expect(parseTarget('0.05')).toBe(0.05);
    expect(parseTarget('5%')).toBeCloseTo(0.05, 12);
    expect(() => parseTarget('1.5')).toThrow(InputError);
  });

  it('spreads curve sizes evenly, or takes every size of a small trace', () => {
    expect(evenSizes(5, 200)).toEqual([1, 2, 3, 4, 5]);
    const s = evenSizes(10_000, 4);
    expect(s).toEqual([2500, 5000, 7500, 10000]);
  });
});

describe('replay', () => {
  it('checks policy specs up front and records their effective parameters', () => {
    const [lru, clock] = canonicalPolicies(['lru', 'clock']);
    expect(lru).toBe('lru');
    expect(clock).toMatch(/^clock:/);
    expect(() => canonicalPolicies(['nosuch'])).toThrow(InputError);
  });

  it('gives one row per policy and size, matching the exact LRU curve', async () => {
    const t = await loadTrace(join(FIX, 'lirs-multi1.txt'));
    const rows = await replayTrace(t, ['lru', 'fifo'], parseFrameList('1%,10%,100'), { warmup: 100 });
    expect(rows.map((r) => [r.policy, r.frames, r.framesSpec])).toEqual([
      ['lru', 26, '1%'],
      ['lru', 260, '10%'],
      ['lru', 100, '100'],
      ['fifo', 26, '1%'],
      ['fifo', 260, '10%'],
      ['fifo', 100, '100'],
    ]);
    for (const r of rows) {
      expect(r.references).toBe(15_858 - 100);
      expect(r.faultRatio).toBeCloseTo(r.faults / r.references, 12);
    }
    const [curve] = computeCurves(t, { policies: ['lru'], frames: parseFrameList('1%,10%,100'), warmup: 100 });
    expect(curve?.points.map((p) => p.faults)).toEqual(
      rows
        .filter((r) => r.policy === 'lru')
        .map((r) => r.faults)
        .sort((a, b) => b - a),
    );
  });

  it('simulates non-stack policies per size and finds the smallest meeting a target', async () => {
    const t = await loadTrace(join(FIX, 'lirs-multi1.txt'));
    const [arc] = computeCurves(t, { policies: ['arc'], frames: parseFrameList('5%,20%,50%'), target: 0.5 });
    expect(arc?.method).toBe('simulation');
    const meeting = arc?.points.filter((p) => p.faultRatio <= 0.5).map((p) => p.frames) ?? [];
    expect(arc?.targetFrames).toBe(meeting.length ? Math.min(...meeting) : null);
  });
});

describe('trace report', () => {
  it('is self-contained HTML with every user string escaped', async () => {
    const t = await loadTrace(join(FIX, 'msr-cambridge1-sample.csv'));
    const evil = '<script>alert(1)</script>.csv';
    const result: TraceResult = {
      schema: TRACE_RESULT_SCHEMA,
      command: 'mrc',
      trace: { ...t.info, file: evil },
      warmup: 0,
      rows: await replayTrace(t, ['lru'], parseFrameList('10%')),
      curves: computeCurves(t, { policies: ['lru'], target: 0.7, alsoFrames: [100] }),
      ram: { frames: 100, given: '<b>100</b>' },
      target: 0.7,
    };
    const html = await renderTraceHtml(result);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>100</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;.csv');
    expect(html.match(/<svg/g)?.length).toBe(2);
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
    expect(await renderTraceHtml(JSON.parse(JSON.stringify(result)))).toBe(html);
  });
});
