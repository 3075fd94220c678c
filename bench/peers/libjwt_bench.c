/* libjwt_bench: the verify and sign loops of tock-bench, in Debian's libjwt
 * (1.x API: jwt_decode / jwt_encode_str), on bench/compare's fixtures.
 *
 *   libjwt_bench FIXTURES_DIR SECONDS_PER_ALG REPS ALG...
 *
 * Verify = jwt_decode with the key (signature) + the checks tock's validator
 * makes: alg, iss, aud, exp and nbf with 300 s skew. Sign = jwt_encode_str of
 * a jwt_t prepared once with the standard claims (libjwt parses the PEM key
 * on every call; that is its design, measured as is). Prints one JSON object;
 * algorithms libjwt 1.x lacks (PS256, EdDSA) are null. */
#include <errno.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char* read_file(const char* dir, const char* name, size_t* len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* buf = malloc((size_t)size + 1);
  if (fread(buf, 1, (size_t)size, f) != (size_t)size) size = 0;
  buf[size] = '\0';
  fclose(f);
  if (len) *len = (size_t)size;
  return buf;
}

static long json_number(const char* json, const char* name) {
  char key[64];
  snprintf(key, sizeof key, "\"%s\":", name);
  const char* p = strstr(json, key);
  return p ? strtol(p + strlen(key), NULL, 10) : 0;
}

/* now_s reads the process's CPU time: tock-bench's figures are per CPU
 * second too, which keeps both honest on a machine shared with other work. */
static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct fixture {
  const char* alg_name;
  jwt_alg_t alg;
  char* token;
  unsigned char* verify_key;
  size_t verify_key_len;
  unsigned char* sign_key;
  size_t sign_key_len;
  char* kid;
  long now, iat, nbf, exp;
};

static const char* kIssuer = "https://issuer.example.com";
static const char* kAudience = "https://api.example.com";
static const long kSkew = 300;

static int verify_once(const struct fixture* f) {
  jwt_t* jwt = NULL;
  if (jwt_decode(&jwt, f->token, f->verify_key, (int)f->verify_key_len) != 0) return 0;
  int ok = jwt_get_alg(jwt) == f->alg;
  const char* iss = jwt_get_grant(jwt, "iss");
  const char* aud = jwt_get_grant(jwt, "aud");
  ok = ok && iss && strcmp(iss, kIssuer) == 0 && aud && strcmp(aud, kAudience) == 0;
  errno = 0;
  long exp = jwt_get_grant_int(jwt, "exp");
  ok = ok && errno == 0 && f->now < exp + kSkew;
  errno = 0;
  long nbf = jwt_get_grant_int(jwt, "nbf");
  ok = ok && (errno == ENOENT || (errno == 0 && nbf <= f->now + kSkew));
  jwt_free(jwt);
  return ok;
}

static jwt_t* prepared;

static int sign_once(const struct fixture* f) {
  (void)f;
  char* out = jwt_encode_str(prepared);
  if (!out) return 0;
  free(out);
  return 1;
}

static jwt_t* prepare(const struct fixture* f) {
  jwt_t* jwt = NULL;
  if (jwt_new(&jwt) != 0) return NULL;
  jwt_add_header(jwt, "kid", f->kid);
  jwt_add_grant(jwt, "iss", kIssuer);
  jwt_add_grant(jwt, "sub", "service-client-42");
  jwt_add_grant(jwt, "aud", kAudience);
  jwt_add_grant_int(jwt, "iat", f->iat);
  jwt_add_grant_int(jwt, "nbf", f->nbf);
  jwt_add_grant_int(jwt, "exp", f->exp);
  jwt_add_grant(jwt, "jti", "b3KpR1xZq9Tf0cWm4LhE2A");
  jwt_add_grant(jwt, "scope", "read:data write:data");
  if (jwt_set_alg(jwt, f->alg, f->sign_key, (int)f->sign_key_len) != 0) {
    jwt_free(jwt);
    return NULL;
  }
  return jwt;
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/* measure runs |op| for |reps| slices of |seconds| / |reps| each and prints
 * {"ops_per_s": median, "reps": [...]}; null when the op fails. */
static void measure(int (*op)(const struct fixture*), const struct fixture* f, double seconds,
                    int reps) {
  if (!op(f)) {
    printf("null");
    return;
  }
  long batch = 1;
  for (;;) { /* calibrate: a batch of about 5 ms */
    double t0 = now_s();
    for (long i = 0; i < batch; ++i) op(f);
    if (now_s() - t0 > 0.005 || batch > (1L << 24)) break;
    batch *= 2;
  }
  /* Warm-up, discarded, as in the other peers (caches, CPU frequency). */
  double warm = now_s(), slice = seconds / reps > 0.3 ? seconds / reps : 0.3;
  while (now_s() - warm < slice) {
    for (long i = 0; i < batch; ++i) op(f);
  }
  double rates[64];
  if (reps > 64) reps = 64;
  for (int r = 0; r < reps; ++r) {
    long n = 0;
    double t0 = now_s(), elapsed = 0;
    do {
      for (long i = 0; i < batch; ++i) {
        if (!op(f)) {
          printf("null");
          return;
        }
      }
      n += batch;
      elapsed = now_s() - t0;
    } while (elapsed < seconds / reps);
    rates[r] = (double)n / elapsed;
  }
  double sorted[64];
  memcpy(sorted, rates, sizeof(double) * (size_t)reps);
  qsort(sorted, (size_t)reps, sizeof(double), cmp_double);
  printf("{\"ops_per_s\":%.1f,\"reps\":[", sorted[reps / 2]);
  for (int r = 0; r < reps; ++r) printf("%s%.1f", r ? "," : "", rates[r]);
  printf("]}");
}

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s FIXTURES_DIR SECONDS_PER_ALG REPS ALG...\n", argv[0]);
    return 2;
  }
  const char* dir = argv[1];
  const double seconds = atof(argv[2]);
  const int reps = atoi(argv[3]);
  char* meta = read_file(dir, "meta.json", NULL);
  char* claims = read_file(dir, "claims.json", NULL);
  if (!meta || !claims) {
    fprintf(stderr, "libjwt_bench: no fixtures in %s\n", dir);
    return 2;
  }
  for (int pass = 0; pass < 2; ++pass) {
    printf(pass == 0 ? "{\"peer\":\"libjwt\",\"verify\":{" : "},\"sign\":{");
    for (int i = 4; i < argc; ++i) {
      struct fixture f = {0};
      char name[256];
      f.alg_name = argv[i];
      f.alg = jwt_str_alg(argv[i]);
      f.now = json_number(meta, "now");
      f.iat = json_number(claims, "iat");
      f.nbf = json_number(claims, "nbf");
      f.exp = json_number(claims, "exp");
      printf("%s\"%s\":", i > 4 ? "," : "", argv[i]);
      if (f.alg == JWT_ALG_INVAL || f.alg == JWT_ALG_NONE) {
        printf("null");
        continue;
      }
      snprintf(name, sizeof name, "%s.token", argv[i]);
      f.token = read_file(dir, name, NULL);
      snprintf(name, sizeof name, "%s.kid", argv[i]);
      f.kid = read_file(dir, name, NULL);
      snprintf(name, sizeof name, "%s.key", argv[i]);
      f.sign_key = (unsigned char*)read_file(dir, name, &f.sign_key_len);
      if (strncmp(argv[i], "HS", 2) == 0) {
        f.verify_key = f.sign_key;
        f.verify_key_len = f.sign_key_len;
      } else {
        snprintf(name, sizeof name, "%s.pub.pem", argv[i]);
        f.verify_key = (unsigned char*)read_file(dir, name, &f.verify_key_len);
      }
      if (!f.token || !f.kid || !f.sign_key || !f.verify_key) {
        printf("null");
        continue;
      }
      if (pass == 0) {
        measure(verify_once, &f, seconds, reps);
      } else {
        prepared = prepare(&f);
        if (prepared) {
          measure(sign_once, &f, seconds, reps);
          jwt_free(prepared);
        } else {
          printf("null");
        }
      }
      fflush(stdout);
    }
  }
  printf("}}\n");
  return 0;
}
