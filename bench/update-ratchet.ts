/**
 * Rewrites test/validation/matrix-ratchet.ts from the committed kernel fixtures and the model as
 * it is now, and prints the cells and regime checks gained and lost against the file it replaces.
 * Run it after re-recording the fixtures (`npm run validate-kernel -- --write`) or after a
 * mechanism fix; a lost entry needs its reason in the commit (the kernel moved in the new
 * recording, or the fix traded it for others).
 *
 *   npx tsx bench/update-ratchet.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFixture } from '../src/probe/fixture.js';
import { cellKey, compareFamily } from '../src/probe/matrix.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';
import { AGREE_TODAY, REGIMES_TODAY } from '../test/validation/matrix-ratchet.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'test/fixtures/kernel');
const cells: string[] = [];
const regimes: string[] = [];
for (const f of readdirSync(dir)
  .filter((x) => x.endsWith('.json'))
  .sort()) {
  const fixture = parseFixture(readFileSync(join(dir, f), 'utf8'), f);
  const t = compareFamily(fixture);
  for (const c of t.cells) if (c.verdict === 'agree') cells.push(cellKey(fixture.family, c));
  for (const r of t.regimes) if (r.holds) regimes.push(`${fixture.family}: ${r.check}`);
}
const diff = (label: string, before: readonly string[], after: string[]) => {
  const a = new Set(after);
  const b = new Set(before);
  for (const k of before) if (!a.has(k)) console.log(`lost ${label}: ${k}`);
  for (const k of after) if (!b.has(k)) console.log(`gained ${label}: ${k}`);
};
diff('cell', AGREE_TODAY, cells);
diff('regime', REGIMES_TODAY, regimes);
// Quoted as the formatter does: single quotes unless the text holds one.
const quote = (x: string) => (x.includes("'") ? JSON.stringify(x) : `'${x.replace(/\\/g, '\\\\')}'`);
const list = (xs: string[]) => xs.map((x) => `  ${quote(x)},`).join('\n');
const header = readFileSync(join(root, 'test/validation/matrix-ratchet.ts'), 'utf8').split('export const')[0];
writeFileAtomic(
  join(root, 'test/validation/matrix-ratchet.ts'),
  `${header}export const AGREE_TODAY: readonly string[] = [\n${list(cells)}\n];\n\nexport const REGIMES_TODAY: readonly string[] = [\n${list(regimes)}\n];\n`,
);
console.log(`${cells.length} cells, ${regimes.length} regime checks agree`);
