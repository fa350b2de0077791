/* Readers, writers and conversions through the C ABI on real files, with
 * the values pymarc 5.4.0 gives for the same files, and every error path:
 * missing and bad files, truncated input, NULL and invalid arguments,
 * garbage in every format. Run with the test data folder as argument. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <unistd.h>

#include "check.h"

static const char *data_dir;

/* pymarc 5.4.0: record.title and len(record.fields) of test/test.dat. */
static const char *const camel_titles[10] = {
    "ActivePerl with ASP and ADO /",
    "Programming the Perl DBI /",
    "Perl : programmer's reference /",
    "Perl : the complete reference /",
    "CGI programming with Perl /",
    "Proceedings of the Perl Conference 4.0 : July 17-20, 2000, Monterey, California.",
    "Perl for system administration /",
    "Programming Perl /",
    "Perl programmer's interactive workbook /",
    "Cross-platform Perl /",
};
static const size_t camel_field_counts[10] = {18, 18, 15, 15, 21, 17, 16, 19, 15, 19};

static MrrcReadOptions options_for(MrrcFormat format, MrrcMode mode) {
    MrrcReadOptions o = mrrc_read_options_default();
    o.format = format;
    o.mode = mode;
    return o;
}

static MrrcReader *open_data(const char *file, const MrrcReadOptions *options) {
    char *path = path_join(data_dir, file);
    MrrcReader *reader = NULL;
    CHECK_OK(mrrc_reader_open_path(path, options, &reader));
    free(path);
    return reader;
}

/* Reads every record, checking them against the camel book values. */
static void check_camel_reader(MrrcReader *reader) {
    size_t n = 0;
    MrrcRecord *record = NULL;
    while (mrrc_reader_next(reader, &record) == MRRC_OK && record != NULL) {
        if (n < 10) {
            CHECK_STR_FREE(mrrc_record_title(record), camel_titles[n]);
            CHECK(mrrc_record_field_count(record) == camel_field_counts[n]);
        }
        n++;
        mrrc_record_free(record);
    }
    CHECK(n == 10);
    /* The end stays the end. */
    record = (MrrcRecord *)reader;
    CHECK_OK(mrrc_reader_next(reader, &record));
    CHECK(record == NULL);
}

static int32_t read_file_callback(void *userdata, uint8_t *buf, size_t len, size_t *read) {
    *read = fread(buf, 1, len < 100 ? len : 100, (FILE *)userdata); /* small reads on purpose */
    return ferror((FILE *)userdata) ? 1 : 0;
}

static int contains(const char *hay, size_t hay_len, const char *needle, size_t needle_len) {
    for (size_t i = 0; i + needle_len <= hay_len; i++)
        if (memcmp(hay + i, needle, needle_len) == 0) return 1;
    return 0;
}

static int32_t failing_callback(void *userdata, uint8_t *buf, size_t len, size_t *read) {
    (void)userdata, (void)buf, (void)len, (void)read;
    return -5;
}

/* The camel file's bytes `copies` times over, served in full reads; the
 * room each call was given is noted. */
struct repeated {
    const unsigned char *bytes;
    size_t len, copies, pos, calls;
    size_t asked[32];
};

static int32_t repeated_callback(void *userdata, uint8_t *buf, size_t len, size_t *read) {
    struct repeated *r = userdata;
    if (r->calls < 32) r->asked[r->calls] = len;
    r->calls++;
    size_t total = r->len * r->copies, n = 0;
    while (n < len && r->pos < total) {
        size_t at = r->pos % r->len, k = r->len - at;
        if (k > len - n) k = len - n;
        memcpy(buf + n, r->bytes + at, k);
        n += k;
        r->pos += k;
    }
    *read = n;
    return 0;
}

/* A read callback is given 64 KiB of room first and twice as much at each
 * later call, up to 4 MiB: a long input takes few calls. */
static void test_callback_reads_grow(const unsigned char *bytes, size_t len) {
    struct repeated r = {bytes, len, 2000, 0, 0, {0}}; /* 13 MB, 20,000 records */
    MrrcReader *reader = NULL;
    CHECK_OK(mrrc_reader_from_callback(repeated_callback, &r, NULL, &reader));
    MrrcRecord *batch[512];
    size_t got = 0, total = 0;
    do {
        CHECK_OK(mrrc_reader_next_batch(reader, batch, 512, &got));
        for (size_t i = 0; i < got; i++) mrrc_record_free(batch[i]);
        total += got;
    } while (got > 0);
    CHECK(total == 20000);
    mrrc_reader_free(reader);
    size_t expected = 64 << 10;
    for (size_t i = 0; i < r.calls && i < 32; i++) {
        CHECK(r.asked[i] == expected);
        if (expected < (4 << 20)) expected *= 2;
    }
    /* 64 + 128 + ... + 2048 KiB (4.1 MB), then 4 MiB three times (the last
       one partly filled), and the call that finds the end. */
    CHECK(r.calls == 10);
}

static void test_iso2709_sources(void) {
    /* From a path. */
    MrrcReader *reader = open_data("pymarc_test_camel.mrc", NULL);
    check_camel_reader(reader);
    CHECK(mrrc_reader_records_returned(reader) == 10);
    mrrc_reader_free(reader);

    /* From memory, in batches of 4. */
    char *path = path_join(data_dir, "pymarc_test_camel.mrc");
    size_t len = 0;
    unsigned char *bytes = slurp(path, &len);
    CHECK(bytes != NULL && len == 6591);
    CHECK_OK(mrrc_reader_from_bytes(bytes, len, NULL, &reader));
    MrrcRecord *batch[4];
    size_t got = 99, total = 0, calls = 0;
    do {
        CHECK_OK(mrrc_reader_next_batch(reader, batch, 4, &got));
        for (size_t i = 0; i < got; i++, total++) {
            CHECK_STR_FREE(mrrc_record_title(batch[i]), camel_titles[total]);
            mrrc_record_free(batch[i]);
        }
        calls++;
    } while (got > 0 && calls < 10);
    CHECK(total == 10 && calls == 4); /* 4 + 4 + 2 + 0 */
    mrrc_reader_free(reader);

    /* All at once, on every core. */
    MrrcRecord **all = NULL;
    size_t all_count = 0;
    CHECK_OK(mrrc_parse_all(bytes, len, NULL, &all, &all_count));
    CHECK(all_count == 10);
    for (size_t i = 0; i < all_count && i < 10; i++)
        CHECK_STR_FREE(mrrc_record_title(all[i]), camel_titles[i]);
    mrrc_record_free(all[3]); /* taken out by the caller */
    all[3] = NULL;
    mrrc_record_array_free(all, all_count);
    all = (MrrcRecord **)1;
    CHECK(mrrc_parse_all(bytes, 755 + 300, NULL, &all, &all_count) == MRRC_TRUNCATED);
    CHECK(all == (MrrcRecord **)1);
    mrrc_record_array_free(NULL, 0);

    /* The raw bytes of the record last read (pymarc current_chunk). */
    CHECK_OK(mrrc_reader_from_bytes(bytes, len, NULL, &reader));
    MrrcRecord *record = NULL;
    CHECK_OK(mrrc_reader_next(reader, &record));
    MrrcBytes raw = mrrc_reader_last_record_bytes(reader);
    CHECK(raw.len == 755 && memcmp(raw.ptr, bytes, 755) == 0);
    /* One record from bytes gives the same record. */
    MrrcRecord *single = NULL;
    CHECK_OK(mrrc_record_from_bytes(bytes, 755, NULL, &single));
    CHECK(mrrc_record_equal(single, record));
    CHECK_STR_FREE(mrrc_record_isbn(single), "0471383147");
    CHECK_STR_FREE(mrrc_record_author(single), "Martinsson, Tobias, 1976-");
    mrrc_record_free(single);
    mrrc_record_free(record);
    mrrc_reader_free(reader);

    /* In place: the same records without a copy of the bytes; the reader
       reads them while it lives (valgrind checks it never reads past them). */
    CHECK_OK(mrrc_reader_from_borrowed_bytes(bytes, len, NULL, &reader));
    check_camel_reader(reader);
    CHECK(mrrc_reader_records_returned(reader) == 10);
    mrrc_reader_free(reader);
    CHECK_OK(mrrc_reader_from_borrowed_bytes(NULL, 0, NULL, &reader));
    record = (MrrcRecord *)1;
    CHECK_OK(mrrc_reader_next(reader, &record));
    CHECK(record == NULL);
    mrrc_reader_free(reader);
    CHECK_STATUS(mrrc_reader_from_borrowed_bytes(NULL, 5, NULL, &reader), MRRC_NULL_ARGUMENT);

    /* Through a read callback. */
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    CHECK_OK(mrrc_reader_from_callback(read_file_callback, f, NULL, &reader));
    check_camel_reader(reader);
    mrrc_reader_free(reader);
    fclose(f);

    /* A failing callback is an I/O error, not a crash. */
    CHECK_OK(mrrc_reader_from_callback(failing_callback, NULL, NULL, &reader));
    record = NULL;
    MrrcStatus st = mrrc_reader_next(reader, &record);
    CHECK(st == MRRC_IO);
    CHECK(last_error_mentions("-5"));
    mrrc_reader_free(reader);
    test_callback_reads_grow(bytes, len);
    free(bytes);
    free(path);
}

/* Reading a descriptor with positional reads: from its start or an offset,
 * streaming or parallel, leaving the descriptor's own offset alone (a file
 * object sharing it is not disturbed), with the offset read so far; a pipe
 * fails at the first read; the descriptor is the reader's in every case. */
static void test_fd_reads(void) {
    char *path = path_join(data_dir, "pymarc_test_camel.mrc");
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    CHECK(lseek(fd, 5, SEEK_SET) == 5);
    MrrcReader *reader = NULL;
    CHECK_OK(mrrc_reader_from_fd(dup(fd), 0, NULL, &reader));
    uint64_t offset = 1;
    CHECK_OK(mrrc_reader_input_offset(reader, &offset));
    CHECK(offset == 0);
    check_camel_reader(reader);
    CHECK_OK(mrrc_reader_input_offset(reader, &offset));
    CHECK(offset == 6591);
    mrrc_reader_free(reader);
    CHECK(lseek(fd, 0, SEEK_CUR) == 5);

    /* From the second record on (it starts at 755), parsed in parallel. */
    CHECK_OK(mrrc_reader_from_fd_parallel(dup(fd), 755, NULL, 2, &reader));
    MrrcRecord *record = NULL;
    size_t n = 0;
    while (mrrc_reader_next(reader, &record) == MRRC_OK && record != NULL) {
        if (n < 9)
            CHECK_STR_FREE(mrrc_record_title(record), camel_titles[n + 1]);
        n++;
        mrrc_record_free(record);
    }
    CHECK(n == 9);
    CHECK_OK(mrrc_reader_input_offset(reader, &offset));
    CHECK(offset == 6591);
    mrrc_reader_free(reader);
    CHECK(lseek(fd, 0, SEEK_CUR) == 5);
    close(fd);

    /* A pipe has no offsets: an I/O error at the first read. */
    int ends[2];
    CHECK(pipe(ends) == 0);
    CHECK_OK(mrrc_reader_from_fd(ends[0], 0, NULL, &reader));
    record = NULL;
    CHECK_STATUS(mrrc_reader_next(reader, &record), MRRC_IO);
    CHECK(record == NULL);
    mrrc_reader_free(reader);
    close(ends[1]);

    /* Bad arguments: the descriptor is closed all the same. */
    CHECK_STATUS(mrrc_reader_from_fd(-1, 0, NULL, &reader), MRRC_INVALID_ARGUMENT);
    fd = open(path, O_RDONLY);
    CHECK_STATUS(mrrc_reader_from_fd(fd, 0, NULL, NULL), MRRC_NULL_ARGUMENT);
    CHECK(fcntl(fd, F_GETFD) == -1);
    MrrcReadOptions xml = options_for(MRRC_FORMAT_MARCXML, MRRC_MODE_STRICT);
    fd = open(path, O_RDONLY);
    CHECK_STATUS(mrrc_reader_from_fd_parallel(fd, 0, &xml, 2, &reader), MRRC_INVALID_ARGUMENT);
    CHECK(fcntl(fd, F_GETFD) == -1);
    /* Only a descriptor reader has an input offset. */
    CHECK_OK(mrrc_reader_from_bytes((const uint8_t *)"", 0, NULL, &reader));
    CHECK_STATUS(mrrc_reader_input_offset(reader, &offset), MRRC_INVALID_ARGUMENT);
    CHECK_STATUS(mrrc_reader_input_offset(reader, NULL), MRRC_NULL_ARGUMENT);
    mrrc_reader_free(reader);
    CHECK_STATUS(mrrc_reader_input_offset(NULL, &offset), MRRC_NULL_ARGUMENT);
    free(path);
}

/* mrrc_reader_next_batch_chunks_freeing: each call frees the batch before
 * (NULL entries skipped: records the caller kept) and reads the next in
 * batches of 4, the descriptor reader's offset after each read; the records
 * kept are the caller's to free. Over bytes the offset is left alone;
 * freeing happens when the read fails too. */
static void test_batches_freeing(void) {
    char *path = path_join(data_dir, "pymarc_test_camel.mrc");
    MrrcReader *reader = NULL;
    CHECK_OK(mrrc_reader_from_fd(open(path, O_RDONLY), 0, NULL, &reader));
    MrrcRecord *a[4], *b[4], *kept[3];
    MrrcRecord **batch = a, **previous = b;
    size_t ends[4], n = 0, previous_n = 0, total = 0, nkept = 0;
    uint64_t offset = 1;
    for (;;) {
        CHECK_OK(mrrc_reader_next_batch_chunks_freeing(reader, previous, previous_n, batch, ends, 4, &n,
                                                       &offset));
        CHECK(offset == 6591); /* the whole file is read ahead at once */
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            CHECK_STR_FREE(mrrc_record_title(batch[i]), camel_titles[total + i]);
        /* The caller keeps the first record of each batch. */
        kept[nkept++] = batch[0];
        batch[0] = NULL;
        total += n;
        MrrcRecord **t = previous;
        previous = batch;
        batch = t;
        previous_n = n;
    }
    CHECK(total == 10 && nkept == 3);
    for (size_t i = 0; i < nkept; i++) {
        CHECK_STR_FREE(mrrc_record_title(kept[i]), camel_titles[4 * i]);
        mrrc_record_free(kept[i]);
    }
    mrrc_reader_free(reader);

    /* Over bytes: no offset; a failing read still frees; no records to
     * free and no offset wanted. */
    size_t len = 0;
    unsigned char *bytes = slurp(path, &len);
    CHECK_OK(mrrc_reader_from_bytes(bytes, 300, NULL, &reader));
    MrrcRecord *one = NULL;
    CHECK_OK(mrrc_record_from_bytes(bytes, 755, NULL, &one));
    offset = 7;
    CHECK_STATUS(mrrc_reader_next_batch_chunks_freeing(reader, &one, 1, batch, ends, 4, &n, &offset),
                 MRRC_TRUNCATED);
    CHECK(offset == 7);
    mrrc_reader_free(reader);
    CHECK_OK(mrrc_reader_from_bytes(bytes, len, NULL, &reader));
    CHECK_OK(mrrc_reader_next_batch_chunks_freeing(reader, NULL, 0, batch, ends, 4, &n, NULL));
    CHECK(n == 4);
    mrrc_records_free(batch, n);
    CHECK_STATUS(mrrc_reader_next_batch_chunks_freeing(reader, NULL, 0, batch, NULL, 4, &n, NULL),
                 MRRC_NULL_ARGUMENT);
    mrrc_reader_free(reader);
    CHECK_STATUS(mrrc_reader_next_batch_chunks_freeing(NULL, NULL, 0, batch, ends, 4, &n, &offset),
                 MRRC_NULL_ARGUMENT);
    free(bytes);
    free(path);
}

static void test_charsets(void) {
    /* MARC-8 decoded to NFC UTF-8, as pymarc does. */
    MrrcReader *reader = open_data("pymarc_marc8.mrc", NULL);
    MrrcRecord *record = NULL;
    CHECK_OK(mrrc_reader_next(reader, &record));
    CHECK_STR_FREE(mrrc_record_title(record), "Escape from loneliness /");
    CHECK(str_eq(mrrc_field_get(mrrc_record_get_field(record, "240"), 'a'),
                 "De la solitude à la communauté."));
    CHECK(mrrc_record_field_count(record) == 27);
    mrrc_record_free(record);
    mrrc_reader_free(reader);

    /* The same record in UTF-8 gives the same fields. */
    reader = open_data("pymarc_utf8_with_leader_flag.mrc", NULL);
    CHECK_OK(mrrc_reader_next(reader, &record));
    /* This file holds the accents decomposed (pymarc gives the same). */
    CHECK(str_eq(mrrc_field_get(mrrc_record_get_field(record, "240"), 'a'),
                 "De la solitude a\xcc\x80 la communaute\xcc\x81."));
    CHECK_STR_FREE(mrrc_record_author(record), "Tournier, Paul.");
    mrrc_record_free(record);
    mrrc_reader_free(reader);

    /* Raw: the MARC-8 bytes kept as code points of the same value. */
    MrrcReadOptions raw = mrrc_read_options_default();
    raw.charset = MRRC_CHARSET_RAW;
    reader = open_data("pymarc_marc8.mrc", &raw);
    CHECK_OK(mrrc_reader_next(reader, &record));
    MrrcStr v = mrrc_field_get(mrrc_record_get_field(record, "240"), 'a');
    CHECK(v.ptr && contains(v.ptr, v.len, "solitude \xc3\xa1" "a", 12)); /* 0xE1 -> U+00E1 */
    mrrc_record_free(record);
    mrrc_reader_free(reader);

    /* MARC-8 conversion functions: E2 is the combining acute, before its base. */
    const uint8_t marc8[] = "communaut\xe2" "e";
    char *text = NULL;
    size_t text_len = 0;
    CHECK_OK(mrrc_marc8_to_utf8(marc8, sizeof marc8 - 1, NULL, &text, &text_len));
    CHECK(text && strcmp(text, "communauté") == 0 && text_len == strlen("communauté"));
    uint8_t *back = NULL;
    size_t back_len = 0;
    CHECK_OK(mrrc_utf8_to_marc8((const uint8_t *)text, text_len, &back, &back_len));
    CHECK(back_len == sizeof marc8 - 1 && memcmp(back, marc8, back_len) == 0);
    mrrc_string_free(text);
    mrrc_buffer_free(back);
    /* Characters MARC-8 lacks become numeric references. */
    CHECK_OK(mrrc_utf8_to_marc8((const uint8_t *)"\xe2\x98\x83", 3, &back, &back_len)); /* snowman */
    CHECK(back_len == 8 && memcmp(back, "&#x2603;", 8) == 0);
    mrrc_buffer_free(back);

    /* Legacy charsets by label. */
    MrrcReadOptions legacy = mrrc_read_options_default();
    legacy.charset = MRRC_CHARSET_LEGACY;
    legacy.encoding = "no-such-encoding";
    CHECK_STATUS(mrrc_reader_open_path("x", &legacy, &reader), MRRC_INVALID_ARGUMENT);
    legacy.encoding = NULL;
    CHECK_STATUS(mrrc_reader_open_path("x", &legacy, &reader), MRRC_NULL_ARGUMENT);
}

static void test_other_formats(void) {
    static const char *const titles[2] = {"The Great Ray Charles", "The White House"};
    static const size_t counts[2] = {18, 27};
    struct {
        const char *file;
        MrrcFormat format;
    } inputs[] = {{"pymarc_batch.xml", MRRC_FORMAT_MARCXML}, {"pymarc_batch.json", MRRC_FORMAT_JSON}};
    /* From the path, then through a read callback (small reads): the text
       formats read through the reader's buffer, not the ISO 2709 path. */
    for (size_t k = 0; k < 4; k++) {
        MrrcReadOptions o = options_for(inputs[k % 2].format, MRRC_MODE_STRICT);
        MrrcReader *reader = NULL;
        FILE *f = NULL;
        if (k < 2) {
            reader = open_data(inputs[k].file, &o);
        } else {
            char *path = path_join(data_dir, inputs[k % 2].file);
            f = fopen(path, "rb");
            free(path);
            CHECK(f != NULL);
            CHECK_OK(mrrc_reader_from_callback(read_file_callback, f, &o, &reader));
        }
        MrrcRecord *batch[8];
        size_t n = 0;
        CHECK_OK(mrrc_reader_next_batch(reader, batch, 8, &n));
        CHECK(n == 2);
        for (size_t i = 0; i < n && i < 2; i++) {
            CHECK_STR_FREE(mrrc_record_title(batch[i]), titles[i]);
            CHECK(mrrc_record_field_count(batch[i]) == counts[i]);
            mrrc_record_free(batch[i]);
        }
        mrrc_reader_free(reader);
        if (f != NULL) fclose(f);
    }

    /* One record as pymarc's as_json() and record_to_xml() write it. */
    MrrcReader *reader = open_data("pymarc_one.mrc", NULL);
    MrrcRecord *record = NULL;
    CHECK_OK(mrrc_reader_next(reader, &record));
    mrrc_reader_free(reader);
    char *path = path_join(data_dir, "pymarc_one.mrc.as_json.txt");
    size_t len = 0;
    unsigned char *expected = slurp(path, &len);
    char *json = mrrc_record_to_json(record);
    CHECK(expected && json && strlen(json) == len && memcmp(json, expected, len) == 0);
    mrrc_string_free(json);
    free(expected);
    free(path);
    path = path_join(data_dir, "pymarc_one.mrc.record_to_xml.txt");
    expected = slurp(path, &len);
    char *xml = mrrc_record_to_xml(record);
    CHECK(expected && xml && strlen(xml) == len && memcmp(xml, expected, len) == 0);
    mrrc_string_free(xml);
    free(expected);
    free(path);
    char *mrk = mrrc_record_to_mrk(record);
    char *str = mrrc_record_to_string(record);
    CHECK(mrk && str && strcmp(mrk, str) == 0 && strncmp(mrk, "=LDR  00755cam", 14) == 0);
    mrrc_string_free(mrk);
    mrrc_string_free(str);
    size_t packed_len = 0;
    uint8_t *packed = mrrc_record_to_msgpack(record, &packed_len);
    MrrcReadOptions mp = options_for(MRRC_FORMAT_MSGPACK, MRRC_MODE_STRICT);
    MrrcRecord *unpacked = NULL;
    CHECK(packed != NULL && packed_len > 100);
    CHECK_OK(mrrc_record_from_bytes(packed, packed_len, &mp, &unpacked));
    CHECK(mrrc_record_equal(record, unpacked));
    mrrc_record_free(unpacked);
    mrrc_buffer_free(packed);
    uint8_t *marc = NULL;
    size_t marc_len = 0;
    CHECK_OK(mrrc_record_to_marc(record, NULL, &marc, &marc_len));
    CHECK(marc_len == 755 && marc[marc_len - 1] == 0x1d);
    mrrc_buffer_free(marc);
    mrrc_record_free(record);
}

/* Every format through a buffer writer and back gives the same records. */
static void test_round_trips(void) {
    char *path = path_join(data_dir, "pymarc_test_camel.mrc");
    size_t len = 0;
    unsigned char *bytes = slurp(path, &len);
    free(path);
    MrrcRecord *originals[16];
    size_t n = 0;
    MrrcReader *reader = NULL;
    CHECK_OK(mrrc_reader_from_bytes(bytes, len, NULL, &reader));
    CHECK_OK(mrrc_reader_next_batch(reader, originals, 16, &n));
    CHECK(n == 10);
    mrrc_reader_free(reader);

    const MrrcFormat formats[] = {MRRC_FORMAT_ISO2709, MRRC_FORMAT_MARCXML, MRRC_FORMAT_JSON,
                                  MRRC_FORMAT_NDJSON, MRRC_FORMAT_MSGPACK, MRRC_FORMAT_MRK};
    for (size_t k = 0; k < sizeof formats / sizeof formats[0]; k++) {
        MrrcWriteOptions wo = mrrc_write_options_default();
        wo.format = formats[k];
        wo.charset = MRRC_WRITE_MARC8; /* the camel records are MARC-8 (leader/09 blank) */
        MrrcWriter *writer = NULL;
        CHECK_OK(mrrc_writer_to_buffer(&wo, &writer));
        size_t written = 0;
        CHECK_OK(mrrc_writer_write_batch(writer, (const MrrcRecord *const *)originals, n, &written));
        CHECK(written == n);
        uint8_t *out = NULL;
        size_t out_len = 0;
        CHECK_OK(mrrc_writer_finish(writer, &out, &out_len));
        CHECK_STATUS(mrrc_writer_write(writer, originals[0]), MRRC_WRITER_FINISHED);
        mrrc_writer_free(writer);
        if (formats[k] == MRRC_FORMAT_ISO2709) CHECK(out_len == len && memcmp(out, bytes, len) == 0);

        /* The same bytes from the one-call conversion. */
        uint8_t *converted = NULL;
        size_t converted_len = 0, records = 0;
        CHECK_OK(mrrc_convert(bytes, len, NULL, &wo, &converted, &converted_len, &records));
        CHECK(records == 10 && converted_len == out_len && memcmp(converted, out, out_len) == 0);
        mrrc_buffer_free(converted);

        MrrcReadOptions ro = options_for(formats[k], MRRC_MODE_STRICT);
        CHECK_OK(mrrc_reader_from_bytes(out, out_len, &ro, &reader));
        size_t i = 0;
        MrrcRecord *record = NULL;
        while (mrrc_reader_next(reader, &record) == MRRC_OK && record != NULL) {
            if (i < n && !mrrc_record_equal(record, originals[i])) {
                fprintf(stderr, "format %u: record %zu differs after a round trip\n", formats[k], i);
                failures++;
            }
            i++;
            mrrc_record_free(record);
        }
        CHECK(i == n);
        mrrc_reader_free(reader);
        mrrc_buffer_free(out);
    }

    /* A file writer, read back. */
    const char *tmp = "target-c-test-roundtrip.mrc";
    MrrcWriter *writer = NULL;
    MrrcWriteOptions wo = mrrc_write_options_default();
    wo.charset = MRRC_WRITE_MARC8;
    CHECK_OK(mrrc_writer_open_path(tmp, &wo, &writer));
    for (size_t i = 0; i < n; i++) CHECK_OK(mrrc_writer_write(writer, originals[i]));
    uint8_t *none = (uint8_t *)1;
    CHECK_OK(mrrc_writer_finish(writer, &none, NULL));
    CHECK(none == (uint8_t *)1); /* not a buffer writer: untouched */
    mrrc_writer_free(writer);
    size_t file_len = 0;
    unsigned char *file_bytes = slurp(tmp, &file_len);
    CHECK(file_bytes && file_len == len && memcmp(file_bytes, bytes, len) == 0);
    free(file_bytes);
    remove(tmp);

    for (size_t i = 0; i < n; i++) mrrc_record_free(originals[i]);
    free(bytes);
}

static void test_bad_input(void) {
    MrrcReader *reader = (MrrcReader *)1;
    /* A file that does not exist. */
    CHECK_STATUS(mrrc_reader_open_path("/nonexistent/dir/x.mrc", NULL, &reader), MRRC_IO);
    CHECK(reader == (MrrcReader *)1);
    CHECK(last_error_mentions("/nonexistent/dir/x.mrc"));

    /* A truncated record: an error with its position, then the end. */
    reader = open_data("mrrc_err_e005_truncated_record.mrc", NULL);
    MrrcRecord *record = NULL;
    MrrcStatus st = mrrc_reader_next(reader, &record);
    CHECK(st == MRRC_TRUNCATED || st == MRRC_RECORD_LENGTH);
    uint64_t index = 99, offset = 99;
    CHECK(mrrc_last_error_record_index(&index) && index == 0);
    CHECK(mrrc_last_error_byte_offset(&offset) && offset == 100); /* where the input ends */
    CHECK(!mrrc_last_error_record_index(NULL));
    CHECK_OK(mrrc_reader_next(reader, &record));
    CHECK(record == NULL);
    mrrc_reader_free(reader);

    /* pymarc's damaged file. Strict mode gives pymarc's verdicts (ok,
     * base address, base address, directory, directory, base address, no
     * fields, ok, truncated) and goes on to the next record each time. */
    reader = open_data("pymarc_bad_records.mrc", NULL);
    size_t good = 0, bad = 0, loops = 0;
    for (; loops < 100; loops++) {
        st = mrrc_reader_next(reader, &record);
        CHECK(st != MRRC_PANIC);
        if (st != MRRC_OK) {
            CHECK(mrrc_last_error_record_index(&index) && index == loops);
            bad++;
            continue;
        }
        if (record == NULL) break;
        good++;
        mrrc_record_free(record);
    }
    CHECK(good == 2 && bad == 7);
    mrrc_reader_free(reader);

    /* Lenient mode returns seven records, five of them repaired (and says
     * what it repaired); a record without fields and the truncated tail
     * stay errors. */
    MrrcReadOptions lenient = options_for(MRRC_FORMAT_ISO2709, MRRC_MODE_LENIENT);
    reader = open_data("pymarc_bad_records.mrc", &lenient);
    size_t warned = 0;
    good = bad = 0;
    for (loops = 0; loops < 100; loops++) {
        st = mrrc_reader_next(reader, &record);
        if (st != MRRC_OK) {
            CHECK(st == (bad == 0 ? MRRC_NO_FIELDS : MRRC_TRUNCATED));
            bad++;
            continue;
        }
        if (record == NULL) break;
        good++;
        CHECK_STR_FREE(mrrc_record_title(record),
                       "The pragmatic programmer :  from journeyman to master /");
        size_t w = mrrc_reader_warning_count(reader);
        for (size_t i = 0; i < w; i++) {
            int32_t kind = 0;
            char *message = NULL;
            CHECK_OK(mrrc_reader_warning(reader, i, &kind, &message));
            CHECK(kind >= 101 && message != NULL && strlen(message) > 0);
            mrrc_string_free(message);
        }
        CHECK_STATUS(mrrc_reader_warning(reader, w, NULL, NULL), MRRC_INDEX_OUT_OF_RANGE);
        warned += w > 0;
        mrrc_record_free(record);
    }
    CHECK(good == 7 && bad == 2 && warned == 5);
    mrrc_reader_free(reader);

    /* A batch stops before a bad record and hands its error over next. */
    reader = open_data("pymarc_bad_records.mrc", &lenient);
    MrrcRecord *batch[8];
    size_t n = 0;
    CHECK_OK(mrrc_reader_next_batch(reader, batch, 8, &n));
    CHECK(n == 6);
    for (size_t i = 0; i < n && i < 8; i++) mrrc_record_free(batch[i]);
    n = 77;
    CHECK_STATUS(mrrc_reader_next_batch(reader, batch, 8, &n), MRRC_NO_FIELDS);
    CHECK(n == 77);
    CHECK(mrrc_last_error_record_index(&index) && index == 6);
    CHECK_OK(mrrc_reader_next_batch(reader, batch, 8, &n));
    CHECK(n == 1);
    if (n == 1) mrrc_record_free(batch[0]);
    CHECK_STATUS(mrrc_reader_next_batch(reader, batch, 8, &n), MRRC_TRUNCATED);
    CHECK_OK(mrrc_reader_next_batch(reader, batch, 8, &n));
    CHECK(n == 0);
    mrrc_reader_free(reader);

    /* Garbage in every format and mode: errors, never a panic or a hang. */
    unsigned char garbage[4096];
    uint32_t seed = 12345;
    for (size_t i = 0; i < sizeof garbage; i++) {
        seed = seed * 1103515245u + 12345u;
        garbage[i] = (unsigned char)(seed >> 16);
    }
    memcpy(garbage, "00100", 5); /* a plausible start for ISO 2709 */
    for (MrrcFormat format = MRRC_FORMAT_ISO2709; format <= MRRC_FORMAT_MRK; format++) {
        for (MrrcMode mode = MRRC_MODE_STRICT; mode <= MRRC_MODE_LENIENT; mode++) {
            MrrcReadOptions o = options_for(format, mode);
            CHECK_OK(mrrc_reader_from_bytes(garbage, sizeof garbage, &o, &reader));
            for (loops = 0; loops < 10000; loops++) {
                record = NULL;
                st = mrrc_reader_next(reader, &record);
                CHECK(st != MRRC_PANIC);
                if (st == MRRC_OK && record == NULL) break;
                mrrc_record_free(record);
            }
            CHECK(loops < 10000);
            mrrc_reader_free(reader);
            MrrcRecord *one = NULL;
            st = mrrc_record_from_bytes(garbage, sizeof garbage, &o, &one);
            CHECK(st != MRRC_PANIC);
            mrrc_record_free(one);
        }
    }
    /* Half a record through the one-call conversion fails with a position. */
    uint8_t *out = (uint8_t *)1;
    size_t out_len = 0;
    char *path = path_join(data_dir, "pymarc_test_camel.mrc");
    size_t len = 0;
    unsigned char *bytes = slurp(path, &len);
    CHECK(mrrc_convert(bytes, 755 + 300, NULL, NULL, &out, &out_len, NULL) == MRRC_TRUNCATED);
    CHECK(out == (uint8_t *)1);
    CHECK(mrrc_last_error_record_index(&index) && index == 1);
    free(bytes);
    free(path);
}

static void test_null_and_invalid_arguments(void) {
    MrrcReader *reader = NULL;
    MrrcRecord *record = NULL;
    CHECK_STATUS(mrrc_reader_open_path(NULL, NULL, &reader), MRRC_NULL_ARGUMENT);
    CHECK(last_error_mentions("`path`"));
    CHECK_STATUS(mrrc_reader_open_path("x", NULL, NULL), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_reader_from_bytes(NULL, 5, NULL, &reader), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_reader_from_callback(NULL, NULL, NULL, &reader), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_reader_next(NULL, &record), MRRC_NULL_ARGUMENT);
    CHECK(last_error_mentions("`reader`"));
    CHECK_STATUS(mrrc_reader_next_batch(NULL, NULL, 4, NULL), MRRC_NULL_ARGUMENT);
    CHECK(mrrc_reader_warning_count(NULL) == 0);
    CHECK(mrrc_reader_last_record_bytes(NULL).ptr == NULL);
    mrrc_reader_free(NULL);
    mrrc_writer_free(NULL);

    /* An empty input is no records, not an error. */
    CHECK_OK(mrrc_reader_from_bytes(NULL, 0, NULL, &reader));
    CHECK_OK(mrrc_reader_next(reader, &record));
    CHECK(record == NULL);
    CHECK_STATUS(mrrc_reader_next(reader, NULL), MRRC_NULL_ARGUMENT);
    mrrc_reader_free(reader);

    MrrcReadOptions o = mrrc_read_options_default();
    o.format = 99;
    CHECK_STATUS(mrrc_reader_from_bytes(NULL, 0, &o, &reader), MRRC_INVALID_ARGUMENT);
    CHECK(last_error_mentions("format"));
    o = mrrc_read_options_default();
    o.mode = 7;
    CHECK_STATUS(mrrc_reader_from_bytes(NULL, 0, &o, &reader), MRRC_INVALID_ARGUMENT);
    o = mrrc_read_options_default();
    o.normalization = 9;
    CHECK_STATUS(mrrc_marc8_to_utf8((const uint8_t *)"a", 1, &o, NULL, NULL), MRRC_NULL_ARGUMENT);
    char *t = NULL;
    CHECK_STATUS(mrrc_marc8_to_utf8((const uint8_t *)"a", 1, &o, &t, NULL), MRRC_INVALID_ARGUMENT);
    uint8_t *b = NULL;
    size_t n = 0;
    CHECK_STATUS(mrrc_utf8_to_marc8((const uint8_t *)"\xff", 1, &b, &n), MRRC_INVALID_ARGUMENT);

    MrrcWriteOptions w = mrrc_write_options_default();
    MrrcWriter *writer = NULL;
    w.charset = 5;
    CHECK_STATUS(mrrc_writer_to_buffer(&w, &writer), MRRC_INVALID_ARGUMENT);
    w = mrrc_write_options_default();
    w.xml_flags = 8;
    CHECK_STATUS(mrrc_writer_to_buffer(&w, &writer), MRRC_INVALID_ARGUMENT);
    CHECK_STATUS(mrrc_writer_open_path("/nonexistent/dir/out.mrc", NULL, &writer), MRRC_IO);
    CHECK(writer == NULL);
    CHECK_STATUS(mrrc_writer_from_callback(NULL, NULL, NULL, &writer), MRRC_NULL_ARGUMENT);
    CHECK_OK(mrrc_writer_to_buffer(NULL, &writer));
    CHECK_STATUS(mrrc_writer_write(writer, NULL), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_writer_write_batch(writer, NULL, 3, NULL), MRRC_NULL_ARGUMENT);
    mrrc_writer_free(writer); /* unfinished: finished and freed */
    CHECK(mrrc_record_to_json(NULL) == NULL);
    CHECK(mrrc_record_to_msgpack(NULL, &n) == NULL);
    CHECK_STATUS(mrrc_record_to_marc(NULL, NULL, &b, &n), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_convert(NULL, 0, NULL, NULL, NULL, &n, NULL), MRRC_NULL_ARGUMENT);

    /* A record too large for ISO 2709. */
    record = mrrc_record_new();
    static char big[10000];
    memset(big, 'x', sizeof big);
    MrrcField *f = NULL;
    CHECK_OK(mrrc_field_new_data("500", ' ', ' ', &f));
    CHECK_OK(mrrc_field_add_subfield(f, 'a', (const uint8_t *)big, sizeof big, SIZE_MAX));
    CHECK_OK(mrrc_record_add_field(record, f));
    mrrc_field_free(f);
    b = (uint8_t *)1;
    CHECK_STATUS(mrrc_record_to_marc(record, NULL, &b, &n), MRRC_TOO_LARGE);
    CHECK(b == (uint8_t *)1);
    mrrc_record_free(record);
}

/* A collection with one record in the MARC slim namespace and one in no
 * namespace: both by default, only the first with xml_marc_namespace_only
 * (pymarc's parse_xml_to_array(strict=True)). */
static void test_xml_namespaces(void) {
    static const char xml[] =
        "<collection xmlns:marc=\"http://www.loc.gov/MARC21/slim\">"
        "<marc:record><marc:leader>00000nam a2200000 a 4500</marc:leader>"
        "<marc:controlfield tag=\"001\">ns-1</marc:controlfield></marc:record>"
        "<record><leader>00000nam a2200000 a 4500</leader>"
        "<controlfield tag=\"001\">plain-1</controlfield></record>"
        "</collection>";
    for (int only = 0; only < 2; only++) {
        MrrcReadOptions o = options_for(MRRC_FORMAT_MARCXML, MRRC_MODE_LENIENT);
        o.xml_marc_namespace_only = only;
        MrrcReader *reader = NULL;
        CHECK_OK(mrrc_reader_from_bytes((const uint8_t *)xml, sizeof xml - 1, &o, &reader));
        size_t n = 0;
        MrrcRecord *rec = NULL;
        while (mrrc_reader_next(reader, &rec) == MRRC_OK && rec != NULL) {
            n++;
            mrrc_record_free(rec);
        }
        CHECK(n == (only ? 1u : 2u));
        mrrc_reader_free(reader);
    }
}

int main(int argc, char **argv) {
    TEST_DATA_DIR(argc, argv, data_dir);
    test_iso2709_sources();
    test_fd_reads();
    test_batches_freeing();
    test_charsets();
    test_other_formats();
    test_xml_namespaces();
    test_round_trips();
    test_bad_input();
    test_null_and_invalid_arguments();
    TEST_MAIN_END();
}
