/**
 * `processes:` → ProcessConfig[]: replicas, the working set and how it grows, how it is
 * first touched, rates (a number or `max`), file access, requests (open or closed loop),
 * fork, and the checks across these fields.
 */
import { formatBytes } from '../util/units.js';
import { suggest } from './issues.js';
import type { Reporter } from './reporter.js';
import { rateOf, resolveAccess } from './resolve-access.js';
import { NAME_RE, type ProcessSpecOutput } from './schema.js';
import type { FieldPath } from './source.js';
import type { AccessPhase, HostConfig, ProcessConfig, RequestModel } from './types.js';
import { bytesOf, msOf, usOf } from './units-of.js';

/** CPU per touch with `touchesPerSec: max` unless cpu.perTouch says otherwise (docs/scenario.md). */
export const DEFAULT_PER_TOUCH_US = 0.1;

export function expandReplicas(name: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${name}-${i + 1}`);
}

export interface ProcessContext {
  specs: Record<string, ProcessSpecOutput>;
  /** Process names that failed validation: still defined for references. */
  failed: readonly string[];
  cgroupPaths: Set<string>;
  podOomScoreAdj: Map<string, number>;
  host: HostConfig;
  baseDir: string;
  r: Reporter;
}

export function resolveProcesses(ctx: ProcessContext): ProcessConfig[] {
  const { specs, cgroupPaths, host, r } = ctx;
  const out: ProcessConfig[] = [];
  const taken = new Map<string, string>();
  const allNames = [...Object.keys(specs), ...ctx.failed];
  for (const [name, p] of Object.entries(specs)) {
    const at = (...k: (string | number)[]): FieldPath => ['processes', name, ...k];
    if (!NAME_RE.test(name)) {
      r.error(at(), `expected a name of letters, digits, "_", ".", "@", ":", "-", found "${name}"`, undefined, {
        key: true,
      });
      continue;
    }
    const names = p.replicas > 1 ? expandReplicas(name, p.replicas) : [name];
    for (const n of names) {
      const other = taken.get(n);
      if (other !== undefined) {
        r.error(at('replicas'), `replica name ${n} clashes with process ${other}`, 'rename one of them');
      }
      taken.set(n, name);
    }
    const cgroup = p.cgroup ?? '';
    if (p.cgroup !== undefined && !cgroupPaths.has(p.cgroup)) {
      const guess = suggest(p.cgroup, cgroupPaths);
      r.error(
        at('cgroup'),
        `no cgroup "${p.cgroup}" is defined`,
        guess ? `did you mean ${guess}?` : `define it under cgroups; known: ${[...cgroupPaths].join(', ') || 'none'}`,
      );
    }
    const startMs = msOf(p.start);
    const stopMs = msOf(p.stop);
    if (stopMs <= startMs && Number.isFinite(startMs)) {
      r.error(at('stop'), `expected a stop after start (${p.start}), found "${p.stop}"`);
    }
    const access = resolveAccess(p, at('access'), { baseDir: ctx.baseDir, r });
    const memory = resolveMemory(p, access, host, at, r);
    const synthetic = access.some((ph) => ph.pattern.kind !== 'trace' && ph.pattern.kind !== 'mrc');
    if (p.fileTouchFraction !== undefined && !synthetic) {
      r.error(
        at('fileTouchFraction'),
        'does not apply to trace or mrc patterns: their region takes every touch',
        'remove fileTouchFraction',
      );
    }
    const fileTouchFraction =
      p.fileTouchFraction ??
      (memory.fileBytes > 0 ? memory.fileBytes / (memory.fileBytes + Math.max(memory.anonBytes, 1)) : 0);
    if (p.fileTouchFraction !== undefined && p.fileTouchFraction > 0 && memory.fileBytes === 0) {
      r.error(
        at('fileTouchFraction'),
        `touches file pages, but memory.file is 0`,
        'set memory.file or drop fileTouchFraction',
      );
    }
    if (p.cpu.cores > host.cpus) {
      r.warning('cores-above-host', at('cpu', 'cores'), `wants ${p.cpu.cores} cores on a host with ${host.cpus}`);
    }
    const touchesPerSec = rateOf(p.touchesPerSec);
    const pacing = resolvePacing(p, touchesPerSec, access, at, r);
    const perTouchUs = resolvePerTouch(p, touchesPerSec, access, pacing.mode, at, r);
    const fileAccess = resolveFileAccess(p, memory, access, at, r);
    const requests = resolveRequests(p, at, r);
    if (p.forkOf !== undefined) {
      const parent = specs[p.forkOf];
      if (p.forkOf === name) r.error(at('forkOf'), 'a process cannot fork from itself');
      else if (!allNames.includes(p.forkOf)) {
        const guess = suggest(p.forkOf, allNames);
        r.error(at('forkOf'), `no process "${p.forkOf}" is defined`, guess ? `did you mean ${guess}?` : undefined);
      } else if (parent && parent.replicas > 1) {
        r.error(at('forkOf'), `${p.forkOf} has ${parent.replicas} replicas; fork from a process without replicas`);
      }
    } else if (p.cowWriteFraction > 0) {
      r.error(at('cowWriteFraction'), 'applies only with forkOf', 'name the parent process in forkOf');
    }
    const oomScoreAdj = p.oomScoreAdj ?? ctx.podOomScoreAdj.get(cgroup) ?? 0;
    for (const n of names) {
      out.push({
        name: n,
        cgroup,
        startMs,
        stopMs,
        memory: { ...memory },
        access: access.map((a) => ({ ...a })),
        touchesPerSec,
        pacing: { ...pacing },
        firstTouch: p.firstTouch,
        stopAfterTouches: p.stopAfterTouches ?? Number.POSITIVE_INFINITY,
        fileTouchFraction,
        cpu: { threads: p.cpu.threads, cores: p.cpu.cores, perTouchUs },
        fileAccess: { ...fileAccess },
        requests: requests ? { ...requests, closed: requests.closed ? { ...requests.closed } : null } : null,
        oomScoreAdj,
        rlimitAsBytes: bytesOf(p.rlimitAs),
        forkOf: p.forkOf ?? null,
        cowWriteFraction: p.cowWriteFraction,
      });
    }
  }
  return out;
}

function resolveMemory(
  p: ProcessSpecOutput,
  access: AccessPhase[],
  host: HostConfig,
  at: (...k: string[]) => FieldPath,
  r: Reporter,
): ProcessConfig['memory'] {
  const m = p.memory;
  // A trace's size is known when it is read; a curve states its distinct pages now.
  const streams = access.map((ph) => ph.pattern).filter((x) => x.kind === 'trace' || x.kind === 'mrc');
  const curvePages = (region: 'anon' | 'file') =>
    Math.max(0, ...streams.map((s) => (s.kind === 'mrc' && s.region === region ? s.distinctPages : 0)));
  const traced = (region: 'anon' | 'file') => streams.some((s) => s.kind === 'trace' && s.region === region);
  const streamed = (region: 'anon' | 'file') => streams.some((s) => s.region === region);
  const anonBytes = m.anon !== undefined ? bytesOf(m.anon) : curvePages('anon') * host.pageSizeBytes;
  const fileBytes = m.file !== undefined ? bytesOf(m.file) : curvePages('file') * host.pageSizeBytes;
  const anonInitialBytes = m.anonInitial !== undefined ? bytesOf(m.anonInitial) : anonBytes;
  const growthBytesPerSec = bytesOf(m.growthPerSec);
  const anonText = m.anon ?? formatBytes(anonBytes);
  if (streamed('anon') && (m.anonInitial !== undefined || growthBytesPerSec > 0)) {
    r.error(
      at('memory', m.anonInitial !== undefined ? 'anonInitial' : 'growthPerSec'),
      'growth does not apply to a trace or mrc stream over anon: the stream first-touches its own pages',
      'remove anonInitial and growthPerSec',
    );
  } else {
    if (anonInitialBytes > anonBytes) {
      r.error(at('memory', 'anonInitial'), `expected at most memory.anon (${anonText}), found ${m.anonInitial}`);
    }
    if (anonInitialBytes < anonBytes && growthBytesPerSec === 0) {
      r.error(
        at('memory', 'growthPerSec'),
        `anonInitial (${m.anonInitial}) is below anon (${anonText}) but nothing grows it`,
        'set growthPerSec, e.g. 256Mi',
      );
    }
    if (growthBytesPerSec > 0 && anonInitialBytes === anonBytes) {
      r.error(at('memory', 'growthPerSec'), 'growth needs room: anonInitial equals anon', 'set anonInitial below anon');
    }
  }
  if (m.growthShare < 1 && growthBytesPerSec === 0) {
    r.error(
      at('memory', 'growthShare'),
      'applies only to growth: nothing grows here',
      'set anonInitial below anon and growthPerSec, or remove growthShare',
    );
  }
  if (m.anonAdvice === 'hugepage' && host.thp === 'never') {
    r.warning(
      'hugepage-thp-never',
      at('memory', 'anonAdvice'),
      'anonAdvice hugepage has no effect: host.thp is never',
      'set host.thp: madvise (or always)',
    );
  }
  return {
    anonBytes,
    anonInitialBytes,
    growthBytesPerSec,
    leakBytesPerSec: bytesOf(m.leakPerSec),
    fileBytes,
    fixedBytes: bytesOf(m.fixed),
    fileDirtyFraction: m.fileDirtyFraction,
    growthShare: m.growthShare,
    anonAdvice: m.anonAdvice,
    sizedByTrace:
      m.anon === undefined && traced('anon') ? 'anon' : m.file === undefined && traced('file') ? 'file' : null,
  };
}

/** Default backlog a wall-clock paced process makes up after a stall (docs/scenario.md, "Pacing"). */
export const DEFAULT_CATCH_UP_MS = 1000;

function resolvePacing(
  p: ProcessSpecOutput,
  touchesPerSec: number,
  access: AccessPhase[],
  at: (...k: string[]) => FieldPath,
  r: Reporter,
): ProcessConfig['pacing'] {
  const catchUpMs = p.catchUp === undefined ? DEFAULT_CATCH_UP_MS : msOf(p.catchUp);
  if (p.pacing === 'closed-loop') {
    if (p.catchUp !== undefined) {
      r.error(at('catchUp'), 'applies only with pacing: wall-clock', 'set pacing: wall-clock, or remove catchUp');
    }
    return { mode: 'closed-loop', catchUpMs };
  }
  if (touchesPerSec === Number.POSITIVE_INFINITY || access.some((ph) => ph.touchesPerSec === Infinity)) {
    r.error(at('pacing'), 'wall-clock needs a numeric touchesPerSec in every phase, found max', 'set a rate');
  } else if (p.requests !== undefined) {
    r.error(at('pacing'), 'does not apply with requests: their arrivals set the pace', 'remove pacing');
  } else if (access.some((ph) => ph.pattern.kind === 'trace' && ph.pattern.timing === 'timestamps')) {
    r.error(at('pacing'), 'does not apply to a trace replayed at its timestamps: they set the pace', 'remove pacing');
  }
  if (!(catchUpMs >= 0) || !Number.isFinite(catchUpMs)) {
    r.error(at('catchUp'), `expected a duration >= 0, found "${p.catchUp}"`, 'e.g. 100ms');
  }
  return {
    mode: 'wall-clock',
    catchUpMs: Number.isFinite(catchUpMs) && catchUpMs >= 0 ? catchUpMs : DEFAULT_CATCH_UP_MS,
  };
}

function resolvePerTouch(
  p: ProcessSpecOutput,
  touchesPerSec: number,
  access: AccessPhase[],
  pacing: ProcessConfig['pacing']['mode'],
  at: (...k: string[]) => FieldPath,
  r: Reporter,
): number {
  const anyMax = touchesPerSec === Number.POSITIVE_INFINITY || access.some((ph) => ph.touchesPerSec === Infinity);
  if (p.cpu.perTouch === undefined) return DEFAULT_PER_TOUCH_US;
  const us = usOf(p.cpu.perTouch);
  if (!anyMax && pacing === 'closed-loop') {
    r.error(
      at('cpu', 'perTouch'),
      'applies only with touchesPerSec: max or pacing: wall-clock (a closed-loop rate sets the CPU per touch itself)',
      'set touchesPerSec: max or pacing: wall-clock, or remove perTouch',
    );
  } else if (us <= 0) {
    r.error(at('cpu', 'perTouch'), `expected a duration > 0, found "${p.cpu.perTouch}"`, 'e.g. 0.1us');
  }
  return us > 0 ? us : DEFAULT_PER_TOUCH_US;
}

function resolveFileAccess(
  p: ProcessSpecOutput,
  memory: ProcessConfig['memory'],
  access: AccessPhase[],
  at: (...k: string[]) => FieldPath,
  r: Reporter,
): ProcessConfig['fileAccess'] {
  const f = p.fileAccess;
  const out = { via: f?.via ?? 'mmap', advice: f?.advice ?? 'normal', readAheadKb: f?.readAheadKb ?? 128 } as const;
  if (f === undefined) return out;
  const fileStream = access.some(
    (ph) => (ph.pattern.kind === 'trace' || ph.pattern.kind === 'mrc') && ph.pattern.region === 'file',
  );
  if (memory.fileBytes === 0 && !fileStream) {
    r.error(at('fileAccess'), 'the process has no file pages to access', 'set memory.file, or remove fileAccess');
  }
  if (out.via === 'read' && (out.advice === 'hugepage' || out.advice === 'nohugepage')) {
    r.error(
      at('fileAccess', 'advice'),
      `posix_fadvise has no ${out.advice} advice (madvise has, with via: mmap)`,
      'with via read, advice is normal, random or sequential',
    );
  }
  return out;
}

function resolveRequests(p: ProcessSpecOutput, at: (...k: string[]) => FieldPath, r: Reporter): RequestModel | null {
  const q = p.requests;
  if (!q) return null;
  const cpuMs = msOf(q.cpu);
  const base = { cpuMs, pagesPerRequest: q.pagesPerRequest, wake: q.wake };
  if (q.ratePerSec !== undefined && q.clients !== undefined) {
    r.error(
      at('requests', 'clients'),
      'give ratePerSec (open loop) or clients (closed loop), not both',
      'clients wait for each reply; a rate does not',
    );
  }
  if (q.thinkTime !== undefined && q.clients === undefined) {
    r.error(at('requests', 'thinkTime'), 'applies only with clients (closed loop)', 'set clients, or remove thinkTime');
  }
  if (q.clients !== undefined && q.wake === 'timer') {
    r.error(
      at('requests', 'wake'),
      'timer applies only to an open loop (ratePerSec): a closed-loop client sends its next request after a reply',
      'remove wake, or give ratePerSec instead of clients',
    );
  }
  if (q.clients !== undefined) {
    const thinkTimeMs = q.thinkTime !== undefined ? msOf(q.thinkTime) : 0;
    // The closed loop's throughput bound N/(S+Z): only used to size the replay in advance.
    const bound = q.clients / (Math.max(cpuMs + thinkTimeMs, 1e-3) / 1000);
    return { ...base, ratePerSec: bound, closed: { clients: q.clients, thinkTimeMs } };
  }
  if (q.ratePerSec === undefined) {
    r.error(
      at('requests'),
      'needs ratePerSec (open loop: arrivals per second) or clients (closed loop: clients that wait for replies)',
      'add ratePerSec: 40 or clients: 16',
    );
    return { ...base, ratePerSec: 1, closed: null };
  }
  return { ...base, ratePerSec: q.ratePerSec, closed: null };
}
