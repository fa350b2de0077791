/* Records and fields built and edited through the C ABI: pymarc 5.4.0's
 * semantics (accessors, ordered/grouped insertion, subfield editing, str()),
 * flat views both ways, and every error path of these calls. */
#include "check.h"

#define S(lit) (const uint8_t *)(lit), strlen(lit)

static MrrcField *data_field(const char *tag, char i1, char i2, const char *codes,
                             const char *const *values) {
    MrrcField *f = NULL;
    CHECK_OK(mrrc_field_new_data(tag, (uint32_t)i1, (uint32_t)i2, &f));
    for (size_t i = 0; codes[i]; i++)
        CHECK_OK(mrrc_field_add_subfield(f, (uint32_t)codes[i], S(values[i]), SIZE_MAX));
    return f;
}

static void add_and_free(MrrcRecord *r, MrrcField *f) {
    CHECK_OK(mrrc_record_add_field(r, f));
    mrrc_field_free(f);
}

/* The record of pymarc's own accessor tests, built field by field. */
static MrrcRecord *sample_record(void) {
    MrrcRecord *r = mrrc_record_new();
    MrrcField *f = NULL;
    CHECK_OK(mrrc_field_new_control("1", S("ocm01047729"), &f)); /* zero-padded to 001 */
    add_and_free(r, f);
    add_and_free(r, data_field("020", ' ', ' ', "a", (const char *[]){"0-8112-1480-X (pbk.)"}));
    add_and_free(r, data_field("100", '1', ' ', "ad",
                               (const char *[]){"Nabokov, Vladimir,", "1899-1977."}));
    add_and_free(r, data_field("245", '1', '0', "abc",
                               (const char *[]){"Pale fire :", "a novel /", "Vladimir Nabokov."}));
    add_and_free(r, data_field("264", ' ', '0', "b", (const char *[]){"Producer"}));
    add_and_free(r, data_field("264", ' ', '1', "bc", (const char *[]){"Publisher", "1962"}));
    add_and_free(r, data_field("650", ' ', '0', "av", (const char *[]){"Poets", "Fiction."}));
    return r;
}

static void test_accessors(void) {
    MrrcRecord *r = sample_record();
    CHECK(mrrc_record_field_count(r) == 7);
    CHECK_STR_FREE(mrrc_record_title(r), "Pale fire : a novel /");
    CHECK_STR_FREE(mrrc_record_isbn(r), "081121480X");
    CHECK_STR_FREE(mrrc_record_author(r), "Nabokov, Vladimir, 1899-1977.");
    CHECK_STR_FREE(mrrc_record_publisher(r), "Publisher");
    CHECK_STR_FREE(mrrc_record_pubyear(r), "1962");
    CHECK_STR_FREE(mrrc_record_issn(r), NULL);
    CHECK_STR_FREE(mrrc_record_uniform_title(r), NULL);
    CHECK_STR_FREE(mrrc_record_sudoc(r), NULL);

    const MrrcField *f001 = mrrc_record_field(r, 0);
    CHECK(mrrc_field_is_control(f001));
    CHECK(str_eq(mrrc_field_tag(f001), "001"));
    CHECK(str_eq(mrrc_field_control_value(f001), "ocm01047729"));
    CHECK(mrrc_field_subfield_count(f001) == 0);

    const MrrcField *f245 = mrrc_record_get_field(r, "245");
    CHECK(f245 == mrrc_record_field(r, 3));
    uint32_t i1 = 0, i2 = 0;
    CHECK_OK(mrrc_field_indicators(f245, &i1, &i2));
    CHECK(i1 == '1' && i2 == '0');
    CHECK(str_eq(mrrc_field_get(f245, 'b'), "a novel /"));
    CHECK(str_eq(mrrc_field_get(f245, 'z'), NULL));
    uint32_t code = 0;
    MrrcStr value = {0};
    CHECK_OK(mrrc_field_subfield(f245, 2, &code, &value));
    CHECK(code == 'c' && str_eq(value, "Vladimir Nabokov."));
    CHECK_STR_FREE(mrrc_field_value(f245), "Pale fire : a novel / Vladimir Nabokov.");
    CHECK_STR_FREE(mrrc_field_to_string(f245),
                   "=245  10$aPale fire :$ba novel /$cVladimir Nabokov.");
    CHECK_STR_FREE(mrrc_field_format(mrrc_record_get_field(r, "650")), "Poets -- Fiction.");
    CHECK(mrrc_field_is_subject(mrrc_record_get_field(r, "650")));
    CHECK(mrrc_record_get_field(r, "999") == NULL);
    CHECK(mrrc_record_field(r, 7) == NULL);

    size_t *idx = NULL, n = 0;
    const char *tags[] = {"264", "001"};
    CHECK_OK(mrrc_record_field_indexes(r, tags, 2, &idx, &n));
    CHECK(n == 3 && idx[0] == 0 && idx[1] == 4 && idx[2] == 5);
    mrrc_indexes_free(idx);
    CHECK_OK(mrrc_record_group_indexes(r, MRRC_GROUP_SUBJECTS, &idx, &n));
    CHECK(n == 1 && idx[0] == 6);
    mrrc_indexes_free(idx);
    CHECK_OK(mrrc_record_group_indexes(r, MRRC_GROUP_NOTES, &idx, &n));
    CHECK(n == 0 && idx == NULL);

    uint8_t leader[24];
    CHECK_OK(mrrc_record_leader(r, leader));
    CHECK(memcmp(leader, "          22        4500", 24) == 0);

    CHECK_STR_FREE(mrrc_record_to_string(r),
                   "=LDR            22        4500\n"
                   "=001  ocm01047729\n"
                   "=020  \\\\$a0-8112-1480-X (pbk.)\n"
                   "=100  1\\$aNabokov, Vladimir,$d1899-1977.\n"
                   "=245  10$aPale fire :$ba novel /$cVladimir Nabokov.\n"
                   "=264  \\0$bProducer\n"
                   "=264  \\1$bPublisher$c1962\n"
                   "=650  \\0$aPoets$vFiction.\n");
    mrrc_record_free(r);
}

static void test_editing(void) {
    MrrcRecord *r = sample_record();
    size_t at = 99;
    MrrcField *f240 = data_field("240", '1', '0', "a", (const char *[]){"Uniform"});
    CHECK_OK(mrrc_record_add_ordered_field(r, f240, &at));
    CHECK(at == 3); /* after 100, before 245 */
    CHECK_STR_FREE(mrrc_record_uniform_title(r), "Uniform");
    MrrcField *f500 = data_field("500", ' ', ' ', "a", (const char *[]){"A note."});
    CHECK_OK(mrrc_record_add_grouped_field(r, f500, &at));
    CHECK(at == 7); /* before 650 */
    CHECK_OK(mrrc_record_insert_field(r, 0, f500));
    CHECK(str_eq(mrrc_field_tag(mrrc_record_field(r, 0)), "500"));
    CHECK_OK(mrrc_record_remove_field_at(r, 0));
    const char *tags[] = {"264"};
    size_t removed = 0;
    CHECK_OK(mrrc_record_remove_fields(r, tags, 1, &removed));
    CHECK(removed == 2);
    CHECK_STR_FREE(mrrc_record_publisher(r), NULL);
    CHECK(mrrc_record_field_count(r) == 7);

    /* In-place subfield editing of a field borrowed from the record. */
    MrrcField *t = mrrc_record_field_mut(r, 4);
    CHECK(str_eq(mrrc_field_tag(t), "245"));
    CHECK_OK(mrrc_field_set_unique_subfield(t, 'a', S("Ada or Ardor :")));
    CHECK_STR_FREE(mrrc_record_title(r), "Ada or Ardor : a novel /");
    CHECK_OK(mrrc_field_add_subfield(t, 'b', S("second b"), SIZE_MAX));
    CHECK_STATUS(mrrc_field_set_unique_subfield(t, 'b', S("x")), MRRC_KEY_NOT_UNIQUE);
    CHECK_STATUS(mrrc_field_set_unique_subfield(t, 'q', S("x")), MRRC_KEY_NOT_FOUND);
    char *gone = NULL;
    CHECK_OK(mrrc_field_delete_subfield(t, 'c', &gone));
    CHECK(gone && strcmp(gone, "Vladimir Nabokov.") == 0);
    mrrc_string_free(gone);
    CHECK_STATUS(mrrc_field_delete_subfield(t, 'c', NULL), MRRC_KEY_NOT_FOUND);
    CHECK_OK(mrrc_field_add_subfield(t, '6', S("880-01"), 0));
    CHECK(str_eq(mrrc_field_linkage_occurrence_num(t), "01"));
    CHECK_OK(mrrc_field_set_subfield_at(t, 1, 'a', S("Lolita")));
    CHECK_OK(mrrc_field_remove_subfield_at(t, 3));
    CHECK_STATUS(mrrc_field_remove_subfield_at(t, 3), MRRC_INDEX_OUT_OF_RANGE);
    CHECK_OK(mrrc_field_set_indicators(t, '0', '4'));
    CHECK_OK(mrrc_field_set_tag(t, "246"));
    CHECK_STR_FREE(mrrc_field_to_string(t), "=246  04$6880-01$aLolita$ba novel /");
    size_t *idx = NULL, n = 0;
    const uint32_t codes[] = {'a', 'b'};
    CHECK_OK(mrrc_field_subfield_indexes(t, codes, 2, &idx, &n));
    CHECK(n == 2 && idx[0] == 1 && idx[1] == 2);
    mrrc_indexes_free(idx);

    /* The 246 now names 880 occurrence 01, which no 880 carries yet. */
    CHECK_STATUS(mrrc_record_linked_field_indexes(r, 4, &idx, &n), MRRC_MISSING_LINKED_FIELDS);
    MrrcField *f880 = data_field("880", '1', '0', "6a", (const char *[]){"246-01/(N", "Лолита"});
    CHECK_OK(mrrc_record_add_field(r, f880));
    mrrc_field_free(f880);
    CHECK_OK(mrrc_record_linked_field_indexes(r, 4, &idx, &n));
    CHECK(n == 1 && idx[0] == 7);
    mrrc_indexes_free(idx);

    /* Control fields: value editing, and data-only calls refused. */
    MrrcField *c = mrrc_record_field_mut(r, 0);
    CHECK_OK(mrrc_field_set_control_value(c, S("12345")));
    CHECK(str_eq(mrrc_field_control_value(c), "12345"));
    CHECK_STATUS(mrrc_field_set_unique_subfield(c, 'a', S("x")), MRRC_WRONG_FIELD_KIND);
    CHECK_STATUS(mrrc_field_add_subfield(c, 'a', S("x"), SIZE_MAX), MRRC_WRONG_FIELD_KIND);
    uint32_t i1 = 7, i2 = 7;
    CHECK_STATUS(mrrc_field_indicators(c, &i1, &i2), MRRC_WRONG_FIELD_KIND);
    CHECK(i1 == 7 && i2 == 7); /* out-parameters untouched on failure */
    CHECK_STATUS(mrrc_field_set_control_value(t, S("x")), MRRC_WRONG_FIELD_KIND);

    /* Leader. */
    CHECK_OK(mrrc_record_set_leader(r, S("00755cam  22002414a 4500")));
    CHECK_OK(mrrc_record_set_leader_byte(r, 9, 'a'));
    uint8_t leader[24];
    CHECK_OK(mrrc_record_leader(r, leader));
    CHECK(memcmp(leader, "00755cam a22002414a 4500", 24) == 0);
    CHECK_STATUS(mrrc_record_set_leader(r, S("short")), MRRC_LEADER);
    CHECK_STATUS(mrrc_record_set_leader_byte(r, 24, 'x'), MRRC_INDEX_OUT_OF_RANGE);

    /* Clone, equality, set_field, clear. */
    MrrcRecord *copy = mrrc_record_clone(r);
    CHECK(mrrc_record_equal(r, copy));
    CHECK_OK(mrrc_record_set_field(copy, 1, f240));
    CHECK(!mrrc_record_equal(r, copy));
    CHECK(mrrc_field_equal(mrrc_record_field(copy, 1), f240));
    CHECK_STATUS(mrrc_record_set_field(copy, 100, f240), MRRC_INDEX_OUT_OF_RANGE);
    CHECK_OK(mrrc_record_clear_fields(copy));
    CHECK(mrrc_record_field_count(copy) == 0);
    MrrcField *dup = mrrc_field_clone(f240);
    CHECK(mrrc_field_equal(dup, f240));
    mrrc_field_free(dup);
    mrrc_record_free(copy);
    mrrc_field_free(f240);
    mrrc_field_free(f500);
    mrrc_record_free(r);
}

static void test_flat(void) {
    MrrcRecord *r = sample_record();
    MrrcField *f = data_field("880", ' ', ' ', "a", (const char *[]){"Бледный огонь"});
    CHECK_OK(mrrc_record_add_field(r, f));
    mrrc_field_free(f);
    const MrrcRecord *two[] = {r, r};

    MrrcFlat *flat = NULL;
    CHECK_OK(mrrc_flatten_records(two, 2, MRRC_OFFSETS_BYTES, &flat));
    CHECK(flat->record_count == 2 && flat->field_count == 16);
    const MrrcFlatRecord *second = &flat->records[1];
    CHECK(second->first_field == 8 && second->field_count == 8);
    CHECK(second->leader_len == 24);
    CHECK(memcmp(flat->text + second->leader_offset, "          22        4500", 24) == 0);
    const MrrcFlatField *f245 = &flat->fields[second->first_field + 3];
    CHECK(f245->is_control == 0 && f245->indicator1 == '1' && f245->indicator2 == '0');
    CHECK(f245->subfield_count == 3);
    CHECK(f245->tag_len == 3 && memcmp(flat->text + f245->tag_offset, "245", 3) == 0);
    const MrrcFlatSubfield *b = &flat->subfields[f245->first_subfield + 1];
    CHECK(b->code == 'b' && b->value_len == 9 &&
          memcmp(flat->text + b->value_offset, "a novel /", 9) == 0);
    const MrrcFlatField *f001 = &flat->fields[0];
    CHECK(f001->is_control == 1 && f001->value_len == 11);
    const MrrcFlatField *f880 = &flat->fields[7];
    const MrrcFlatSubfield *cyr = &flat->subfields[f880->first_subfield];
    CHECK(cyr->value_len == strlen("Бледный огонь")); /* 25 bytes */

    /* Back to a record: equal to the original. */
    MrrcRecord *back = NULL;
    CHECK_OK(mrrc_record_from_flat(flat, 1, &back));
    CHECK(mrrc_record_equal(back, r));
    mrrc_record_free(back);
    CHECK_STATUS(mrrc_record_from_flat(flat, 2, &back), MRRC_INDEX_OUT_OF_RANGE);
    mrrc_flat_free(flat);

    /* Code point offsets: the Cyrillic value is 13 characters. */
    CHECK_OK(mrrc_record_flatten(r, MRRC_OFFSETS_CHARS, &flat));
    cyr = &flat->subfields[flat->fields[7].first_subfield];
    CHECK(cyr->value_len == 13);
    CHECK_OK(mrrc_record_from_flat(flat, 0, &back));
    CHECK(mrrc_record_equal(back, r));
    mrrc_record_free(back);
    mrrc_flat_free(flat);

    /* A view built by the caller, with an offset past its text. */
    const char text[] = "          22        4500245Title";
    MrrcFlatRecord rec = {0, 24, 0, 1};
    MrrcFlatField fld = {24, 3, 0, ' ', ' ', 0, 0, 0, 1};
    MrrcFlatSubfield sub = {'a', 27, 5};
    MrrcFlat mine = {text, strlen(text), MRRC_OFFSETS_BYTES, &rec, 1, &fld, 1, &sub, 1};
    CHECK_OK(mrrc_record_from_flat(&mine, 0, &back));
    CHECK_STR_FREE(mrrc_record_title(back), "Title");
    mrrc_record_free(back);
    sub.value_len = 6;
    back = (MrrcRecord *)&sub; /* sentinel: must stay untouched */
    CHECK_STATUS(mrrc_record_from_flat(&mine, 0, &back), MRRC_INVALID_ARGUMENT);
    CHECK(back == (MrrcRecord *)&sub);
    CHECK(last_error_mentions("outside the text"));
    sub.value_len = 5;
    fld.subfield_count = 2;
    CHECK_STATUS(mrrc_record_from_flat(&mine, 0, &back), MRRC_INVALID_ARGUMENT);
    mine.offset_unit = 7;
    CHECK_STATUS(mrrc_record_from_flat(&mine, 0, &back), MRRC_INVALID_ARGUMENT);
    CHECK_STATUS(mrrc_flatten_records(two, 2, 7, &flat), MRRC_INVALID_ARGUMENT);
    mrrc_record_free(r);
}

static void test_null_and_bad_arguments(void) {
    MrrcField *f = NULL;
    mrrc_last_error_clear();
    CHECK(mrrc_last_error_message() == NULL);
    CHECK(mrrc_last_error_status() == MRRC_OK);

    CHECK_STATUS(mrrc_field_new_control(NULL, S("x"), &f), MRRC_NULL_ARGUMENT);
    CHECK(last_error_mentions("`tag`"));
    CHECK_STATUS(mrrc_field_new_control("001", NULL, 3, &f), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_field_new_control("001", S("x"), NULL), MRRC_NULL_ARGUMENT);
    CHECK(last_error_mentions("`out`"));
    CHECK(f == NULL);
    CHECK_OK(mrrc_field_new_control("001", NULL, 0, &f)); /* empty value */
    CHECK(str_eq(mrrc_field_control_value(f), ""));
    mrrc_field_free(f);
    f = NULL;
    /* Text that is not UTF-8, a code that is not a scalar value. */
    CHECK_STATUS(mrrc_field_new_control("001", (const uint8_t *)"\xff\xfe", 2, &f),
                 MRRC_INVALID_ARGUMENT);
    CHECK(last_error_mentions("UTF-8"));
    CHECK(mrrc_last_error_status() == MRRC_INVALID_ARGUMENT);
    CHECK_STATUS(mrrc_field_new_data("245", 0xD800, ' ', &f), MRRC_INVALID_ARGUMENT);
    CHECK(f == NULL);

    CHECK(mrrc_record_field_count(NULL) == 0);
    CHECK(mrrc_last_error_status() == MRRC_NULL_ARGUMENT);
    CHECK(mrrc_record_title(NULL) == NULL);
    CHECK(mrrc_record_field(NULL, 0) == NULL);
    CHECK(mrrc_record_get_field(NULL, "245") == NULL);
    CHECK(mrrc_record_clone(NULL) == NULL);
    CHECK(!mrrc_record_equal(NULL, NULL));
    CHECK(mrrc_field_tag(NULL).ptr == NULL);
    CHECK(mrrc_field_value(NULL) == NULL);
    CHECK(mrrc_field_subfield_count(NULL) == 0);
    CHECK_STATUS(mrrc_record_add_field(NULL, NULL), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_record_leader(NULL, NULL), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_record_flatten(NULL, MRRC_OFFSETS_BYTES, NULL), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_record_from_flat(NULL, 0, NULL), MRRC_NULL_ARGUMENT);
    CHECK_STATUS(mrrc_field_delete_subfield(NULL, 'a', NULL), MRRC_NULL_ARGUMENT);

    MrrcRecord *r = mrrc_record_new();
    size_t *idx = (size_t *)1, n = 42;
    CHECK_STATUS(mrrc_record_field_indexes(r, NULL, 1, &idx, &n), MRRC_NULL_ARGUMENT);
    CHECK(idx == (size_t *)1 && n == 42);
    CHECK_STATUS(mrrc_record_group_indexes(r, 99, &idx, &n), MRRC_INVALID_ARGUMENT);
    CHECK_STATUS(mrrc_record_remove_field_at(r, 0), MRRC_INDEX_OUT_OF_RANGE);
    CHECK(last_error_mentions("out of range"));
    CHECK_STATUS(mrrc_record_linked_field_indexes(r, 0, &idx, &n), MRRC_INDEX_OUT_OF_RANGE);
    mrrc_record_free(r);

    /* Freeing NULL is a no-op everywhere. */
    mrrc_record_free(NULL);
    mrrc_field_free(NULL);
    mrrc_string_free(NULL);
    mrrc_buffer_free(NULL);
    mrrc_indexes_free(NULL);
    mrrc_flat_free(NULL);

    CHECK(strcmp(mrrc_status_name(MRRC_TRUNCATED), "truncated record") == 0);
    CHECK(strcmp(mrrc_status_name(-5), "unknown status") == 0);
}

/* Records freed in one call, NULL entries skipped (valgrind checks that
 * each is freed exactly once). */
static void test_records_free(void) {
    MrrcRecord *batch[5] = {sample_record(), NULL, sample_record(), mrrc_record_new(), NULL};
    CHECK(mrrc_record_field_count(batch[2]) == 7);
    mrrc_records_free(batch, 5);
    mrrc_records_free(NULL, 0);
    mrrc_records_free(NULL, 3);
    mrrc_records_free(batch, 0); /* nothing freed twice */
}

int main(void) {
    CHECK(strcmp(mrrc_version(), MRRC_VERSION_STRING) == 0);
    test_accessors();
    test_editing();
    test_flat();
    test_null_and_bad_arguments();
    test_records_free();
    TEST_MAIN_END();
}
