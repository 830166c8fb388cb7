"""A student's answer file, read as hostile input.

    assignment: hw4            # optional header keys
    student: "401234567"
    variant: 3
    answers:                   # flat {part_id: typed} (practice, one item) ...
      out: 120
    # ... or nested by item (an assignment): {item_id: {part_id: typed}}

Every scalar is read as the exact text typed (a YAML loader without implicit types: `0123`, `1_000`, `yes`,
`12:30` stay strings; the grader reads them); a flow list (`[64, 59, 59]`) stays a list of strings for shape
parts. Refused with a one-line AnswerFileError: more than 256 KiB, invalid UTF-8, anchors or aliases (alias
bombs), tags, several documents, a non-mapping, more than MAX_ENTRIES values, nesting deeper than MAX_DEPTH.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 256 * 1024
MAX_ENTRIES = 5000
MAX_DEPTH = 6
MAX_KEY_CHARS = 200
HEADER_KEYS = ("assignment", "student", "variant")


class AnswerFileError(ValueError):
    """An answer file that cannot be used; the message is one line and names the problem."""


class _TextLoader(yaml.SafeLoader):
    """SafeLoader with no implicit resolvers: every plain scalar is a str."""


_TextLoader.yaml_implicit_resolvers = {}


@dataclass
class AnswerFile:
    answers: dict[str, Any]  # flat {part: typed} or nested {item: {part: typed}}
    nested: bool
    assignment: str | None = None
    student: str | None = None
    variant: int | None = None
    extra_keys: list[str] = field(default_factory=list)

    def for_item(self, item_id: str) -> dict[str, Any]:
        """The {part: typed} answers of one item (a flat file answers the one item it is used with)."""
        if not self.nested:
            return dict(self.answers)
        return dict(self.answers.get(item_id) or {})


def _read_bytes(source: str | Path | bytes) -> bytes:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        path = Path(source)
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise AnswerFileError(f"cannot read the answer file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise AnswerFileError(f"the answer file is larger than {MAX_BYTES // 1024} KiB")
    return data


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswerFileError(
            f"the answer file is not valid UTF-8 (byte {exc.start}); save it as UTF-8"
        ) from None
    if "\x00" in text:
        raise AnswerFileError("the answer file contains NUL characters; save it as UTF-8 text")
    return text


def _check_events(text: str) -> None:
    """Walk the YAML events once, before anything is built: no aliases, anchors or tags; bounded depth and size."""
    depth = documents = scalars = 0
    try:
        for event in yaml.parse(text, Loader=_TextLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise AnswerFileError("YAML anchors and aliases (& and *) are not allowed in an answer file")
            if getattr(event, "tag", None) is not None:
                raise AnswerFileError("YAML tags (!! or !) are not allowed in an answer file")
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise AnswerFileError(
                        "the answer file must hold one YAML document (remove the extra ---)"
                    )
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise AnswerFileError(f"the answer file is nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent):
                scalars += 1
                if scalars > 2 * MAX_ENTRIES:
                    raise AnswerFileError(f"the answer file has more than {MAX_ENTRIES} entries")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise AnswerFileError(f"the answer file is not valid YAML{where}: {problem}") from None


def _typed(value: Any, where: str) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        if any(not (v is None or isinstance(v, str)) for v in value):
            raise AnswerFileError(f"answer '{where}' is a list of non-values; write it as one line of text")
        return value
    raise AnswerFileError(f"answer '{where}' must be a value (text or number), not a mapping")


def _key(value: Any) -> str:
    key = str(value)
    if len(key) > MAX_KEY_CHARS:
        raise AnswerFileError(f"a key in the answer file is longer than {MAX_KEY_CHARS} characters")
    return key


def _answers(raw: Any) -> tuple[dict[str, Any], bool]:
    if raw is None or raw == "":  # `answers:` with nothing under it
        return {}, False
    if not isinstance(raw, dict):
        raise AnswerFileError("`answers:` must be a mapping of part ids (or item ids) to answers")
    values = [v for v in raw.values() if v not in ("", None)]  # an item or part with nothing under it
    nested = bool(values) and all(isinstance(v, dict) for v in values)
    if any(isinstance(v, dict) for v in values) and not nested:
        raise AnswerFileError(
            "`answers:` mixes item ids (nested mappings) and part ids (values); use one form"
        )
    if not nested:
        return {_key(k): _typed(v, str(k)) for k, v in raw.items()}, False
    return {
        _key(item): {_key(k): _typed(v, f"{item}.{k}") for k, v in (parts or {}).items()}
        for item, parts in raw.items()
    }, True


def _header(document: dict[str, Any], name: str) -> str | None:
    value = document.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise AnswerFileError(f"header key '{name}' must be a single value")
    return value.strip() or None


def read_answer_file(source: str | Path | bytes) -> AnswerFile:
    """Parse an answer file (a path, or its bytes) into an AnswerFile; AnswerFileError if it cannot be used."""
    text = _decode(_read_bytes(source))
    _check_events(text)
    try:
        document = yaml.load(text, Loader=_TextLoader)  # noqa: S506 - a SafeLoader without implicit types
    except yaml.YAMLError as exc:
        raise AnswerFileError(f"the answer file is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise AnswerFileError("the answer file must be a YAML mapping with an `answers:` key")
    if "answers" not in document:
        raise AnswerFileError("the answer file has no `answers:` key")
    answers, nested = _answers(document["answers"])
    variant = _header(document, "variant")
    if variant is not None and not (variant.isascii() and variant.lstrip("-").isdigit()):
        raise AnswerFileError(f"header key 'variant' must be a whole number, not '{variant[:40]}'")
    return AnswerFile(
        answers=answers,
        nested=nested,
        assignment=_header(document, "assignment"),
        student=_header(document, "student"),
        variant=int(variant) if variant is not None else None,
        extra_keys=sorted(str(k) for k in document if k not in (*HEADER_KEYS, "answers")),
    )
