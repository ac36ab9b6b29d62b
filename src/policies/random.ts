/**
 * Random replacement: evict a resident page chosen uniformly by the seeded `Rng`
 * (src/util/rng.ts), so a given seed always picks the same victims. Aliases: rand.
 * Cost per access: O(1): residents sit in a dense array; the victim's slot takes the last one.
 */
import { Rng } from '../util/rng.js';
import type { PolicyFactory } from './params.js';
import type { PageId, PolicyContext, ReplacementPolicy } from './types.js';

class RandomPolicy implements ReplacementPolicy {
  size = 0;
  readonly admits = true;
  private readonly slots: Int32Array;
  /** Index in `slots`, or -1 if not resident. */
  private readonly slotOf: Int32Array;
  private readonly rng: Rng;

  constructor(
    readonly capacity: number,
    ctx: PolicyContext,
    readonly spec: string,
  ) {
    // Resident pages never exceed min(C, pages), however many frames are asked for.
    this.slots = new Int32Array(Math.min(capacity, ctx.maxPageId));
    this.slotOf = new Int32Array(ctx.maxPageId).fill(-1);
    this.rng = new Rng(ctx.seed);
  }

  access(page: PageId): boolean {
    if (this.find(page, true)) return true;
    while (this.size >= this.capacity) this.evict();
    this.insert(page);
    return false;
  }

  find(page: PageId, _touch: boolean): boolean {
    return this.slotOf[page]! >= 0;
  }

  insert(page: PageId): void {
    this.slots[this.size] = page;
    this.slotOf[page] = this.size++;
  }

  evict(): PageId {
    const victim = this.slots[this.rng.nextInt(this.size)]!;
    this.drop(victim);
    return victim;
  }

  remove(page: PageId): boolean {
    if (this.slotOf[page]! < 0) return false;
    this.drop(page);
    return true;
  }

  private drop(page: PageId): void {
    const i = this.slotOf[page]!;
    const last = this.slots[--this.size]!;
    this.slots[i] = last;
    this.slotOf[last] = i;
    this.slotOf[page] = -1;
  }
}

export const random: PolicyFactory = {
  id: 'random',
  aliases: ['rand'],
  params: [],
  fillsPageState: true,
  create: (capacity, ctx, _params, spec) => new RandomPolicy(capacity, ctx, spec),
};
