"""Schema drift: pyModeS emits no key our specs neither map nor drop, and no spec targets a field its
record does not declare; the package's __all__ is honest."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pyModeS
import pytest

import bastion.codecs.adsb as adsb
from bastion.codecs.adsb.modes import COMMON_KEYS, SPECS, spec_key

DATA = Path(__file__).parents[2] / "data" / "adsb"
HEXES = [v["hex"] for v in json.loads((DATA / "expected.json").read_text())["messages"]] + [
    v["hex"] for v in json.loads((DATA / "stream_expected.json").read_text())["messages"]
]


@pytest.mark.parametrize("hex_frame", sorted(set(HEXES)))
def test_pymodes_keys_are_all_mapped_or_dropped(hex_frame: str) -> None:
    d = pyModeS.decode(hex_frame)
    spec = SPECS[spec_key(d)]
    assert not spec.open_keys, f"{hex_frame} lands on an open spec"
    unknown = set(d) - COMMON_KEYS - set(spec.fields) - spec.dropped
    assert unknown == set()


@pytest.mark.parametrize("key", sorted(SPECS))
def test_spec_targets_are_exactly_the_record_fields(key: str) -> None:
    spec = SPECS[key]
    declared = {f.name for f in fields(spec.record)}
    targets = [name for name, _ in spec.fields.values()] + list(spec.constants)
    assert len(targets) == len(set(targets))
    assert set(targets) | {"icao", "df"} == declared


def test_all_is_honest() -> None:
    assert sorted(adsb.__all__) == sorted(set(adsb.__all__))
    for name in adsb.__all__:
        assert getattr(adsb, name) is not None
