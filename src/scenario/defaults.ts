/**
 * Defaults that depend on other fields: swap device presets (kernel-model.md §8.3 and
 * §12), min_free_kbytes from RAM (§1.1), the kubelet's QoS rules (§5.3), and the policy
 * ids `host.policy` accepts.
 */
import type { SwapDeviceKind } from './types.js';

export interface DevicePreset {
  readLatencyUs: number;
  writeLatencyUs: number;
  iops: number;
  bandwidthBytesPerSec: number;
  /** Throughput of readahead's large reads; the presets have no separate figure: their bandwidth. */
  readaheadBytesPerSec: number;
  queueDepth: number;
  rotational: boolean;
  /** Completions signalled only when the queue drains: none of the presets (a VM's virtio disk can). */
  completesOnDrain: boolean;
  compressionRatio: number;
  compressCpuUs: number;
  decompressCpuUs: number;
}

/**
 * The one definition of the presets (kernel/mechanisms/swap-device.ts reads them from here):
 * the loader resolves every field so that reports show what ran.
 * zram is CPU-bound: its IOPS and bandwidth are unbounded and its cost is (de)compression.
 */
export const DEVICE_PRESETS: Record<Exclude<SwapDeviceKind, 'custom'>, DevicePreset> = {
  hdd: {
    readLatencyUs: 10_000,
    writeLatencyUs: 10_000,
    iops: 120,
    bandwidthBytesPerSec: 150e6,
    readaheadBytesPerSec: 150e6,
    queueDepth: 1,
    rotational: true,
    completesOnDrain: false,
    compressionRatio: 1,
    compressCpuUs: 0,
    decompressCpuUs: 0,
  },
  ssd: {
    readLatencyUs: 80,
    writeLatencyUs: 50,
    iops: 90_000,
    bandwidthBytesPerSec: 520e6,
    readaheadBytesPerSec: 520e6,
    queueDepth: 32,
    rotational: false,
    completesOnDrain: false,
    compressionRatio: 1,
    compressCpuUs: 0,
    decompressCpuUs: 0,
  },
  nvme: {
    readLatencyUs: 60,
    writeLatencyUs: 30,
    iops: 500_000,
    bandwidthBytesPerSec: 3e9,
    readaheadBytesPerSec: 3e9,
    queueDepth: 64,
    rotational: false,
    completesOnDrain: false,
    compressionRatio: 1,
    compressCpuUs: 0,
    decompressCpuUs: 0,
  },
  zram: {
    readLatencyUs: 2,
    writeLatencyUs: 5,
    iops: Number.POSITIVE_INFINITY,
    bandwidthBytesPerSec: Number.POSITIVE_INFINITY,
    readaheadBytesPerSec: Number.POSITIVE_INFINITY,
    queueDepth: 1,
    rotational: false,
    completesOnDrain: false,
    compressionRatio: 2.5,
    compressCpuUs: 5,
    decompressCpuUs: 2,
  },
  none: {
    readLatencyUs: 0,
    writeLatencyUs: 0,
    iops: 0,
    bandwidthBytesPerSec: 0,
    readaheadBytesPerSec: 0,
    queueDepth: 1,
    rotational: false,
    completesOnDrain: false,
    compressionRatio: 1,
    compressCpuUs: 0,
    decompressCpuUs: 0,
  },
};

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

export function qosClass(requestBytes: number | undefined, limitBytes: number | undefined): QosClass {
  if (requestBytes === undefined && limitBytes === undefined) return 'BestEffort';
  if (limitBytes !== undefined && (requestBytes === undefined || requestBytes === limitBytes)) return 'Guaranteed';
  return 'Burstable';
}

/** oom_score_adj the kubelet gives a container (kernel-model.md §5.3). */
export function kubeletOomScoreAdj(qos: QosClass, requestBytes: number, capacityBytes: number): number {
  if (qos === 'Guaranteed') return -997;
  if (qos === 'BestEffort') return 1000;
  const adj = 1000 - Math.floor((1000 * requestBytes) / capacityBytes);
  return Math.min(Math.max(2, adj), 999);
}

/** kubelet MemoryQoS memory.high: request + factor × (limit − request), rounded down to pages. */
export function kubeletMemoryHigh(
  requestBytes: number,
  limitOrAllocatableBytes: number,
  pageSizeBytes: number,
  throttlingFactor = 0.9,
): number {
  const raw = requestBytes + throttlingFactor * (limitOrAllocatableBytes - requestBytes);
  return Math.floor(raw / pageSizeBytes) * pageSizeBytes;
}

/** Linux reclaim modes; any other id is a replacement policy from the registry. */
export const KERNEL_POLICIES = ['linux', 'mglru'] as const;
