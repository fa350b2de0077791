#!/bin/sh
# Fetches the pymarc 5.4.0 source distribution into data/ and takes out the
# 250,000 Library of Congress records and pymarc's title for each, into
# data/loc/. The core tests and benchmarks use them when present.
# Safe to run again: does nothing when the files are there.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/data"
loc="$data/loc"
records="BooksAll.2016.part01.utf8"
titles="x.txt"

if [ -s "$loc/$records" ] && [ -s "$loc/$titles" ]; then
    echo "data/loc already holds $records and $titles"
    exit 0
fi

mkdir -p "$data" "$loc"
sdist="$data/pymarc-5.4.0.tar.gz"
if [ ! -s "$sdist" ]; then
    python3 -m pip download --no-deps --no-binary pymarc --dest "$data" pymarc==5.4.0
fi

tmp=$(mktemp -d "$data/extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$sdist" -C "$tmp" "pymarc-5.4.0/$records" "pymarc-5.4.0/$titles"
mv "$tmp/pymarc-5.4.0/$records" "$loc/$records"
mv "$tmp/pymarc-5.4.0/$titles" "$loc/$titles"
echo "wrote $loc/$records and $loc/$titles"
