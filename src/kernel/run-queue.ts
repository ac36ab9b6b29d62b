/**
 * Run-queue delay at wakeup (LK kernel/sched/fair.c, EEVDF). A task that wakes while every
 * CPU runs another task waits on a run queue: `select_task_rq_fair` / `select_idle_sibling`
 * give it an idle CPU when there is one, and when there is none the running task keeps its
 * CPU until its slice is used up (RUN_TO_PARITY), so the woken task waits for the rest of a
 * slice. The CPU time the tasks share over a tick is the CPU share's business (simulate.ts);
 * this is the wait a request meets when its thread wakes into a busy host.
 */

/**
 * `sysctl_sched_base_slice` on `cpus` CPUs: 0.75 ms × (1 + ilog2(min(cpus, 8)))
 * (`update_sysctl`, SCHED_TUNABLESCALING_LOG, the default).
 */
export function baseSliceMs(cpus: number): number {
  const n = Math.max(1, Math.min(8, Math.floor(cpus)));
  return 0.75 * (1 + Math.floor(Math.log2(n)));
}

/**
 * P(at least `cpus` of the tasks are on a CPU at a random instant), task i busy a share
 * `busy[i]` of the time independently of the others (a Poisson-binomial tail), leaving out
 * the tasks in [skipFrom, skipTo) (the waking task's own process). `scratch` holds at least
 * `cpus` + 1 numbers.
 */
export function allCpusBusy(
  busy: ArrayLike<number>,
  count: number,
  cpus: number,
  skipFrom: number,
  skipTo: number,
  scratch: Float64Array,
): number {
  const c = Math.max(1, Math.floor(cpus));
  // scratch[k]: P(k of the tasks seen so far busy), k = c meaning c or more.
  scratch.fill(0, 0, c + 1);
  scratch[0] = 1;
  for (let i = 0; i < count; i++) {
    if (i >= skipFrom && i < skipTo) continue;
    const u = Math.min(1, Math.max(0, busy[i] as number));
    if (u === 0) continue;
    scratch[c] = scratch[c]! + scratch[c - 1]! * u;
    for (let k = c - 1; k >= 1; k--) scratch[k] = scratch[k]! * (1 - u) + scratch[k - 1]! * u;
    scratch[0] = scratch[0]! * (1 - u);
  }
  return scratch[c]!;
}
