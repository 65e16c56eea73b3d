"""Multihash (``file:checksum``): the function codes and the varint framing.

One place for what both the lint rules (is a checksum well formed?) and the
card's "how to use" section (which command verifies it?) need to know.
"""

from __future__ import annotations

import re

#: multihash function code -> (name, full digest size in bytes; None when variable)
CODES: dict[int, tuple[str, int | None]] = {
    0x00: ("identity", None),
    0x11: ("sha1", 20),
    0x12: ("sha2-256", 32),
    0x13: ("sha2-512", 64),
    0x14: ("sha3-512", 64),
    0x15: ("sha3-384", 48),
    0x16: ("sha3-256", 32),
    0x17: ("sha3-224", 28),
    0x1E: ("blake3", None),
    0x20: ("sha2-384", 48),
    0xD5: ("md5", 16),
    0x1012: ("sha2-256-trunc254-padded", 32),
    0x1013: ("sha2-224", 28),
    **{0xB200 + n: (f"blake2b-{n * 8}", n) for n in range(1, 65)},
    **{0xB240 + n: (f"blake2s-{n * 8}", n) for n in range(1, 33)},
}

HEX = re.compile(r"^[0-9a-fA-F]+$")


def varint(data: bytes, pos: int) -> tuple[int, int] | None:
    """The unsigned varint at ``pos``: ``(value, position after it)``, or None when truncated."""
    value = shift = 0
    while pos < len(data) and shift <= 63:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
    return None


def split(data: bytes, pos: int = 0) -> tuple[int, int, bytes] | None:
    """``(function code, declared digest size, digest bytes)`` of a multihash starting at ``pos``."""
    code = varint(data, pos)
    if code is None:
        return None
    length = varint(data, code[1])
    if length is None:
        return None
    return code[0], length[0], data[length[1]:]
