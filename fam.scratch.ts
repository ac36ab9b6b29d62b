import { readFileSync } from 'node:fs';
import { parseFixture } from './src/probe/fixture.js';
import { cellKey, compareFamily } from './src/probe/matrix.js';
const f = parseFixture(readFileSync('test/fixtures/kernel/a.json', 'utf8'), 'a.json');
const t = compareFamily(f);
for (const c of t.cells) console.log(cellKey('a', c).padEnd(60), String(c.kernel?.median).padEnd(10), String(c.model).padEnd(22), c.verdict);
console.log('agree', t.cells.filter((c) => c.verdict === 'agree').length, 'of', t.cells.length);
