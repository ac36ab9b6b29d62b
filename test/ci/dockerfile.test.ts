import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltStage, buildStages, filesUnder, parseDockerfile, runImage } from './dockerfile.js';

/**
 * The repository's Dockerfile, built without docker (test/ci/dockerfile.ts): both stages'
 * RUN steps run for real in a temp folder — `npm ci`, `npm run build`, `npm ci --omit=dev`
 * from the npm cache — and the image's entrypoint then runs faultline on a scenario.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const SCENARIO = new URL('../fixtures/ci/scenarios/small-host.yaml', import.meta.url).pathname;

describe('Dockerfile', () => {
  let tmp: string;
  let stages: BuiltStage[];
  let image: BuiltStage;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'faultline-docker-'));
    // The image's npm cache starts as this machine's, hard-linked (its content files are written
    // once and never changed) with the index copied, so `npm cache clean` in the image touches
    // nothing outside it; npm asks the registry only for what the cache lacks.
    const cache = join(tmp, 'npm-cache');
    const mine = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
    if (existsSync(join(mine, '_cacache', 'content-v2'))) {
      mkdirSync(join(cache, '_cacache'), { recursive: true });
      spawnSync('cp', ['-al', join(mine, '_cacache', 'content-v2'), join(cache, '_cacache')]);
      cpSync(join(mine, '_cacache', 'index-v5'), join(cache, '_cacache', 'index-v5'), { recursive: true });
    }
    stages = buildStages(parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')), ROOT, tmp, {
      npm_config_cache: cache,
      npm_config_prefer_offline: 'true',
      npm_config_update_notifier: 'false',
    });
    image = stages[stages.length - 1] as BuiltStage;
  }, 300_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('builds in two stages, every RUN step succeeding', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', '1']);
    for (const s of stages)
      for (const r of s.runs) expect(r.status, `${s.name}: RUN ${r.command}\n${r.output}`).toBe(0);
    expect(stages[1]?.runs.map((r) => r.command)).toEqual([
      'npm ci --omit=dev --no-audit --no-fund && npm cache clean --force',
      'chmod +x dist/cli/main.js && ln -s /opt/faultline/dist/cli/main.js /usr/local/bin/faultline',
    ]);
  });

  it('ships production dependencies only, the compiled CLI and what it reads at run time', () => {
    const app = join(image.root, 'opt/faultline');
    expect(filesUnder(app, 1)).toEqual([
      'dist/',
      'docs/',
      'node_modules/',
      'package-lock.json',
      'package.json',
      'scenarios/',
      'templates/',
    ]);
    for (const dev of ['typescript', 'vitest', '@biomejs', 'playwright-core'])
      expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    for (const dep of ['yargs', 'vega', 'handlebars'])
      expect(existsSync(join(app, 'node_modules', dep)), dep).toBe(true);
    expect(image.entrypoint).toEqual(['faultline']);
    expect(image.user).toBe('node');
  });

  it('runs faultline: help by default, and a sweep on a mounted folder', () => {
    const help = runImage(image, undefined);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('faultline <command> [options]');
    // docker run -v "$PWD:/work" faultline run scenarios/small-host.yaml --out reports
    const work = join(tmp, 'mounted');
    cpSync(SCENARIO, join(work, 'scenarios', 'small-host.yaml'));
    const r = runImage(image, ['run', 'scenarios/small-host.yaml', '--out', 'reports', '--jobs', '2'], {
      workdir: work,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('checks: 9 passed, 0 failed');
    expect(existsSync(join(work, 'reports', 'small-host', 'sweep-small-host.html'))).toBe(true);
    const init = runImage(image, ['init', 'myhost'], { workdir: work });
    expect(init.status, init.stderr).toBe(0);
  });
});
