"""Small adapters from what pymarc accepts (paths, text or binary file
objects, str, bytes) to bytes for the core."""

import os


def read_all(target, encoding="utf-8"):
    """All the bytes of a path, a file object, str or bytes."""
    if isinstance(target, (bytes, bytearray, memoryview)):
        return bytes(target)
    if isinstance(target, (str, os.PathLike)):
        if isinstance(target, os.PathLike) or os.path.exists(target):
            with open(target, "rb") as fh:
                return fh.read()
        return target.encode("utf-8")
    data = target.read()
    if isinstance(data, str):
        return data.encode("utf-8")
    return data
