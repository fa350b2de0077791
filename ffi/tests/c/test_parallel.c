/* The parallel reader (mrrc_reader_*_parallel) gives, in file order,
 * exactly what the streaming reader gives: the same records, the same
 * errors (status, message with record index and byte offset), the same raw
 * bytes and offsets of every record, with and without pymarc's checks, from
 * a path, a buffer and a read callback, through every next call. */
#include "check.h"

static const char *data_dir;

/* One record or error as the reader reported it. */
typedef struct {
    MrrcStatus status;
    char *json;    /* the record's MARC-in-JSON, or the error message */
    unsigned char *bytes; /* mrrc_reader_last_record_bytes */
    size_t bytes_len;
    uint64_t offset; /* mrrc_reader_last_record_offset */
} Item;

typedef struct {
    Item items[64];
    size_t count;
} Outcome;

static void outcome_free(Outcome *o) {
    for (size_t i = 0; i < o->count; i++) {
        mrrc_string_free(o->items[i].json);
        free(o->items[i].bytes);
    }
    o->count = 0;
}

static void note(Outcome *o, MrrcReader *reader, MrrcStatus status, MrrcRecord *record) {
    if (o->count == sizeof o->items / sizeof o->items[0]) return;
    Item *it = &o->items[o->count++];
    it->status = status;
    it->json = record ? mrrc_record_to_json(record) : mrrc_last_error_message();
    MrrcBytes b = mrrc_reader_last_record_bytes(reader);
    it->bytes_len = b.len;
    it->bytes = malloc(b.len ? b.len : 1);
    if (b.len) memcpy(it->bytes, b.ptr, b.len);
    it->offset = 0;
    CHECK_OK(mrrc_reader_last_record_offset(reader, &it->offset));
}

/* Everything a reader yields through mrrc_reader_next (a bad record does
 * not end the reading; the end is MRRC_OK with NULL). */
static void read_one_by_one(MrrcReader *reader, Outcome *o) {
    for (int guard = 0; guard < 1000; guard++) {
        MrrcRecord *record = NULL;
        MrrcStatus st = mrrc_reader_next(reader, &record);
        if (st == MRRC_OK && record == NULL) return;
        note(o, reader, st, record);
        mrrc_record_free(record);
        if (st == MRRC_IO) return;
    }
}

/* The same through mrrc_reader_next_batch_chunks (batches of 3): each
 * record's bytes are its slice of the batch bytes. */
static void read_in_batches(MrrcReader *reader, Outcome *o) {
    for (int guard = 0; guard < 1000; guard++) {
        MrrcRecord *batch[3];
        size_t ends[3];
        size_t n = 0;
        MrrcStatus st = mrrc_reader_next_batch_chunks(reader, batch, ends, 3, &n);
        if (st != MRRC_OK) {
            note(o, reader, st, NULL);
            if (st == MRRC_IO) return;
            continue;
        }
        if (n == 0) return;
        MrrcBytes all = mrrc_reader_batch_bytes(reader);
        for (size_t i = 0; i < n; i++) {
            if (o->count == sizeof o->items / sizeof o->items[0]) {
                mrrc_record_free(batch[i]);
                continue;
            }
            size_t start = i ? ends[i - 1] : 0;
            Item *it = &o->items[o->count++];
            it->status = MRRC_OK;
            it->json = mrrc_record_to_json(batch[i]);
            it->bytes_len = ends[i] - start;
            it->bytes = malloc(it->bytes_len ? it->bytes_len : 1);
            if (it->bytes_len) memcpy(it->bytes, all.ptr + start, it->bytes_len);
            /* Not compared: after a batch that met the end of the input,
             * the streaming reader no longer has a last record. */
            it->offset = (uint64_t)-1;
            mrrc_record_free(batch[i]);
        }
    }
}

static void check_same(const Outcome *want, const Outcome *got, const char *what) {
    CHECK(want->count == got->count);
    if (want->count != got->count) {
        fprintf(stderr, "  %s: %zu items, expected %zu\n", what, got->count, want->count);
        return;
    }
    for (size_t i = 0; i < want->count; i++) {
        const Item *a = &want->items[i], *b = &got->items[i];
        int same = a->status == b->status && a->json && b->json && strcmp(a->json, b->json) == 0 &&
                   a->bytes_len == b->bytes_len && memcmp(a->bytes, b->bytes, a->bytes_len) == 0 &&
                   (b->offset == (uint64_t)-1 || a->offset == b->offset);
        CHECK(same);
        if (!same)
            fprintf(stderr, "  %s: item %zu differs: status %d vs %d, bytes %zu vs %zu, offset %llu vs %llu\n  %s\n  %s\n",
                    what, i, (int)b->status, (int)a->status, b->bytes_len, a->bytes_len,
                    (unsigned long long)b->offset, (unsigned long long)a->offset,
                    b->json ? b->json : "(NULL)", a->json ? a->json : "(NULL)");
    }
}

typedef struct {
    const unsigned char *data;
    size_t len, pos;
} Memory;

static int32_t read_memory(void *userdata, uint8_t *buf, size_t len, size_t *read) {
    Memory *m = userdata;
    size_t n = m->len - m->pos < len ? m->len - m->pos : len;
    /* Small reads, so that chunks are assembled from many calls. */
    if (n > 1000) n = 1000;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    *read = n;
    return 0;
}

enum Source { FROM_PATH, FROM_BYTES, FROM_CALLBACK };

static MrrcReader *open_reader(enum Source source, const char *path, const unsigned char *data,
                               size_t len, Memory *memory, const MrrcReadOptions *options,
                               int parallel, size_t threads) {
    MrrcReader *reader = NULL;
    MrrcStatus st = MRRC_OK;
    switch (source) {
    case FROM_PATH:
        st = parallel ? mrrc_reader_open_path_parallel(path, options, threads, &reader)
                      : mrrc_reader_open_path(path, options, &reader);
        break;
    case FROM_BYTES:
        st = parallel ? mrrc_reader_from_bytes_parallel(data, len, options, threads, &reader)
                      : mrrc_reader_from_bytes(data, len, options, &reader);
        break;
    case FROM_CALLBACK:
        memory->data = data;
        memory->len = len;
        memory->pos = 0;
        st = parallel ? mrrc_reader_from_callback_parallel(read_memory, memory, options, threads, &reader)
                      : mrrc_reader_from_callback(read_memory, memory, options, &reader);
        break;
    }
    CHECK_OK(st);
    return reader;
}

static void compare_file(const char *file, MrrcMode mode, int pymarc_checks) {
    char *path = path_join(data_dir, file);
    size_t len = 0;
    unsigned char *data = slurp(path, &len);
    CHECK(data != NULL);
    MrrcReadOptions options = mrrc_read_options_default();
    options.mode = mode;
    Memory memory;

    Outcome want = {0};
    MrrcReader *stream = open_reader(FROM_PATH, path, data, len, &memory, &options, 0, 0);
    if (pymarc_checks) CHECK_OK(mrrc_reader_set_pymarc_checks(stream, 1));
    read_one_by_one(stream, &want);
    mrrc_reader_free(stream);
    CHECK(want.count > 0);

    for (enum Source source = FROM_PATH; source <= FROM_CALLBACK; source++) {
        for (size_t threads = 0; threads <= 3; threads++) {
            char what[160];
            snprintf(what, sizeof what, "%s mode %u checks %d source %d threads %zu", file,
                     (unsigned)mode, pymarc_checks, (int)source, threads);
            Outcome got = {0};
            MrrcReader *r = open_reader(source, path, data, len, &memory, &options, 1, threads);
            if (pymarc_checks) CHECK_OK(mrrc_reader_set_pymarc_checks(r, 1));
            read_one_by_one(r, &got);
            mrrc_reader_free(r);
            check_same(&want, &got, what);
            outcome_free(&got);

            /* Batches: the records, errors and bytes in the same order. */
            Outcome streamed = {0}, batched = {0};
            MrrcReader *s = open_reader(source, path, data, len, &memory, &options, 0, 0);
            if (pymarc_checks) CHECK_OK(mrrc_reader_set_pymarc_checks(s, 1));
            read_in_batches(s, &streamed);
            mrrc_reader_free(s);
            r = open_reader(source, path, data, len, &memory, &options, 1, threads);
            if (pymarc_checks) CHECK_OK(mrrc_reader_set_pymarc_checks(r, 1));
            read_in_batches(r, &batched);
            mrrc_reader_free(r);
            check_same(&streamed, &batched, what);
            outcome_free(&streamed);
            outcome_free(&batched);
        }
    }
    outcome_free(&want);
    free(data);
    free(path);
}

static void test_same_as_streaming(void) {
    const char *files[] = {"pymarc_test_camel.mrc", "pymarc_bad_records.mrc",
                           "mrrc_err_e005_truncated_record.mrc", "pymarc_marc8.mrc",
                           "pymarc_utf8_with_leader_flag.mrc"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        compare_file(files[i], MRRC_MODE_STRICT, 0);
        compare_file(files[i], MRRC_MODE_LENIENT, 0);
        compare_file(files[i], MRRC_MODE_LENIENT, 1);
    }
}

/* Known values: the camel file's 10 records, record 3 starting where the
 * first two end. */
static void test_values(void) {
    char *path = path_join(data_dir, "pymarc_test_camel.mrc");
    MrrcReader *reader = NULL;
    CHECK_OK(mrrc_reader_open_path_parallel(path, NULL, 2, &reader));
    uint64_t offset = 99;
    CHECK_OK(mrrc_reader_last_record_offset(reader, &offset));
    CHECK(offset == 0);
    MrrcRecord *records[16];
    size_t n = 0;
    CHECK_OK(mrrc_reader_next_batch(reader, records, 16, &n));
    CHECK(n == 10);
    CHECK_OK(mrrc_reader_last_record_offset(reader, &offset));
    MrrcBytes last = mrrc_reader_last_record_bytes(reader);
    size_t len = 0;
    unsigned char *data = slurp(path, &len);
    /* The last record ends the file. */
    CHECK(data != NULL && offset + last.len == len);
    CHECK(last.len > 24 && memcmp(last.ptr, data + offset, last.len) == 0);
    CHECK_STR_FREE(mrrc_record_title(records[0]),
                   "ActivePerl with ASP and ADO /");
    CHECK(mrrc_record_field_count(records[0]) == 18);
    for (size_t i = 0; i < n; i++) mrrc_record_free(records[i]);
    CHECK_OK(mrrc_reader_next_batch(reader, records, 16, &n));
    CHECK(n == 0);
    MrrcRecord *none = (MrrcRecord *)1;
    CHECK_OK(mrrc_reader_next(reader, &none));
    CHECK(none == NULL);
    CHECK(mrrc_reader_records_returned(reader) == 10);
    mrrc_reader_free(reader);
    free(data);
    free(path);
}

static void test_errors(void) {
    MrrcReader *reader = (MrrcReader *)1;
    /* Only ISO 2709 is read in parallel. */
    MrrcReadOptions xml = mrrc_read_options_default();
    xml.format = MRRC_FORMAT_MARCXML;
    char *path = path_join(data_dir, "pymarc_batch.xml");
    CHECK_STATUS(mrrc_reader_open_path_parallel(path, &xml, 2, &reader), MRRC_INVALID_ARGUMENT);
    CHECK(last_error_mentions("ISO 2709"));
    CHECK(reader == (MrrcReader *)1);
    free(path);
    CHECK_STATUS(mrrc_reader_from_bytes_parallel((const uint8_t *)"x", 1, &xml, 2, &reader),
                 MRRC_INVALID_ARGUMENT);
    /* A missing file, NULL arguments. */
    path = path_join(data_dir, "no_such_file.mrc");
    CHECK_STATUS(mrrc_reader_open_path_parallel(path, NULL, 2, &reader), MRRC_IO);
    CHECK(last_error_mentions("no_such_file.mrc"));
    free(path);
    CHECK_STATUS(mrrc_reader_open_path_parallel(NULL, NULL, 2, &reader), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_reader_open_path_parallel("x", NULL, 2, NULL), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_reader_from_bytes_parallel(NULL, 5, NULL, 2, &reader), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_reader_from_callback_parallel(NULL, NULL, NULL, 2, &reader),
                 MRRC_NULL_ARGUMENT);
    CHECK(reader == (MrrcReader *)1);
    uint64_t offset = 0;
    CHECK_STATUS(mrrc_reader_last_record_offset(NULL, &offset), MRRC_NULL_ARGUMENT);
    /* An empty buffer: the end at once. */
    MrrcReader *empty = NULL;
    CHECK_OK(mrrc_reader_from_bytes_parallel(NULL, 0, NULL, 1, &empty));
    CHECK_STATUS(mrrc_reader_last_record_offset(empty, NULL), MRRC_NULL_ARGUMENT);
    MrrcRecord *none = (MrrcRecord *)1;
    CHECK_OK(mrrc_reader_next(empty, &none));
    CHECK(none == NULL);
    mrrc_reader_free(empty);
    /* Freed before the end, with parsing still in flight: no leak. */
    path = path_join(data_dir, "pymarc_test_camel.mrc");
    MrrcReader *early = NULL;
    CHECK_OK(mrrc_reader_open_path_parallel(path, NULL, 2, &early));
    MrrcRecord *one = NULL;
    CHECK_OK(mrrc_reader_next(early, &one));
    CHECK(one != NULL);
    mrrc_record_free(one);
    mrrc_reader_free(early);
    free(path);
}

int main(int argc, char **argv) {
    TEST_DATA_DIR(argc, argv, data_dir);
    test_same_as_streaming();
    test_values();
    test_errors();
    TEST_MAIN_END();
}
