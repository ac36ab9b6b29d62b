import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rerenderReports } from '../../src/report/rerender.js';
import { writeRunSet } from '../../src/report/write.js';
import { sweepFixture } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'fl-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every relative href of an HTML file, resolved against its folder. */
function links(file: string): string[] {
  const html = readFileSync(file, 'utf8');
  return [...html.matchAll(/href="([^"#]+)"/g)].map((m) => join(dirname(file), decodeURIComponent(m[1]!)));
}

describe('writeRunSet', () => {
  const set = join(root, 'out', 'incident');
  const { manifest, results } = sweepFixture({ steps: 120 });

  it('writes every variant folder, the sweep report, the manifest and an index, all linked', async () => {
    await writeRunSet(set, manifest, results);
    expect(readdirSync(set).sort()).toEqual([
      'index.html',
      'manifest.json',
      'stop=10m_batch-max=36Gi',
      'stop=10m_batch-max=48Gi',
      'stop=10m_batch-max=max',
      'stop=never_batch-max=36Gi',
      'stop=never_batch-max=48Gi',
      'stop=never_batch-max=max',
      'sweep-incident-spark-120g-on-64g.csv',
      'sweep-incident-spark-120g-on-64g.html',
      'sweep-incident-spark-120g-on-64g.json',
      'sweep-incident-spark-120g-on-64g.md',
    ]);
    expect(readdirSync(join(set, 'stop=10m_batch-max=36Gi')).sort()).toEqual([
      'junit.xml',
      'report.html',
      'result.json',
      'summary.md',
      'timeseries.csv',
    ]);
    const pages = [
      join(set, 'index.html'),
      join(set, 'sweep-incident-spark-120g-on-64g.html'),
      join(set, 'stop=10m_batch-max=36Gi', 'report.html'),
    ];
    for (const page of pages) {
      const targets = links(page);
      expect(targets.length, page).toBeGreaterThan(0);
      for (const t of targets) expect(existsSync(t), `${page} → ${t}`).toBe(true);
    }
    expect(readFileSync(join(set, 'index.html'), 'utf8')).toContain('2026-11-26 05:00:00 UTC');
  });

  it('refuses a manifest entry folder outside the run-set folder', async () => {
    const evil = { ...manifest, entries: [{ ...manifest.entries[0]!, dir: '../escaped' }] };
    await expect(writeRunSet(join(root, 'evil'), evil, results)).rejects.toThrow('is not inside');
    expect(existsSync(join(root, 'escaped'))).toBe(false);
  });

  it('re-renders from result.json files alone (faultline report), into another folder', async () => {
    const summary = await rerenderReports(join(root, 'out'), join(root, 'again'));
    expect(summary).toEqual({ sets: ['incident'], variants: 6, missing: [] });
    expect(existsSync(join(root, 'again', 'index.html'))).toBe(true);
    expect(readFileSync(join(root, 'again', 'index.html'), 'utf8')).toContain(
      'incident/sweep-incident-spark-120g-on-64g.html',
    );
    expect(readFileSync(join(root, 'again', 'incident', 'stop=10m_batch-max=36Gi', 'result.json'), 'utf8')).toBe(
      readFileSync(join(set, 'stop=10m_batch-max=36Gi', 'result.json'), 'utf8'),
    );
  });

  it('refuses result files without a manifest, writing nothing (it re-renders run sets only)', async () => {
    const loose = join(root, 'again', 'incident');
    rmSync(join(loose, 'manifest.json'));
    rmSync(join(root, 'again', 'index.html'));
    await expect(rerenderReports(loose, join(root, 'loose'))).rejects.toThrow('no manifest.json');
    expect(existsSync(join(root, 'loose'))).toBe(false);
    await expect(rerenderReports(join(root, 'nowhere'), root)).rejects.toThrow('no such folder');
  });
});
