"""cffi build script (API mode, out of line) for `mrrc_cffi._native`.

It compiles a small C extension against the header and library that
`make install` (cargo-c) put under MRRC_PREFIX (default: the repository's
target/prefix). `cdef` gets the header with its preprocessor lines removed
(integer `#define`s are kept: cffi reads those), plus the one Python
callback the readers use. The extension is linked with an rpath to the
library directory, so it loads without LD_LIBRARY_PATH.
"""

import os
import pathlib
import re

from cffi import FFI

HERE = pathlib.Path(__file__).resolve().parent
PREFIX = pathlib.Path(os.environ.get("MRRC_PREFIX", HERE.parent.parent / "target" / "prefix")).resolve()
INCLUDE = PREFIX / "include" / "mrrc"
LIBDIR = PREFIX / "lib"
HEADER = INCLUDE / "mrrc.h"
if not HEADER.is_file():
    raise SystemExit(f"{HEADER} not found: run `make install` first (or set MRRC_PREFIX)")

INT_DEFINE = re.compile(r"^#define\s+(MRRC_\w+)\s+(\d+)\s*$")


def cdef_source(header: str) -> str:
    """The header as cffi's cdef wants it: no preprocessor lines except
    integer constants, and nothing from the C++-only blocks."""
    out = []
    skipping = False
    for line in header.splitlines():
        stripped = line.strip()
        if stripped.startswith("#ifdef __cplusplus"):
            skipping = True
            continue
        if skipping:
            if stripped.startswith("#endif"):
                skipping = False
            continue
        if stripped.startswith("#"):
            m = INT_DEFINE.match(stripped)
            if m:
                out.append(f"#define {m.group(1)} {m.group(2)}")
            continue
        if stripped.startswith("}") and "extern" in stripped:
            continue
        out.append(line)
    return "\n".join(out)


ffibuilder = FFI()
ffibuilder.cdef(cdef_source(HEADER.read_text(encoding="utf-8")))
# File objects are read through this callback (mrrc_reader_from_callback).
ffibuilder.cdef('extern "Python" int32_t _mrrc_read_file(void *, uint8_t *, size_t, size_t *);')
ffibuilder.set_source(
    "mrrc_cffi._native",
    '#include "mrrc.h"',
    include_dirs=[str(INCLUDE)],
    library_dirs=[str(LIBDIR)],
    libraries=["mrrc"],
    extra_link_args=[f"-Wl,-rpath,{LIBDIR}"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
