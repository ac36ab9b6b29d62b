import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { exactSize, parseRange, recommendCommand } from '../../src/cli/commands/recommend.js';
import type { Recommendation } from '../../src/result/recommend.js';
import { formatBytes } from '../../src/util/units.js';

const SCENARIO = new URL('../engine/fixtures/tiny-sweep.yaml', import.meta.url).pathname;
const Mi = 2 ** 20;
const out = mkdtempSync(join(tmpdir(), 'faultline-recommend-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function recommendCli(args: Record<string, unknown>): Promise<string> {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await (recommendCommand.handler as (a: unknown) => Promise<unknown>)({
      scenario: SCENARIO,
      variant: 'max-max_swappiness-60',
      out,
      jobs: 2,
      quiet: true,
      ...args,
    });
    return write.mock.calls.map((c) => String(c[0])).join('');
  } finally {
    write.mockRestore();
  }
}

describe('faultline recommend', () => {
  it('finds the smallest host RAM at which every check passes, with the margin to the next lower probe', async () => {
    const stdout = await recommendCli({ vary: 'host.ram', range: '576Mi..1Gi', step: '64Mi' });
    const rec = JSON.parse(readFileSync(join(out, 'recommend-tiny-sweep.json'), 'utf8')) as Recommendation;
    expect(rec.grid).toEqual({ low: 576 * Mi, high: 1024 * Mi, step: 64 * Mi });
    expect(rec.answer).not.toBeNull();
    const answer = rec.answer as number;
    expect(rec.lowerProbe).toBe(answer - 64 * Mi);
    expect(rec.atAnswer.every((c) => c.passed)).toBe(true);
    expect(rec.atLower.some((c) => !c.passed)).toBe(true);
    // Every probe agrees with the answer: failing below it, passing from it up.
    for (const p of rec.probes) expect(p.passed, `${p.value / Mi} MiB`).toBe(p.value >= answer);
    expect(rec.probes.length).toBeLessThan(8);
    expect(stdout).toContain(
      `smallest host.ram that passes every check: ${formatBytes(answer)} (${formatBytes(answer - 64 * Mi)} fails)`,
    );
    const html = readFileSync(join(out, 'recommend-tiny-sweep.html'), 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).toContain('host.faultCpuPct: max &lt; 15');
  }, 60_000);

  it('names the flag when the field path or the range is wrong, before running anything', async () => {
    await expect(recommendCli({ vary: 'host.rma', range: '1Gi..2Gi' })).rejects.toThrow(/^--vary host.rma: .*rma/);
    await expect(recommendCli({ vary: 'host.ram', range: '2Gi..1Gi' })).rejects.toThrow(/^--range: expected low..high/);
    await expect(recommendCli({ vary: 'host.ram', range: '1Gi..2Gi', variant: undefined })).rejects.toThrow(
      /sweeps 6 variants: name one with --variant/,
    );
  });

  it('writes sizes the scenario reads back exactly', () => {
    expect(exactSize(36 * 2 ** 30)).toBe('36Gi');
    expect(exactSize(730 * Mi)).toBe('730Mi');
    expect(exactSize(4096 * 3)).toBe('12Ki');
    expect(parseRange('16Gi..128Gi')).toEqual({ low: 16 * 2 ** 30, high: 128 * 2 ** 30 });
    expect(parseRange('16Gi-128Gi')).toBeUndefined();
  });
});
