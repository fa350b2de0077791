/* mrrc_record_split: a record's pieces in column order joined by a free
 * separator, the kinds of its fields, the sizes; too-small buffers, a
 * separator that occurs in a value, no free separator, empty records and
 * NULL arguments; mrrc_records_split_text, one property of many records;
 * mrrc_records_split, many records' split views in one call. */
#include "check.h"

static const char *data_dir;

/* Piece `index` of a split text (pieces joined by `sep`), as a new string
 * (its length in `*piece_len` when not NULL: a piece may hold NUL). */
static char *piece_n(const uint8_t *text, size_t len, uint8_t sep, size_t index, size_t *piece_len) {
    size_t start = 0, i = 0;
    for (size_t at = 0; at <= len; at++) {
        if (at == len || text[at] == sep) {
            if (i == index) {
                char *out = malloc(at - start + 1);
                memcpy(out, text + start, at - start);
                out[at - start] = '\0';
                if (piece_len) *piece_len = at - start;
                return out;
            }
            i++;
            start = at + 1;
        }
    }
    return NULL;
}

static char *piece(const uint8_t *text, size_t len, uint8_t sep, size_t index) {
    return piece_n(text, len, sep, index, NULL);
}

static size_t piece_count(const uint8_t *text, size_t len, uint8_t sep) {
    size_t n = 1;
    for (size_t i = 0; i < len; i++) n += text[i] == sep;
    return n;
}

#define CHECK_PIECE(text, split, index, expected)                             \
    do {                                                                       \
        char *p_ = piece((text), (split).text_len, (split).separator, (index)); \
        CHECK(p_ != NULL && strcmp(p_, (expected)) == 0);                      \
        if (p_ == NULL || strcmp(p_, (expected)) != 0)                         \
            fprintf(stderr, "  piece %d is \"%s\", expected \"%s\"\n",         \
                    (int)(index), p_ ? p_ : "(none)", (expected));             \
        free(p_);                                                              \
    } while (0)

/* Piece `index` is exactly the `n` bytes of `expected` (which may hold NUL). */
#define CHECK_PIECE_BYTES(text, split, index, expected, n)                                  \
    do {                                                                                   \
        size_t len_ = 0;                                                                   \
        char *p_ = piece_n((text), (split).text_len, (split).separator, (index), &len_);   \
        CHECK(p_ != NULL && len_ == (n) && memcmp(p_, (expected), (n)) == 0);              \
        free(p_);                                                                          \
    } while (0)

/* The first record of the camel file: 18 fields, 4 of them control fields,
 * 25 subfields. */
static void test_camel_record(void) {
    char *path = path_join(data_dir, "pymarc_test_camel.mrc");
    MrrcReader *reader = NULL;
    CHECK_OK(mrrc_reader_open_path(path, NULL, &reader));
    MrrcRecord *record = NULL;
    CHECK_OK(mrrc_reader_next(reader, &record));
    uint8_t text[4096];
    int32_t kinds[32];
    MrrcSplit split;
    CHECK_OK(mrrc_record_split(record, text, sizeof text, kinds, 32, &split));
    CHECK(split.separator == 0x1f);
    CHECK(split.field_count == 18);
    CHECK(split.data_field_count == 14);
    CHECK(split.subfield_count == 25);
    size_t n = split.field_count, d = split.data_field_count, m = split.subfield_count;
    CHECK(piece_count(text, split.text_len, split.separator) == 2 * n + 2 + m);
    const int32_t want_kinds[18] = {-1, -1, -1, -1, 1, 1, 3, 1, 2, 2, 2, 2, 3, 4, 1, 1, 1, 1};
    CHECK(memcmp(kinds, want_kinds, sizeof want_kinds) == 0);
    /* Tags, then values: control data and pymarc's value() of data fields. */
    CHECK_PIECE(text, split, 0, "001");
    CHECK_PIECE(text, split, 11, "245");
    CHECK_PIECE(text, split, n + 0, "fol05731351 ");
    CHECK_PIECE(text, split, n + 6, "DLC DLC DLC");
    CHECK_PIECE(text, split, n + 11, "ActivePerl with ASP and ADO / Tobias Martinsson.");
    /* The indicators of the data fields in one piece, two a field: 245 is
     * the 8th data field, "10". */
    char *inds = piece(text, split.text_len, split.separator, 2 * n);
    CHECK(inds != NULL && strlen(inds) == 2 * d && memcmp(inds + 2 * 7, "10", 2) == 0);
    free(inds);
    /* The codes of the subfields in one piece: 040 $a $c $d are the 3rd to
     * 5th; then the values. */
    char *codes = piece(text, split.text_len, split.separator, 2 * n + 1);
    CHECK(codes != NULL && strlen(codes) == m && memcmp(codes + 2, "acd", 3) == 0);
    free(codes);
    CHECK_PIECE(text, split, 2 * n + 2 + 2, "DLC");
    CHECK_PIECE(text, split, 2 * n + 2 + m - 1, "ActiveX.");

    /* Too small: the sizes needed (then a big enough buffer works). */
    uint8_t small[16];
    MrrcSplit need;
    CHECK_STATUS(mrrc_record_split(record, small, sizeof small, kinds, 32, &need),
                 MRRC_BUFFER_TOO_SMALL);
    CHECK(need.text_len == split.text_len && need.field_count == 18);
    uint8_t *exact = malloc(need.text_len);
    CHECK_OK(mrrc_record_split(record, exact, need.text_len, kinds, 18, &need));
    CHECK(memcmp(exact, text, need.text_len) == 0);
    free(exact);
    CHECK(last_error_mentions("bytes of text"));
    CHECK_STATUS(mrrc_record_split(record, text, sizeof text, kinds, 17, &need),
                 MRRC_BUFFER_TOO_SMALL);
    CHECK(need.field_count == 18);
    /* NULL arguments. */
    CHECK_STATUS(mrrc_record_split(NULL, text, sizeof text, kinds, 32, &need), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_record_split(record, NULL, 10, kinds, 32, &need), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_record_split(record, text, sizeof text, NULL, 32, &need), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_record_split(record, text, sizeof text, kinds, 32, NULL), MRRC_NULL_ARGUMENT);
    mrrc_record_free(record);
    mrrc_reader_free(reader);
    free(path);
}

static MrrcField *control(const char *tag, const char *value) {
    MrrcField *f = NULL;
    CHECK_OK(mrrc_field_new_control(tag, (const uint8_t *)value, strlen(value), &f));
    return f;
}

static void add(MrrcRecord *record, MrrcField *field) {
    CHECK_OK(mrrc_record_add_field(record, field));
    mrrc_field_free(field);
}

/* A value holding the usual separator gets another one; the empty code is
 * the byte 0 in its piece; a record without fields gives no text. */
static void test_separators(void) {
    MrrcRecord *record = mrrc_record_new();
    uint8_t text[1024];
    int32_t kinds[8];
    MrrcSplit split;
    CHECK_OK(mrrc_record_split(record, text, sizeof text, kinds, 8, &split));
    CHECK(split.text_len == 0 && split.field_count == 0 && split.subfield_count == 0);
    CHECK_OK(mrrc_record_split(record, NULL, 0, NULL, 0, &split));

    add(record, control("001", "a\x1f" "b"));
    MrrcField *data = NULL;
    CHECK_OK(mrrc_field_new_data("245", '1', 0, &data));
    CHECK_OK(mrrc_field_add_subfield(data, 0, (const uint8_t *)"no code", 7, SIZE_MAX));
    CHECK_OK(mrrc_field_add_subfield(data, 0xe9, (const uint8_t *)"\xc3\xa9t\xc3\xa9", 5, SIZE_MAX));
    add(record, data);
    CHECK_OK(mrrc_record_split(record, text, sizeof text, kinds, 8, &split));
    CHECK(split.separator == 0x1e);
    CHECK(kinds[0] == -1 && kinds[1] == 2);
    CHECK(piece_count(text, split.text_len, split.separator) == 2 * 2 + 2 + 2);
    CHECK_PIECE(text, split, 2, "a\x1f" "b");
    CHECK_PIECE(text, split, 3, "no code \xc3\xa9t\xc3\xa9");
    CHECK_PIECE_BYTES(text, split, 4, "1\0", 2);           /* indicators, the second NUL */
    CHECK_PIECE_BYTES(text, split, 5, "\0\xc3\xa9", 3);     /* codes: NUL, then U+00E9 */
    CHECK_PIECE(text, split, 6, "no code");
    CHECK_PIECE(text, split, 7, "\xc3\xa9t\xc3\xa9");
    CHECK_OK(mrrc_record_split_values(record, "001", MRRC_NO_CODE, text, sizeof text, &split));
    CHECK(split.separator == 0x1e && split.piece_count == 1);
    CHECK_PIECE(text, split, 0, "a\x1f" "b");
    CHECK_OK(mrrc_record_split_values(record, "245", 0, text, sizeof text, &split));
    CHECK(split.separator == 0x1f && split.piece_count == 1);
    CHECK_PIECE(text, split, 0, "no code");

    /* Every ASCII byte in the text: no separator is free. */
    char all[129];
    for (int i = 0; i < 128; i++) all[i] = (char)(i == 0 ? 0x7f : i);
    all[128] = '\0';
    MrrcField *f = NULL;
    CHECK_OK(mrrc_field_new_control("002", (const uint8_t *)"\0", 1, &f));
    add(record, f);
    add(record, control("003", all));
    CHECK_STATUS(mrrc_record_split(record, text, sizeof text, kinds, 8, &split), MRRC_INVALID_ARGUMENT);
    CHECK(last_error_mentions("mrrc_record_flatten"));
    /* 003 alone lacks only NUL, which becomes the separator. */
    CHECK_OK(mrrc_record_split_values(record, "003", MRRC_NO_CODE, text, sizeof text, &split));
    CHECK(split.separator == 0 && split.piece_count == 1 && split.text_len == 128);
    CHECK_PIECE(text, split, 0, all);
    mrrc_record_free(record);
}

/* Values of one code in the fields of one tag, or the fields' value(). */
static void test_values(void) {
    char *path = path_join(data_dir, "pymarc_test_camel.mrc");
    MrrcReader *reader = NULL;
    CHECK_OK(mrrc_reader_open_path(path, NULL, &reader));
    MrrcRecord *record = NULL;
    CHECK_OK(mrrc_reader_next(reader, &record));
    uint8_t text[1024];
    MrrcSplit split;
    /* 630 $a twice (two fields), then 650 $a once. */
    CHECK_OK(mrrc_record_split_values(record, "630", 'a', text, sizeof text, &split));
    CHECK(split.piece_count == 2 && split.separator == 0x1f && split.field_count == 0);
    CHECK_PIECE(text, split, 0, "Active server pages.");
    CHECK_PIECE(text, split, 1, "ActiveX.");
    CHECK_OK(mrrc_record_split_values(record, "040", 'a', text, sizeof text, &split));
    CHECK(split.piece_count == 1);
    CHECK_PIECE(text, split, 0, "DLC");
    CHECK_OK(mrrc_record_split_values(record, "245", MRRC_NO_CODE, text, sizeof text, &split));
    CHECK(split.piece_count == 1);
    CHECK_PIECE(text, split, 0, "ActivePerl with ASP and ADO / Tobias Martinsson.");
    CHECK_OK(mrrc_record_split_values(record, "001", MRRC_NO_CODE, text, sizeof text, &split));
    CHECK_PIECE(text, split, 0, "fol05731351 ");
    /* None: no such tag, a control field has no subfields. */
    CHECK_OK(mrrc_record_split_values(record, "999", 'a', text, sizeof text, &split));
    CHECK(split.piece_count == 0 && split.text_len == 0);
    CHECK_OK(mrrc_record_split_values(record, "001", 'a', NULL, 0, &split));
    CHECK(split.piece_count == 0);
    /* Too small, bad arguments. */
    CHECK_STATUS(mrrc_record_split_values(record, "630", 'a', text, 5, &split), MRRC_BUFFER_TOO_SMALL);
    CHECK(split.text_len == strlen("Active server pages.") + 1 + strlen("ActiveX."));
    CHECK_STATUS(mrrc_record_split_values(record, NULL, 'a', text, sizeof text, &split), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_record_split_values(NULL, "630", 'a', text, sizeof text, &split), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_record_split_values(record, "630", 'a', text, sizeof text, NULL), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_record_split_values(record, "630", 0xD800, text, sizeof text, &split),
                 MRRC_INVALID_ARGUMENT);
    CHECK_STATUS(mrrc_record_split_values(record, "\xff", 'a', text, sizeof text, &split),
                 MRRC_INVALID_ARGUMENT);
    mrrc_record_free(record);
    mrrc_reader_free(reader);
    free(path);
}

/* One text property of many records in one call: a piece per record, in
 * order, an empty piece and a 0 flag for a record without it. */
static void test_records_text(void) {
    char *path = path_join(data_dir, "pymarc_test_camel.mrc");
    MrrcReader *reader = NULL;
    CHECK_OK(mrrc_reader_open_path(path, NULL, &reader));
    MrrcRecord *records[4] = {NULL, NULL, NULL, NULL};
    for (int i = 0; i < 3; i++) CHECK_OK(mrrc_reader_next(reader, &records[i]));
    records[3] = records[1];
    records[1] = mrrc_record_new(); /* no 245, no 1XX */
    uint8_t text[1024];
    uint8_t present[4];
    MrrcSplit split;
    const MrrcRecord *const *all = (const MrrcRecord *const *)records;
    CHECK_OK(mrrc_records_split_text(all, 4, MRRC_TEXT_TITLE, text, sizeof text, present, &split));
    CHECK(split.piece_count == 4 && split.separator == 0x1f && split.field_count == 0);
    CHECK(present[0] == 1 && present[1] == 0 && present[2] == 1 && present[3] == 1);
    CHECK_PIECE(text, split, 0, "ActivePerl with ASP and ADO /");
    CHECK_PIECE(text, split, 1, "");
    CHECK_PIECE(text, split, 2, "Perl : programmer's reference /");
    CHECK_PIECE(text, split, 3, "Programming the Perl DBI /");
    CHECK_OK(mrrc_records_split_text(all, 4, MRRC_TEXT_AUTHOR, text, sizeof text, present, &split));
    CHECK(present[0] == 1 && present[1] == 0);
    CHECK_PIECE(text, split, 0, "Martinsson, Tobias, 1976-");
    CHECK_PIECE(text, split, 3, "Descartes, Alligator.");
    /* The same text as the one-record accessor. */
    char *one = mrrc_record_title(records[2]);
    CHECK(one != NULL);
    CHECK_OK(mrrc_records_split_text(all + 2, 1, MRRC_TEXT_TITLE, text, sizeof text, present, &split));
    CHECK(split.piece_count == 1 && split.text_len == strlen(one) && memcmp(text, one, strlen(one)) == 0);
    mrrc_string_free(one);
    /* No records: no text. */
    CHECK_OK(mrrc_records_split_text(NULL, 0, MRRC_TEXT_TITLE, NULL, 0, NULL, &split));
    CHECK(split.piece_count == 0 && split.text_len == 0);
    /* Too small, bad arguments. */
    CHECK_STATUS(mrrc_records_split_text(all, 4, MRRC_TEXT_TITLE, text, 8, present, &split),
                 MRRC_BUFFER_TOO_SMALL);
    CHECK(split.text_len == strlen("ActivePerl with ASP and ADO /") + 3 +
                                strlen("Perl : programmer's reference /") +
                                strlen("Programming the Perl DBI /"));
    CHECK_STATUS(mrrc_records_split_text(all, 4, 99, text, sizeof text, present, &split),
                 MRRC_INVALID_ARGUMENT);
    CHECK(last_error_mentions("unknown text property"));
    CHECK_STATUS(mrrc_records_split_text(NULL, 4, MRRC_TEXT_TITLE, text, sizeof text, present, &split),
                 MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_records_split_text(all, 4, MRRC_TEXT_TITLE, text, sizeof text, NULL, &split),
                 MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_records_split_text(all, 4, MRRC_TEXT_TITLE, text, sizeof text, present, NULL),
                 MRRC_NULL_ARGUMENT);
    MrrcRecord *second = records[3];
    records[3] = NULL;
    CHECK_STATUS(mrrc_records_split_text(all, 4, MRRC_TEXT_TITLE, text, sizeof text, present, &split),
                 MRRC_NULL_ARGUMENT);
    for (int i = 0; i < 3; i++) mrrc_record_free(records[i]);
    mrrc_record_free(second);
    mrrc_reader_free(reader);
    free(path);
}

/* Many records split in one call: each record's text and kinds are those
 * mrrc_record_split gives it, back to back; the text ends count bytes (a
 * record with two-byte characters among them); a NULL entry is a record
 * left out (no text, no kinds); a record holding 0x1F in its text,
 * too-small buffers and NULL arguments are refused. */
static void test_records_split(void) {
    char *path = path_join(data_dir, "pymarc_test_camel.mrc");
    MrrcReader *reader = NULL;
    CHECK_OK(mrrc_reader_open_path(path, NULL, &reader));
    MrrcRecord *records[5] = {NULL, NULL, NULL, NULL, NULL};
    CHECK_OK(mrrc_reader_next(reader, &records[0]));
    records[1] = mrrc_record_new(); /* no fields: no text */
    CHECK_OK(mrrc_reader_next(reader, &records[2]));
    records[3] = mrrc_record_new();
    add(records[3], control("001", "\xc3\xa9t\xc3\xa9")); /* two code points of two bytes */
    CHECK_OK(mrrc_reader_next(reader, &records[4]));
    const MrrcRecord *const *all = (const MrrcRecord *const *)records;
    static uint8_t text[16384], one[4096];
    int32_t kinds[128], one_kinds[64];
    size_t ends[10];
    MrrcSplit split, each;
    CHECK_OK(mrrc_records_split(all, 5, text, sizeof text, kinds, 128, ends, &split));
    CHECK(split.separator == 0x1f);
    size_t at = 0, k = 0, fields = 0, pieces = 0;
    for (int i = 0; i < 5; i++) {
        CHECK_OK(mrrc_record_split(records[i], one, sizeof one, one_kinds, 64, &each));
        CHECK(each.separator == 0x1f);
        CHECK(at + each.text_len <= split.text_len && memcmp(text + at, one, each.text_len) == 0);
        CHECK(memcmp(kinds + k, one_kinds, each.field_count * sizeof(int32_t)) == 0);
        at += each.text_len;
        k += each.field_count;
        fields += each.field_count;
        pieces += each.piece_count;
        CHECK(ends[2 * i] == at);
        CHECK(ends[2 * i + 1] == k);
    }
    CHECK(split.text_len == at && split.field_count == fields && split.piece_count == pieces);
    CHECK(ends[2] == ends[0] && ends[3] == ends[1]); /* the empty record */
    /* No records: nothing. */
    CHECK_OK(mrrc_records_split(NULL, 0, NULL, 0, NULL, 0, NULL, &split));
    CHECK(split.text_len == 0 && split.field_count == 0);
    /* Too small: the sizes needed. */
    CHECK_STATUS(mrrc_records_split(all, 5, text, 100, kinds, 128, ends, &split), MRRC_BUFFER_TOO_SMALL);
    CHECK(split.text_len == at && split.field_count == fields);
    CHECK_STATUS(mrrc_records_split(all, 5, text, sizeof text, kinds, 4, ends, &split), MRRC_BUFFER_TOO_SMALL);
    CHECK(split.field_count == fields);
    /* NULL arguments. */
    CHECK_STATUS(mrrc_records_split(NULL, 5, text, sizeof text, kinds, 128, ends, &split), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_records_split(all, 5, text, sizeof text, kinds, 128, NULL, &split), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_records_split(all, 5, text, sizeof text, kinds, 128, ends, NULL), MRRC_NULL_ARGUMENT);
    /* A NULL entry is a record left out: no text, no kinds. */
    size_t before[10];
    CHECK_OK(mrrc_records_split(all, 5, text, sizeof text, kinds, 128, before, &split));
    MrrcRecord *last = records[4];
    records[4] = NULL;
    CHECK_OK(mrrc_records_split(all, 5, text, sizeof text, kinds, 128, ends, &split));
    CHECK(memcmp(ends, before, 8 * sizeof(size_t)) == 0);
    CHECK(ends[8] == ends[6] && ends[9] == ends[7]);
    CHECK(split.text_len == ends[6] && split.field_count == ends[7]);
    MrrcRecord *first = records[0];
    records[0] = NULL;
    records[4] = last;
    CHECK_OK(mrrc_records_split(all, 5, text, sizeof text, kinds, 128, ends, &split));
    CHECK(ends[0] == 0 && ends[1] == 0);
    CHECK(ends[8] == before[8] - before[0] && ends[9] == before[9] - before[1]);
    records[0] = first;
    records[4] = NULL;
    /* The separator in a value. */
    add(records[1], control("001", "a\x1f" "b"));
    CHECK_STATUS(mrrc_records_split(all, 5, text, sizeof text, kinds, 128, ends, &split), MRRC_INVALID_ARGUMENT);
    CHECK(last_error_mentions("record 1"));
    for (int i = 0; i < 4; i++) mrrc_record_free(records[i]);
    mrrc_record_free(last);
    mrrc_reader_free(reader);
    free(path);
}

int main(int argc, char **argv) {
    TEST_DATA_DIR(argc, argv, data_dir);
    test_camel_record();
    test_separators();
    test_values();
    test_records_text();
    test_records_split();
    TEST_MAIN_END();
}
