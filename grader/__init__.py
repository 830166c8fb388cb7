"""The grader: reads what students type, judges it per part, and explains the mistake (fa + en).

No torch anywhere here, and sympy only inside grader.symbolic's functions (expression parts).

- `grade_part(part_key, typed)`: one part of a stored key (see docs/ARCHITECTURE.md "The stored key").
- `grade_answers(part_keys, answers)`: the `check` JSON of the CLI contract.
- `selftest_part(part_key)`: problems with a key (behind `azmoon questions test`).
- `compare(key, answer, ...)`: `azmoon compare`.
- `submission_problems(items, answers)`: what keeps a submission from being graded whole (fa + en).
- `grader.answerfile.read_answer_file(path_or_bytes)`: a student's YAML answer file, read safely.
- `grader.settings.validate_grading(kind, grading)`: the closed set of `grading:` keys.
"""

from grader.grade import compare, grade_answers, grade_part, settings_for
from grader.problems import submission_problems
from grader.selftest import selftest_part

__all__ = ["compare", "grade_answers", "grade_part", "selftest_part", "settings_for", "submission_problems"]
