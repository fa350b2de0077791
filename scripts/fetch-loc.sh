#!/bin/sh
# Fetches the pymarc 5.4.0 source distribution from PyPI into data/ (once) and
# takes out of it:
#   data/loc/BooksAll.2016.part01.utf8  250,000 Library of Congress records
#   data/loc/x.txt                      pymarc's record.title for each
#   data/pymarc-5.4.0/{pymarc,test}     pymarc itself and its test suite, which
#                                       the Python tests compare against and run
# Safe to run again: does nothing when the files are there. Never committed.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/data"
loc="$data/loc"
src="$data/pymarc-5.4.0"
records="BooksAll.2016.part01.utf8"
titles="x.txt"

if [ -s "$loc/$records" ] && [ -s "$loc/$titles" ] && [ -f "$src/pymarc/__init__.py" ] && [ -d "$src/test" ]; then
    exit 0
fi

mkdir -p "$data" "$loc"
sdist="$data/pymarc-5.4.0.tar.gz"
if [ ! -s "$sdist" ]; then
    python3 -m pip download --quiet --no-deps --no-binary pymarc --dest "$data" pymarc==5.4.0
fi

tmp=$(mktemp -d "$data/extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$sdist" -C "$tmp"
mv "$tmp/pymarc-5.4.0/$records" "$loc/$records"
mv "$tmp/pymarc-5.4.0/$titles" "$loc/$titles"
rm -rf "$src"
mv "$tmp/pymarc-5.4.0" "$src"
echo "fetched pymarc 5.4.0: data/loc/ and data/pymarc-5.4.0/"
