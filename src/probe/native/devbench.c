/*
 * devbench: the swap device's service as the model describes it (docs/kernel.md, "The swap
 * device"): 4 KiB random reads and writes one at a time (latency), large sequential reads and
 * writes (bandwidth), and 4 KiB random reads from several threads at once (how many requests
 * the device serves in parallel). O_DIRECT, so the page cache is not measured.
 *
 *   devbench <file> <bytes>      the file is created, filled, measured and left for the caller
 *
 * Prints one JSON line: readLatencyUs, writeLatencyUs (medians), readBandwidthBps,
 * writeBandwidthBps, parallelIops (8 threads) and serialIops (1 thread).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: devbench <file> <bytes>\n");
    return 2;
  }
  long long bytes = atoll(argv[2]);
  pages = bytes / PAGE;
  if (pages < 1024) {
    fprintf(stderr, "devbench: need at least 4 MiB\n");
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
  close(fd);
  printf("{\"readLatencyUs\":%.1f,\"writeLatencyUs\":%.1f,\"readBandwidthBps\":%.0f,\"writeBandwidthBps\":%.0f,"
         "\"serialIops\":%.0f,\"parallelIops\":%.0f}\n",
         readUs, writeUs, readBw, writeBw, serial, parallel);
  return 0;
}
