# SPDX-License-Identifier: MIT
"""Conversions between Python values and the library's byte strings."""

import ctypes
import os


def to_bytes(value, what, allow_none=False):
    """str (encoded as UTF-8) or bytes-like -> bytes; None -> None when allowed."""
    if value is None and allow_none:
        return None
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError("%s must be str or bytes, not %s" % (what, type(value).__name__))


def to_path(value):
    """A directory argument (str, bytes or os.PathLike) -> bytes for a NUL-terminated char *."""
    b = os.fsencode(value)
    if b"\0" in b:
        raise ValueError("embedded NUL character in path")
    return b


def decode(b):
    return b.decode("utf-8", "replace")


def string_at(ptr, length):
    """length bytes at ptr (a c_void_p value or None) as bytes."""
    if not length:
        return b""
    return ctypes.string_at(ptr, length)


def count(value, what, bits=64):
    """A non-negative int argument that fits an unsigned C integer of `bits` bits."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s must be an int, not %s" % (what, type(value).__name__))
    if value < 0:
        raise ValueError("%s must be >= 0, got %d" % (what, value))
    if value >> bits:
        raise OverflowError("%s is too large: %d" % (what, value))
    return value
