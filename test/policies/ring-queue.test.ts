/**
 * The ring queue against a plain array model: the same live entries in the same order
 * after any mix of pushes, pops and removals, including a page removed and pushed again
 * more than 255 times while its stale entries are still queued (the per-page count's
 * limit) and rings that must grow or drop their stale entries to take a push.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingQueue } from '../../src/policies/ds/ring-queue.js';

type Op = { kind: 'push'; page: number } | { kind: 'pop' } | { kind: 'remove'; pick: number };

/** Applies ops to both; a push of a live page or a removal of an absent one is skipped (not allowed). */
function run(ops: Op[], expected: number): void {
  const ring = new RingQueue(8, expected);
  const model: number[] = [];
  for (const op of ops) {
    if (op.kind === 'push') {
      if (model.includes(op.page)) continue;
      ring.push(op.page);
      model.push(op.page);
    } else if (op.kind === 'pop') {
      if (model.length === 0) continue;
      expect(ring.pop()).toBe(model.shift());
    } else {
      if (model.length === 0) continue;
      const [page] = model.splice(op.pick % model.length, 1);
      ring.remove(page!);
    }
    expect(ring.length).toBe(model.length);
  }
  const rest: number[] = [];
  while (ring.length > 0) rest.push(ring.pop());
  expect(rest).toEqual(model);
}

describe('RingQueue', () => {
  it('pops the live entries oldest first under any pushes, pops and removals', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), page: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('pop' as const) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.integer({ min: 0, max: 20 }), (ops, expected) =>
        run(ops, expected),
      ),
    );
  });

  it('keeps order when one page is removed and pushed again 1,000 times behind an older one', () => {
    const ops: Op[] = [{ kind: 'push', page: 1 }];
    for (let k = 0; k < 1000; k++) ops.push({ kind: 'push', page: 2 }, { kind: 'remove', pick: 1 });
    ops.push({ kind: 'push', page: 3 }, { kind: 'push', page: 2 });
    run(ops, 2);
  });
});
