"""Problems in a scenario file, as messages a person can act on.

Each problem is an `Issue`: the field path as a tuple (``("targets", 1, "speed_mps")``, printed
``targets[1].speed_mps``) and a message that says what was expected and what was found, with the unit
taken from the field's name (``expected a number in m/s, got '50 kt'``). `issues_from_validation`
translates pydantic's errors; `line_of` finds the YAML line of a field from the composed node tree;
`config_error` turns the issues into one `ConfigError` (the first, plus a short list of the others).
An advisory (a scenario that loads but will not do what it needs) is not an error: `config_warning`
issues it as a `ScenarioWarning` attributed to the file and the field's line, so Python's warning
display shows that YAML line under the message.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from bastion.config.schema import (
    ALL_SPECS,
    EFFECTOR_KINDS,
    SENSOR_KINDS,
    TARGET_KINDS,
)
from bastion.config.spec_types import show_value
from bastion.core.errors import ConfigError
from bastion.core.params import IMM_MODEL_KINDS
from bastion.core.records import ThreatClass

Loc = tuple[str | int, ...]

_MAX_LISTED = 4
"""Problems listed after the first one in a `ConfigError` message."""

_UNITS = (
    ("_mps2", "m/s^2"),
    ("_mps", "m/s"),
    ("_m2", "m^2"),
    ("_kg", "kg"),
    ("_deg", "degrees"),
    ("_db", "dB"),
    ("_degps", "degrees/s"),
    ("_usd", "US dollars"),
    ("_pm", "m^2/kg"),  # the core's drag factor Cd * A / (2 m)
    ("_s", "s"),
    ("_m", "m"),
)
_INT_FIELDS = frozenset(
    name for spec in ALL_SPECS for name, f in spec.model_fields.items() if f.annotation is int
)
_PROBABILITY_FIELDS = frozenset({"pfa", "ref_pd", "approve_probability"})
_KINDS = {
    "targets": ("target", TARGET_KINDS),
    "radars": ("sensor", SENSOR_KINDS),
    "effectors": ("effector", EFFECTOR_KINDS),
    "imm_models": ("IMM model", IMM_MODEL_KINDS),
}
_BOUNDS = {
    "greater_than": ("gt", "greater than"),
    "greater_than_equal": ("ge", "at least"),
    "less_than": ("lt", "less than"),
    "less_than_equal": ("le", "at most"),
}


class ScenarioWarning(UserWarning):
    """A scenario that loads but will likely not do what it is meant to (an advisory); the message
    names the field and what to set it to."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    """One problem: where (field path; `at_key` points at the key rather than its value) and what."""

    loc: Loc
    message: str
    at_key: bool = False


def format_loc(loc: Loc) -> str:
    """``("targets", 1, "speed_mps")`` -> ``targets[1].speed_mps``."""
    out = ""
    for seg in loc:
        out += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if out else str(seg))
    return out


def quantity(loc: Loc) -> str:
    """What a field holds, from its name: ``a number in m/s``, ``a whole number``, ``a probability``."""
    names = [s for s in loc if isinstance(s, str)]
    field = names[-1] if names else ""
    if field in _INT_FIELDS:
        return "a whole number"
    if field in _PROBABILITY_FIELDS or (len(names) > 1 and names[-2] == "pk"):
        return "a probability"
    for suffix, unit in _UNITS:
        if field.endswith(suffix):
            return f"a number in {unit}"
    return "a number"


def _kind_message(loc: Loc, tag: object) -> str:
    """The message for a missing or unknown `kind` in the list named last in `loc`."""
    lists = [seg for seg in loc if isinstance(seg, str) and seg in _KINDS]
    noun, kinds = _KINDS[lists[-1]] if lists else ("", ())
    expected = "expected one of: " + ", ".join(kinds)
    if tag is None:
        return f"required field missing; {expected}"
    return f"unknown {noun} kind {show_value(tag)}; {expected}"


def _clean_loc(loc: Sequence[str | int], data: object) -> tuple[Loc, bool]:
    """Drop pydantic's union tags and dict-key markers from `loc`; say whether it named a key."""
    out: list[str | int] = []
    node: object = data
    at_key = False
    for seg in loc:
        if seg == "[key]":
            at_key = True
            continue
        is_tag = isinstance(node, dict) and seg not in node and node.get("kind") == seg
        if isinstance(seg, str) and is_tag:
            continue  # the discriminated union's tag, not a field
        out.append(seg)
        if isinstance(node, dict):
            node = node.get(seg)
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            node = node[seg]
        else:
            node = None
    return tuple(out), at_key


def _translate(err: Any, data: object) -> Issue:
    loc, at_key = _clean_loc(err["loc"], data)
    kind: str = err["type"]
    ctx: dict[str, Any] = err.get("ctx") or {}
    got = show_value(err["input"])
    what = quantity(loc)
    field = loc[-1] if loc else ""
    if kind == "unknown_field":
        return Issue(loc=(*loc, ctx["field"]), message=ctx["message"], at_key=True)
    if kind == "union_tag_invalid":
        return Issue(loc=(*loc, "kind"), message=_kind_message(loc, ctx["tag"]))
    if kind == "union_tag_not_found":
        return Issue(loc=(*loc, "kind"), message=_kind_message(loc, None))
    if field == "kind" and kind in ("literal_error", "enum", "missing"):
        tag = None if kind == "missing" else err["input"]
        return Issue(loc=loc, message=_kind_message(loc, tag))
    if kind == "missing":
        return Issue(loc=loc, message="required field missing")
    if at_key and kind == "enum":
        classes = ", ".join(c.value for c in ThreatClass)
        message = f"unknown threat class {got}; expected one of: {classes}"
        return Issue(loc=loc, message=message, at_key=True)
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return Issue(loc=loc, message=f"expected {what} {words} {ctx[key]:g}, got {got}")
    return Issue(loc=loc, message=_simple_message(kind, ctx, what, got, err["msg"]))


def _simple_message(kind: str, ctx: dict[str, Any], what: str, got: str, msg: str) -> str:
    if kind == "bastion":
        return msg
    if kind in ("float_parsing", "float_type", "not_number") or kind.startswith("int_"):
        return f"expected {what}, got {got}"
    if kind == "finite_number":
        return f"expected {what.replace('a number', 'a finite number')}, got {got}"
    if kind == "string_type":
        hint = " (put it in quotes)" if got[:1] not in ("[", "a") else ""
        return f"expected text, got {got}{hint}"
    if kind == "string_too_short":
        return f"expected non-empty text, got {got}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false, got {got}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {got}"
    if kind == "dict_type":
        return f"expected a mapping, got {got}"
    if kind in ("model_type", "model_attributes_type"):
        return f"expected a mapping of fields, got {got}"
    if kind == "too_short":
        least, actual = ctx["min_length"], ctx["actual_length"]
        return f"expected at least {least} {'entry' if least == 1 else 'entries'}, got {actual}"
    return f"{msg[:1].lower()}{msg[1:]}, got {got}"


def issues_from_validation(error: ValidationError, data: object) -> list[Issue]:
    """Every pydantic error of validating `data` as an `Issue`, in pydantic's (file) order."""
    return [_translate(err, data) for err in error.errors(include_url=False)]


def line_of(root: yaml.Node | None, loc: Loc, *, at_key: bool = False) -> int | None:
    """1-based line of the field at `loc` in the composed YAML tree (of its parent if absent)."""
    if root is None:
        return None
    node: yaml.Node = root
    mark = root.start_mark
    for i, seg in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            pairs = [(k, v) for k, v in node.value if getattr(k, "value", None) == str(seg)]
            if not pairs:
                break
            key, node = pairs[-1]
            mark = key.start_mark if (at_key and i == len(loc) - 1) else node.start_mark
        elif isinstance(node, yaml.SequenceNode) and isinstance(seg, int):
            if not 0 <= seg < len(node.value):
                break
            node = node.value[seg]
            mark = node.start_mark
        else:
            break
    return int(mark.line) + 1


def config_error(issues: Sequence[Issue], root: yaml.Node | None, source: str) -> ConfigError:
    """One `ConfigError` for the first issue, its message listing a few of the others."""

    def where(issue: Issue) -> str:
        line = line_of(root, issue.loc, at_key=issue.at_key)
        return f" (line {line})" if line is not None else ""

    first = issues[0]
    message = first.message + where(first)
    for issue in issues[1 : _MAX_LISTED + 1]:
        message += f"\n  also {format_loc(issue.loc)}: {issue.message}{where(issue)}"
    if len(issues) > _MAX_LISTED + 1:
        message += f"\n  and {len(issues) - _MAX_LISTED - 1} more"
    return ConfigError(message, source=source, path=format_loc(first.loc))


def config_warning(issue: Issue, root: yaml.Node | None, source: str) -> None:
    """Warn with an advisory `issue` as a `ScenarioWarning` from `source`, at the field's YAML line
    (``scenarios/x.yaml:80: ScenarioWarning: tracker.init_speed_sigma_mps: ...``)."""
    line = line_of(root, issue.loc, at_key=issue.at_key)
    warnings.warn_explicit(
        f"{format_loc(issue.loc)}: {issue.message}", ScenarioWarning, source, line or 0
    )
