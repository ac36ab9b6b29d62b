/*
 * faultline's real-kernel probe (docs/validation.md): small workloads whose page faults and
 * latencies the harness (src/probe/lab.ts) measures inside memory cgroups. Compiled at run
 * time with the system's gcc (src/probe/native.ts); no binary is committed.
 *
 *   probe anon    --mib W --pattern P [--passes N] [--seconds T] [--steady S] [--rate R] [--report-ms M]
 *   probe file    --path F --mode mmap|read --order seq|random [--advice normal|random|sequential]
 *                 [--passes N] [--seconds T] [--drop] [--report-ms M]
 *   probe service --mib W --pattern P --k K [--cpu-us C] (--rate R | --think-us T) --seconds T
 *   probe leak    --rate-mib R --seconds T [--report-ms M]
 *
 * P is seq, uniform, zipf:ALPHA or hotcold:HOT_FRACTION:HOT_PROBABILITY. Every workload first
 * touches its anonymous memory in address order (one write per 4 KiB page). A touch writes one
 * byte of a page (anon) or reads one (file). Output: one JSON object per line on stdout, written
 * with write(2) so that lines already printed survive a SIGKILL (the OOM killer, the harness).
 * Counters: minflt/majflt from getrusage, read_bytes from /proc/self/io, times from
 * CLOCK_MONOTONIC in nanoseconds (the clock Node's process.hrtime reads, so the harness can put
 * the probe's records on its own timeline).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(2);
}

/* One JSON line, written whole with one write(2). */
static void emit(const char *fmt, ...) {
  char line[16384];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
  line[n++] = '\n';
  for (int off = 0; off < n;) {
    ssize_t w = write(1, line + off, (size_t)(n - off));
    if (w <= 0 && errno != EINTR) return;
    if (w > 0) off += (int)w;
  }
}

/* ---- counters ---- */

struct counts {
  uint64_t ns;
  long minflt, majflt;
  long long read_bytes;
  /* The calling thread's time on a CPU and waiting for one (/proc/thread-self/schedstat): a shared
   * machine's other tasks stretch wall time by the second, which no scenario holds. */
  long long cpu_ns, run_delay_ns;
};

static long long proc_read_bytes(void) {
  char buf[1024];
  int fd = open("/proc/self/io", O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char *p = strstr(buf, "\nread_bytes:");
  return p ? atoll(p + 12) : -1;
}

static void thread_schedstat(long long *cpu_ns, long long *run_delay_ns) {
  char buf[128];
  *cpu_ns = *run_delay_ns = -1;
  int fd = open("/proc/thread-self/schedstat", O_RDONLY);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return;
  buf[n] = 0;
  sscanf(buf, "%lld %lld", cpu_ns, run_delay_ns);
}
static struct counts sample(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  struct counts c = {now_ns(), ru.ru_minflt, ru.ru_majflt, proc_read_bytes(), 0, 0};
  thread_schedstat(&c.cpu_ns, &c.run_delay_ns);
  return c;
}

static void emit_phase(const char *name, struct counts a, struct counts b, uint64_t touches) {
  emit("{\"ev\":\"phase\",\"name\":\"%s\",\"t0\":%llu,\"t1\":%llu,\"touches\":%llu,\"minflt\":%ld,\"majflt\":%ld,"
       "\"readBytes\":%lld,\"cpuNs\":%lld,\"runDelayNs\":%lld}",
       name, (unsigned long long)a.ns, (unsigned long long)b.ns, (unsigned long long)touches, b.minflt - a.minflt,
       b.majflt - a.majflt, b.read_bytes - a.read_bytes, b.cpu_ns - a.cpu_ns, b.run_delay_ns - a.run_delay_ns);
}

/* Periodic cumulative counters, at most every report_ns. */
struct reporter {
  uint64_t every_ns, next_ns;
  struct counts start;
};

static void report(struct reporter *r, uint64_t touches, const char *extra) {
  if (!r->every_ns) return;
  uint64_t t = now_ns();
  if (t < r->next_ns) return;
  r->next_ns = t + r->every_ns;
  struct counts c = sample();
  emit("{\"ev\":\"tick\",\"t\":%llu,\"touches\":%llu,\"minflt\":%ld,\"majflt\":%ld,\"readBytes\":%lld%s}",
       (unsigned long long)c.ns, (unsigned long long)touches, c.minflt - r->start.minflt, c.majflt - r->start.majflt,
       c.read_bytes - r->start.read_bytes, extra ? extra : "");
}

/* ---- random numbers and access patterns ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static uint64_t below(uint64_t n) { return (uint64_t)(((unsigned __int128)rnd() * n) >> 64); }
static double unit(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }

enum { SEQ, UNIFORM, ZIPF, HOTCOLD };
struct pattern {
  int kind;
  uint64_t n, pos, mult, hot;
  double alpha, hot_prob;
  double *cdf;
};

static uint64_t gcd(uint64_t a, uint64_t b) {
  while (b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* Popularity rank → page: a fixed bijection that spreads hot ranks over the address range. */
static uint64_t scatter(const struct pattern *p, uint64_t rank) {
  return (uint64_t)(((unsigned __int128)rank * p->mult) % p->n);
}

static struct pattern parse_pattern(const char *s, uint64_t n) {
  struct pattern p = {.n = n};
  p.mult = 2654435761ULL % n;
  if (p.mult == 0) p.mult = 1;
  while (gcd(p.mult, n) != 1) p.mult++;
  if (!strcmp(s, "seq")) p.kind = SEQ;
  else if (!strcmp(s, "uniform")) p.kind = UNIFORM;
  else if (!strncmp(s, "zipf:", 5)) {
    p.kind = ZIPF;
    p.alpha = atof(s + 5);
    p.cdf = malloc(n * sizeof(double));
    if (!p.cdf) die("no memory for the zipf table");
    double sum = 0;
    for (uint64_t i = 0; i < n; i++) p.cdf[i] = (sum += pow((double)(i + 1), -p.alpha));
    for (uint64_t i = 0; i < n; i++) p.cdf[i] /= sum;
  } else if (!strncmp(s, "hotcold:", 8)) {
    p.kind = HOTCOLD;
    double frac = atof(s + 8);
    const char *q = strchr(s + 8, ':');
    p.hot_prob = q ? atof(q + 1) : 0.8;
    p.hot = (uint64_t)(frac * (double)n);
    if (p.hot < 1) p.hot = 1;
    if (p.hot > n) p.hot = n;
  } else die("unknown pattern %s (seq, uniform, zipf:A, hotcold:F:P)", s);
  return p;
}

static uint64_t next_page(struct pattern *p) {
  switch (p->kind) {
  case SEQ:
    return p->pos++ % p->n;
  case UNIFORM:
    return below(p->n);
  case ZIPF: {
    double u = unit();
    uint64_t lo = 0, hi = p->n - 1;
    while (lo < hi) {
      uint64_t mid = (lo + hi) / 2;
      if (p->cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return scatter(p, lo);
  }
  default: {
    uint64_t cold = p->n - p->hot;
    uint64_t rank = (unit() < p->hot_prob || cold == 0) ? below(p->hot) : p->hot + below(cold);
    return scatter(p, rank);
  }
  }
}

/* ---- options ---- */

struct opts {
  const char *mode, *pattern, *path, *fmode, *order, *advice;
  double mib, seconds, steady, rate, rate_mib, cpu_us, think_us;
  long passes, k, report_ms;
  int drop;
  uint64_t seed;
};

static struct opts parse(int argc, char **argv) {
  struct opts o = {.pattern = "uniform", .fmode = "read", .order = "seq", .advice = "normal", .k = 16, .seed = 1};
  if (argc < 2) die("usage: probe anon|file|service|leak [options] (see probe.c)");
  o.mode = argv[1];
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--drop")) {
      o.drop = 1;
      continue;
    }
    if (!v) die("option %s needs a value", a);
    i++;
    if (!strcmp(a, "--mib")) o.mib = atof(v);
    else if (!strcmp(a, "--pattern")) o.pattern = v;
    else if (!strcmp(a, "--passes")) o.passes = atol(v);
    else if (!strcmp(a, "--seconds")) o.seconds = atof(v);
    else if (!strcmp(a, "--steady")) o.steady = atof(v);
    else if (!strcmp(a, "--rate")) o.rate = atof(v);
    else if (!strcmp(a, "--rate-mib")) o.rate_mib = atof(v);
    else if (!strcmp(a, "--report-ms")) o.report_ms = atol(v);
    else if (!strcmp(a, "--path")) o.path = v;
    else if (!strcmp(a, "--mode")) o.fmode = v;
    else if (!strcmp(a, "--order")) o.order = v;
    else if (!strcmp(a, "--advice")) o.advice = v;
    else if (!strcmp(a, "--k")) o.k = atol(v);
    else if (!strcmp(a, "--cpu-us")) o.cpu_us = atof(v);
    else if (!strcmp(a, "--think-us")) o.think_us = atof(v);
    else if (!strcmp(a, "--seed")) o.seed = strtoull(v, NULL, 10);
    else die("unknown option %s", a);
  }
  rng_state ^= o.seed * 0xd1b54a32d192ed03ULL;
  return o;
}

static char *map_anon(uint64_t pages) {
  char *m = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) die("mmap of %llu pages failed: %s", (unsigned long long)pages, strerror(errno));
  /* 4 KiB pages whatever the THP setting: the model's pages are 4 KiB. */
  madvise(m, pages * PAGE, MADV_NOHUGEPAGE);
  return m;
}

/* The first touch of every page, in address order. */
static void fill(char *m, uint64_t pages, struct reporter *r) {
  struct counts a = sample();
  for (uint64_t p = 0; p < pages; p++) {
    m[p * PAGE] = 1;
    if ((p & 255) == 0) report(r, p, NULL);
  }
  emit_phase("fill", a, sample(), pages);
}

static void sleep_until(uint64_t t_ns) {
  struct timespec ts = {(time_t)(t_ns / 1000000000ULL), (long)(t_ns % 1000000000ULL)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

/* ---- anon: fill, a first pass, then steady passes (a batch job is this with no end) ---- */

static int anon_main(struct opts o) {
  uint64_t n = (uint64_t)(o.mib * 1048576.0) / PAGE;
  struct pattern pat = parse_pattern(o.pattern, n);
  char *m = map_anon(n);
  struct reporter r = {.every_ns = (uint64_t)o.report_ms * 1000000ULL};
  r.start = sample();
  emit("{\"ev\":\"start\",\"t\":%llu,\"pid\":%d,\"pages\":%llu}", (unsigned long long)r.start.ns, getpid(),
       (unsigned long long)n);
  fill(m, n, &r);
  uint64_t total = n, t_start = now_ns(), deadline = o.seconds > 0 ? t_start + (uint64_t)(o.seconds * 1e9) : 0;
  for (long pass = 1; o.passes == 0 || pass <= o.passes; pass++) {
    struct counts a = sample();
    uint64_t i = 0;
    for (; i < n; i++) {
      m[next_page(&pat) * PAGE]++;
      if ((i & 63) == 63) {
        report(&r, total + i, NULL);
        if (o.rate > 0) {
          uint64_t due = t_start + (uint64_t)((double)(total + i - n) / o.rate * 1e9);
          if (due > now_ns() + 50000) sleep_until(due);
        }
        if (deadline && now_ns() >= deadline) break;
      }
    }
    total += i;
    char name[32];
    snprintf(name, sizeof name, "pass%ld", pass);
    emit_phase(name, a, sample(), i);
    if (deadline && now_ns() >= deadline) break;
  }
  if (o.steady > 0) {
    /* One phase of S seconds after the passes: a pass of a set that fits takes ~0.3 ms, too short
     * to time against the machine's hiccups, so the steady state is timed as a whole. */
    struct counts a = sample();
    uint64_t i = 0, until = a.ns + (uint64_t)(o.steady * 1e9);
    for (;; i++) {
      m[next_page(&pat) * PAGE]++;
      if ((i & 63) == 63) {
        report(&r, total + i, NULL);
        if (now_ns() >= until) break;
      }
    }
    total += i + 1;
    emit_phase("steady", a, sample(), i + 1);
  }
  emit("{\"ev\":\"end\",\"t\":%llu,\"touches\":%llu}", (unsigned long long)now_ns(), (unsigned long long)total);
  return 0;
}

/* ---- file: a reader of a file on disk through mmap or read(2) ---- */

static int file_main(struct opts o) {
  if (!o.path) die("file: --path is required");
  int fd = open(o.path, O_RDONLY);
  if (fd < 0) die("open %s: %s", o.path, strerror(errno));
  struct stat st;
  fstat(fd, &st);
  uint64_t n = (uint64_t)st.st_size / PAGE;
  if (n == 0) die("file %s is empty", o.path);
  int mmapped = !strcmp(o.fmode, "mmap");
  int seq = !strcmp(o.order, "seq");
  int madv = !strcmp(o.advice, "random") ? MADV_RANDOM : !strcmp(o.advice, "sequential") ? MADV_SEQUENTIAL : MADV_NORMAL;
  int fadv = madv == MADV_RANDOM       ? POSIX_FADV_RANDOM
             : madv == MADV_SEQUENTIAL ? POSIX_FADV_SEQUENTIAL
                                       : POSIX_FADV_NORMAL;
  char *map = mmap(NULL, n * PAGE, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) die("mmap %s: %s", o.path, strerror(errno));
  if (o.drop) { /* start cold: the file's clean pages leave the page cache */
    fdatasync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  }
  unsigned char *vec = malloc(n);
  uint64_t resident = 0;
  if (vec && mincore(map, n * PAGE, vec) == 0)
    for (uint64_t i = 0; i < n; i++) resident += vec[i] & 1;
  free(vec);
  if (mmapped) madvise(map, n * PAGE, madv);
  else posix_fadvise(fd, 0, 0, fadv);
  char page[PAGE];
  volatile unsigned long sink = 0;
  struct reporter r = {.every_ns = (uint64_t)o.report_ms * 1000000ULL};
  r.start = sample();
  emit("{\"ev\":\"start\",\"t\":%llu,\"pid\":%d,\"pages\":%llu,\"residentAtStart\":%llu}",
       (unsigned long long)r.start.ns, getpid(), (unsigned long long)n, (unsigned long long)resident);
  uint64_t total = 0, deadline = o.seconds > 0 ? r.start.ns + (uint64_t)(o.seconds * 1e9) : 0;
  for (long pass = 1; o.passes == 0 || pass <= o.passes; pass++) {
    struct counts a = sample();
    uint64_t i = 0;
    for (; i < n; i++) {
      uint64_t p = seq ? i : below(n);
      if (mmapped) sink += (unsigned char)map[p * PAGE];
      else if (pread(fd, page, PAGE, (off_t)(p * PAGE)) != (ssize_t)PAGE) die("pread: %s", strerror(errno));
      else sink += (unsigned char)page[0];
      if ((i & 63) == 63) {
        report(&r, total + i, NULL);
        if (deadline && now_ns() >= deadline) break;
      }
    }
    total += i;
    char name[32];
    snprintf(name, sizeof name, "pass%ld", pass);
    emit_phase(name, a, sample(), i);
    if (deadline && now_ns() >= deadline) break;
  }
  emit("{\"ev\":\"end\",\"t\":%llu,\"touches\":%llu}", (unsigned long long)now_ns(), (unsigned long long)total);
  return (int)(sink & 0);
}

/* ---- service: queries of K page touches over a working set; per-query latency histogram ---- */

/* Bucket i holds latencies in [1 µs · 2^(i/16), 1 µs · 2^((i+1)/16)): 4.4 % wide. */
#define BUCKETS 512
static int bucket(uint64_t ns) {
  if (ns < 1000) return 0;
  int i = (int)floor(16.0 * log2((double)ns / 1000.0));
  return i < 0 ? 0 : i >= BUCKETS ? BUCKETS - 1 : i;
}

static int service_main(struct opts o) {
  uint64_t n = (uint64_t)(o.mib * 1048576.0) / PAGE;
  if (o.rate <= 0 && o.think_us < 0) die("service: --rate R (open loop) or --think-us T (closed loop)");
  struct pattern pat = parse_pattern(o.pattern, n);
  char *m = map_anon(n);
  struct reporter none = {0};
  struct counts c0 = sample();
  emit("{\"ev\":\"start\",\"t\":%llu,\"pid\":%d,\"pages\":%llu}", (unsigned long long)c0.ns, getpid(),
       (unsigned long long)n);
  fill(m, n, &none);
  uint64_t every = (uint64_t)(o.report_ms > 0 ? o.report_ms : 100) * 1000000ULL;
  uint64_t start = now_ns(), deadline = start + (uint64_t)(o.seconds * 1e9), next_report = start + every;
  uint64_t arrival = start, queries = 0, max_ns = 0;
  static uint32_t hist[BUCKETS];
  struct counts last = sample();
  while (now_ns() < deadline) {
    uint64_t begin;
    if (o.rate > 0) { /* open loop: Poisson arrivals; latency counts the wait behind earlier queries */
      arrival += (uint64_t)(-log(1.0 - unit()) / o.rate * 1e9);
      begin = arrival;
      /* Woken early enough: the query starts when it wakes (the timer's own lateness is not the
       * service's); behind schedule: it waited in the queue since its arrival. */
      if (arrival > now_ns()) {
        sleep_until(arrival);
        begin = now_ns();
      }
    } else begin = now_ns();
    for (long j = 0; j < o.k; j++) m[next_page(&pat) * PAGE]++;
    if (o.cpu_us > 0) {
      uint64_t until = now_ns() + (uint64_t)(o.cpu_us * 1000.0);
      while (now_ns() < until) {
      }
    }
    uint64_t end = now_ns(), lat = end - begin;
    hist[bucket(lat)]++;
    if (lat > max_ns) max_ns = lat;
    queries++;
    if (end >= next_report || end >= deadline) {
      char h[12000];
      int len = 0;
      for (int b = 0; b < BUCKETS && len < (int)sizeof h - 32; b++)
        if (hist[b]) len += snprintf(h + len, sizeof h - (size_t)len, "%s[%d,%u]", len ? "," : "", b, hist[b]);
      h[len] = 0;
      struct counts c = sample();
      emit("{\"ev\":\"tick\",\"t\":%llu,\"queries\":%llu,\"minflt\":%ld,\"majflt\":%ld,\"maxNs\":%llu,\"hist\":[%s]}",
           (unsigned long long)c.ns, (unsigned long long)queries, c.minflt - last.minflt, c.majflt - last.majflt,
           (unsigned long long)max_ns, h);
      memset(hist, 0, sizeof hist);
      queries = 0;
      max_ns = 0;
      last = c;
      next_report = end + every;
    }
    if (o.rate <= 0 && o.think_us > 0) sleep_until(now_ns() + (uint64_t)(o.think_us * 1000.0));
  }
  emit("{\"ev\":\"end\",\"t\":%llu}", (unsigned long long)now_ns());
  return 0;
}

/* ---- leak: memory allocated and touched once, at a rate, until killed ---- */

static int leak_main(struct opts o) {
  if (o.rate_mib <= 0 || o.seconds <= 0) die("leak: --rate-mib and --seconds are required");
  uint64_t cap = (uint64_t)(o.rate_mib * o.seconds * 1048576.0) / PAGE + 1;
  char *m = map_anon(cap);
  struct reporter r = {.every_ns = (uint64_t)(o.report_ms > 0 ? o.report_ms : 100) * 1000000ULL};
  r.start = sample();
  emit("{\"ev\":\"start\",\"t\":%llu,\"pid\":%d}", (unsigned long long)r.start.ns, getpid());
  double per_ns = o.rate_mib * 1048576.0 / PAGE / 1e9;
  uint64_t done = 0;
  for (;;) {
    uint64_t t = now_ns();
    uint64_t due = (uint64_t)((double)(t - r.start.ns) * per_ns);
    if (due > cap) due = cap;
    for (; done < due; done++) m[done * PAGE] = 1;
    report(&r, done, NULL);
    if (done >= cap) break;
    sleep_until(t + 1000000ULL);
  }
  emit("{\"ev\":\"end\",\"t\":%llu,\"touches\":%llu}", (unsigned long long)now_ns(), (unsigned long long)done);
  return 0;
}

int main(int argc, char **argv) {
  prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the harness */
  prctl(PR_SET_TIMERSLACK, 1UL);     /* sleeps end on time, not up to 50 µs late */
  struct opts o = parse(argc, argv);
  if (!strcmp(o.mode, "anon")) return anon_main(o);
  if (!strcmp(o.mode, "file")) return file_main(o);
  if (!strcmp(o.mode, "service")) return service_main(o);
  if (!strcmp(o.mode, "leak")) return leak_main(o);
  die("unknown workload %s (anon, file, service, leak)", o.mode);
  return 2;
}
