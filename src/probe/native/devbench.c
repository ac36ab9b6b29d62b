/*
 * devbench: the swap device's service as the model describes it (docs/kernel.md, "The swap
 * device"): 4 KiB random reads and writes one at a time (latency), large sequential reads and
 * writes (bandwidth), 4 KiB random reads from several threads at once (how many requests
 * the device serves in parallel), and sequential reads the size of the requests file
 * readahead makes (readahead bandwidth). O_DIRECT, so the page cache is not measured.
 *
 *   devbench <file> <bytes> [readahead request bytes]
 *                                the file is created, filled, measured and left for the caller
 *
 * Prints one JSON line: readLatencyUs, writeLatencyUs (medians), readBandwidthBps,
 * writeBandwidthBps, parallelIops (8 threads), serialIops (1 thread), readaheadBps,
 * readaheadHugeBuffer and completionGap (see completion_gap).
 *
 * Why readahead needs its own figure: page-cache readahead (`page_cache_ra_unbounded`)
 * fills large folios and blk-mq merges its bios into requests of up to max_sectors_kb. An
 * O_DIRECT read from an ordinary buffer is split at the device's segment limit (4 KiB pages:
 * 512 KiB requests on the lab's virtio disk), so readBandwidthBps measures those. A buffer on
 * transparent huge pages gives physically contiguous segments, so the device sees requests of
 * the size readahead makes; two are kept in flight, as an 8 MiB window of two 4 MiB requests
 * does. readaheadHugeBuffer says whether the buffer got huge pages (THP never/unavailable:
 * then the figure is of split requests, like readBandwidthBps).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define BIG (1 << 20)
#define THREADS 8

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static uint64_t rng_state = 88172645463325252ULL;
static uint64_t xorshift(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static int fd;
static off_t pages;

/** Median µs of `n` random single-page reads (or writes) one after another. */
static double random_io(int n, int write) {
  double *t = malloc(sizeof(double) * n);
  void *buf;
  if (posix_memalign(&buf, PAGE, PAGE)) die("posix_memalign");
  memset(buf, 7, PAGE);
  for (int i = 0; i < n; i++) {
    off_t off = (off_t)(xorshift(&rng_state) % pages) * PAGE;
    double t0 = now_us();
    ssize_t r = write ? pwrite(fd, buf, PAGE, off) : pread(fd, buf, PAGE, off);
    if (r != PAGE) die(write ? "pwrite" : "pread");
    t[i] = now_us() - t0;
  }
  qsort(t, n, sizeof(double), cmp_double);
  double m = t[n / 2];
  free(t);
  free(buf);
  return m;
}

/** Bytes per second of sequential 1 MiB reads (or writes) over the file. */
static double sequential_io(int write) {
  void *buf;
  if (posix_memalign(&buf, PAGE, BIG)) die("posix_memalign");
  memset(buf, 3, BIG);
  off_t size = pages * PAGE;
  double t0 = now_us();
  for (off_t off = 0; off + BIG <= size; off += BIG) {
    ssize_t r = write ? pwrite(fd, buf, BIG, off) : pread(fd, buf, BIG, off);
    if (r != BIG) die(write ? "pwrite" : "pread");
  }
  double us = now_us() - t0;
  free(buf);
  return (double)(size / BIG) * BIG / (us / 1e6);
}

struct job {
  int n;
  uint64_t seed;
};

static void *reader(void *arg) {
  struct job *j = arg;
  void *buf;
  if (posix_memalign(&buf, PAGE, PAGE)) die("posix_memalign");
  for (int i = 0; i < j->n; i++) {
    off_t off = (off_t)(xorshift(&j->seed) % pages) * PAGE;
    if (pread(fd, buf, PAGE, off) != PAGE) die("pread");
  }
  free(buf);
  return NULL;
}

/** Random single-page reads per second from `threads` threads at once. */
static double parallel_reads(int threads, int each) {
  pthread_t tid[THREADS];
  struct job jobs[THREADS];
  double t0 = now_us();
  for (int i = 0; i < threads; i++) {
    jobs[i].n = each;
    jobs[i].seed = 0x9e3779b97f4a7c15ULL * (i + 1);
    if (pthread_create(&tid[i], NULL, reader, &jobs[i])) die("pthread_create");
  }
  for (int i = 0; i < threads; i++) pthread_join(tid[i], NULL);
  return threads * each / ((now_us() - t0) / 1e6);
}

/* ---- readahead-sized sequential reads ---- */

static char *ra_buf;
static long long ra_req;
static off_t ra_next, ra_end;
static pthread_mutex_t ra_lock = PTHREAD_MUTEX_INITIALIZER;

static void *ra_reader(void *arg) {
  char *buf = arg;
  for (;;) {
    pthread_mutex_lock(&ra_lock);
    off_t off = ra_next;
    ra_next += ra_req;
    pthread_mutex_unlock(&ra_lock);
    if (off + ra_req > ra_end) break;
    if (pread(fd, buf, ra_req, off) != ra_req) die("pread (readahead)");
  }
  return NULL;
}

/** Whether this process's anonymous memory includes at least `bytes` of huge pages. */
static int huge_backed(long long bytes) {
  FILE *f = fopen("/proc/self/smaps_rollup", "r");
  if (!f) return 0;
  char line[256];
  long long kb = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "AnonHugePages: %lld kB", &kb) == 1) break;
  fclose(f);
  return kb * 1024 >= bytes;
}

/**
 * Bytes per second of sequential reads of `req` bytes with two in flight, from buffers on
 * huge pages: the median of 8 passes over the file.
 */
static double readahead_bw(long long req, int *huge) {
  const int depth = 2, passes = 8;
  ra_req = req;
  size_t len = (size_t)req * depth;
  ra_buf = mmap(NULL, len + (2 << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ra_buf == MAP_FAILED) die("mmap");
  char *aligned = (char *)(((uintptr_t)ra_buf + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
  madvise(aligned, len, MADV_HUGEPAGE);
  memset(aligned, 5, len);
  *huge = huge_backed((long long)len);
  ra_end = (pages * PAGE / req) * req;
  double t[8];
  for (int p = 0; p < passes; p++) {
    pthread_t tid[2];
    ra_next = 0;
    double t0 = now_us();
    for (int i = 0; i < depth; i++)
      if (pthread_create(&tid[i], NULL, ra_reader, aligned + (size_t)i * req)) die("pthread_create");
    for (int i = 0; i < depth; i++) pthread_join(tid[i], NULL);
    t[p] = (double)ra_end / ((now_us() - t0) / 1e6);
  }
  munmap(ra_buf, len + (2 << 20));
  qsort(t, passes, sizeof(double), cmp_double);
  return (t[passes / 2 - 1] + t[passes / 2]) / 2;
}

/* ---- completions: one per request, or all when the queue drains ---- */

struct timed_read {
  char *buf;
  off_t off;
  double start_us, done_us;
};

static void *timed_reader(void *arg) {
  struct timed_read *r = arg;
  while (now_us() < r->start_us) {
  }
  if (pread(fd, r->buf, ra_req, r->off) != ra_req) die("pread (completion)");
  r->done_us = now_us();
  return NULL;
}

/**
 * How far apart two readahead-sized reads complete when the second is queued halfway through
 * the first, in units of one read's own time: about 1 on a device that completes each request
 * when it is done (FIFO), 0.5 on one that serves both at once, about 0 on one that signals
 * completions only when its queue drains (a virtio backend that serves the ring until it is
 * empty and then interrupts once). Median of 9 pairs, after 9 single reads for the unit.
 */
static double completion_gap(long long req) {
  const int n = 9;
  ra_req = req;
  size_t len = (size_t)req * 2;
  char *mem = mmap(NULL, len + (2 << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) die("mmap");
  char *aligned = (char *)(((uintptr_t)mem + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
  madvise(aligned, len, MADV_HUGEPAGE);
  memset(aligned, 5, len);
  long long slots = pages * PAGE / req;
  double one[9], gap[9];
  for (int i = 0; i < n; i++) {
    struct timed_read r = {aligned, (off_t)((i % slots) * req), now_us(), 0};
    timed_reader(&r);
    one[i] = r.done_us - r.start_us;
  }
  qsort(one, n, sizeof(double), cmp_double);
  double unit = one[n / 2];
  for (int i = 0; i < n; i++) {
    double t0 = now_us() + 500;
    struct timed_read a = {aligned, (off_t)(((2 * i) % slots) * req), t0, 0};
    struct timed_read b = {aligned + req, (off_t)(((2 * i + 1) % slots) * req), t0 + unit / 2, 0};
    pthread_t ta, tb;
    if (pthread_create(&ta, NULL, timed_reader, &a) || pthread_create(&tb, NULL, timed_reader, &b)) die("pthread_create");
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    gap[i] = (b.done_us - a.done_us) / unit;
  }
  munmap(mem, len + (2 << 20));
  qsort(gap, n, sizeof(double), cmp_double);
  return gap[n / 2];
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: devbench <file> <bytes> [readahead request bytes]\n");
    return 2;
  }
  long long raReq = argc == 4 ? atoll(argv[3]) : 4 << 20;
  if (raReq < PAGE || raReq % PAGE) {
    fprintf(stderr, "devbench: the readahead request must be a whole number of pages\n");
    return 2;
  }
  long long bytes = atoll(argv[2]);
  pages = bytes / PAGE;
  if (pages < 1024 || pages * PAGE < 4 * raReq) {
    fprintf(stderr, "devbench: need at least 4 MiB and 4 readahead requests\n");
    return 2;
  }
  fd = open(argv[1], O_RDWR | O_CREAT | O_DIRECT, 0600);
  if (fd < 0) die("open");
  /* Fill the file so that reads hit allocated blocks. */
  double writeBw = sequential_io(1);
  double readBw = sequential_io(0);
  double readUs = random_io(2000, 0);
  double writeUs = random_io(1000, 1);
  double serial = parallel_reads(1, 2000);
  double parallel = parallel_reads(THREADS, 500);
  int huge = 0;
  double raBw = readahead_bw(raReq, &huge);
  double gap = completion_gap(raReq);
  close(fd);
  printf("{\"readLatencyUs\":%.1f,\"writeLatencyUs\":%.1f,\"readBandwidthBps\":%.0f,\"writeBandwidthBps\":%.0f,"
         "\"serialIops\":%.0f,\"parallelIops\":%.0f,\"readaheadBps\":%.0f,\"readaheadHugeBuffer\":%s,"
         "\"completionGap\":%.3f}\n",
         readUs, writeUs, readBw, writeBw, serial, parallel, raBw, huge ? "true" : "false", gap);
  return 0;
}
