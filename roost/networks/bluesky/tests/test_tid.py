"""Record keys derived from the idempotency key: deterministic, and valid TIDs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from atproto_client.models.string_formats import TID_RE, validate_record_key, validate_tid

from roost.networks.bluesky.tid import decode_tid, encode_tid, part_rkey, tid_for


def test_same_key_same_rkey_and_parts_differ() -> None:
    key = "delivery-0b7e4c1d-post-42-channel-7"
    assert part_rkey(key, 0) == part_rkey(key, 0) == tid_for(f"{key}:0") == "44kp55ktloiti"
    assert len({part_rkey(key, i) for i in range(25)}) == 25
    assert part_rkey("delivery-other", 0) != part_rkey(key, 0)


@pytest.mark.parametrize("index", range(0, 2000, 7))
def test_derived_rkeys_are_tids_the_sdk_accepts(index: int) -> None:
    rkey = part_rkey(f"delivery-{index}", index % 25)
    assert TID_RE.match(rkey)
    assert validate_tid(rkey, None) == rkey  # type: ignore[arg-type]
    assert validate_record_key(rkey, None) == rkey  # type: ignore[arg-type]
    # 64 bits with the top bit clear: the first character is one of the lowest eight.
    assert rkey[0] in "234567ab"
    assert encode_tid(decode_tid(rkey)) == rkey


def test_encoding_matches_the_spec() -> None:
    assert encode_tid(0) == "2222222222222"
    assert encode_tid(1) == "2222222222223"
    assert encode_tid(32) == "2222222222232"
    assert encode_tid((1 << 63) - 1) == "bzzzzzzzzzzzz"
    # The spec's example TID holds a mid-2023 timestamp (microseconds << 10 | clock id).
    value = decode_tid("3jzfcijpj2z2a")
    assert datetime.fromtimestamp((value >> 10) / 1e6, UTC).date().isoformat() == "2023-06-30"
    assert value & 1023 == 6


def test_out_of_range_values_are_refused() -> None:
    with pytest.raises(ValueError):
        encode_tid(1 << 63)
    with pytest.raises(ValueError):
        encode_tid(-1)
    with pytest.raises(ValueError):
        decode_tid("222")
