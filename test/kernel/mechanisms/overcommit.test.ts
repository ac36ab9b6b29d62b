import { describe, expect, it } from 'vitest';
import {
  CommitAccountant,
  defaultAdminReserveKbytes,
  defaultUserReserveKbytes,
  type OvercommitConfig,
} from '../../../src/kernel/mechanisms/overcommit.js';

const KiB = 1024;
const MiB = 2 ** 20;
const GiB = 2 ** 30;
const PAGE = 4096;

function host(change: Partial<OvercommitConfig> = {}): CommitAccountant {
  return new CommitAccountant({
    ramBytes: 64 * GiB,
    swapBytes: 8 * GiB,
    pageSizeBytes: PAGE,
    mode: 2,
    ratio: 50,
    kbytes: 0,
    ...change,
  });
}

describe('CommitLimit (vm_commit_limit)', () => {
  it('is RAM·ratio/100 + swap, or overcommit_kbytes + swap, minus the hugetlb pool', () => {
    expect(host().commitLimitBytes).toBe(40 * GiB); // 64·50 % + 8
    expect(host({ ratio: 100 }).commitLimitBytes).toBe(72 * GiB);
    expect(host({ kbytes: 10 * MiB }).commitLimitBytes).toBe(18 * GiB); // 10 GiB in KiB + 8 GiB
    expect(host({ hugetlbBytes: 16 * GiB }).commitLimitBytes).toBe(32 * GiB); // (64 − 16)·50 % + 8
  });
  it('default reserves: min(RAM/32, 8 MiB) admin, min(RAM/32, 128 MiB) user', () => {
    expect(defaultAdminReserveKbytes(64 * GiB)).toBe(8192);
    expect(defaultUserReserveKbytes(64 * GiB)).toBe(131072);
    expect(defaultUserReserveKbytes(1 * GiB)).toBe(32768); // 1 048 576 KiB/32
    expect(defaultAdminReserveKbytes(128 * MiB)).toBe(4096);
  });
});

describe('mode 2 (never overcommit)', () => {
  it('accepts while Committed_AS < CommitLimit − admin reserve (strictly), then refuses', () => {
    const a = host();
    // allowed = 10 485 760 − 2048 (8 MiB admin) − min(0/32, 32 768) = 10 483 712 pages
    const almost = 40 * GiB - 8 * MiB - PAGE; // 10 483 711 pages
    expect(a.tryCommit(almost, 0, Number.POSITIVE_INFINITY)).toEqual({ ok: true });
    const r = a.tryCommit(PAGE, 0, Number.POSITIVE_INFINITY); // 10 483 712: not < allowed
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('overcommit');
      expect(r.detail).toContain('vm.overcommit_memory=2');
    }
    expect(a.committedBytes).toBe(almost); // a refusal undoes the increment
    // CAP_SYS_ADMIN does not pay the admin reserve
    expect(a.tryCommit(PAGE, 0, Number.POSITIVE_INFINITY, true).ok).toBe(true);
  });
  it('the user reserve is min(total_vm/32, user_reserve_kbytes)', () => {
    // process of 8 GiB virtual: 2 097 152/32 = 65 536 pages > 32 768 (128 MiB) → 32 768
    // allowed = 10 485 760 − 2048 − 32 768 = 10 450 944 pages
    const a = host();
    expect(a.tryCommit(10_450_943 * PAGE, 8 * GiB, Number.POSITIVE_INFINITY).ok).toBe(true);
    expect(a.tryCommit(PAGE, 8 * GiB, Number.POSITIVE_INFINITY).ok).toBe(false);
    // a small process (64 MiB → 16 384/32 = 512 pages) still fits: allowed = 10 485 760 − 2048 − 512
    expect(a.tryCommit(PAGE, 64 * MiB, Number.POSITIVE_INFINITY).ok).toBe(true);
  });
  it('with default ratio and little swap, promises less than RAM', () => {
    const a = host({ swapBytes: 0 });
    expect(a.commitLimitBytes).toBe(32 * GiB);
    expect(a.tryCommit(33 * GiB, 0, Number.POSITIVE_INFINITY).ok).toBe(false);
  });
});

describe('modes 0 and 1', () => {
  it('mode 0 refuses only a single request larger than RAM + swap', () => {
    const a = host({ mode: 0 });
    expect(a.tryCommit(72 * GiB, 0, Number.POSITIVE_INFINITY).ok).toBe(true);
    const r = a.tryCommit(72 * GiB + 1, 0, Number.POSITIVE_INFINITY);
    expect(r.ok).toBe(false);
    // many requests may together exceed everything; Committed_AS still counts them
    for (let i = 0; i < 3; i++) expect(a.tryCommit(60 * GiB, 0, Number.POSITIVE_INFINITY).ok).toBe(true);
    expect(a.committedBytes).toBe(72 * GiB + 180 * GiB);
  });
  it('mode 1 accepts anything and still accounts it', () => {
    const a = host({ mode: 1 });
    expect(a.tryCommit(1024 * GiB, 0, Number.POSITIVE_INFINITY).ok).toBe(true);
    expect(a.committedBytes).toBe(1024 * GiB);
  });
});

describe('RLIMIT_AS, rounding, release, reconfigure', () => {
  it('RLIMIT_AS is checked first, on virtual size, and charges nothing', () => {
    const a = host({ mode: 1 });
    expect(a.tryCommit(1 * GiB, 1 * GiB, 2 * GiB).ok).toBe(true); // exactly at the limit
    const r = a.tryCommit(PAGE, 2 * GiB, 2 * GiB);
    expect(r).toMatchObject({ ok: false, reason: 'rlimit' });
    expect(a.committedBytes).toBe(1 * GiB);
  });
  it('rounds requests up to pages and releases them', () => {
    const a = host();
    expect(a.tryCommit(1, 0, Number.POSITIVE_INFINITY).ok).toBe(true);
    expect(a.committedBytes).toBe(PAGE);
    a.release(1);
    expect(a.committedBytes).toBe(0);
    expect(() => a.release(KiB)).toThrow(RangeError);
  });
  it('follows runtime sysctl changes', () => {
    const a = host({ swapBytes: 0 });
    expect(a.tryCommit(40 * GiB, 0, Number.POSITIVE_INFINITY).ok).toBe(false);
    a.reconfigure({ mode: 0 });
    expect(a.tryCommit(40 * GiB, 0, Number.POSITIVE_INFINITY).ok).toBe(true);
    a.reconfigure({ mode: 2, ratio: 200 });
    expect(a.commitLimitBytes).toBe(128 * GiB);
    expect(() => a.reconfigure({ mode: 3 as 0 })).toThrow(RangeError);
  });
});
