/**
 * The C probe (native/probe.c), compiled at run time with the system's gcc into a temporary
 * directory: no binary is committed, and the probe is built for the kernel and libc it runs on.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaultlineError } from '../util/errors.js';

/** A C source of native/ beside this module (sources) or in the package's src/ (running from dist/). */
export function probeSource(name = 'probe.c'): string {
  for (const rel of [`./native/${name}`, `../../src/probe/native/${name}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new FaultlineError(`src/probe/native/${name} not found beside the probe module`, 3);
}

export interface BuiltProbe {
  bin: string;
  /** gcc's version line, recorded in fixtures. */
  compiler: string;
  remove(): void;
}

export function buildProbe(name = 'probe.c'): BuiltProbe {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-probe-'));
  const bin = join(dir, name.replace(/\.c$/, ''));
  const cc = spawnSync('gcc', ['-O2', '-Wall', '-pthread', '-o', bin, probeSource(name), '-lm'], { encoding: 'utf8' });
  if (cc.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new FaultlineError(`gcc could not build ${name}: ${cc.error?.message ?? cc.stderr.trim()}`, 3);
  }
  const version = spawnSync('gcc', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'gcc';
  return { bin, compiler: version, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
