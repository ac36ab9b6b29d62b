/**
 * What the parts of one simulation share: the scenario, the host, the clock, the request
 * queues, commit accounting and what is recorded for the result (events, phase marks).
 */
import type { EventRecord } from '../result/types.js';
import type { Scenario } from '../scenario/types.js';
import type { Host } from './host.js';
import type { CommitAccountant } from './mechanisms/overcommit.js';
import type { RequestQueue } from './requests.js';

export interface PhaseMark {
  name: string;
  startMs: number;
}

export interface SimContext {
  readonly sc: Scenario;
  readonly host: Host;
  readonly rate: number;
  /** Real pages per simulated page. */
  readonly scale: number;
  readonly tickMs: number;
  readonly tickSec: number;
  readonly stepMs: number;
  /** Start of the current tick, ms. */
  nowMs: number;
  readonly events: EventRecord[];
  readonly phaseMarks: PhaseMark[];
  readonly req: (RequestQueue | null)[];
  readonly commit: CommitAccountant;
  /** Kernel and user-space OOM kills so far. */
  oomKills: number;
}

/** Simulated pages to real bytes. */
export function bytesOf(ctx: SimContext, simPages: number): number {
  return Math.round(simPages * ctx.scale * ctx.sc.host.pageSizeBytes);
}
