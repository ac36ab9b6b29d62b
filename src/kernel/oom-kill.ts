/**
 * The kernel OOM killer invoked by the host (LK mm/oom_kill.c `out_of_memory`): the scope
 * (global, or a memcg at its limit), the victims chosen by mechanisms/oom.ts from the
 * processes' RSS, swap and page tables, and their memory freed at once (the OOM reaper).
 */
import { pageTablePages } from '../linux/mm.js';
import { globalOomTotalPages, memcgOomTotalPages, type OomScope, selectOomVictims } from './mechanisms/oom.js';
import { memoryEvent, oomCgroups } from './memcontrol.js';
import { exitProcess, rss } from './process.js';
import { type CgroupRt, EV_OOM_KILL, type HostState } from './state.js';

/** Swap a memcg may use (`mem_cgroup_get_max`): v1, what memsw allows above the memory limit; v2, memory.swap.max. */
function swapAllowance(c: CgroupRt): number {
  return Number.isFinite(c.memswLimit) ? c.memswLimit - Math.min(c.max, c.memswLimit) : c.swapMax;
}

/** `out_of_memory` in scope `cg` (0: global). */
export function oomKill(s: HostState, cg: number, reason: string): void {
  const scale = s.scale;
  const hostTotal = globalOomTotalPages(s.frames * scale, s.device.totalSlots * scale);
  const scope: OomScope =
    cg === 0
      ? { kind: 'global', totalPages: hostTotal }
      : {
          kind: 'memcg',
          cgroup: cg - 1,
          totalPages: memcgOomTotalPages(
            Math.min(s.cgs[cg]!.max, s.frames) * scale,
            swapAllowance(s.cgs[cg]!) * scale,
            s.device.totalSlots * scale,
            s.cgs[cg]!.swappiness ?? s.swappiness,
          ),
          hostTotalPages: hostTotal,
        };
  const procs = s.procs;
  const rssPages = procs.map((p) => rss(s, p) * scale);
  const swap = procs.map((p) => p.swap * scale);
  const decision = selectOomVictims(
    {
      count: procs.length,
      names: procs.map((p) => p.cfg.name),
      cgroup: procs.map((p) => p.cg - 1),
      rssPages,
      swapPages: swap,
      pageTablePages: procs.map((_, i) => pageTablePages(rssPages[i]! + swap[i]!)),
      oomScoreAdj: procs.map((p) => p.cfg.oomScoreAdj),
      alive: procs.map((p) => (p.alive ? 1 : 0)),
    },
    oomCgroups(s),
    scope,
  );
  for (const v of decision.victims) {
    const p = procs[v.process]!;
    memoryEvent(s, p.cg, EV_OOM_KILL);
    s.events.oomKill(p, v.badness, `${reason}; ${decision.reason}`, cg);
    exitProcess(s, p, true);
  }
}
