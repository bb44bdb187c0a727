"""Reading strategy files within bounds: which files are read, and how much of them.

Only regular files are read (no devices, pipes or folders), and the section files of a
folder only where they lie inside it, links included. A file holds at most
:data:`~scoreline.lib.limits.MAX_FILE_BYTES`, and its YAML at most
:data:`~scoreline.lib.limits.MAX_YAML_NODES` keys and values nested at most
:data:`~scoreline.lib.limits.MAX_YAML_DEPTH` deep. Each bound trips while reading, so a
link to ``/dev/zero``, a huge file or one nested 100,000 levels deep costs little time and
memory, and is reported like any other problem: ``file:line: reason``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

from scoreline.as_code.schema import ArchitectureError
from scoreline.lib import limits

__all__ = ["compose", "read_text"]


class _Refused(Exception):
    """A file not read, or read no further: the line where it stopped (0: none) and why."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def _bounded_bytes(path: Path, folder: Path | None) -> bytes:
    try:
        if folder is not None:
            target = path.resolve(strict=True)
            if not target.is_relative_to(folder.resolve(strict=True)):
                raise _Refused(
                    0, f"links to {target}, outside the folder: only its own files are read"
                )
        # Not blocking: opening a named pipe would otherwise wait for a writer.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with open(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise _Refused(
                    0, "not a regular file (a device, a pipe or a folder): only files are read"
                )
            data = stream.read(limits.MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _Refused(0, "no such file") from None
    except OSError as error:
        raise _Refused(0, f"cannot read: {error.strerror or error}") from None
    if len(data) > limits.MAX_FILE_BYTES:
        raise _Refused(
            0, f"larger than {limits.MAX_FILE_BYTES // 2**20} MiB, the limit for one file"
        )
    return data


def read_text(
    path: Path, errors: list[ArchitectureError], *, folder: Path | None = None
) -> str | None:
    """The text of the file at ``path``, or None with the reason added to ``errors``.

    With ``folder``, the file must lie inside that folder once links are followed.
    """
    try:
        return _bounded_bytes(path, folder).decode("utf-8")
    except _Refused as refused:
        errors.append(ArchitectureError(str(path), refused.line, refused.reason))
    except UnicodeDecodeError as error:
        errors.append(ArchitectureError(str(path), 1, f"not UTF-8 text: {error.reason}"))
    return None


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, counting the nodes it composes and how deep they nest."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.nodes = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        self.nodes += 1
        if self.nodes > limits.MAX_YAML_NODES:
            raise _Refused(
                self.peek_event().start_mark.line + 1,
                f"more than {limits.MAX_YAML_NODES:,} keys and values, the limit for one file",
            )
        if self.depth >= limits.MAX_YAML_DEPTH:
            raise _Refused(
                self.peek_event().start_mark.line + 1,
                f"nested more than {limits.MAX_YAML_DEPTH} levels deep, the limit for one file",
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            self.depth -= 1


def compose(file: str, text: str, errors: list[ArchitectureError]) -> yaml.Node | None:
    """The YAML of ``text`` as nodes that keep their lines, or None with the reason added."""
    try:
        node = yaml.compose(text, Loader=_BoundedLoader)
    except _Refused as error:
        errors.append(ArchitectureError(file, error.line, error.reason))
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = int(mark.line) + 1 if mark is not None else 1
        problem = error.problem or error.context or "unreadable YAML"
        if error.context and error.problem:
            problem = f"{problem} ({error.context})"
        errors.append(ArchitectureError(file, line, f"not valid YAML: {problem}"))
        return None
    except yaml.YAMLError as error:
        errors.append(ArchitectureError(file, 1, f"not valid YAML: {error}"))
        return None
    if node is None:
        errors.append(ArchitectureError(file, 1, "the file is empty"))
    return node
