"""Builds `mrrc_cffi`: the pure-Python package in python/ plus the cffi
extension `mrrc_cffi._native` (build_ffi.py)."""

from setuptools import setup

setup(
    package_dir={"": "python"},
    packages=["mrrc_cffi"],
    package_data={"mrrc_cffi": ["py.typed"]},
    cffi_modules=["build_ffi.py:ffibuilder"],
)
