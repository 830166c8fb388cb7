"""The bank's commands through Typer's runner (issue 15.5), a course's own questions (issue 14.5), clean errors
only for user errors (AzmoonError), quiet exits on a closed pipe and help that reads as help (issue 16.4)."""

from __future__ import annotations

import json
import linecache
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bank import registry
from bank.item import ItemError, find_item, load_items
from base.errors import AzmoonError
from base.paths import QUESTIONS_DIR
from cli import app
from commands.common import is_user_error

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


# --- a course's own questions -----------------------------------------------------------------------------------


def course_item(item_id: str, **changes) -> dict:
    data = yaml.safe_load((QUESTIONS_DIR / "conv_output_size.yaml").read_text(encoding="utf-8"))
    for older in ("generator", "solver", "catalogue"):  # a course's item: `family:`, no catalogue code
        data.pop(older, None)
    return {**data, "id": item_id, "family": "conv_output_size", **changes}


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "questions").mkdir(parents=True)
    (root / "course.yaml").write_text("name: {fa: درس, en: Course}\n", encoding="utf-8")
    path = root / "questions" / "my_conv.yaml"
    path.write_text(yaml.safe_dump(course_item("my_conv"), allow_unicode=True), encoding="utf-8")
    return root


def test_a_course_sees_its_own_items_beside_the_banks(course: Path) -> None:
    items = load_items(course)
    assert set(items) == set(load_items()) | {"my_conv"}
    mine = find_item("my_conv", course)
    assert (mine.catalogue, mine.family) == (None, "conv_output_size")
    with pytest.raises(ItemError, match="no item 'my_conv' in the bank"):
        find_item("my_conv")  # without the course, only the bank


def test_a_course_item_with_a_bank_id_names_both_files(course: Path) -> None:
    twin = course / "questions" / "conv_output_size.yaml"
    twin.write_text(yaml.safe_dump(course_item("conv_output_size"), allow_unicode=True), encoding="utf-8")
    message = f"item 'conv_output_size' is defined twice: {twin} (the course's) and {QUESTIONS_DIR / 'conv_output_size.yaml'}"
    for call in (lambda: load_items(course), lambda: find_item("conv_output_size", course)):
        with pytest.raises(ItemError) as info:
            call()
        assert str(info.value).startswith(message)


def test_a_bank_item_still_needs_its_catalogue_code(tmp_path: Path) -> None:
    (tmp_path / "my_conv.yaml").write_text(yaml.safe_dump(course_item("my_conv")), encoding="utf-8")
    with pytest.raises(ItemError, match="field 'catalogue': required for an item of the bank"):
        load_items(bank_dir=tmp_path)


def test_course_option_on_list_solve_test_and_check(course: Path, tmp_path: Path) -> None:
    listed = run("questions", "list", "--course", str(course))
    assert listed.exit_code == 0, listed.output
    assert (
        "-    my_conv                          integer    Output size of a single convolution layer"
        in listed.stdout
    )
    solved = run("solve", "my_conv", "--course", str(course), "--json")
    assert json.loads(solved.stdout)["parts"][0]["answer"] == (240 + 2 * 1 - 3) // 2 + 1
    tested = run("questions", "test", "my_conv", "--seeds", "3", "--course", str(course))
    assert tested.stdout.split() == ["ok", "my_conv", "seeds=3", "variants=3"]
    answers = tmp_path / "answers.yaml"
    answers.write_text("answers:\n  out: 120\n", encoding="utf-8")
    checked = run("check", "my_conv", str(answers), "--course", str(course))
    assert checked.stdout.splitlines()[-1] == "score: 1/1"


def test_course_option_must_name_a_course(tmp_path: Path) -> None:
    result = run("solve", "conv_output_size", "--course", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path.resolve()} is not a course directory (no course.yaml)\n"


# --- the bank's commands, exact where the output is stable ------------------------------------------------------


def test_questions_list_text() -> None:
    result = run("questions", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(load_items())
    assert (
        "A3   conv_output_size                 integer    Output size of a single convolution layer" in lines
    )


def test_solve_prints_both_languages_and_the_options() -> None:
    result = run("solve", "inverted_residual", "--seed", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "inverted_residual (seed 2)"
    assert lines[1].startswith("  fa: ") and lines[2].startswith("  en: ")
    part = lines.index("  [residual] (choice, 1 pt)")
    assert lines[part + 1].startswith("      fa: ") and lines[part + 2].startswith(
        "      en: Does this block"
    )
    options = [
        line.split()[-1] for line in lines[part + 3 :] if line.startswith("      ") and len(line.split()) <= 2
    ]
    assert {"yes", "no"} <= set(options)
    key = next(line for line in lines[part:] if line.startswith("      answer: "))
    marked = next(line for line in lines[part:] if line.startswith("      * "))
    assert marked == f"      * {key.removeprefix('      answer: ')}"
    assert "solution:" in lines


def test_solve_text_of_an_integer_part() -> None:
    lines = run("solve", "conv_output_size").stdout.splitlines()
    part = lines.index("  [out] (integer, 1 pt)")
    assert lines[part + 2] == (
        "      en: What is the side length of the output feature map, in pixels? (one integer; the output is "
        "square too)"
    )
    assert lines[part + 3] == f"      answer: {(240 + 2 * 1 - 3) // 2 + 1}"


@pytest.mark.parametrize(
    ("typed", "lines"),
    [
        ("120", ["  [out] correct      1/1       Correct.", "score: 1/1"]),
        ("119", ["score: 0/1"]),
    ],
)
def test_check_text(tmp_path: Path, typed: str, lines: list[str]) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"answers:\n  out: {typed}\n  typo: 3\n", encoding="utf-8")
    result = run("check", "conv_output_size", str(answers))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-len(lines) :] == lines
    assert result.stderr == "warning: answers for no part: typo (parts: out)\n"


def test_check_json_follows_the_contract(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("answers:\n  out: 120\n", encoding="utf-8")
    document = json.loads(run("check", "conv_output_size", str(answers), "--json").stdout)
    assert (document["score"], document["max_score"]) == (1, 1)
    assert set(document["parts"][0]) >= {"id", "correct", "score", "max_score", "feedback"}


def test_check_an_answer_file_for_another_item(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("answers:\n  cnn_table:\n    Layer1_shape: 3x2x2\n", encoding="utf-8")
    result = run("check", "conv_output_size", str(answers))
    assert result.exit_code == 1
    assert (
        result.stderr
        == "error: the answer file has no answers for item 'conv_output_size' (it has ['cnn_table'])\n"
    )


def test_compare_text_and_json() -> None:
    result = run("compare", "96", "32*3")
    assert result.exit_code == 0
    assert result.stdout.startswith("correct (read as 96): ")
    document = json.loads(
        run("compare", "0.862", "0.86", "--comparator", "decdig", "--digits", "3", "--json").stdout
    )
    assert document["status"] != "correct"


def test_zoo_list_json() -> None:
    rows = {row["name"]: row for row in json.loads(run("zoo", "list", "--json").stdout)}
    assert rows["resnet50"]["input_shape"] == [3, 224, 224]
    assert rows["resnet50"]["params"] == 25_557_032


def test_questions_test_text_for_one_item() -> None:
    result = run("questions", "test", "conv_output_size", "--seeds", "4")
    assert (result.exit_code, result.stdout) == (
        0,
        "ok   conv_output_size                 seeds=4 variants=4\n",
    )


# --- errors: clean for the user's mistakes, a traceback for bugs --------------------------------------------------


def buggy_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, solve) -> Path:
    monkeypatch.setitem(registry.GENERATORS, "test_buggy", lambda rng, ranges: {})
    monkeypatch.setitem(registry.SOLVERS, "test_buggy", solve)
    root = tmp_path / "course"
    (root / "questions").mkdir(parents=True)
    (root / "course.yaml").write_text("{}\n", encoding="utf-8")
    data = {**course_item("buggy"), "family": None, "generator": "test_buggy", "solver": "test_buggy"}
    data.pop("family")
    (root / "questions" / "buggy.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def bad_int(params):
    return int("seven")  # a bug in a solver: a ValueError no one raised for the user


def bad_lookup(params):
    return {}["W"]  # a bug in a solver: a KeyError from a dict


@pytest.mark.parametrize(("solve", "error"), [(bad_int, ValueError), (bad_lookup, KeyError)])
def test_a_solver_bug_keeps_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, solve, error
) -> None:
    course = buggy_course(tmp_path, monkeypatch, solve)
    result = run("solve", "buggy", "--course", str(course))
    assert result.exit_code == 1
    assert isinstance(result.exception, error)  # not turned into "error: ..."
    assert "error:" not in result.stderr


def test_a_broken_item_file_is_a_clean_error(course: Path) -> None:
    (course / "questions" / "my_conv.yaml").write_text(
        yaml.safe_dump(course_item("my_conv", parts=[{"id": "out", "kind": "vector"}])), encoding="utf-8"
    )
    result = run("solve", "my_conv", "--course", str(course))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {course / 'questions' / 'my_conv.yaml'}: field 'parts.0.kind'")


class LibraryError(ValueError):
    """A user error class of a library (like CourseError) that does not subclass AzmoonError yet."""


def raise_from(module: str, statement: str) -> BaseException:
    """The exception `statement` raises when run as code of module `module`."""
    filename = f"<{module}>"
    linecache.cache[filename] = (
        len(statement),
        None,
        [statement + "\n"],
        filename,
    )  # its source, as for a file
    try:
        exec(compile(statement, filename, "exec"), {"__name__": module})
    except Exception as exc:  # noqa: BLE001 - what was raised is the subject
        return exc
    raise AssertionError("nothing raised")


@pytest.mark.parametrize(
    ("module", "statement", "user"),
    [
        ("course.roster", "raise ValueError('row 3: no name')", True),
        ("analysis.trace", "raise KeyError('no layer labelled X')", True),
        ("course.roster", "int('seven')", False),
        ("course.roster", "{}['W']", False),
        ("solutions.conv_output_size", "raise ValueError('bug')", False),
        ("tests.x", "raise ValueError('bug')", False),
    ],
)
def test_a_bare_error_is_a_user_error_only_when_a_library_raises_it(
    module: str, statement: str, user: bool
) -> None:
    assert is_user_error(raise_from(module, statement)) is user


@pytest.mark.parametrize(
    ("exc", "user"),
    [
        (AzmoonError("bad"), True),
        (ItemError("x.yaml: field 'id'"), True),
        (registry.FamilyNotFound("no family"), True),
        (FileNotFoundError(2, "No such file", "x.yaml"), True),
        (TypeError("bug"), False),
        (BrokenPipeError(32, "Broken pipe"), False),
    ],
)
def test_what_counts_as_a_user_error(exc: BaseException, user: bool) -> None:
    assert is_user_error(exc) is user


def test_a_library_error_class_is_a_user_error() -> None:
    LibraryError.__module__ = "course.config"
    assert is_user_error(LibraryError("bad"))
    LibraryError.__module__ = __name__
    assert not is_user_error(LibraryError("bad"))


# --- a closed pipe, and help that reads as help -----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["questions", "list"],
        ["questions", "schema"],
        ["solve", "conv_output_size", "--json"],
        ["zoo", "list"],
    ],
)
def test_a_closed_pipe_ends_quietly(args: list[str]) -> None:
    child = subprocess.Popen(
        [sys.executable, "cli.py", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    child.stdout.close()  # the reader is gone before the command writes (`| head` that already quit)
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=120) == 1
    assert stderr == ""


@pytest.mark.parametrize(
    "args",
    [["solve", "--help"], ["questions", "list", "--help"], ["questions", "test", "--help"], ["--help"]],
)
def test_help_shows_flags_as_flags(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0
    assert "<bool>" not in result.stdout
    assert "  --help " in result.stdout


def test_solve_help_reads_as_help() -> None:
    lines = [line.rstrip() for line in run("solve", "--help").stdout.splitlines()]
    options = lines[lines.index("Options:") + 1 :]
    assert [line.split()[:2] for line in options] == [
        ["--seed", "N"],
        ["--course", "DIR"],
        ["--json", "Print"],
        ["--help", "Show"],
    ]
