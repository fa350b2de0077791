/* The C runner of the comparison (bench/compare/run.py drives it): the
 * workloads through libmrrc.so, the way a C program would call it.
 *
 *   c_runner --utf8 F --marc8 F --check F --check-marc8 F --reps N --warmup N
 *            --workloads parse,title,...
 *
 * Prints one JSON object (protocol: bench/compare/README.md). Every timer
 * starts with the file's bytes in memory, read in place
 * (mrrc_reader_from_borrowed_bytes: no copy, as the Rust runner's reader
 * over a slice). Records are fetched in batches of
 * 256 (mrrc_reader_next_batch); field and subfield values are borrowed
 * (MrrcStr), never copied. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mrrc.h>

#define BATCH 256

static void die(const char *what) {
    char *msg = mrrc_last_error_message();
    fprintf(stderr, "c_runner: %s: %s\n", what, msg ? msg : "(no message)");
    mrrc_string_free(msg);
    exit(1);
}

typedef struct {
    uint8_t *data;
    size_t len;
} Bytes;

static Bytes read_file(const char *path) {
    Bytes b = {0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b.data = malloc((size_t)n + 1);
    b.len = fread(b.data, 1, (size_t)n, f);
    fclose(f);
    return b;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static volatile uint64_t sink;

/* Control values plus subfield values, each one touched. */
static uint64_t count_values(const MrrcRecord *r) {
    uint64_t n = 0;
    size_t fields = mrrc_record_field_count(r);
    for (size_t i = 0; i < fields; i++) {
        const MrrcField *f = mrrc_record_field(r, i);
        if (mrrc_field_is_control(f)) {
            MrrcStr v = mrrc_field_control_value(f);
            sink += v.len;
            n++;
        } else {
            size_t subs = mrrc_field_subfield_count(f);
            for (size_t s = 0; s < subs; s++) {
                uint32_t code;
                MrrcStr v;
                if (mrrc_field_subfield(f, s, &code, &v) != MRRC_OK) die("subfield");
                sink += code + v.len;
                n++;
            }
        }
    }
    return n;
}

typedef enum { PARSE, TITLE, FIELDS } Per;

/* One streaming pass; returns the record count, adds values to *out. */
static uint64_t stream(const Bytes *b, Per per, uint64_t *out, uint64_t *titles_fnv) {
    MrrcReader *reader;
    if (mrrc_reader_from_borrowed_bytes(b->data, b->len, NULL, &reader) != MRRC_OK) die("reader");
    MrrcRecord *batch[BATCH];
    size_t count;
    uint64_t n = 0;
    for (;;) {
        if (mrrc_reader_next_batch(reader, batch, BATCH, &count) != MRRC_OK) die("read");
        if (count == 0) break;
        for (size_t i = 0; i < count; i++) {
            if (per == TITLE || titles_fnv) {
                char *t = mrrc_record_title(batch[i]);
                if (titles_fnv) {
                    *titles_fnv = t ? fnv1a(*titles_fnv, t, strlen(t)) : fnv1a(*titles_fnv, "", 1);
                    *titles_fnv = fnv1a(*titles_fnv, "\n", 1);
                }
                sink += t ? (uint8_t)t[0] : 0;
                mrrc_string_free(t);
            }
            if (per == FIELDS) *out += count_values(batch[i]);
            mrrc_record_free(batch[i]);
        }
        n += count;
    }
    mrrc_reader_free(reader);
    return n;
}

typedef struct {
    MrrcRecord **items;
    size_t len;
} Records;

static Records parse_all(const Bytes *b) {
    Records rs = {0};
    size_t cap = 1024;
    rs.items = malloc(cap * sizeof *rs.items);
    MrrcReader *reader;
    if (mrrc_reader_from_borrowed_bytes(b->data, b->len, NULL, &reader) != MRRC_OK) die("reader");
    for (;;) {
        MrrcRecord *r;
        if (mrrc_reader_next(reader, &r) != MRRC_OK) die("read");
        if (!r) break;
        if (rs.len == cap) rs.items = realloc(rs.items, (cap *= 2) * sizeof *rs.items);
        rs.items[rs.len++] = r;
    }
    mrrc_reader_free(reader);
    return rs;
}

typedef struct {
    uint8_t **blobs;
    size_t *lens;
    size_t len;
} Packed;

static uint64_t convert(const char *w, const Records *rs, const Packed *packed, uint64_t *out) {
    if (!strcmp(w, "msgpack_decode")) {
        MrrcReadOptions o = mrrc_read_options_default();
        o.format = MRRC_FORMAT_MSGPACK;
        for (size_t i = 0; i < packed->len; i++) {
            MrrcRecord *r;
            if (mrrc_record_from_bytes(packed->blobs[i], packed->lens[i], &o, &r) != MRRC_OK) die("msgpack");
            mrrc_record_free(r);
        }
        return packed->len;
    }
    for (size_t i = 0; i < rs->len; i++) {
        const MrrcRecord *r = rs->items[i];
        if (!strcmp(w, "write_iso")) {
            uint8_t *bytes;
            size_t n;
            if (mrrc_record_to_marc(r, NULL, &bytes, &n) != MRRC_OK) die("to_marc");
            *out += n;
            mrrc_buffer_free(bytes);
        } else if (!strcmp(w, "msgpack_encode")) {
            size_t n;
            uint8_t *bytes = mrrc_record_to_msgpack(r, &n);
            *out += n;
            mrrc_buffer_free(bytes);
        } else {
            char *s = !strcmp(w, "to_json") ? mrrc_record_to_json(r) : mrrc_record_to_xml(r);
            *out += strlen(s);
            mrrc_string_free(s);
        }
    }
    return rs->len;
}

static void check(const char *key, const Bytes *b, int last) {
    uint64_t h = 0xcbf29ce484222325ULL, values = 0;
    uint64_t n = stream(b, FIELDS, &values, &h);
    printf("\"%s\": {\"records\": %llu, \"titles\": \"%016llx\", \"values\": %llu}%s", key,
           (unsigned long long)n, (unsigned long long)h, (unsigned long long)values, last ? "" : ", ");
}

int main(int argc, char **argv) {
    const char *utf8_path = NULL, *marc8_path = NULL, *check_path = NULL, *check8_path = NULL;
    char workloads[512] = "parse,title,fields,marc8,write_iso,to_json,to_xml,msgpack_encode,msgpack_decode";
    int reps = 5, warmup = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--utf8")) utf8_path = argv[i + 1];
        else if (!strcmp(argv[i], "--marc8")) marc8_path = argv[i + 1];
        else if (!strcmp(argv[i], "--check")) check_path = argv[i + 1];
        else if (!strcmp(argv[i], "--check-marc8")) check8_path = argv[i + 1];
        else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--workloads")) snprintf(workloads, sizeof workloads, "%s", argv[i + 1]);
    }
    if (!utf8_path || !marc8_path || !check_path || !check8_path) {
        fprintf(stderr, "usage: c_runner --utf8 F --marc8 F --check F --check-marc8 F [--reps N] [--warmup N]\n");
        return 2;
    }
    Bytes utf8 = read_file(utf8_path), marc8 = read_file(marc8_path);
    Bytes c8 = read_file(check8_path), cu = read_file(check_path);

    printf("{\"approach\": \"c\", \"versions\": {\"libmrrc\": \"%s\"}, ", mrrc_version());
    printf("\"data\": \"file bytes in memory; mrrc_reader_from_bytes copies them once per pass\", ");
    printf("\"check\": {");
    check("utf8", &cu, 0);
    check("marc8", &c8, 1);
    printf("}, \"workloads\": {");

    Records rs = parse_all(&utf8);
    Packed packed = {malloc(rs.len * sizeof(uint8_t *)), malloc(rs.len * sizeof(size_t)), rs.len};
    for (size_t i = 0; i < rs.len; i++) packed.blobs[i] = mrrc_record_to_msgpack(rs.items[i], &packed.lens[i]);

    int first = 1;
    char *save = NULL;
    for (char *w = strtok_r(workloads, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        int streaming = !strcmp(w, "parse") || !strcmp(w, "title") || !strcmp(w, "fields") || !strcmp(w, "marc8");
        int converting = !strcmp(w, "write_iso") || !strcmp(w, "to_json") || !strcmp(w, "to_xml") ||
                         !strcmp(w, "msgpack_encode") || !strcmp(w, "msgpack_decode");
        printf("%s\"%s\": ", first ? "" : ", ", w);
        first = 0;
        if (!streaming && !converting) {
            printf("{\"skipped\": \"not a C workload\"}");
            continue;
        }
        printf("{\"times_s\": [");
        uint64_t n = 0, out = 0;
        for (int i = 0; i < warmup + reps; i++) {
            out = 0;
            double t = now();
            if (streaming) {
                Per per = !strcmp(w, "parse") ? PARSE : !strcmp(w, "title") ? TITLE : FIELDS;
                n = stream(!strcmp(w, "marc8") ? &marc8 : &utf8, per, &out, NULL);
            } else {
                n = convert(w, &rs, &packed, &out);
            }
            double dt = now() - t;
            if (i >= warmup) printf("%s%.9f", i > warmup ? ", " : "", dt);
        }
        printf("], \"records\": %llu, \"out\": %llu}", (unsigned long long)n, (unsigned long long)out);
    }
    printf("}}\n");
    for (size_t i = 0; i < rs.len; i++) {
        mrrc_record_free(rs.items[i]);
        mrrc_buffer_free(packed.blobs[i]);
    }
    free(rs.items);
    free(packed.blobs);
    free(packed.lens);
    free(utf8.data);
    free(marc8.data);
    free(cu.data);
    free(c8.data);
    return 0;
}
