"""Checkpoints: the chain's head, sealed with the audit key, appended to a file outside the database.

One JSON object a line: the head's ``seq`` and ``hash``, when it was taken, the id of the
key and the seal. A checkpoint remembers how far the chain reached, so events removed from
the end, or all of them with the head, are found missing again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from scoreline.audit.seals import AuditKey, missing_key

__all__ = ["Checkpoint", "CheckpointError", "append_checkpoint", "read_checkpoints"]

_PURPOSE = "checkpoint"
_FIELDS = {"seq": int, "hash": str, "taken_at": str, "key_id": str, "seal": str}


class CheckpointError(Exception):
    """The checkpoint file cannot be trusted or read; the message names the file and line."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    taken_at: datetime

    def describe(self) -> str:
        return f"the checkpoint of {self.taken_at:%Y-%m-%d %H:%M:%S} UTC"


def _sealed_text(seq: int, hash_: str, taken_at: str) -> str:
    return json.dumps({"hash": hash_, "seq": seq, "taken_at": taken_at}, sort_keys=True)


def append_checkpoint(path: Path, key: AuditKey, seq: int, hash_: str) -> Checkpoint:
    """Append the sealed checkpoint of the chain up to event ``seq`` (whose hash is ``hash_``)."""
    taken_at = timezone.now().replace(microsecond=0)
    stamp = taken_at.isoformat()
    line = {
        "seq": seq,
        "hash": hash_,
        "taken_at": stamp,
        "key_id": key.id,
        "seal": key.seal(_PURPOSE, _sealed_text(seq, hash_, stamp)),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(line) + "\n")
        file.flush()
        os.fsync(file.fileno())
    return Checkpoint(seq, hash_, taken_at)


def read_checkpoints(path: Path, key: AuditKey | None) -> list[Checkpoint]:
    """Every checkpoint in the file, each checked against its seal; none if there is no file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise CheckpointError(f"the audit checkpoints {path} cannot be read ({error})") from None
    checkpoints = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        where = f"the audit checkpoints {path}, line {number}"
        line = _parse(text, where)
        if key is None:
            raise missing_key(f"{where} is sealed")
        if line["key_id"] != key.id:
            raise CheckpointError(
                f"{where} was sealed with audit key {line['key_id']}, but the key in use "
                f"({key.origin}) is {key.id}: it is not the key that sealed the audit trail"
            )
        sealed = _sealed_text(line["seq"], line["hash"], line["taken_at"])
        if not key.holds(_PURPOSE, sealed, line["seal"]):
            raise CheckpointError(f"{where} does not match its seal: it was altered")
        taken_at = datetime.fromisoformat(line["taken_at"])  # sealed, so written by us
        checkpoints.append(Checkpoint(line["seq"], line["hash"], taken_at))
    return checkpoints


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        line = json.loads(text)
    except ValueError:
        line = None
    if not isinstance(line, dict) or any(
        type(line.get(name)) is not kind for name, kind in _FIELDS.items()
    ):
        raise CheckpointError(
            f"{where} is not a checkpoint (a JSON object with {', '.join(_FIELDS)})"
        )
    return line
