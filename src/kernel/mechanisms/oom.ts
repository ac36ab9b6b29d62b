/**
 * The kernel OOM killer's choice: badness, victim selection in a scope, memory.oom.group.
 *
 * Follows LK `mm/oom_kill.c` (`oom_badness`, `oom_evaluate_task`, `select_bad_process`,
 * `oom_kill_memcg_member`), LK `mm/memcontrol.c` (`mem_cgroup_get_max`,
 * `mem_cgroup_get_oom_group`, `mem_cgroup_scan_tasks`), LK `fs/proc/base.c`
 * (`proc_oom_score`, 5.9+), LK `Documentation/admin-guide/cgroup-v2.rst` (memory.oom.group);
 * kernel-model.md §6 and §5.1.
 *
 *   badness = rss + swap entries + page-table pages + oom_score_adj · ⌊totalpages / 1000⌋
 *   (oom_score_adj = −1000: never chosen, LONG_MIN in the kernel; a negative badness is
 *   still eligible since 5.9)
 *   /proc/PID/oom_score = trunc((1000 + trunc(badness·1000 / (RAM + swap))) · 2 / 3), 0 for −1000
 *   (0..2000: 667 for an empty process at adj 0, 1333 for one using all RAM + swap, up to 2000 at adj 1000)
 *
 * Scopes: global (every process; totalpages = RAM + swap pages) or memcg (the OOMing
 * cgroup's subtree; totalpages = `mem_cgroup_get_max`: memory.max + min(swap.max, swap)).
 *
 * Selection order and ties: the kernel keeps a candidate when `points >= chosen_points`,
 * so among equal scores the LAST task visited wins. Global scope visits processes in
 * index order (the task list, i.e. creation order); memcg scope visits cgroups in pre-order
 * from the OOMing cgroup (children in index order, like css creation order), and each
 * cgroup's processes in index order. If any process in scope is an OOM victim still
 * exiting (memory not yet reaped), the kernel aborts and kills nobody new.
 *
 * memory.oom.group: walking from the victim's cgroup up to the OOM scope (inclusive; the
 * root cgroup has no such file), the highest cgroup with oom.group set is killed whole:
 * every live process in its subtree except those with oom_score_adj = −1000.
 */

import { oomBadness } from '../../linux/mm.js';

/** /proc/PID/oom_score (5.9+): badness mapped from −totalpages..totalpages onto 0..2000, then ·2/3. */
export function procOomScore(badness: number | null, hostTotalPages: number): number {
  if (badness === null) return 0;
  return Math.trunc(((1000 + Math.trunc((badness * 1000) / hostTotalPages)) * 2) / 3);
}

/** totalpages of a global OOM: RAM + swap, pages. */
export function globalOomTotalPages(ramPages: number, swapPages: number): number {
  return ramPages + swapPages;
}

/**
 * totalpages of a memcg OOM (`mem_cgroup_get_max`, cgroup v2): memory.max plus the swap it
 * may use (min(swap.max, total swap); none when swappiness is 0), at least 1.
 */
export function memcgOomTotalPages(maxPages: number, swapMaxPages: number, totalSwapPages: number, swappiness = 60) {
  const swap = swappiness > 0 ? Math.min(swapMaxPages, totalSwapPages) : 0;
  return Math.max(1, maxPages + swap);
}

/** Process table, one entry per process (structure of arrays). */
export interface OomProcesses {
  readonly count: number;
  readonly names: readonly string[];
  /** Cgroup index of each process; −1 = the root cgroup. */
  readonly cgroup: ArrayLike<number>;
  readonly rssPages: ArrayLike<number>;
  readonly swapPages: ArrayLike<number>;
  readonly pageTablePages: ArrayLike<number>;
  readonly oomScoreAdj: ArrayLike<number>;
  /** Non-zero: alive with an mm (not exited, not a kernel thread or init). */
  readonly alive: ArrayLike<number>;
  /** Non-zero: already an OOM victim whose memory is not reaped yet. */
  readonly dying?: ArrayLike<number>;
}

/** Cgroup table: parents before children; `parent` −1 for a top-level cgroup (child of the root). */
export interface OomCgroups {
  readonly names: readonly string[];
  readonly parent: ArrayLike<number>;
  readonly oomGroup: ArrayLike<number | boolean>;
}

export type OomScope =
  | { kind: 'global'; totalPages: number }
  /** `cgroup`: the cgroup whose limit was hit; `hostTotalPages` (RAM + swap) is only for oom_score. */
  | { kind: 'memcg'; cgroup: number; totalPages: number; hostTotalPages: number };

export interface OomVictim {
  process: number;
  name: string;
  cgroup: number;
  badness: number;
  /** /proc/PID/oom_score at the time of the kill. */
  oomScore: number;
  oomScoreAdj: number;
}

export interface OomDecision {
  /** The chosen process first, then its memory.oom.group companions. Empty: nobody killed. */
  victims: OomVictim[];
  /** Cgroup killed whole because of memory.oom.group, or null. */
  groupCgroup: number | null;
  /** True when an earlier victim is still exiting in scope (the kernel waits instead of killing). */
  aborted: boolean;
  /** One line for the event message. */
  reason: string;
}

/** True when cgroup `c` (−1 = root) is `ancestor` or below it. */
function inSubtree(c: number, ancestor: number, parent: ArrayLike<number>): boolean {
  if (ancestor === -1) return true;
  while (c !== -1) {
    if (c === ancestor) return true;
    c = parent[c] as number;
  }
  return false;
}

/** Pre-order rank of each cgroup below `root` (−1 = whole tree); −1 outside. */
function preorderRanks(cgroups: OomCgroups, root: number): Int32Array {
  const n = cgroups.parent.length;
  const children: number[][] = Array.from({ length: n + 1 }, () => []);
  for (let c = 0; c < n; c++) children[(cgroups.parent[c] as number) + 1]!.push(c);
  const rank = new Int32Array(n + 1).fill(-1); // slot 0 is the root cgroup
  let next = 0;
  const stack = [root];
  while (stack.length > 0) {
    const c = stack.pop() as number;
    rank[c + 1] = next++;
    const kids = children[c + 1]!;
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!);
  }
  return rank;
}

function describe(v: OomVictim): string {
  return `${v.name} (badness ${v.badness}, oom_score ${v.oomScore}, oom_score_adj ${v.oomScoreAdj})`;
}

/** `select_bad_process` + `oom_kill_process` victim set, for one OOM event. */
export function selectOomVictims(procs: OomProcesses, cgroups: OomCgroups, scope: OomScope): OomDecision {
  const domain = scope.kind === 'global' ? -1 : scope.cgroup;
  const hostTotal = scope.kind === 'global' ? scope.totalPages : scope.hostTotalPages;
  const label =
    scope.kind === 'global' ? 'global OOM' : `memcg OOM in ${cgroups.names[scope.cgroup] ?? `#${scope.cgroup}`}`;
  const ranks = scope.kind === 'memcg' ? preorderRanks(cgroups, domain) : null;

  const candidates: number[] = [];
  for (let p = 0; p < procs.count; p++) {
    if (!procs.alive[p]) continue;
    if (ranks !== null && (ranks[(procs.cgroup[p] as number) + 1] as number) < 0) continue;
    candidates.push(p);
  }
  if (ranks !== null) {
    candidates.sort(
      (a, b) => ranks[(procs.cgroup[a] as number) + 1]! - ranks[(procs.cgroup[b] as number) + 1]! || a - b,
    );
  }

  const victimOf = (p: number, badness: number): OomVictim => ({
    process: p,
    name: procs.names[p] ?? `#${p}`,
    cgroup: procs.cgroup[p] as number,
    badness,
    oomScore: procOomScore(badness, hostTotal),
    oomScoreAdj: procs.oomScoreAdj[p] as number,
  });
  const badnessOf = (p: number, total: number) =>
    oomBadness(
      procs.rssPages[p] as number,
      procs.swapPages[p] as number,
      procs.pageTablePages[p] as number,
      procs.oomScoreAdj[p] as number,
      total,
    );

  let chosen = -1;
  let chosenPoints = Number.NEGATIVE_INFINITY;
  for (const p of candidates) {
    if (procs.dying?.[p]) {
      const name = procs.names[p] ?? `#${p}`;
      return {
        victims: [],
        groupCgroup: null,
        aborted: true,
        reason: `${label}: ${name} is still exiting; no new kill`,
      };
    }
    const points = badnessOf(p, scope.totalPages);
    if (points === null || points < chosenPoints) continue;
    chosen = p;
    chosenPoints = points;
  }
  if (chosen < 0) {
    // A global OOM with nobody to kill panics the kernel ("System is deadlocked on memory").
    const tail = scope.kind === 'global' ? ' (the kernel would panic)' : '';
    return { victims: [], groupCgroup: null, aborted: false, reason: `${label}: no killable process${tail}` };
  }

  const first = victimOf(chosen, chosenPoints);
  const victims = [first];
  // memory.oom.group: the highest cgroup with the flag between the victim's cgroup and the domain.
  let group: number | null = null;
  for (let c = first.cgroup; c !== -1; c = cgroups.parent[c] as number) {
    if (cgroups.oomGroup[c]) group = c;
    if (c === domain) break;
  }
  let reason = `${label}: killed ${describe(first)}`;
  if (group !== null) {
    for (const p of candidates) {
      if (p === chosen || !inSubtree(procs.cgroup[p] as number, group, cgroups.parent)) continue;
      const points = badnessOf(p, scope.totalPages);
      if (points === null) continue; // oom_score_adj −1000 survives a group kill
      victims.push(victimOf(p, points));
    }
    const others = victims.slice(1).map((v) => v.name);
    const groupName = cgroups.names[group] ?? `#${group}`;
    reason += `; memory.oom.group of ${groupName}: ${others.length > 0 ? `also killed ${others.join(', ')}` : 'no other process'}`;
  }
  return { victims, groupCgroup: group, aborted: false, reason };
}
