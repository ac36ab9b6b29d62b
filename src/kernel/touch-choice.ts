/**
 * Which page a process touches next: its phase's trace or curve stream when it has one;
 * otherwise a grown page waiting for its first touch (every touch while growth waits, or
 * `growthShare` of them), a leaked page, a file page (`fileTouchFraction`), or the pattern
 * over the anonymous pages allocated so far. Offsets come from the workload streams; this
 * maps them into the host's page ids.
 */
import { TraceStream } from '../workload/trace-stream.js';
import type { ProcRt } from './state.js';

/** Nothing to touch yet (no working set). */
export const IDLE = -1;
/** The phase's trace has ended and does not loop: the process exits. */
export const ENDED = -2;

export function nextPage(p: ProcRt): number {
  const stream = p.streams[p.phase];
  if (stream) {
    const pattern = p.cfg.access[p.phase]!.pattern;
    // A sampled replay may keep none of a small trace's pages.
    if (stream instanceof TraceStream && stream.pages === 0) return IDLE;
    const o = stream.next();
    if (o < 0) return ENDED;
    const region = pattern.kind === 'trace' || pattern.kind === 'mrc' ? pattern.region : 'anon';
    return (region === 'file' ? p.fileBase : p.anonBase) + o;
  }
  const anon = p.anon;
  const share = p.cfg.memory.growthShare;
  if (anon.pending > 0 && (share >= 1 || p.rng.nextFloat() < share)) return p.anonBase + anon.nextFirstTouch();
  if (p.leakPending > 0 && p.leakUsed < p.leakCap) {
    p.leakPending--;
    return p.leakBase + p.leakUsed++;
  }
  const allocated = anon.current - anon.pending;
  const fileShare = p.fileCap > 0 ? p.cfg.fileTouchFraction : 0;
  if (fileShare > 0 && (allocated === 0 || p.rng.nextFloat() < fileShare)) return p.fileBase + p.file.next();
  if (allocated > 0) return p.anonBase + (anon.pending > 0 ? anon.nextRetouch() : anon.next());
  if (anon.pending > 0) return p.anonBase + anon.nextFirstTouch();
  return IDLE;
}
