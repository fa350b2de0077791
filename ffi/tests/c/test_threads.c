/* Several threads, each with its own reader over the same file, get
 * exactly what one thread gets; one record shared read-only between threads
 * answers the same everywhere; the last error is per thread. */
#include <pthread.h>

#include "check.h"

#define THREADS 4
#define PASSES 20

static const char *data_dir;

/* A digest of everything read: FNV-1a over every title, field count and the
 * JSON of every record, PASSES times over the file. */
typedef struct {
    uint64_t digest;
    size_t records;
    int errors;
} Summary;

static void mix(uint64_t *h, const void *data, size_t len) {
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) *h = (*h ^ p[i]) * 1099511628211u;
}

static void *read_all(void *arg) {
    Summary *s = arg;
    s->digest = 14695981039346656037u;
    char *path = path_join(data_dir, "pymarc_test_camel.mrc");
    for (int pass = 0; pass < PASSES; pass++) {
        MrrcReader *reader = NULL;
        if (mrrc_reader_open_path(path, NULL, &reader) != MRRC_OK) {
            s->errors++;
            break;
        }
        MrrcRecord *batch[3];
        size_t n = 0;
        while (mrrc_reader_next_batch(reader, batch, 3, &n) == MRRC_OK && n > 0) {
            for (size_t i = 0; i < n; i++) {
                char *title = mrrc_record_title(batch[i]);
                char *json = mrrc_record_to_json(batch[i]);
                size_t fields = mrrc_record_field_count(batch[i]);
                if (title) mix(&s->digest, title, strlen(title));
                if (json) mix(&s->digest, json, strlen(json));
                mix(&s->digest, &fields, sizeof fields);
                mrrc_string_free(title);
                mrrc_string_free(json);
                mrrc_record_free(batch[i]);
                s->records++;
            }
        }
        mrrc_reader_free(reader);
    }
    /* A failure on this thread sets this thread's last error only. */
    MrrcRecord *none = NULL;
    if (mrrc_reader_next(NULL, &none) != MRRC_NULL_ARGUMENT) s->errors++;
    if (mrrc_last_error_status() != MRRC_NULL_ARGUMENT) s->errors++;
    free(path);
    return NULL;
}

typedef struct {
    const MrrcRecord *record;
    int mismatches;
} Shared;

static void *query_shared(void *arg) {
    Shared *s = arg;
    for (int i = 0; i < 200; i++) {
        char *title = mrrc_record_title(s->record);
        if (!title || strcmp(title, "ActivePerl with ASP and ADO /") != 0) s->mismatches++;
        mrrc_string_free(title);
        const MrrcField *f = mrrc_record_get_field(s->record, "020");
        if (!str_eq(mrrc_field_get(f, 'a'), "0471383147 (paper/cd-rom : alk. paper)")) s->mismatches++;
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    data_dir = argv[1];

    Summary alone = {0};
    read_all(&alone);
    CHECK(alone.records == 10 * PASSES && alone.errors == 0);

    pthread_t threads[THREADS];
    Summary each[THREADS];
    memset(each, 0, sizeof each);
    mrrc_last_error_clear();
    for (int t = 0; t < THREADS; t++) CHECK(pthread_create(&threads[t], NULL, read_all, &each[t]) == 0);
    for (int t = 0; t < THREADS; t++) CHECK(pthread_join(threads[t], NULL) == 0);
    for (int t = 0; t < THREADS; t++) {
        CHECK(each[t].records == alone.records);
        CHECK(each[t].digest == alone.digest);
        CHECK(each[t].errors == 0);
    }
    /* The threads' failures did not touch this thread's last error. */
    CHECK(mrrc_last_error_status() == MRRC_OK);

    char *path = path_join(data_dir, "pymarc_one.mrc");
    MrrcReader *reader = NULL;
    MrrcRecord *record = NULL;
    CHECK_OK(mrrc_reader_open_path(path, NULL, &reader));
    CHECK_OK(mrrc_reader_next(reader, &record));
    mrrc_reader_free(reader);
    free(path);
    Shared shared[THREADS];
    for (int t = 0; t < THREADS; t++) {
        shared[t].record = record;
        shared[t].mismatches = 0;
        CHECK(pthread_create(&threads[t], NULL, query_shared, &shared[t]) == 0);
    }
    for (int t = 0; t < THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
        CHECK(shared[t].mismatches == 0);
    }
    mrrc_record_free(record);
    TEST_MAIN_END();
}
