/**
 * The starter scenario `faultline init` writes: small enough to run in seconds, commented
 * so that it teaches the format, and valid (a test loads it).
 */
export function starterScenario(name: string, schemaPath: string): string {
  return `# yaml-language-server: $schema=${schemaPath}
#
# ${name}: a starter scenario. A web service with a steady working set shares a 4 GiB
# host with a batch job that grows until the two no longer fit; the sweep tries the
# batch job with and without a memory limit. Field reference: docs/scenario.md.
# Check it with:  faultline validate ${name}.yaml
# Run it with:    faultline run ${name}.yaml
name: ${name}
title: A web service next to a growing batch job
seed: 1
duration: 5m        # simulated time; durations take us, ms, s, m, h
step: 1s            # resolution of the output series

host:
  ram: 4Gi          # Ki/Mi/Gi are powers of 1024, K/M/G powers of 1000
  cpus: 4
  swap:
    size: 4Gi
    device: ssd     # hdd | ssd | nvme | zram | none | custom
  sysctl:
    vm.swappiness: 60

cgroups:            # slash paths; missing parents are implied
  web: {}
  batch:
    memory.high: max
    memory.max: max   # swept below

processes:
  web:
    cgroup: web
    memory:
      anon: 1Gi
      file: 512Mi
    access:
      pattern: zipf   # uniform | zipf | hotcold | scan | loop | trace (a recorded
      alpha: 0.9      #   trace file) | mrc (a measured miss-ratio curve)
    touchesPerSec: 20000
    cpu: { threads: 4, cores: 2 }
    requests:         # open loop: ratePerSec; closed loop: clients + thinkTime
      ratePerSec: 50
      cpu: 10ms
      pagesPerRequest: 100
  batch:
    cgroup: batch
    start: 30s
    memory:
      anon: 4Gi
      anonInitial: 256Mi
      growthPerSec: 64Mi
      growthShare: 0.5  # half the touches allocate while it grows, half re-read
    firstTouch: address # new pages in address order; rank: hottest first
    access:
      pattern: uniform
    touchesPerSec: 50000  # or max: as fast as its CPU share allows

sweep:
  matrix:
    cgroups.batch.memory.max: [max, 2Gi]

expect:
  processes.web.latencyMs: p(99) < 200ms
  host.faultCpuPct: max < 50
  oomKills: { threshold: "== 0", level: warn }
`;
}
