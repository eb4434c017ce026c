"""The building blocks of the scenario schema: the base model and the checked field types.

`Spec` forbids unknown fields (a misspelt one is reported with the nearest known name), freezes its
instances and refuses non-finite numbers; `Number` and `Whole` refuse booleans; the annotated types
carry ranges and formats (probabilities, ENU positions and vertices, ICAO addresses, callsigns,
Remote ID serials). The models themselves are in `bastion.config.schema` and the modules it names.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError


def show_value(value: object) -> str:
    """A short, YAML-flavoured rendering of an input value for an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def suggest_field(key: object, known: list[str]) -> str:
    """The message for an unknown field: the nearest known name (difflib), or the known names."""
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    if close:
        return f"unknown field; did you mean {close[0]!r}?"
    return "unknown field; expected one of: " + ", ".join(known)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _reject_bool(value: object) -> object:
    """Lax pydantic would read `true` as 1.0; a boolean where a number belongs is a mistake."""
    if isinstance(value, bool):
        raise PydanticCustomError("not_number", "expected a number")
    return value


def _probability(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise PydanticCustomError(
            "bastion", "expected a probability in [0, 1], got {got}", {"got": show_value(value)}
        )
    return value


def _vector(names: tuple[str, ...]) -> BeforeValidator:
    layout = "[" + ", ".join(names) + "]"

    def check(value: object) -> tuple[float, ...]:
        if isinstance(value, list | tuple) and len(value) == len(names):
            items = list(value)
            if all(_is_number(v) and math.isfinite(v) for v in items):
                return tuple(float(v) for v in items)
        raise PydanticCustomError(
            "bastion", "expected " + layout + " in metres, got {got}", {"got": show_value(value)}
        )

    return BeforeValidator(check)


def _icao(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(r"[0-9A-Fa-f]{6}", value):
        return value.upper()
    if value == "":
        return value
    raise PydanticCustomError(
        "bastion",
        "expected a 24-bit ICAO address as 6 hex digits in quotes (e.g. 'AE1234'), got {got}",
        {"got": show_value(value)},
    )


def _matching(pattern: str, expected: str) -> BeforeValidator:
    """A validator passing strings that match `pattern` whole; anything else gets "expected ...,
    got ..." naming `expected`."""

    def check(value: object) -> object:
        if isinstance(value, str) and re.fullmatch(pattern, value):
            return value
        raise PydanticCustomError(
            "bastion", f"expected {expected}, got {{got}}", {"got": show_value(value)}
        )

    return BeforeValidator(check)


Number = Annotated[float, BeforeValidator(_reject_bool)]
Whole = Annotated[int, BeforeValidator(_reject_bool)]
Positive = Annotated[Number, Field(gt=0.0)]
NonNegative = Annotated[Number, Field(ge=0.0)]
Probability = Annotated[Number, AfterValidator(_probability)]
Text = Annotated[str, Field(min_length=1)]
Position = Annotated[tuple[float, float, float], _vector(("east_m", "north_m", "up_m"))]
Vertex = Annotated[tuple[float, float], _vector(("east_m", "north_m"))]
Icao = Annotated[str, BeforeValidator(_icao)]
Callsign = Annotated[
    str, _matching(r"[A-Z0-9 ]{0,8}", "a callsign of up to 8 characters A-Z, 0-9 or space")
]
RemoteIdSerial = Annotated[
    str,
    _matching(
        r"[\x21-\x7e]{0,20}", "a Remote ID serial of up to 20 printable characters without spaces"
    ),
]
"""A Remote ID UAS ID: up to 20 printable ASCII characters, no spaces (ASTM F3411 Basic ID)."""


class Spec(BaseModel):
    """Base of every scenario model: frozen, finite numbers, unknown fields rejected with a hint."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = list(cls.model_fields)
            for key in data:
                if key not in cls.model_fields:
                    raise PydanticCustomError(
                        "unknown_field",
                        "{message}",
                        {"field": str(key), "message": suggest_field(key, known)},
                    )
        return data
