"""Record keys derived from an idempotency key, in the TID syntax Bluesky requires for posts.

A TID is a 64-bit integer with the top bit zero, written as 13 characters of base32 in the
sortable alphabet below (most significant first). Normally it holds a timestamp; here its bits
come from a hash, so the same delivery always names the same record.
"""

from __future__ import annotations

import hashlib

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
LENGTH = 13
_MASK_63 = (1 << 63) - 1


def encode_tid(value: int) -> str:
    """Write a 63-bit non-negative integer as a 13-character TID."""
    if not 0 <= value <= _MASK_63:
        raise ValueError("A TID holds a 63-bit non-negative integer.")
    chars = []
    for _ in range(LENGTH):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def decode_tid(tid: str) -> int:
    """Read a 13-character TID back into its integer."""
    if len(tid) != LENGTH:
        raise ValueError(f"A TID has {LENGTH} characters.")
    value = 0
    for char in tid:
        value = (value << 5) | ALPHABET.index(char)
    return value


def tid_for(key: str) -> str:
    """Derive a TID from any string: sha256, first 8 bytes, top bit cleared."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return encode_tid(int.from_bytes(digest[:8], "big") & _MASK_63)


def part_rkey(idempotency_key: str, index: int) -> str:
    """The record key of thread part `index` (0-based) of one delivery."""
    return tid_for(f"{idempotency_key}:{index}")
