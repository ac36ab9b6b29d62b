import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, MAIN, STACK_LINE } from './spawn-cli.js';

/**
 * Defect 9: expected environment failures end in one line naming the path, exit 2. A real full
 * disk and a read-only filesystem (small tmpfs mounts made by the test, root only), no permission
 * (the CLI run as nobody, root only), a name too long for the filesystem; each skipped with the
 * reason where it cannot be set up.
 */
const SCENARIO = new URL('../engine/fixtures/quick-sweep.yaml', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'fl-diskfull-'));
const mnt = join(tmp, 'mnt');
const ro = join(tmp, 'ro');
let mounted = false;
let why = '';
let roMounted = false;

function mount(dir: string, options: string): string {
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? '' : `cannot mount a tmpfs here (${(r.stderr || r.error?.message || 'not root').trim()})`;
}

beforeAll(() => {
  why = mount(mnt, 'size=8m');
  mounted = why === '';
  roMounted = mounted && mount(ro, 'size=1m,ro') === '';
});
afterAll(() => {
  if (mounted) spawnSync('umount', [mnt]);
  if (roMounted) spawnSync('umount', [ro]);
  rmSync(tmp, { recursive: true, force: true });
});

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!d.isFile()) continue;
    const p = join(d.parentPath, d.name);
    out.set(relative(dir, p), `${statSync(p).mtimeMs}:${readFileSync(p, 'utf8')}`);
  }
  return out;
}

/** Fills the filesystem holding `dir` until a write fails, leaving less than 64 KiB free. */
function fill(dir: string): void {
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), chunk);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      return;
    }
  }
}

describe('a full disk', () => {
  it('defect 9: run and report fail in one line naming the path (exit 2), and the previous run set stays whole', async (ctx) => {
    if (!mounted) ctx.skip(why);
    const out = join(mnt, 'out');
    expect((await cli(['run', SCENARIO, '--out', out, '--jobs', '1', '--quiet'])).code).toBe(0);
    const before = snapshot(out);
    const filler = join(mnt, 'filler');
    mkdirSync(filler);
    fill(filler);
    // Room for the lock and small files, not for a variant's report.
    rmSync(join(filler, 'filler-0'));
    rmSync(join(filler, 'filler-1'));

    const r = await cli(['run', SCENARIO, '--out', out, '--jobs', '1', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^faultline: cannot write ${out}/\\.faultline/partial/quick-sweep/[^ ]+: no space left on the device \\(ENOSPC\\)\\n$`,
      ),
    );
    expect(r.stderr).not.toMatch(STACK_LINE);
    // The run set and index of the earlier run are untouched; the lock is released.
    const after = snapshot(out);
    for (const [f, v] of before) expect(after.get(f), f).toBe(v);
    expect(existsSync(join(out, '.faultline', 'lock'))).toBe(false);

    // Not even the lock file fits now.
    fill(filler);
    const full = await cli(['run', SCENARIO, '--out', out, '--jobs', '1', '--quiet']);
    expect(full.code).toBe(2);
    expect(full.stderr).toBe(
      `faultline: cannot write ${join(out, '.faultline', 'lock')}: no space left on the device (ENOSPC)\n`,
    );

    const report = await cli(['report', out]);
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/^faultline: cannot write .+: no space left on the device \(ENOSPC\)\n$/);
    const reported = snapshot(out);
    for (const [f, v] of before) expect(reported.get(f), f).toBe(v);
  });

  it('defect 9: a read-only filesystem, a folder without permission and a name too long each end in one line (exit 2)', async (ctx) => {
    if (!roMounted) ctx.skip(why || 'cannot mount a read-only tmpfs here');
    const rofs = await cli(['run', SCENARIO, '--out', join(ro, 'out'), '--quiet']);
    expect(rofs.code).toBe(2);
    expect(rofs.stderr).toBe(`faultline: cannot create ${join(ro, 'out')}: read-only filesystem (EROFS)\n`);

    // As nobody, into a folder only root may write (root itself is never refused).
    const closed = join(tmp, 'closed');
    mkdirSync(closed, { mode: 0o755 });
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        MAIN,
        'run',
        SCENARIO,
        '--out',
        join(closed, 'out'),
        '--quiet',
      ],
      { encoding: 'utf8' },
    );
    if (r.error) ctx.skip(`setpriv: ${r.error.message}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`faultline: cannot create ${join(closed, 'out')}: permission denied (EACCES)\n`);

    const long = join(tmp, 'n'.repeat(300));
    const tooLong = await cli(['run', SCENARIO, '--out', long, '--quiet']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toBe(`faultline: cannot create ${long}: name too long for the filesystem (ENAMETOOLONG)\n`);
  });
});
