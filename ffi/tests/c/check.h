/* Minimal assertions for the C tests: report file:line and keep going, so
 * one run lists every failure; main returns failures != 0. */
#ifndef MRRC_TEST_CHECK_H
#define MRRC_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mrrc.h>

static int failures = 0;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
            failures++;                                                        \
        }                                                                      \
    } while (0)

/* A call that must succeed; prints the last error otherwise. */
#define CHECK_OK(call)                                                         \
    do {                                                                       \
        MrrcStatus st_ = (call);                                               \
        if (st_ != MRRC_OK) {                                                  \
            char *m_ = mrrc_last_error_message();                              \
            fprintf(stderr, "%s:%d: %s returned %d (%s): %s\n", __FILE__,      \
                    __LINE__, #call, (int)st_, mrrc_status_name(st_),          \
                    m_ ? m_ : "(no message)");                                 \
            mrrc_string_free(m_);                                              \
            failures++;                                                        \
        }                                                                      \
    } while (0)

#define CHECK_STATUS(call, expected)                                           \
    do {                                                                       \
        MrrcStatus st_ = (call);                                               \
        if (st_ != (expected)) {                                               \
            fprintf(stderr, "%s:%d: %s returned %d, expected %s (%d)\n",       \
                    __FILE__, __LINE__, #call, (int)st_, #expected,            \
                    (int)(expected));                                          \
            failures++;                                                        \
        }                                                                      \
    } while (0)

/* Compares an owned string with an expected one (NULL means absent) and
 * frees it. */
#define CHECK_STR_FREE(owned, expected)                                        \
    do {                                                                       \
        char *s_ = (owned);                                                    \
        const char *e_ = (expected);                                           \
        if ((s_ == NULL) != (e_ == NULL) || (s_ && strcmp(s_, e_) != 0)) {     \
            fprintf(stderr, "%s:%d: %s gave \"%s\", expected \"%s\"\n",        \
                    __FILE__, __LINE__, #owned, s_ ? s_ : "(NULL)",            \
                    e_ ? e_ : "(NULL)");                                       \
            failures++;                                                        \
        }                                                                      \
        mrrc_string_free(s_);                                                  \
    } while (0)

/* Compares a borrowed MrrcStr with an expected C string (NULL = absent). */
static inline int str_eq(MrrcStr s, const char *expected) {
    if (expected == NULL) return s.ptr == NULL;
    return s.ptr != NULL && s.len == strlen(expected) &&
           memcmp(s.ptr, expected, s.len) == 0;
}

/* The last error message contains `needle`. */
static inline int last_error_mentions(const char *needle) {
    char *m = mrrc_last_error_message();
    int found = m != NULL && strstr(m, needle) != NULL;
    if (!found) fprintf(stderr, "  last error: %s\n", m ? m : "(NULL)");
    mrrc_string_free(m);
    return found;
}

static inline char *path_join(const char *dir, const char *file) {
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, file);
    return p;
}

/* Reads a whole file into memory (the caller frees it). */
static inline unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The data directory a test program takes as its one argument (returns 2
 * from main with a usage line when it is missing). */
#define TEST_DATA_DIR(argc, argv, dir)                                         \
    do {                                                                       \
        if ((argc) < 2) {                                                      \
            fprintf(stderr, "usage: %s DATA_DIR\n", (argv)[0]);               \
            return 2;                                                          \
        }                                                                      \
        (dir) = (argv)[1];                                                     \
    } while (0)

#define TEST_MAIN_END()                                                        \
    do {                                                                       \
        if (failures) fprintf(stderr, "%d check(s) failed\n", failures);       \
        return failures != 0;                                                  \
    } while (0)

#endif
