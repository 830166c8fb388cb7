r"""A student's answer file, read as hostile input.

    assignment: hw4            # optional header keys
    student: "401234567"
    variant: 3
    answers:                   # flat {part_id: typed} (practice, one item) ...
      out: 120
    # ... or nested by item (an assignment): {item_id: {part_id: typed}}

Every scalar is read as the exact text typed (a YAML loader without implicit types: `0123`, `1_000`, `yes`,
`12:30` stay strings; the grader reads them); a flow list (`[64, 59, 59]`) stays a list of strings for shape
parts. Refused with a one-line AnswerFileError: more than 256 KiB, invalid UTF-8, anchors or aliases (alias
bombs), tags, several documents, a non-mapping, more than MAX_ENTRIES values, nesting deeper than MAX_DEPTH,
a key written twice in one mapping (YAML would silently keep the last), and control characters (terminal
escapes such as ESC, written as `"\e[31m"` in a quoted scalar) in any key or value, with the line.

Every refusal is said in both languages: `AnswerFileError.bilingual` is `{"fa", "en"}`, `.code` names the
problem, and `str(exc)` is one line: the English, then the Persian.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from base.errors import AzmoonError
from grader.messages import Bilingual, file_message

MAX_BYTES = 256 * 1024
MAX_ENTRIES = 5000
MAX_DEPTH = 6
MAX_KEY_CHARS = 200
HEADER_KEYS = ("assignment", "student", "variant", "server")  # server: where `azmoon submit` sends the file


class AnswerFileError(AzmoonError, ValueError):
    """An answer file that cannot be used: `.code`, `.bilingual` {"fa", "en"}; str() is one line, en then fa."""

    def __init__(self, code: str, **values: object) -> None:
        self.code = code
        self.bilingual: Bilingual = file_message(code, **values)
        super().__init__(f"{self.bilingual['en']} | {self.bilingual['fa']}")


class _TextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser where PyYAML has it
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
            raise AnswerFileError("cannot_read", path=path, why=exc.strerror or exc) from None
    if len(data) > MAX_BYTES:
        raise AnswerFileError("too_large", limit=MAX_BYTES // 1024)
    return data


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswerFileError("not_utf8", byte=exc.start) from None
    if "\x00" in text:
        raise AnswerFileError("nul")
    return text


def _check_events(text: str) -> None:
    """Walk the YAML events once, before anything is built: no aliases, anchors or tags; bounded depth and size."""
    depth = documents = scalars = 0
    try:
        for event in yaml.parse(text, Loader=_TextLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise AnswerFileError("aliases")
            if getattr(event, "tag", None) is not None:
                raise AnswerFileError("tags")
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise AnswerFileError("documents")
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise AnswerFileError("too_deep", limit=MAX_DEPTH)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent):
                scalars += 1
                if scalars > 2 * MAX_ENTRIES:
                    raise AnswerFileError("too_many", limit=MAX_ENTRIES)
                _check_text(event.value, event.start_mark)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text) from None


def _yaml_error(exc: yaml.YAMLError, text: str = "") -> AnswerFileError:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow (a raw ESC, say)
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        return AnswerFileError("control", char=f"U+{code:04X}", line=text.count("\n", 0, exc.position) + 1)
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or "not valid YAML"
    return AnswerFileError(
        "not_yaml",
        where=f" at line {line}" if line else "",
        where_fa=f" (سطر {line})" if line else "",
        problem=problem,
    )


def _check_text(value: str, mark: Any) -> None:
    """No control character (but tab and line breaks) in any scalar: terminal escapes never reach a screen."""
    for char in value:
        if char not in "\t\n\r" and unicodedata.category(char) == "Cc":
            raise AnswerFileError("control", char=f"U+{ord(char):04X}", line=mark.line + 1 if mark else "?")


def _check_duplicates(node: yaml.Node) -> None:
    """A key written twice in one mapping is an error (YAML would silently keep the last)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in current.value:
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else repr(key.value)
                line = key.start_mark.line + 1
                if name in seen:
                    raise AnswerFileError("duplicate_key", key=name[:60], line=line, first=seen[name])
                seen[name] = line
                stack.extend([key, value])
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _load(text: str) -> Any:
    loader = _TextLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_duplicates(node)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text) from None
    finally:
        loader.dispose()


def _typed(value: Any, where: str) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        if any(not (v is None or isinstance(v, str)) for v in value):
            raise AnswerFileError("list_of_non_values", where=where)
        return value
    raise AnswerFileError("answer_mapping", where=where)


def _key(value: Any) -> str:
    key = str(value)
    if len(key) > MAX_KEY_CHARS:
        raise AnswerFileError("long_key", limit=MAX_KEY_CHARS)
    return key


def _answers(raw: Any) -> tuple[dict[str, Any], bool]:
    if raw is None or raw == "":  # `answers:` with nothing under it
        return {}, False
    if not isinstance(raw, dict):
        raise AnswerFileError("answers_mapping")
    values = [v for v in raw.values() if v not in ("", None)]  # an item or part with nothing under it
    nested = bool(values) and all(isinstance(v, dict) for v in values)
    if any(isinstance(v, dict) for v in values) and not nested:
        raise AnswerFileError("mixed")
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
        raise AnswerFileError("header_value", name=name)
    return value.strip() or None


def read_answer_file(source: str | Path | bytes) -> AnswerFile:
    """Parse an answer file (a path, or its bytes) into an AnswerFile; AnswerFileError if it cannot be used."""
    text = _decode(_read_bytes(source))
    _check_events(text)
    document = _load(text)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise AnswerFileError("not_mapping")
    if "answers" not in document:
        raise AnswerFileError("no_answers")
    answers, nested = _answers(document["answers"])
    variant = _header(document, "variant")
    if variant is not None and not (variant.isascii() and variant.lstrip("-").isdigit()):
        raise AnswerFileError("variant_number", value=variant[:40])
    return AnswerFile(
        answers=answers,
        nested=nested,
        assignment=_header(document, "assignment"),
        student=_header(document, "student"),
        variant=int(variant) if variant is not None else None,
        extra_keys=sorted(str(k) for k in document if k not in (*HEADER_KEYS, "answers")),
    )
