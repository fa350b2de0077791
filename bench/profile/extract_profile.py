#!/usr/bin/env python3
"""Measure a file of UTF-8 MARC 21 records and write the compact profile the
bench crate's sample corpus generator samples from (bench/profile/loc_profile.json).

Reads ISO 2709 directly (no pymarc). Two passes: the first, over every
SAMPLE_EVERY-th record, finds each subfield's frequent literal values and
frequent "shapes" (the value with every digit replaced by '#'); the second,
over every record, measures everything else, with value lengths and endings
taken only from the values the literal and shape lists do not cover (the
generator makes those as text of words).

Usage: extract_profile.py BooksAll.2016.part01.utf8 > bench/profile/loc_profile.json
"""

import json
import statistics
import sys
import unicodedata
from collections import Counter, defaultdict

SAMPLE_EVERY = 4
MIN_TAG_OCCURRENCES = 250  # tags rarer than 1 in 1,000 records are left out
MAX_SEQS, MIN_SEQ_SHARE = 30, 0.002
MAX_INDS, MIN_IND_SHARE = 12, 0.002
MAX_LITS, MAX_SHAPES, MIN_VALUE_SHARE = 40, 40, 0.005
MIN_SUBFIELD_OCCURRENCES = 100
# Value lengths are kept as quantiles at these probabilities: evenly spaced,
# then finer in the long tail so a few huge values do not inflate the mean.
LEN_GRID = [k / 32 for k in range(32)] + [0.98, 0.99, 0.995, 0.999, 1.0]
WORDS, NONASCII_WORDS, SCRIPT_WORDS, HAN_CHARS = 2000, 300, 300, 800
CONTROL_008_SLICES = [(0, 6), (6, 7), (7, 11), (11, 15), (15, 18), (18, 35), (35, 38), (38, 40)]
ENDING_CHARS = set(" .,;:/=+")
STRIP = " .,;:/=+[]()?!\"'"
DIGITS_TO_HASH = str.maketrans("0123456789", "##########")


def records(data):
    start = 0
    while True:
        end = data.find(b"\x1d", start)
        if end < 0:
            return
        yield data[start : end + 1]
        start = end + 1


def fields(rec):
    """(tag, raw field bytes without the field terminator)."""
    base = int(rec[12:17])
    directory = rec[24 : base - 1]
    for i in range(0, len(directory) - 11, 12):
        entry = directory[i : i + 12]
        tag = entry[:3].decode("ascii", "replace")
        length, offset = int(entry[3:7]), int(entry[7:12])
        raw = rec[base + offset : base + offset + length]
        if raw.endswith(b"\x1e"):
            raw = raw[:-1]
        yield tag, raw


def is_control(tag):
    return tag.isdigit() and tag < "010"


def subfields(raw):
    """(indicators, [(code, value bytes)])."""
    parts = raw.split(b"\x1f")
    out = []
    for p in parts[1:]:
        if p:
            out.append((p[:1].decode("utf-8", "replace"), p[1:]))
    return parts[0].decode("utf-8", "replace"), out


def script_of(ch):
    o = ord(ch)
    if o < 0x80:
        return None
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3040 <= o <= 0x30FF or 0x20000 <= o <= 0x2FFFF:
        return "han"
    if 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
        return "hangul"
    if 0x0400 <= o <= 0x04FF:
        return "cyrillic"
    if 0x0600 <= o <= 0x06FF or 0xFB50 <= o <= 0xFEFF:
        return "arabic"
    if 0x0590 <= o <= 0x05FF:
        return "hebrew"
    if 0x0370 <= o <= 0x03FF:
        return "greek"
    cat = unicodedata.category(ch)
    if cat.startswith("M") or 0x00C0 <= o <= 0x024F or 0x1E00 <= o <= 0x1EFF:
        return "latin"
    return "other"


def field_script(text):
    c = Counter(s for s in map(script_of, text) if s and s not in ("latin", "other"))
    if not c:
        return "latin"
    return c.most_common(1)[0][0]


def ending(value):
    n = 0
    while n < 3 and n < len(value) and value[-1 - n] in ENDING_CHARS:
        n += 1
    return value[len(value) - n :] if n else ""


def top(counter, total, limit, min_share):
    return [[k, n] for k, n in counter.most_common(limit) if n >= total * min_share]


def quantiles(counter, grid):
    """The quantiles of a Counter of integers at the probabilities in grid."""
    values = sorted(counter.items())
    total = sum(counter.values())
    out, acc, i = [], 0, 0
    targets = [round(p * (total - 1)) for p in grid]
    for t in targets:
        while acc + values[i][1] <= t:
            acc += values[i][1]
            i += 1
        out.append(values[i][0])
    return out


def main(path):
    with open(path, "rb") as f:
        data = f.read()

    # Pass 1: frequent literal values and shapes per (tag, code).
    lits = defaultdict(Counter)
    shapes = defaultdict(Counter)
    seen = Counter()
    for i, rec in enumerate(records(data)):
        if i % SAMPLE_EVERY:
            continue
        for tag, raw in fields(rec):
            if is_control(tag):
                continue
            _, subs = subfields(raw)
            for code, vb in subs:
                v = vb.decode("utf-8", "replace")
                key = (tag, code)
                seen[key] += 1
                if len(v) <= 64:
                    lits[key][v] += 1
    lit_sets, lit_lists, shape_lists, shape_sets = {}, {}, {}, {}
    for key, c in lits.items():
        chosen = top(c, seen[key], MAX_LITS, MIN_VALUE_SHARE)
        lit_lists[key] = chosen
        lit_sets[key] = {v for v, _ in chosen}
    for i, rec in enumerate(records(data)):
        if i % SAMPLE_EVERY:
            continue
        for tag, raw in fields(rec):
            if is_control(tag):
                continue
            _, subs = subfields(raw)
            for code, vb in subs:
                v = vb.decode("utf-8", "replace")
                key = (tag, code)
                if v in lit_sets.get(key, ()) or len(v) > 64:
                    continue
                s = v.translate(DIGITS_TO_HASH)
                if "#" in s:
                    shapes[key][s] += 1
    for key, c in shapes.items():
        chosen = top(c, seen[key], MAX_SHAPES, MIN_VALUE_SHARE)
        shape_lists[key] = chosen
        shape_sets[key] = {s for s, _ in chosen}
    del lits, shapes

    # Pass 2: everything else, over every record.
    n_records = 0
    rec_lengths = []
    fields_per_record = []
    leaders = Counter()
    tag_counts = defaultdict(Counter)  # tag -> {occurrences in a record: records}
    tag_total = Counter()
    inds = defaultdict(Counter)
    seqs = defaultdict(Counter)
    sub_total = Counter()
    sub_lit = Counter()
    sub_shape = Counter()
    resid_len = defaultdict(Counter)
    resid_end = defaultdict(Counter)
    control_shapes = defaultdict(Counter)
    control_len = defaultdict(Counter)
    c008 = [Counter() for _ in CONTROL_008_SLICES]
    ts_years = Counter()
    words = Counter()
    nonascii_words = Counter()
    word_tokens = nonascii_tokens = 0
    chars_other = nonascii_other = chars_880 = nonascii_880 = 0
    scripts_880 = Counter()
    script_words = defaultdict(Counter)
    han_chars = Counter()
    tokens_880 = Counter()  # (script, "ascii" | "script") -> tokens
    han_token_chars = han_tokens = 0
    link_tags_880 = Counter()
    for rec in records(data):
        n_records += 1
        rec_lengths.append(len(rec))
        leaders[(rec[5:10] + rec[17:20]).decode("ascii", "replace")] += 1
        per_tag = Counter()
        nf = 0
        for tag, raw in fields(rec):
            nf += 1
            per_tag[tag] += 1
            if is_control(tag):
                v = raw.decode("utf-8", "replace")
                control_len[tag][len(raw)] += 1
                if tag == "008":
                    for k, (a, b) in enumerate(CONTROL_008_SLICES):
                        c008[k][v[a:b]] += 1
                elif tag == "005":
                    ts_years[v[:4]] += 1
                else:
                    control_shapes[tag][v.translate(DIGITS_TO_HASH)] += 1
                continue
            ind, subs = subfields(raw)
            inds[tag][ind] += 1
            seqs[tag]["".join(c for c, _ in subs)] += 1
            text = "".join(vb.decode("utf-8", "replace") for _, vb in subs)
            na = sum(1 for ch in text if ord(ch) > 0x7F)
            if tag == "880":
                chars_880 += len(text)
                nonascii_880 += na
                script = field_script(text)
                scripts_880[script] += 1
                for code, vb in subs:
                    if code == "6":
                        link_tags_880[vb[:3].decode("ascii", "replace")] += 1
                        continue
                    v = vb.decode("utf-8", "replace")
                    for w in v.split():
                        ascii_token = all(ord(ch) < 0x80 for ch in w)
                        tokens_880[(script, "ascii" if ascii_token else "script")] += 1
                        if script == "han" and not ascii_token:
                            han_tokens += 1
                            han_token_chars += sum(1 for ch in w if script_of(ch) == "han")
                    if script == "han":
                        han_chars.update(ch for ch in v if script_of(ch) == "han")
                    else:
                        for w in v.split():
                            w = w.strip(STRIP)
                            if w and any(script_of(ch) == script for ch in w):
                                script_words[script][w] += 1
            else:
                chars_other += len(text)
                nonascii_other += na
            for code, vb in subs:
                key = (tag, code)
                sub_total[key] += 1
                v = vb.decode("utf-8", "replace")
                if v in lit_sets.get(key, ()):
                    sub_lit[key] += 1
                    continue
                if v.translate(DIGITS_TO_HASH) in shape_sets.get(key, ()):
                    sub_shape[key] += 1
                    continue
                resid_len[key][len(vb)] += 1
                resid_end[key][ending(v)] += 1
                if tag == "880":
                    continue
                for w in v.split():
                    w = w.strip(STRIP)
                    if not w:
                        continue
                    word_tokens += 1
                    if any(ord(ch) > 0x7F for ch in w):
                        nonascii_tokens += 1
                        nonascii_words[w] += 1
                    elif tag in ("245", "650", "500"):
                        words[w] += 1
        fields_per_record.append(nf)
        for tag, n in per_tag.items():
            tag_counts[tag][n] += 1
            tag_total[tag] += n

    tags = {}
    for tag, total in sorted(tag_total.items()):
        if total < MIN_TAG_OCCURRENCES:
            continue
        entry = {
            "per_record": round(total / n_records, 5),
            "counts": [[k, n] for k, n in sorted(tag_counts[tag].items())],
        }
        if is_control(tag):
            entry["lengths"] = top(control_len[tag], total, 10, 0.001)
            if tag in control_shapes:
                entry["shapes"] = top(control_shapes[tag], total, 20, 0.001)
        else:
            entry["indicators"] = top(inds[tag], total, MAX_INDS, MIN_IND_SHARE)
            entry["sequences"] = top(seqs[tag], total, MAX_SEQS, MIN_SEQ_SHARE)
            codes = sorted({c for s, _ in entry["sequences"] for c in s})
            subs = {}
            for code in codes:
                key = (tag, code)
                t = sub_total[key]
                if t < MIN_SUBFIELD_OCCURRENCES:
                    continue
                s = {
                    "n": t,
                    "literal_share": round(sub_lit[key] / t, 4),
                    "literals": lit_lists.get(key, []),
                    "shape_share": round(sub_shape[key] / t, 4),
                    "shapes": shape_lists.get(key, []),
                }
                if resid_len[key]:
                    s["text_lengths"] = quantiles(resid_len[key], LEN_GRID)
                    s["endings"] = top(resid_end[key], sum(resid_end[key].values()), 8, 0.01)
                subs[code] = s
            entry["subfields"] = subs
        tags[tag] = entry

    profile = {
        "source": "Library of Congress BooksAll.2016.part01.utf8 (pymarc 5.4.0 sdist)",
        "generated_by": "bench/profile/extract_profile.py",
        "records": n_records,
        "summary": {
            "fields_per_record_mean": round(statistics.fmean(fields_per_record), 3),
            "record_length_mean": round(statistics.fmean(rec_lengths), 1),
            "record_length_median": statistics.median(rec_lengths),
            "record_length_p90": sorted(rec_lengths)[int(0.9 * len(rec_lengths))],
            "non_ascii_char_share_880": round(nonascii_880 / max(chars_880, 1), 4),
            "non_ascii_char_share_other": round(nonascii_other / max(chars_other, 1), 5),
        },
        "leaders": top(leaders, n_records, 20, 0.001),
        "control_008": [top(c, n_records, 200, 0.0005) for c in c008],
        "control_008_slices": CONTROL_008_SLICES,
        "timestamp_years": top(ts_years, n_records, 40, 0.001),
        "tags": tags,
        "words": [[w, n] for w, n in words.most_common(WORDS)],
        "non_ascii_word_share": round(nonascii_tokens / max(word_tokens, 1), 5),
        "non_ascii_words": [[w, n] for w, n in nonascii_words.most_common(NONASCII_WORDS)],
        "scripts_880": scripts_880.most_common(),
        "text_length_grid": [round(p, 5) for p in LEN_GRID],
        "ascii_token_share_880": {
            s: round(tokens_880[(s, "ascii")] / max(tokens_880[(s, "ascii")] + tokens_880[(s, "script")], 1), 4)
            for s, _ in scripts_880.most_common()
        },
        "han_token_chars_mean": round(han_token_chars / max(han_tokens, 1), 3),
        "linked_tags_880": top(link_tags_880, sum(link_tags_880.values()), 30, 0.002),
        "script_words": {s: [[w, n] for w, n in c.most_common(SCRIPT_WORDS)] for s, c in sorted(script_words.items())},
        "han_chars": "".join(ch for ch, _ in han_chars.most_common(HAN_CHARS)),
        "han_char_counts": [n for _, n in han_chars.most_common(HAN_CHARS)],
    }
    json.dump(profile, sys.stdout, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
