import { describe, expect, it } from 'vitest';
import { timeseriesCsv } from '../../src/report/exporters/csv.js';
import { junitXml, xmlEscape } from '../../src/report/exporters/junit.js';
import { summaryMarkdown } from '../../src/report/exporters/markdown.js';
import { incidentResult } from './fixtures.js';
import { expectGolden } from './golden.js';

const small = () => incidentResult({ steps: 6, thrashFromS: 2, oomKillAtS: 5 });

describe('timeseries.csv', () => {
  it('matches the golden file: time_s, then one column per series with scope and unit in its name', () => {
    const csv = timeseriesCsv(small());
    expectGolden('timeseries.csv.golden', csv);
    const [header, first] = csv.split('\n');
    expect(header).toMatch(/^time_s,host\.minorFaultsPerSec_perSec,/);
    expect(header).toContain(',process.db.latencyP99Ms_ms,');
    expect(header).toContain(',cgroup.batch.usageBytes_bytes,');
    expect(first).toMatch(/^1,/);
  });

  it('quotes names that hold commas or quotes, and leaves null steps empty', () => {
    const csv = timeseriesCsv(incidentResult({ steps: 3, db: 'db,"primary"' }));
    expect(csv.split('\n')[0]).toContain(',"process.db,""primary"".latencyP99Ms_ms",');
    const plain = timeseriesCsv(incidentResult({ steps: 3 })).split('\n');
    const sparkP99 = plain[0]!.split(',').indexOf('process.spark.latencyP99Ms_ms');
    expect(sparkP99).toBeGreaterThan(0);
    expect(plain[1]!.split(',')[sparkP99]).toBe('');
  });
});

describe('junit.xml', () => {
  it('matches the golden file: one testcase per check, failures carry the observed value', () => {
    const xml = junitXml(small());
    expectGolden('junit.xml.golden', xml);
    expect(xml).toContain('tests="4" failures="2" errors="0"');
    expect(xml).toContain('<failure message="observed 1 (run total), expected last == 0" type="threshold">');
    expect(xml).toContain('observed 73.5% (worst step: 44.1% busy, 29.4% waiting), expected max &lt; 50%');
  });

  it('escapes names and drops characters XML cannot hold', () => {
    const xml = junitXml(incidentResult({ steps: 3, db: '<img src=x onerror=alert(1)>&"\u0001' }));
    expect(xml).not.toContain('<img');
    expect(xml).toContain('processes.&lt;img src=x onerror=alert(1)&gt;&amp;&quot;.latencyMs');
    expect(xmlEscape("a'b\u0000c")).toBe('a&apos;bc');
  });

  it('reports a failed run as an error testcase', () => {
    const r = { ...small(), status: 'failed' as const, error: 'worker <died>', checks: [] };
    expect(junitXml(r)).toContain(
      '<testcase classname="faultline.incident-spark-120g-on-64g.base" name="run">\n      <error message="worker &lt;died&gt;"/>',
    );
  });
});

describe('summary.md', () => {
  it('matches the golden file: verdict, key figures, checks with failures first', () => {
    const md = summaryMarkdown(incidentResult());
    expectGolden('summary.md.golden', md);
    const rows = md.split('\n').filter((l) => /^\| (❌|⚠️|✅)/.test(l));
    expect(rows.map((r) => r.split(' | ')[0])).toEqual(['| ❌ FAIL', '| ❌ FAIL', '| ❌ FAIL', '| ✅ pass']);
  });
});
