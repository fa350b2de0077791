/* marcdump: prints every record of a MARC file the way pymarc's
 * str(record) does (=LDR line, one MARCMaker line per field, blank line
 * after each record), walking the fields through the C API.
 *
 *   cc -std=c11 marcdump.c $(pkg-config --cflags --libs mrrc) -o marcdump
 *   ./marcdump records.mrc [iso2709|marcxml|json|ndjson|msgpack|mrk] [lenient]
 *
 * Bad records are reported on stderr and skipped; the exit status is 1 if
 * there were any. */
#include <stdio.h>
#include <string.h>

#include <mrrc.h>

/* Writes one Unicode scalar value as UTF-8. */
static void put_code_point(uint32_t c) {
    char buf[4];
    int n;
    if (c < 0x80) {
        buf[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        buf[0] = (char)(0xC0 | (c >> 6));
        buf[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        buf[0] = (char)(0xE0 | (c >> 12));
        buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        buf[0] = (char)(0xF0 | (c >> 18));
        buf[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        buf[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        buf[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    fwrite(buf, 1, (size_t)n, stdout);
}

static void print_field(const MrrcField *field) {
    MrrcStr tag = mrrc_field_tag(field);
    printf("=%.*s  ", (int)tag.len, tag.ptr);
    if (mrrc_field_is_control(field)) {
        /* Blanks in control fields are shown as backslashes. */
        MrrcStr value = mrrc_field_control_value(field);
        for (size_t i = 0; i < value.len; i++) putchar(value.ptr[i] == ' ' ? '\\' : value.ptr[i]);
    } else {
        uint32_t ind[2];
        if (mrrc_field_indicators(field, &ind[0], &ind[1]) == MRRC_OK) {
            for (int i = 0; i < 2; i++) {
                if (ind[i] == ' ' || ind[i] == '\\')
                    putchar('\\');
                else
                    put_code_point(ind[i]);
            }
        }
        size_t n = mrrc_field_subfield_count(field);
        for (size_t i = 0; i < n; i++) {
            uint32_t code;
            MrrcStr value;
            if (mrrc_field_subfield(field, i, &code, &value) != MRRC_OK) continue;
            putchar('$');
            put_code_point(code);
            fwrite(value.ptr, 1, value.len, stdout);
        }
    }
    putchar('\n');
}

static void print_record(const MrrcRecord *record) {
    uint8_t leader[24];
    if (mrrc_record_leader(record, leader) == MRRC_OK) printf("=LDR  %.24s\n", (const char *)leader);
    size_t n = mrrc_record_field_count(record);
    for (size_t i = 0; i < n; i++) print_field(mrrc_record_field(record, i));
    putchar('\n');
}

static int parse_format(const char *name, MrrcFormat *format) {
    static const struct {
        const char *name;
        MrrcFormat format;
    } formats[] = {{"iso2709", MRRC_FORMAT_ISO2709}, {"marcxml", MRRC_FORMAT_MARCXML},
                   {"json", MRRC_FORMAT_JSON},       {"ndjson", MRRC_FORMAT_NDJSON},
                   {"msgpack", MRRC_FORMAT_MSGPACK}, {"mrk", MRRC_FORMAT_MRK}};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (strcmp(name, formats[i].name) == 0) {
            *format = formats[i].format;
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [iso2709|marcxml|json|ndjson|msgpack|mrk] [lenient]\n",
                argv[0]);
        return 2;
    }
    MrrcReadOptions options = mrrc_read_options_default();
    if (argc > 2 && !parse_format(argv[2], &options.format)) {
        fprintf(stderr, "unknown format %s\n", argv[2]);
        return 2;
    }
    if (argc > 3 && strcmp(argv[3], "lenient") == 0) options.mode = MRRC_MODE_LENIENT;

    MrrcReader *reader = NULL;
    if (mrrc_reader_open_path(argv[1], &options, &reader) != MRRC_OK) {
        char *message = mrrc_last_error_message();
        fprintf(stderr, "%s\n", message);
        mrrc_string_free(message);
        return 1;
    }
    int bad = 0;
    for (;;) {
        MrrcRecord *record = NULL;
        MrrcStatus status = mrrc_reader_next(reader, &record);
        if (status != MRRC_OK) {
            char *message = mrrc_last_error_message();
            fprintf(stderr, "skipped: %s\n", message);
            mrrc_string_free(message);
            bad = 1;
            continue;
        }
        if (record == NULL) break; /* end of input */
        print_record(record);
        mrrc_record_free(record);
    }
    mrrc_reader_free(reader);
    return bad;
}
