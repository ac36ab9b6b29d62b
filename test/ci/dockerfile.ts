/**
 * Runs a Dockerfile's instructions without docker (which cannot run here): each stage gets
 * a root folder of its own, COPY copies from the build context (minus .dockerignore) or an
 * earlier stage, WORKDIR/ENV set the folder and environment of the next RUN, and RUN runs
 * its shell command there. The base image is this machine (node and npm on the PATH).
 * Paths under the image's own folders (/opt, /usr/local, /work) are rooted in the stage's
 * folder, in the commands too, and HOME is the stage's own /root; `USER` is recorded, not
 * switched to (tests run as root).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** Instructions by stage, continuation lines joined, comments dropped. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const stages: Stage[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile: cannot read "${line}"`);
    const [, op, args] = m as unknown as [string, string, string];
    if (op === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ base: from?.[1] ?? args, name: from?.[2] ?? String(stages.length), instructions: [] });
    } else {
      const stage = stages[stages.length - 1];
      if (!stage) throw new Error(`Dockerfile: ${op} before FROM`);
      stage.instructions.push({ op, args });
    }
  }
  return stages;
}

/** Top-level names and patterns of a .dockerignore (what this repository's uses: plain names and `*.ext`). */
function ignored(context: string): (rel: string) => boolean {
  const file = join(context, '.dockerignore');
  const patterns = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const res = patterns.map((p) => new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}(/|$)`));
  return (rel) => res.some((r) => r.test(rel));
}

const IMAGE_DIRS = /(^|[\s='"])(\/(?:opt|usr\/local|work)(?:\/[^\s'";&|]*)?)/g;

export interface BuiltStage {
  name: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  entrypoint: string[];
  cmd: string[];
  /** Each RUN with its exit status and output, in order. */
  runs: { command: string; status: number | null; output: string }[];
}

/** Builds every stage into `<into>/<stage>`; stops at the first RUN that fails. */
export function buildStages(
  stages: Stage[],
  context: string,
  into: string,
  env: Record<string, string> = {},
): BuiltStage[] {
  const skip = ignored(context);
  const built: BuiltStage[] = [];
  for (const stage of stages) {
    const root = join(into, stage.name);
    // What the base image has: the folder the PATH names first.
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
    const b: BuiltStage = { name: stage.name, root, workdir: '/', env: {}, entrypoint: [], cmd: [], runs: [] };
    const host = (p: string) => join(root, p.startsWith('/') ? p : join(b.workdir, p));
    const rooted = (command: string) =>
      command.replace(IMAGE_DIRS, (_m, pre: string, p: string) => `${pre}${join(root, p)}`);
    for (const { op, args } of stage.instructions) {
      switch (op) {
        case 'WORKDIR':
          b.workdir = args.startsWith('/') ? args : join(b.workdir, args);
          mkdirSync(host(b.workdir), { recursive: true });
          break;
        case 'ENV':
          for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g))
            b.env[m[1] as string] = (m[2] as string).replace(/^"|"$/g, '');
          break;
        case 'COPY': {
          const words = args.split(/\s+/);
          const from = words[0]?.startsWith('--from=') ? (words.shift() as string).slice(7) : undefined;
          const dest = words.pop() as string;
          const src = from === undefined ? context : built.find((s) => s.name === from)?.root;
          if (src === undefined) throw new Error(`Dockerfile: COPY --from=${from}: no such stage`);
          for (const w of words) {
            const source = from === undefined ? join(src, w) : join(src, w);
            const target = dest.endsWith('/') ? join(host(dest), w.split('/').pop() as string) : host(dest);
            if (!existsSync(source)) throw new Error(`Dockerfile: COPY ${w}: not in the ${from ?? 'build context'}`);
            mkdirSync(dirname(target), { recursive: true });
            cpSync(source, target, {
              recursive: true,
              filter: (s) => from !== undefined || !skip(relative(context, s).split('\\').join('/')),
            });
          }
          break;
        }
        case 'RUN': {
          const command = rooted(args);
          // HOME is the image's (/root): nothing a step writes there (an npm cache) reaches this machine's.
          mkdirSync(join(root, 'root'), { recursive: true });
          const r = spawnSync('/bin/sh', ['-c', command], {
            cwd: host(b.workdir),
            env: {
              ...process.env,
              HOME: join(root, 'root'),
              ...env,
              ...b.env,
              PATH: `${join(root, 'usr/local/bin')}:${process.env.PATH}`,
            },
            encoding: 'utf8',
            maxBuffer: 64 * 2 ** 20,
          });
          b.runs.push({ command: args, status: r.status, output: `${r.stdout}${r.stderr}` });
          if (r.status !== 0) return [...built, b];
          break;
        }
        case 'USER':
          b.user = args;
          break;
        case 'ENTRYPOINT':
          b.entrypoint = JSON.parse(args) as string[];
          break;
        case 'CMD':
          b.cmd = JSON.parse(args) as string[];
          break;
        default:
          throw new Error(`Dockerfile: ${op} is not emulated; extend test/ci/dockerfile.ts`);
      }
    }
    built.push(b);
  }
  return built;
}

/** `docker run <image> [args]` on a built stage: its entrypoint with the args (or CMD), from its workdir. */
export function runImage(
  b: BuiltStage,
  args: string[] | undefined,
  opts: { workdir?: string; env?: Record<string, string> } = {},
): { status: number | null; stdout: string; stderr: string } {
  const [exe, ...pre] = b.entrypoint;
  if (exe === undefined) throw new Error('the image has no ENTRYPOINT');
  const bin = join(b.root, 'usr/local/bin', exe);
  if (!existsSync(bin) || !statSync(bin).isFile()) throw new Error(`${exe} is not on the image's PATH`);
  const r = spawnSync(bin, [...pre, ...(args ?? b.cmd)], {
    cwd: opts.workdir ?? join(b.root, b.workdir),
    env: { ...process.env, ...b.env, ...opts.env, PATH: `${join(b.root, 'usr/local/bin')}:${process.env.PATH}` },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under a folder, relative, sorted (for asserting what an image holds). */
export function filesUnder(dir: string, depth = 2): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() && depth > 1
        ? filesUnder(join(dir, d.name), depth - 1).map((f) => `${d.name}/${f}`)
        : [d.isDirectory() ? `${d.name}/` : d.name],
    )
    .sort();
}
