"""The record leader (as pymarc.leader)."""

from mrrc._mrrc import Leader

__all__ = ["Leader"]
