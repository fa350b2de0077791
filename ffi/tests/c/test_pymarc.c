/* The calls a pymarc-compatible binding needs (mrrc_cffi uses them): the
 * pymarc 5.4.0 verdict on a reader and on one record with the exception
 * class pymarc raises, batch reads that keep each record's raw bytes,
 * flat views carrying field values, fields to and from flat views, and
 * the length of strings holding NUL. Every error path of these calls. */
#include "check.h"

#define S(lit) (const uint8_t *)(lit), strlen(lit)

/* The damaged records of pymarc's test/bad_records.mrc: records 0 and 7 are
 * good; the others fail with pymarc's classes, in this order. */
static void test_reader_verdict(const char *dir) {
    char *path = path_join(dir, "pymarc_bad_records.mrc");
    size_t file_len = 0;
    unsigned char *file = slurp(path, &file_len);
    CHECK(file != NULL);

    MrrcReadOptions opts = mrrc_read_options_default();
    opts.mode = MRRC_MODE_LENIENT;
    MrrcReader *reader = NULL;
    CHECK_OK(mrrc_reader_open_path(path, &opts, &reader));
    CHECK_OK(mrrc_reader_set_pymarc_checks(reader, true));

    static const char *expected[] = {
        "BaseAddressInvalid", "BaseAddressNotFound", "RecordDirectoryInvalid",
        "UnicodeDecodeError", "ValueError",          "NoFieldsFound",
        "TruncatedRecord",
    };
    static const uint64_t expected_index[] = {1, 2, 3, 4, 5, 6, 8};
    size_t errors = 0, good = 0, calls = 0;
    MrrcRecord *records[4];
    size_t ends[4];
    for (;;) {
        size_t n = 99;
        MrrcStatus st = mrrc_reader_next_batch_chunks(reader, records, ends, 4, &n);
        if (++calls > 50) break;
        if (st != MRRC_OK) {
            MrrcBytes chunk = mrrc_reader_last_record_bytes(reader);
            CHECK(chunk.len > 0);
            const char *name = mrrc_pymarc_error_name(chunk.ptr, chunk.len, st, true);
            uint64_t index = 99;
            CHECK(mrrc_last_error_record_index(&index));
            if (errors < 7) {
                CHECK(name && strcmp(name, expected[errors]) == 0);
                CHECK(index == expected_index[errors]);
            }
            CHECK(n == 99); /* untouched on failure */
            errors++;
            continue;
        }
        if (n == 0) break;
        MrrcBytes bytes = mrrc_reader_batch_bytes(reader);
        CHECK(bytes.len == ends[n - 1]);
        for (size_t i = 0; i < n; i++) {
            size_t start = i ? ends[i - 1] : 0;
            /* The chunk is the record as it is in the file (127 bytes each,
             * record 0 first in the file). */
            CHECK(ends[i] - start == 127);
            if (good == 0) CHECK(memcmp(bytes.ptr + start, file, 127) == 0);
            char *title = mrrc_record_title(records[i]);
            CHECK(title && strstr(title, "The pragmatic programmer") == title);
            mrrc_string_free(title);
            mrrc_record_free(records[i]);
            good++;
        }
    }
    CHECK(good == 2);
    CHECK(errors == 7);
    CHECK(mrrc_reader_records_returned(reader) == 2);
    mrrc_reader_free(reader);

    /* Without the verdict, lenient mode repairs and returns more records. */
    CHECK_OK(mrrc_reader_open_path(path, &opts, &reader));
    size_t lenient_good = 0;
    for (int guard = 0; guard < 50; guard++) {
        size_t n = 0;
        if (mrrc_reader_next_batch_chunks(reader, records, ends, 4, &n) != MRRC_OK) continue;
        if (n == 0) break;
        for (size_t i = 0; i < n; i++) mrrc_record_free(records[i]);
        lenient_good += n;
    }
    CHECK(lenient_good > 2);
    mrrc_reader_free(reader);
    free(file);
    free(path);
}

static void test_decode(const char *dir) {
    MrrcRecord *r = NULL;
    /* The core calls it truncated; pymarc's decode_marc checks the leader
     * first. */
    MrrcStatus foo = mrrc_record_decode_pymarc(S("foo"), NULL, true, &r);
    CHECK(foo == MRRC_TRUNCATED);
    CHECK(r == NULL);
    CHECK(strcmp(mrrc_pymarc_error_name(S("foo"), foo, false), "RecordLeaderInvalid") == 0);

    char *path = path_join(dir, "pymarc_one.mrc");
    size_t len = 0;
    unsigned char *data = slurp(path, &len);
    CHECK(data != NULL);
    MrrcReadOptions opts = mrrc_read_options_default();
    opts.mode = MRRC_MODE_LENIENT;
    CHECK_OK(mrrc_record_decode_pymarc(data, len, &opts, true, &r));
    CHECK(r != NULL && mrrc_record_field_count(r) > 0);
    mrrc_record_free(r);
    /* Cut inside the directory: pymarc's own check names the class. */
    r = NULL;
    MrrcStatus st = mrrc_record_decode_pymarc(data, 40, &opts, true, &r);
    CHECK(st != MRRC_OK && r == NULL);
    const char *name = mrrc_pymarc_error_name(data, 40, st, false);
    CHECK(name != NULL && strcmp(name, "MarcError") != 0);
    free(data);
    free(path);
}

static void test_flat_values_and_fields(void) {
    MrrcField *f = NULL;
    CHECK_OK(mrrc_field_new_data("245", '1', '0', &f));
    CHECK_OK(mrrc_field_add_subfield(f, 'a', S(" Pale fire : "), SIZE_MAX));
    CHECK_OK(mrrc_field_add_subfield(f, 'c', S("Nabokov."), SIZE_MAX));

    MrrcFlat *flat = NULL;
    CHECK_OK(mrrc_field_flatten(f, MRRC_OFFSETS_BYTES | MRRC_FLAT_VALUES, &flat));
    CHECK(flat->offset_unit == MRRC_OFFSETS_BYTES);
    CHECK(flat->record_count == 0 && flat->field_count == 1 && flat->subfield_count == 2);
    const MrrcFlatField *ff = &flat->fields[0];
    char *value = mrrc_field_value(f);
    CHECK(value && ff->value_len == strlen(value) &&
          memcmp(flat->text + ff->value_offset, value, ff->value_len) == 0);
    mrrc_string_free(value);

    MrrcField *back = NULL;
    CHECK_OK(mrrc_field_from_flat(flat, 0, &back));
    CHECK(mrrc_field_equal(f, back));
    mrrc_field_free(back);
    back = NULL;
    CHECK_STATUS(mrrc_field_from_flat(flat, 1, &back), MRRC_INDEX_OUT_OF_RANGE);
    CHECK(back == NULL);
    mrrc_flat_free(flat);

    /* Without the flag a data field's value run is empty. */
    CHECK_OK(mrrc_field_flatten(f, MRRC_OFFSETS_CHARS, &flat));
    CHECK(flat->fields[0].value_len == 0);
    mrrc_flat_free(flat);
    CHECK_STATUS(mrrc_field_flatten(f, 7, &flat), MRRC_INVALID_ARGUMENT);

    /* A record flattened with values: the same value as the field's. */
    MrrcRecord *r = mrrc_record_new();
    CHECK_OK(mrrc_record_add_field(r, f));
    CHECK_OK(mrrc_record_flatten(r, MRRC_OFFSETS_CHARS | MRRC_FLAT_VALUES, &flat));
    CHECK(flat->record_count == 1 && flat->fields[0].value_len == strlen("Pale fire : Nabokov."));
    mrrc_flat_free(flat);

    /* Strings may hold NUL: mrrc_string_len gives their whole length. */
    MrrcField *nul = NULL;
    CHECK_OK(mrrc_field_new_data("500", ' ', ' ', &nul));
    CHECK_OK(mrrc_field_add_subfield(nul, 'a', (const uint8_t *)"a\0b", 3, SIZE_MAX));
    char *v = mrrc_field_value(nul);
    CHECK(v && strlen(v) == 1 && mrrc_string_len(v) == 3 && memcmp(v, "a\0b", 4) == 0);
    mrrc_string_free(v);
    mrrc_field_free(nul);
    mrrc_record_free(r);
    mrrc_field_free(f);
}

static void test_null_arguments(void) {
    MrrcRecord *records[1];
    size_t ends[1], n = 0;
    MrrcFlat *flat = NULL;
    MrrcField *f = NULL;
    CHECK_STATUS(mrrc_reader_set_pymarc_checks(NULL, true), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_reader_next_batch_chunks(NULL, records, ends, 1, &n), MRRC_NULL_ARGUMENT);
    MrrcReader *reader = NULL;
    CHECK_OK(mrrc_reader_from_bytes(NULL, 0, NULL, &reader));
    CHECK_STATUS(mrrc_reader_next_batch_chunks(reader, records, NULL, 1, &n), MRRC_NULL_ARGUMENT);
    CHECK_OK(mrrc_reader_next_batch_chunks(reader, records, ends, 1, &n));
    CHECK(n == 0);
    CHECK(mrrc_reader_batch_bytes(reader).ptr == NULL);
    mrrc_reader_free(reader);
    CHECK(mrrc_reader_batch_bytes(NULL).ptr == NULL);
    CHECK_STATUS(mrrc_record_decode_pymarc(NULL, 5, NULL, true, &records[0]), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_record_decode_pymarc(S("foo"), NULL, true, NULL), MRRC_NULL_ARGUMENT);
    CHECK(mrrc_pymarc_error_name(NULL, 5, MRRC_LEADER, true) == NULL);
    CHECK_STATUS(mrrc_field_flatten(NULL, MRRC_OFFSETS_BYTES, &flat), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_field_from_flat(NULL, 0, &f), MRRC_NULL_ARGUMENT);
    CHECK(mrrc_string_len(NULL) == 0);
}

/* A 245 with an empty $a and an upper-case $B code: MRRC_MODE_LENIENT
 * makes marc4j's repairs (drops the first, lower-cases the second);
 * MRRC_MODE_LENIENT_KEEP_CONTENT keeps the field as pymarc reads it. */
static void test_keep_content(void) {
    static const char record[] =
        "00054nam a2200037 a 4500"
        "245001600000\x1e"
        "10\x1f" "a\x1f" "BTitle\x1f" "cme\x1e\x1d";
    MrrcReadOptions opts = mrrc_read_options_default();
    const size_t expected_count[] = {2, 3};
    const uint32_t expected_second_code[] = {'c', 'B'};
    const MrrcMode modes[] = {MRRC_MODE_LENIENT, MRRC_MODE_LENIENT_KEEP_CONTENT};
    for (size_t m = 0; m < 2; m++) {
        opts.mode = modes[m];
        MrrcRecord *rec = NULL;
        CHECK_OK(mrrc_record_from_bytes((const uint8_t *)record, sizeof record - 1, &opts, &rec));
        const MrrcField *field = mrrc_record_field(rec, 0);
        CHECK(field != NULL);
        CHECK(mrrc_field_subfield_count(field) == expected_count[m]);
        uint32_t code = 0;
        MrrcStr value;
        CHECK_OK(mrrc_field_subfield(field, 1, &code, &value));
        CHECK(code == expected_second_code[m]);
        CHECK_OK(mrrc_field_subfield(field, 0, &code, &value));
        CHECK(code == (m == 0 ? 'b' : 'a'));
        CHECK(value.len == (m == 0 ? 5 : 0));
        mrrc_record_free(rec);
    }
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "ffi/tests/data";
    test_reader_verdict(dir);
    test_decode(dir);
    test_flat_values_and_fields();
    test_null_arguments();
    test_keep_content();
    TEST_MAIN_END();
}
