"""The part key: what `solve_item` produces for one (expanded) part, typed.

It is what the course workflow stores at generation and what the grader reads at submit time — no torch and no
solver are needed then. On disk and on the wire it is the JSON `to_json()` gives (the keys of `azmoon solve
--json`'s parts, see docs/ARCHITECTURE.md "The stored key"): `id, kind, prompt, answer, answer_text, points,
grading, misconceptions`, plus `form` when the item gives one, `options` for choice parts and `manual: true`
for parts the TA grades by hand. `PartKey.from_json` reads a stored key back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Texts = dict[str, str]  # {"fa": ..., "en": ...}
PartKind = Literal["integer", "real", "shape", "expression", "choice", "text"]


@dataclass(frozen=True)
class MisconceptionKey:
    """A typical wrong answer the grader recognises, and the hint it then gives (both languages)."""

    value: Any
    hint: Texts

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "hint": dict(self.hint)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MisconceptionKey:
        return cls(value=data["value"], hint=dict(data["hint"]))


@dataclass(frozen=True)
class OptionKey:
    """One option of a choice part, in the variant's order; `feedback` says why it is right or wrong."""

    id: str
    text: Texts
    feedback: Texts | None = None

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"id": self.id, "text": dict(self.text)}
        if self.feedback is not None:
            document["feedback"] = dict(self.feedback)
        return document

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OptionKey:
        feedback = data.get("feedback")
        return cls(
            id=data["id"], text=dict(data["text"]), feedback=None if feedback is None else dict(feedback)
        )


@dataclass(frozen=True)
class PartKey:
    id: str
    kind: PartKind
    prompt: Texts
    answer: Any  # int, float, list[int] (shape), str (expression or option id)
    answer_text: str  # how a student would write it
    points: float
    grading: dict[str, Any] = field(
        default_factory=dict
    )  # comparator and its settings (validated with the item)
    misconceptions: list[MisconceptionKey] = field(default_factory=list)
    form: Texts | None = None  # the expected form, shown in the answer file and on format errors
    options: list[OptionKey] | None = None  # choice parts
    manual: bool = False  # graded by the TA: recorded as pending, not scored

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "prompt": dict(self.prompt),
            "answer": self.answer,
            "answer_text": self.answer_text,
            "points": self.points,
            "grading": dict(self.grading),
            "misconceptions": [m.to_json() for m in self.misconceptions],
        }
        if self.form is not None:
            document["form"] = dict(self.form)
        if self.options is not None:
            document["options"] = [o.to_json() for o in self.options]
        if self.manual:
            document["manual"] = True
        return document

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PartKey:
        options = data.get("options")
        form = data.get("form")
        return cls(
            id=data["id"],
            kind=data["kind"],
            prompt=dict(data["prompt"]),
            answer=data["answer"],
            answer_text=data["answer_text"],
            points=data["points"],
            grading=dict(data.get("grading") or {}),
            misconceptions=[MisconceptionKey.from_json(m) for m in data.get("misconceptions") or []],
            form=None if form is None else dict(form),
            options=None if options is None else [OptionKey.from_json(o) for o in options],
            manual=bool(data.get("manual", False)),
        )
