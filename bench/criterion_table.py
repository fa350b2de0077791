#!/usr/bin/env python3
"""Markdown table of the last `cargo bench -p mrrc-bench` run: the median time
per iteration from criterion's estimates, and records/s and MB/s from the
sizes the benches note in target/criterion/mrrc-bench-sizes.tsv.

Usage: python3 bench/criterion_table.py [TARGET_DIR]   (default: target)
"""

import json
import pathlib
import sys

target = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target") / "criterion"
sizes = {}
sizes_file = target / "mrrc-bench-sizes.tsv"
if sizes_file.exists():
    for line in sizes_file.read_text().splitlines():
        key, records, size = line.split("\t")
        sizes[key] = (int(records), int(size))

rows = []
for bench in sorted(target.glob("**/new/benchmark.json")):
    full_id = json.loads(bench.read_text())["full_id"]
    estimates = json.loads((bench.parent / "estimates.json").read_text())
    seconds = estimates["median"]["point_estimate"] / 1e9
    rows.append((full_id, seconds))

print("| benchmark | median per iteration | records/s | MB/s |")
print("|---|---:|---:|---:|")
for full_id, seconds in rows:
    records, size = sizes.get(full_id, (None, None))
    rps = f"{records / seconds:,.0f}" if records else "-"
    mbps = f"{size / 1e6 / seconds:,.0f}" if size else "-"
    print(f"| {full_id} | {seconds * 1e3:,.2f} ms | {rps} | {mbps} |")
