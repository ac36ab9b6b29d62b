/**
 * A process's memory over its life (LK kernel/fork.c `dup_mmap`, kernel/exit.c, mm/mmap.c
 * `exit_mmap`): pages made resident at a warm start, copy-on-write sharing after fork, RSS as
 * /proc reports it, and everything freed at exit or OOM kill.
 */
import { PTRS_PER_PTE } from '../linux/mm.js';
import { charge } from './memcontrol.js';
import { EVER, FILE, freeFrames, type HostState, type ProcRt, RES, SC, SWP, WRITABLE } from './state.js';
import { releaseSlot } from './swap-state.js';

/** Makes a page resident without a fault (warm start), within the watermarks and cgroup limits. */
export function warmInsert(s: HostState, p: ProcRt, page: number, active: boolean): boolean {
  if (!takeWarmFrame(s, p)) return false;
  const isFile = (s.flags[page]! & FILE) !== 0;
  s.reclaim.addWarm(p, page, active);
  if (isFile) p.rssFile++;
  else p.rssAnon++;
  p.peakRss = Math.max(p.peakRss, p.rssAnon + p.rssFile);
  // The page tables that map it (page-alloc.ts chargePageTable), taken while there is room;
  // a page read through read(2) is in the page cache, not in the process's page tables.
  if (!isFile || p.cfg.fileAccess.via === 'mmap') p.ptDebt += 1 / PTRS_PER_PTE;
  if (p.ptDebt >= 1 && takeWarmFrame(s, p)) {
    p.ptDebt -= 1;
    p.ptFrames++;
    s.kernelFrames++;
  }
  return true;
}

/** A frame charged to `p` without reclaim: above the high watermark and under every limit of its cgroup and ancestors. */
function takeWarmFrame(s: HostState, p: ProcRt): boolean {
  if (freeFrames(s) <= s.wmHigh) return false;
  const chain = s.cgs[p.cg]!.chain;
  for (let i = 0; i < chain.length; i++) {
    const c = s.cgs[chain[i]!]!;
    if (c.usage + 1 > Math.min(c.max, c.high)) return false;
  }
  s.free--;
  charge(s, p.cg, 1);
  return true;
}

/**
 * `fork` (`dup_mmap` → `copy_present_pte` / `copy_nonpresent_pte`): the child maps every
 * anon page the parent has (resident or in swap) without copying; both keep the frame
 * until the child writes the page. Offsets coincide: the child's anon offset o is the
 * parent's offset o.
 */
export function fork(s: HostState, child: ProcRt, parent: ProcRt): void {
  const cow = s.cow!;
  child.cowParent = parent.idx;
  const n = Math.min(child.anonCap, parent.anonCap);
  for (let o = 0; o < n; o++) if (s.flags[parent.anonBase + o]! & EVER) cow[parent.anonBase + o] = 1;
}

/** Resident pages the child maps but has not copied (Linux counts them in both RSS). */
export function cowSharedResident(s: HostState, child: ProcRt): number {
  if (child.cowParent < 0) return 0;
  const parent = s.procs[child.cowParent]!;
  const cow = s.cow!;
  let n = 0;
  const end = Math.min(child.anonCap, parent.anonCap);
  for (let o = 0; o < end; o++) {
    const shared = parent.anonBase + o;
    if (cow[shared] === 1 && s.flags[shared]! & RES && !(s.flags[child.anonBase + o]! & EVER)) n++;
  }
  return n;
}

/** RSS as /proc reports it: own resident pages plus those shared copy-on-write with a parent. */
export function rss(s: HostState, p: ProcRt): number {
  return p.rssAnon + p.rssFile + cowSharedResident(s, p);
}

/**
 * A parent's exit ends the sharing: its frames are freed with it, and its children fault
 * their pages as their own from then on. A child's exit only drops its own pages.
 */
function endCow(s: HostState, p: ProcRt): void {
  p.cowParent = -1;
  for (const q of s.procs) if (q.cowParent === p.idx) q.cowParent = -1;
  s.cow!.fill(0, p.anonBase, p.anonBase + p.anonCap);
}

/** Frees everything a process holds (exit, kill, OOM kill: the OOM reaper frees at once). */
export function exitProcess(s: HostState, p: ProcRt, killed: boolean): void {
  if (!p.alive) return;
  p.alive = false;
  p.killed = killed;
  if (s.cow) endCow(s, p);
  for (let page = p.anonBase; page < p.leakBase + p.leakCap; page++) {
    const f = s.flags[page]!;
    if (f & RES) {
      s.reclaim.remove(page);
      s.free++;
      charge(s, p.cg, -1);
      if (f & SC) releaseSlot(s, p, page, true);
    } else if (f & SWP) releaseSlot(s, p, page);
    s.flags[page] = f & (FILE | WRITABLE);
  }
  p.rssAnon = 0;
  p.rssFile = 0;
  p.swap = 0;
  // Its page tables go with the address space (exit_mmap → free_pgtables), its fixed memory with it.
  const kernel = p.ptFrames + p.fixedFrames;
  s.free += kernel;
  s.kernelFrames -= kernel;
  charge(s, p.cg, -kernel);
  p.ptFrames = 0;
  p.ptDebt = 0;
  p.fixedFrames = 0;
}
