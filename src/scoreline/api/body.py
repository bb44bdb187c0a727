"""The JSON body parser of the whole API: standard JSON whose every value can be stored.

Python's ``json`` reads more than JSON: ``NaN`` and ``Infinity``, numbers too large for a
float (``1e400`` becomes infinity), and ``\\ud800`` escapes (or raw bytes) that decode to
unpaired surrogates. None of them can be stored, and a surrogate cannot even be sent back
as UTF-8, so each is refused here, once for every request body, naming where it sits.
"""

from __future__ import annotations

import json
import math
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser
from ninja.types import DictStrAny

from scoreline.lib.strict import text_problem

__all__ = ["JsonBody", "UnstorableValue"]


class UnstorableValue(ValueError):
    """A value of the body that cannot be stored: ``field`` is where it sits, as the
    API's field errors name it (``payload.lines[0].note``)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _joined(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _check(value: Any, path: str) -> None:
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            raise UnstorableValue(path or "body", problem)
    elif isinstance(value, float) and not math.isfinite(value):
        raise UnstorableValue(path or "body", f"must be a finite number, got {value}")
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = text_problem(key)
            if problem is not None:
                # The key itself is not shown: it could not be sent back.
                raise UnstorableValue(path or "body", f"a field name {problem}")
            _check(item, _joined(path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, _joined(path, index))


class JsonBody(Parser):
    """Reads a request body as JSON and refuses values that could not be stored."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data = json.loads(request.body)
        _check(data, "")
        return cast(DictStrAny, data)
