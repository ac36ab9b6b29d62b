import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The built CLI (`npm test` builds first; test/global-setup.ts rebuilds a stale dist). */
export const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Starts `faultline …` as CI would (no terminal), collecting its output. */
export function startCli(args: string[], cwd?: string): { child: ChildProcess; done: Promise<CliResult> } {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN, ...args], {
    ...(cwd ? { cwd } : {}),
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 })),
  );
  return { child, done };
}

export function cli(args: string[], cwd?: string): Promise<CliResult> {
  return startCli(args, cwd).done;
}

/** Waits until `path` exists (a file a running command writes), polling. */
export async function waitFor(path: string, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(path)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A stack trace line, as Node prints one (`    at fn (file.js:1:2)`). */
export const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;
