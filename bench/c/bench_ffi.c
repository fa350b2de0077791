/* The cost of crossing the C ABI: ns per call for a trivial call and a
 * title, ns per record for reading (one call per record and in batches),
 * reading + title, and reading + every field's values (call per value, or
 * one flat view per batch). Run by scripts/bench-c.sh next to the Rust
 * core's own loop (ffi/examples/core_loop.rs) on the same bytes.
 *
 *   bench_ffi FILE [MAX_MB]   (the first MAX_MB of FILE, cut at a record end) */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mrrc.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned char *data;
static size_t data_len;
static volatile size_t sink;

static void die(const char *what) {
    char *m = mrrc_last_error_message();
    fprintf(stderr, "%s: %s\n", what, m ? m : "?");
    exit(1);
}

static MrrcReader *reader_over_data(void) {
    MrrcReader *r = NULL;
    if (mrrc_reader_from_borrowed_bytes(data, data_len, NULL, &r) != MRRC_OK) die("reader");
    return r;
}

typedef size_t (*per_record_fn)(const MrrcRecord *);

static size_t nothing(const MrrcRecord *r) {
    (void)r;
    return 0;
}

static size_t title(const MrrcRecord *r) {
    char *t = mrrc_record_title(r);
    size_t n = t ? strlen(t) : 0;
    mrrc_string_free(t);
    return n;
}

/* Every field's values through one call per value. */
static size_t all_fields(const MrrcRecord *r) {
    size_t total = 0, n = mrrc_record_field_count(r);
    for (size_t i = 0; i < n; i++) {
        const MrrcField *f = mrrc_record_field(r, i);
        total += mrrc_field_tag(f).len;
        if (mrrc_field_is_control(f)) {
            total += mrrc_field_control_value(f).len;
            continue;
        }
        uint32_t i1, i2, code;
        MrrcStr value;
        mrrc_field_indicators(f, &i1, &i2);
        size_t subs = mrrc_field_subfield_count(f);
        for (size_t k = 0; k < subs; k++) {
            mrrc_field_subfield(f, k, &code, &value);
            total += value.len + code;
        }
    }
    return total;
}

/* One pass over the data, one call per record; returns records read. */
static size_t pass_single(per_record_fn work) {
    MrrcReader *reader = reader_over_data();
    size_t records = 0, acc = 0;
    MrrcRecord *rec;
    while (mrrc_reader_next(reader, &rec) == MRRC_OK && rec) {
        acc += work(rec);
        mrrc_record_free(rec);
        records++;
    }
    mrrc_reader_free(reader);
    sink += acc;
    return records;
}

#define BATCH 256

/* One pass in batches of BATCH records. */
static size_t pass_batch(per_record_fn work) {
    MrrcReader *reader = reader_over_data();
    MrrcRecord *batch[BATCH];
    size_t n, records = 0, acc = 0;
    while (mrrc_reader_next_batch(reader, batch, BATCH, &n) == MRRC_OK && n > 0) {
        for (size_t i = 0; i < n; i++) {
            acc += work(batch[i]);
            mrrc_record_free(batch[i]);
        }
        records += n;
    }
    mrrc_reader_free(reader);
    sink += acc;
    return records;
}

/* Batches, and every value of a batch through one flat view. */
static size_t pass_flat(per_record_fn unused) {
    (void)unused;
    MrrcReader *reader = reader_over_data();
    MrrcRecord *batch[BATCH];
    size_t n, records = 0, acc = 0;
    while (mrrc_reader_next_batch(reader, batch, BATCH, &n) == MRRC_OK && n > 0) {
        MrrcFlat *flat = NULL;
        if (mrrc_flatten_records((const MrrcRecord *const *)batch, n, MRRC_OFFSETS_BYTES, &flat) != MRRC_OK)
            die("flatten");
        for (size_t i = 0; i < flat->field_count; i++) acc += flat->fields[i].tag_len + flat->fields[i].value_len;
        for (size_t i = 0; i < flat->subfield_count; i++) acc += flat->subfields[i].value_len + flat->subfields[i].code;
        mrrc_flat_free(flat);
        for (size_t i = 0; i < n; i++) mrrc_record_free(batch[i]);
        records += n;
    }
    mrrc_reader_free(reader);
    sink += acc;
    return records;
}

/* Best of three passes, in ns per record. */
static double per_record(size_t (*pass)(per_record_fn), per_record_fn work, size_t *records) {
    double best = 1e30;
    for (int i = 0; i < 3; i++) {
        double t0 = now();
        *records = pass(work);
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
    return best * 1e9 / (double)*records;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [MAX_MB]\n", argv[0]);
        return 2;
    }
    size_t max = (argc > 2 ? (size_t)atol(argv[2]) : 64) << 20;
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    data = malloc(max);
    data_len = fread(data, 1, max, f);
    fclose(f);
    while (data_len > 0 && data[data_len - 1] != 0x1d) data_len--; /* whole records only */

    /* Per call, on the first record. */
    MrrcReader *reader = reader_over_data();
    MrrcRecord *first = NULL;
    if (mrrc_reader_next(reader, &first) != MRRC_OK || !first) die("first record");
    mrrc_reader_free(reader);
    const size_t calls = 20000000;
    double t0 = now();
    size_t acc = 0;
    for (size_t i = 0; i < calls; i++) acc += mrrc_record_field_count(first);
    double trivial = (now() - t0) * 1e9 / (double)calls;
    const size_t title_calls = 2000000;
    t0 = now();
    for (size_t i = 0; i < title_calls; i++) acc += title(first);
    double title_call = (now() - t0) * 1e9 / (double)title_calls;
    sink += acc;
    mrrc_record_free(first);

    size_t records = 0;
    double read1 = per_record(pass_single, nothing, &records);
    double readb = per_record(pass_batch, nothing, &records);
    double title1 = per_record(pass_single, title, &records);
    double all1 = per_record(pass_single, all_fields, &records);
    double flat = per_record(pass_flat, NULL, &records);

    printf("C ABI, %zu records, %.1f MB\n", records, (double)data_len / 1e6);
    printf("  trivial call (mrrc_record_field_count)   %8.1f ns/call\n", trivial);
    printf("  title (mrrc_record_title + string_free)  %8.1f ns/call\n", title_call);
    printf("  read (mrrc_reader_next + record_free)    %8.0f ns/record\n", read1);
    printf("  read in batches of %d                   %8.0f ns/record\n", BATCH, readb);
    printf("  read + title                             %8.0f ns/record\n", title1);
    printf("  read + every field, a call per value     %8.0f ns/record\n", all1);
    printf("  read + every field, one flat view/batch  %8.0f ns/record\n", flat);
    free(data);
    return sink == 42 ? 3 : 0; /* keep `sink` alive */
}
