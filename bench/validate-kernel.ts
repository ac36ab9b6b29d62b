/**
 * Real kernel vs faultline's host model (docs/validation.md): runs the workload probe under
 * memory cgroup limits at several limit/working-set ratios and access patterns, replays the
 * same scenario with `simulateHost`, and prints the table of docs/validation.md.
 *
 *   sudo npx tsx bench/validate-kernel.ts             (about two minutes on a 2-core VM)
 *
 * Needs root and a memory cgroup hierarchy; without swap it adds a 1 GiB swap file in
 * /var/tmp for its own duration. The cgroups and the swap file are removed at the end, on
 * failure and on Ctrl-C.
 */
import { release } from 'node:os';
import { calibrate } from '../src/probe/calibrate.js';
import { activeSwapDevices, addSwapFile, findMemoryCgroup, removeSwapFile } from '../src/probe/cgroup.js';
import { type CaseResult, machineHost, runCase } from '../src/probe/kernel-validation.js';
import type { AccessPattern } from '../src/scenario/types.js';

const MIB = 2 ** 20;
const WORKING_SET = 128 * MIB;
const TOUCHES = 400_000;
const RATIOS = [0.25, 0.5, 0.75, 0.9];
const PATTERNS: AccessPattern[] = [{ kind: 'uniform' }, { kind: 'zipf', alpha: 0.9 }, { kind: 'zipf', alpha: 1.2 }];

const where = findMemoryCgroup();
if (process.getuid?.() !== 0 || !where) {
  console.error('validate-kernel needs root and a memory cgroup hierarchy (cgroup v2 with memory, or v1 memory)');
  process.exit(2);
}
let stop = false;
// The probes' own handlers kill the running child and remove its cgroup; this one stops the loop.
const onSignal = () => {
  stop = true;
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const swapFile = `/var/tmp/faultline-validate-${process.pid}.swap`;
const added = activeSwapDevices().length === 0 && addSwapFile(swapFile, 1024 * MIB);
try {
  if (activeSwapDevices().length === 0) throw new Error('no swap, and no swap file could be added in /var/tmp');
  const cal = await calibrate({ sizeBytes: 128 * MIB, limitBytes: 48 * MIB, minorRuns: 2, swapRuns: 2 });
  if ('skipped' in cal.swapIn) throw new Error(`swap-in calibration skipped: ${cal.swapIn.skipped}`);
  const host = {
    ...machineHost(),
    minorFaultUs: Number(cal.minorFault.medianUs.toPrecision(3)),
    swapReadUs: Number(cal.swapIn.medianUs.toPrecision(3)),
  };
  console.log(`Linux ${release()}, cgroup v${where.version}, swap ${activeSwapDevices().join(', ')}`);
  console.log(JSON.stringify(host));
  const rows: CaseResult[] = [];
  const failed: string[] = [];
  for (const pattern of PATTERNS) {
    for (const ratio of RATIOS) {
      if (stop) throw new Error('interrupted');
      try {
        const r = await runCase(host, where, {
          workingSetBytes: WORKING_SET,
          ratio,
          pattern,
          touches: TOUCHES,
          seed: 1,
        });
        rows.push(r);
        console.error(row(r));
      } catch (err) {
        // A tight limit with slow swap writeback can end in the kernel's memcg OOM killer: a result too.
        failed.push(`| ${ratio} | ${patternName(pattern)} | ${err instanceof Error ? err.message : String(err)} |`);
        console.error(failed.at(-1));
      }
    }
  }
  console.log(
    '| L/W | pattern | real majflt / 1000 touches | model | error | model, heap budget | error | µs/touch real | model | swap-ins per majflt real | model | heap RSS MiB real / model | memcg OOM kills before |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(row(r));
  for (const f of failed) console.log(f);
} finally {
  if (added) removeSwapFile(swapFile);
}

function row(r: CaseResult): string {
  const name = patternName(r.spec.pattern);
  const k = (x: number) => (x * 1000).toFixed(1);
  const err = (m: number) => `${(((m - r.real.majorPerTouch) / r.real.majorPerTouch) * 100).toFixed(1)} %`;
  const mib = (b: number) => (b / MIB).toFixed(1);
  return `| ${r.spec.ratio} | ${name} | ${k(r.real.majorPerTouch)} | ${k(r.model.majorPerTouch)} | ${err(r.model.majorPerTouch)} | ${k(r.modelHeapBudget.majorPerTouch)} | ${err(r.modelHeapBudget.majorPerTouch)} | ${r.real.usPerTouch.toFixed(2)} | ${r.model.usPerTouch.toFixed(2)} | ${r.swapInsPerMajor.real.toFixed(2)} | ${r.swapInsPerMajor.model.toFixed(2)} | ${mib(r.probe.heap.rss)} / ${mib(r.modelRssBytes)} | ${r.oomKills} |`;
}

function patternName(p: AccessPattern): string {
  return p.kind === 'zipf' ? `zipf ${p.alpha}` : p.kind;
}
