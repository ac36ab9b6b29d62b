import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { TelemetryKind } from '../../src/traces/telemetry/types.js';
import { parse, series } from './load.js';

/**
 * The best proof the formats are right: capture the real tools on this machine and import
 * their output. Each case skips when its tool or file is absent.
 */
const sh = promisify(execFile);
const has = (tool: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const C = { ...process.env, LC_ALL: 'C' };
const capture = async (script: string) => (await sh('bash', ['-c', script], { env: C })).stdout;
const loop = (timeCmd: string, body: string) => `for i in 1 2 3; do ${timeCmd}; ${body}; sleep 0.2; done`;
const imported = (kind: TelemetryKind, text: string, opts = {}) =>
  parse(kind, text, { file: `live ${kind}`, ...opts }).table;

const cgroupStat = ['/sys/fs/cgroup/memory.stat', '/sys/fs/cgroup/memory/memory.stat'].find(existsSync);

describe.concurrent('live capture on this machine', () => {
  it.skipIf(!has('vmstat'))('vmstat -t, -wt, -a and plain', async () => {
    const [t, wt, a, plain] = await Promise.all([
      capture('vmstat -t 1 2'),
      capture('vmstat -wt 1 2'),
      capture('vmstat -a 1 2'),
      capture('vmstat 1 2'),
    ]);
    for (const text of [t, wt]) {
      const table = imported('vmstat', text);
      expect(table.timeMs).toHaveLength(1);
      expect(series(table, 'free_bytes')[0]).toBeGreaterThan(0);
    }
    expect(imported('vmstat', wt).columns).toHaveLength(
      imported('vmstat', t).columns.length + (/ gu/.test(wt) ? 1 : 0),
    );
    const untimed = { startMs: 0, intervalSec: 1 };
    expect(series(imported('vmstat', a, untimed), 'active_bytes')[0]).toBeGreaterThan(0);
    expect(imported('vmstat', plain, untimed).timeMs).toHaveLength(1);
  });

  it.skipIf(!has('ps'))('ps -eo pid,comm,rss,min_flt,maj_flt', async () => {
    const text = await capture(loop('date +%s.%N', 'ps -eo pid,comm,rss,min_flt,maj_flt'));
    const table = imported('ps', text);
    expect(table.timeMs).toHaveLength(3);
    // ps lists itself, a fresh process with a new pid, in every snapshot: each run is its own column set.
    const own = table.columns.filter((c) => /^ps_\d+_rss_bytes$/.test(c.name));
    expect(own.length).toBeGreaterThanOrEqual(3);
    // pid 1 is in every snapshot, with the same name.
    expect(table.columns.filter((c) => /^[a-z0-9_]+_1_rss_bytes$/.test(c.name))).toHaveLength(1);
  });

  it.skipIf(!existsSync('/proc/vmstat'))('/proc/vmstat', async () => {
    const text = await capture(loop('echo "# $(date +%s.%N)"', 'cat /proc/vmstat'));
    const table = imported('proc-vmstat', text);
    expect(table.timeMs).toHaveLength(3);
    expect(series(table, 'faults_per_sec')[2]).toBeGreaterThan(0);
  });

  it.skipIf(!existsSync('/proc/pressure/memory'))('/proc/pressure/memory with date -Ins', async () => {
    const text = await capture(loop('date -Ins', 'cat /proc/pressure/memory'));
    const table = imported('psi', text);
    expect(table.timeMs).toHaveLength(3);
    expect(series(table, 'psi_some_stall_pct')[2]).toBeGreaterThanOrEqual(0);
  });

  it.skipIf(cgroupStat === undefined)('cgroup memory.stat', async () => {
    const events = cgroupStat?.replace('memory.stat', 'memory.events') ?? '';
    const cat = existsSync(events) ? `cat ${cgroupStat} ${events}` : `cat ${cgroupStat}`;
    const table = imported('memory-stat', await capture(loop('echo "# $(date +%s.%N)"', cat)));
    expect(table.timeMs).toHaveLength(3);
    expect(series(table, 'faults_per_sec')[2]).toBeGreaterThanOrEqual(0);
  });

  it.skipIf(!has('sar') || !has('sadf'))('sar -B -r -S -W and sadf -d', async () => {
    const data = join(mkdtempSync(join(tmpdir(), 'faultline-sa-')), 'sa');
    const sadc = ['/usr/lib/sysstat/sadc', '/usr/lib64/sa/sadc', '/usr/libexec/sysstat/sadc'].find(existsSync);
    const [text] = await Promise.all([
      capture('sar -B -r -S -W 1 1'),
      sadc ? capture(`${sadc} 1 2 ${data}`) : Promise.resolve(''),
    ]);
    const table = imported('sar', text);
    expect(table.timeMs).toHaveLength(1);
    expect(series(table, 'free_bytes')[0]).toBeGreaterThan(0);
    if (sadc) {
      const csv = imported('sar', await capture(`sadf -d ${data} -- -B -r -S -W`));
      const again = imported('sar', await capture(`sar -B -r -S -W -f ${data}`));
      expect(csv.values).toEqual(again.values);
      expect(csv.timeMs).toHaveLength(1);
    }
  });
});
