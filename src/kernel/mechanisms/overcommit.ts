/**
 * Overcommit admission and Committed_AS accounting, plus the RLIMIT_AS check that runs
 * before it on mmap/brk/mremap.
 *
 * Follows LK `mm/util.c` (`vm_commit_limit`, `__vm_enough_memory`, `init_user_reserve`,
 * `init_admin_reserve` in mm/mmap.c or mm/util.c by version), LK `mm/mmap.c`
 * (`may_expand_vm`), LK `Documentation/admin-guide/sysctl/vm.rst` and
 * `Documentation/mm/overcommit-accounting.rst`; kernel-model.md §7.
 *
 *   RLIMIT_AS:  refuse when total_vm + pages > RLIMIT_AS >> PAGE_SHIFT          (checked first)
 *   Committed_AS += pages (always, in every mode), then:
 *   mode 1: accept.
 *   mode 0: refuse when pages > RAM + swap (pages) — the 5.x+ heuristic.
 *   mode 2: CommitLimit = (overcommit_kbytes ? kbytes : (RAM − hugetlb)·ratio/100) + swap;
 *           allowed = CommitLimit − admin_reserve (unless CAP_SYS_ADMIN)
 *                     − min(total_vm / 32, user_reserve);
 *           accept when Committed_AS (including this request) < allowed.
 *   A refusal undoes the Committed_AS increment. Sizes are rounded up to whole pages.
 * Reserve defaults (`init_*_reserve`): min(free/32, 128 MiB) for users and min(free/32,
 * 8 MiB) for admin, free memory at boot approximated here by RAM.
 */

import { formatBytes } from '../../util/units.js';

export type OvercommitMode = 0 | 1 | 2;

export interface OvercommitConfig {
  ramBytes: number;
  swapBytes: number;
  pageSizeBytes: number;
  /** vm.overcommit_memory. */
  mode: OvercommitMode;
  /** vm.overcommit_ratio, percent (default 50). */
  ratio: number;
  /** vm.overcommit_kbytes; 0 = use the ratio. */
  kbytes: number;
  /** RAM held by the hugetlb pool (vm.nr_hugepages × huge page size); default 0. */
  hugetlbBytes?: number;
  /** vm.admin_reserve_kbytes; default min(RAM/32, 8 MiB). */
  adminReserveKbytes?: number;
  /** vm.user_reserve_kbytes; default min(RAM/32, 128 MiB). */
  userReserveKbytes?: number;
}

export type CommitResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'overcommit' | 'rlimit'; readonly detail: string };

const OK: CommitResult = Object.freeze({ ok: true });

/** `init_user_reserve` default, KiB: min(free/32, 128 MiB). */
export function defaultUserReserveKbytes(ramBytes: number): number {
  return Math.min(Math.floor(ramBytes / 1024 / 32), 1 << 17);
}

/** `init_admin_reserve` default, KiB: min(free/32, 8 MiB). */
export function defaultAdminReserveKbytes(ramBytes: number): number {
  return Math.min(Math.floor(ramBytes / 1024 / 32), 1 << 13);
}

/** Committed_AS bookkeeping and admission for one host. */
export class CommitAccountant {
  private config: OvercommitConfig;
  private committedPages = 0;

  constructor(config: OvercommitConfig) {
    this.config = config;
    this.validate();
  }

  /** Applies a runtime sysctl change (vm.overcommit_memory / _ratio / _kbytes, reserves). */
  reconfigure(change: Partial<OvercommitConfig>): void {
    this.config = { ...this.config, ...change };
    this.validate();
  }

  private validate(): void {
    const c = this.config;
    if (c.mode !== 0 && c.mode !== 1 && c.mode !== 2) throw new RangeError(`vm.overcommit_memory must be 0, 1 or 2`);
    if (!(c.ratio >= 0) || !(c.kbytes >= 0)) throw new RangeError('overcommit ratio and kbytes must be ≥ 0');
    if (!(c.pageSizeBytes > 0)) throw new RangeError('page size must be > 0');
  }

  private get pageKbytes(): number {
    return this.config.pageSizeBytes / 1024;
  }

  private pages(bytes: number): number {
    return Math.ceil(bytes / this.config.pageSizeBytes);
  }

  /** `vm_commit_limit`, pages. */
  get commitLimitPages(): number {
    const c = this.config;
    const ramPages = Math.floor(c.ramBytes / c.pageSizeBytes);
    const hugePages = Math.floor((c.hugetlbBytes ?? 0) / c.pageSizeBytes);
    const base =
      c.kbytes > 0 ? Math.floor(c.kbytes / this.pageKbytes) : Math.floor(((ramPages - hugePages) * c.ratio) / 100);
    return base + Math.floor(c.swapBytes / c.pageSizeBytes);
  }

  /** /proc/meminfo CommitLimit (meaningful for mode 2, reported in every mode). */
  get commitLimitBytes(): number {
    return this.commitLimitPages * this.config.pageSizeBytes;
  }

  /** /proc/meminfo Committed_AS. */
  get committedBytes(): number {
    return this.committedPages * this.config.pageSizeBytes;
  }

  /**
   * Admission of an accountable mapping of `bytes` by a process whose virtual size is
   * `processVirtBytes` before it, under RLIMIT_AS `rlimitAsBytes` (Infinity: unlimited).
   * On success Committed_AS grows by the request.
   */
  tryCommit(bytes: number, processVirtBytes: number, rlimitAsBytes: number, capSysAdmin = false): CommitResult {
    const c = this.config;
    const pages = this.pages(bytes);
    const totalVm = this.pages(processVirtBytes);
    if (Number.isFinite(rlimitAsBytes) && totalVm + pages > Math.floor(rlimitAsBytes / c.pageSizeBytes)) {
      return {
        ok: false,
        reason: 'rlimit',
        detail: `RLIMIT_AS ${formatBytes(rlimitAsBytes)} exceeded: virtual size ${formatBytes(processVirtBytes)} + ${formatBytes(bytes)}`,
      };
    }
    this.committedPages += pages;
    if (c.mode === 1) return OK;
    const ramPages = Math.floor(c.ramBytes / c.pageSizeBytes);
    const swapPages = Math.floor(c.swapBytes / c.pageSizeBytes);
    if (c.mode === 0) {
      if (pages <= ramPages + swapPages) return OK;
      this.committedPages -= pages;
      return {
        ok: false,
        reason: 'overcommit',
        detail: `${formatBytes(bytes)} is more than RAM + swap (${formatBytes((ramPages + swapPages) * c.pageSizeBytes)}) (vm.overcommit_memory=0)`,
      };
    }
    const adminPages = capSysAdmin
      ? 0
      : Math.floor((c.adminReserveKbytes ?? defaultAdminReserveKbytes(c.ramBytes)) / this.pageKbytes);
    const userPages = Math.floor((c.userReserveKbytes ?? defaultUserReserveKbytes(c.ramBytes)) / this.pageKbytes);
    const allowed = this.commitLimitPages - adminPages - Math.min(Math.floor(totalVm / 32), userPages);
    if (this.committedPages < allowed) return OK;
    this.committedPages -= pages;
    const ps = c.pageSizeBytes;
    return {
      ok: false,
      reason: 'overcommit',
      detail:
        `Committed_AS ${formatBytes(this.committedPages * ps)} + ${formatBytes(bytes)} would reach ` +
        `CommitLimit ${formatBytes(this.commitLimitBytes)} − reserves ${formatBytes((this.commitLimitPages - allowed) * ps)} ` +
        `(vm.overcommit_memory=2)`,
    };
  }

  /** Returns a committed mapping (munmap, exit); never below zero. */
  release(bytes: number): void {
    const pages = this.pages(bytes);
    if (pages > this.committedPages)
      throw new RangeError(`releasing ${pages} pages, only ${this.committedPages} committed`);
    this.committedPages -= pages;
  }
}
