/**
 * Zone watermarks (min / low / high) and the default vm.min_free_kbytes.
 *
 * Follows LK `mm/page_alloc.c`: `calculate_min_free_kbytes` (older `init_per_zone_wmark_min`)
 * for the default, `__setup_per_zone_wmarks` for the marks; LK
 * `Documentation/admin-guide/sysctl/vm.rst` (min_free_kbytes, watermark_scale_factor);
 * kernel-model.md §1.1 and §12. The host is modelled as one zone (§12: zones abstracted),
 * so a zone's managed pages are the host's pages and `pages_min` is not split.
 *
 *   min_free_kbytes = clamp(int_sqrt(lowmem_kbytes · 16), 128, 262144)   (user value wins)
 *   WMARK_MIN  = min_free_kbytes >> (PAGE_SHIFT − 10)        (pages)
 *   gap        = max(WMARK_MIN >> 2, managed · watermark_scale_factor / 10000)
 *   WMARK_LOW  = WMARK_MIN + gap,   WMARK_HIGH = WMARK_MIN + 2·gap
 *
 * A spatially sampled host (architecture.md "Time and scale") keeps the full host's marks
 * scaled by the sample rate: they are computed for the real RAM, not for the sampled one,
 * because min_free_kbytes grows with the square root of RAM.
 */

import { minFreeKbytesForLowmem } from '../../linux/mm.js';

/** vm.watermark_scale_factor default and maximum (vm.rst). */
export const DEFAULT_WATERMARK_SCALE_FACTOR = 10;
export const MAX_WATERMARK_SCALE_FACTOR = 3000;

export interface Watermarks {
  minPages: number;
  lowPages: number;
  highPages: number;
}

export interface WatermarkInput {
  /** Pages the zone (here: the host) manages. */
  managedPages: number;
  pageSizeBytes: number;
  /** vm.min_free_kbytes in effect. */
  minFreeKbytes: number;
  /** vm.watermark_scale_factor, 1..3000; default 10. */
  watermarkScaleFactor?: number;
}

/** `__setup_per_zone_wmarks` for a single lowmem zone. */
export function zoneWatermarks(input: WatermarkInput): Watermarks {
  const wsf = input.watermarkScaleFactor ?? DEFAULT_WATERMARK_SCALE_FACTOR;
  if (!(wsf >= 1 && wsf <= MAX_WATERMARK_SCALE_FACTOR)) {
    throw new RangeError(`watermark_scale_factor must be in 1..${MAX_WATERMARK_SCALE_FACTOR}, got ${wsf}`);
  }
  const pageKbytes = input.pageSizeBytes / 1024;
  const minPages = Math.floor(input.minFreeKbytes / pageKbytes);
  const gap = Math.max(Math.floor(minPages / 4), Math.floor((input.managedPages * wsf) / 10000));
  return { minPages, lowPages: minPages + gap, highPages: minPages + 2 * gap };
}

export interface HostWatermarkInput {
  /** RAM the page allocator manages, bytes (RAM minus the kernel's own reservations). */
  managedBytes: number;
  pageSizeBytes: number;
  /** vm.min_free_kbytes as written by the user; undefined or 0: the kernel's default. */
  minFreeKbytes?: number;
  watermarkScaleFactor?: number;
  /** Sample rate of a spatially sampled host (0 < scale ≤ 1); default 1. */
  scale?: number;
}

/** The host's watermarks, in (possibly sampled) pages, plus the min_free_kbytes used. */
export function hostWatermarks(input: HostWatermarkInput): Watermarks & { minFreeKbytes: number } {
  const scale = input.scale ?? 1;
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`watermark scale must be in (0, 1], got ${scale}`);
  const minFreeKbytes =
    input.minFreeKbytes !== undefined && input.minFreeKbytes > 0
      ? input.minFreeKbytes
      : minFreeKbytesForLowmem(input.managedBytes / 1024);
  const wm = zoneWatermarks({
    managedPages: Math.floor(input.managedBytes / input.pageSizeBytes),
    pageSizeBytes: input.pageSizeBytes,
    minFreeKbytes,
    watermarkScaleFactor: input.watermarkScaleFactor,
  });
  return { ...scaleWatermarks(wm, scale), minFreeKbytes };
}

/** Scales marks for a host sampled at `scale`; rounding keeps min ≤ low ≤ high. */
export function scaleWatermarks(wm: Watermarks, scale: number): Watermarks {
  return {
    minPages: Math.round(wm.minPages * scale),
    lowPages: Math.round(wm.lowPages * scale),
    highPages: Math.round(wm.highPages * scale),
  };
}
