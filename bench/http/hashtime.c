/* One password hash at a time per thread, with the parameters Portcullis uses (libsodium, the
 * library the server links):
 *   argon2id: crypto_pwhash_str_alg, 2 passes, 19 MiB (Portcullis's default)
 *   scrypt:   crypto_pwhash_scryptsalsa208sha256_ll, N=16384 r=16 p=1 dkLen=64 (BetterAuth's)
 *
 *   hashtime ALG THREADS N      each of THREADS threads hashes N times
 *
 * Prints one JSON line: every hash's time in ms, the wall time, and the process's peak RSS
 * (VmHWM) and its RSS before hashing, in KiB. Built by bench.mjs: cc -O2 hashtime.c -lsodium. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *alg;
static int per_thread;
static double *times;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long status_kib(const char *key) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = -1;
  while (f && fgets(line, sizeof line, f)) {
    if (strncmp(line, key, strlen(key)) == 0) v = atol(line + strlen(key));
  }
  if (f) fclose(f);
  return v;
}

static void *run(void *arg) {
  int t = (int)(long)arg;
  const char *pw = "Xk3-pq9Lm2-Vz8Rt5Ws1";
  for (int i = 0; i < per_thread; i++) {
    double t0 = now_ms();
    if (strcmp(alg, "argon2id") == 0) {
      char out[crypto_pwhash_STRBYTES];
      if (crypto_pwhash_str_alg(out, pw, strlen(pw), 2, 19u * 1024 * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) abort();
    } else {
      unsigned char salt[16], key[64];
      char salt_hex[33];
      randombytes_buf(salt, sizeof salt);
      sodium_bin2hex(salt_hex, sizeof salt_hex, salt, sizeof salt);
      if (crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)pw, strlen(pw), (const uint8_t *)salt_hex, 32,
                                                16384, 16, 1, key, sizeof key) != 0) abort();
    }
    times[t * per_thread + i] = now_ms() - t0;
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4 || sodium_init() < 0) return 2;
  alg = argv[1];
  int threads = atoi(argv[2]);
  per_thread = atoi(argv[3]);
  times = calloc((size_t)threads * per_thread, sizeof *times);
  long rss0 = status_kib("VmRSS:");
  pthread_t th[64];
  double t0 = now_ms();
  for (int t = 0; t < threads; t++) pthread_create(&th[t], NULL, run, (void *)(long)t);
  for (int t = 0; t < threads; t++) pthread_join(th[t], NULL);
  double wall = now_ms() - t0;
  printf("{\"alg\":\"%s\",\"threads\":%d,\"wall_ms\":%.3f,\"rss_before_kib\":%ld,\"hwm_kib\":%ld,\"times_ms\":[", alg,
         threads, wall, rss0, status_kib("VmHWM:"));
  for (int i = 0; i < threads * per_thread; i++) printf("%s%.3f", i ? "," : "", times[i]);
  printf("]}\n");
  return 0;
}
