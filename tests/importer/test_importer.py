"""`srs import`: quiz pages into YAML sources.

The seed page must import into exactly tests/golden/seed-import.yaml. To regenerate that file
after a deliberate change to the importer or the writer, run

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/importer/test_importer.py -k golden

and review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from srs_trainer.cli import main
from srs_trainer.deck.model import Section
from srs_trainer.deck.problems import InputError
from srs_trainer.deck.sources import parse_deck
from srs_trainer.deck.writer import dump_source
from srs_trainer.importer.heuristics import looks_like_code
from srs_trainer.importer.ids import slugify
from srs_trainer.importer.page import WarningKind
from srs_trainer.importer.reader import parse_page, read_page
from srs_trainer.importer.source_file import import_page

PAGES = Path(__file__).parents[1] / "pages"
GOLDEN = Path(__file__).parents[1] / "golden" / "seed-import.yaml"
GENERATORS = PAGES / "python-generators.txt"
SQL_JOINS = PAGES / "sql-joins.txt"
GIT_BRANCHING = PAGES / "git-branching.txt"

NO_KEY = WarningKind.NO_ANSWER_KEY
QUICK = WarningKind.QUICK_CHECK_DISAGREES
CONTRADICTS = WarningKind.SOLUTION_CONTRADICTS_ANSWER


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def fill_answers(data: dict[str, Any], letter: str = "A") -> dict[str, Any]:
    for question in data["questions"]:
        question.setdefault("answer", letter)
    return data


def page_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- the seed page --------------------------------------------------------------------------


def test_seed_page_imports_into_the_golden_source(
    seed_page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = import_page(seed_page)
    assert outcome.path == Path("cards/why-async-matters-in-django.yaml")
    written = (tmp_path / outcome.path).read_text(encoding="utf-8")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(written, encoding="utf-8")
    assert written == GOLDEN.read_text(encoding="utf-8")


def test_seed_page_warnings_are_exactly_its_known_faults(seed_page: Path) -> None:
    page = read_page(seed_page)
    assert [(warning.kind, warning.line) for warning in page.warnings] == [
        # The five challenges: the page never gives their answer key (title lines).
        (NO_KEY, 24), (NO_KEY, 41), (NO_KEY, 64), (NO_KEY, 93), (NO_KEY, 113),
        # Practice 1: "Options A, B, and C are incorrect" while A is the answer; Quick Check D.
        (CONTRADICTS, 149), (QUICK, 155),
        # Practice 2: "D has wrong keyword order" while D is the answer; Quick Check A.
        (CONTRADICTS, 175), (QUICK, 181),
        # Practices 3 and 4: Quick Checks A and C against Final Answers C and A. #5 agrees (B).
        (QUICK, 212), (QUICK, 241),
    ]
    challenges = [w.question for w in page.warnings if w.kind is NO_KEY]
    assert challenges == [0, 1, 2, 3, 4]
    quick = {w.question: w.message for w in page.warnings if w.kind is QUICK}
    assert "says D but the Final Answer is A" in quick[5]
    assert "says B" not in " ".join(quick.values())


def test_seed_page_carries_every_question_part(seed_page: Path) -> None:
    deck = read_page(seed_page).deck
    assert (deck.title, deck.topic, deck.estimated_minutes) == (
        "Why async matters in Django", "Django", 20)
    assert deck.badge is not None and deck.badge.name == "Async Django Mastery"
    assert deck.badge.rule == "Get all challenges correct to earn this badge!"
    assert [q.kind for q in deck.challenges] == [
        "conceptual", "component_behavior", "syntax", "debug", "state_output"]
    assert [q.level for q in deck.questions] == [
        "intermediate", "intermediate", "advanced", "advanced", "expert",
        "easy", "easy", "medium", "medium", "hard"]
    assert [q.time_limit for q in deck.challenges] == [120, 120, 120, 120, 180]
    assert all(q.attempts == 2 for q in deck.challenges)
    assert [q.answer for q in deck.challenges] == ["", "", "", "", ""]
    assert [q.answer for q in deck.practice] == ["A", "D", "C", "A", "B"]
    assert all(len(q.choices) == 4 and q.hint for q in deck.questions)
    assert all(len(q.solution) == 4 and len(q.common_mistakes) == 3 for q in deck.practice)
    first = deck.challenges[0]
    assert first.id == "why-use-async-views-in-django"
    assert first.choices[0].text == (
        "Async views allow Django to handle multiple requests at the same time without "
        "waiting for slow operations to finish.")
    debug = deck.challenges[3]
    assert debug.prompt == "What error will this Django async view raise?"
    assert debug.code is not None and debug.code.source == (
        "async def my_view(request):\n"
        "    data = MyModel.objects.filter(active=True).first()\n"
        "    return JsonResponse({'id': data.id if data else None})\n")
    assert debug.choices[0].text == "AttributeError: 'NoneType' object has no attribute 'id'"
    assert deck.challenges[4].choices[3].text == (
        '{"sync_id": 1, "async_id": 1} assuming one active record with id 1')
    syntax = deck.challenges[2]
    assert [c.code.language for c in syntax.choices if c.code] == ["python"] * 4
    assert syntax.choices[1].display() == (
        "async def my_view(request):\n"
        "    data = await MyModel.objects.afirst()\n"
        "    return JsonResponse({'data': data.id})\n")
    practice = deck.practice[0]
    assert practice.prompt == (
        "Why is using async views in Django important?\n\nasync def views let Django:\n")
    assert practice.code is None
    assert [step.title for step in practice.solution] == [
        "Step 1: Understand async view purpose", "Step 2: Compare options",
        "Final Answer", "Quick Check"]
    assert practice.solution[2].text == (
        "Handle multiple requests at the same time without waiting -> Option A")
    assert practice.hint == "Async means multitasking without waiting [OK]"
    third = deck.practice[2]
    assert third.prompt == (
        "Given this Django async view code:\n\n"
        "What happens when multiple users request this view simultaneously?\n")
    assert third.code is not None and third.code.source.startswith("async def fetch_data(request):")
    assert deck.practice[1].choices[3].text == "async def view(request):"


def test_seed_import_loads_once_its_todo_answers_are_filled(seed_page: Path) -> None:
    page = read_page(seed_page)
    text = dump_source(page.source_data())
    with pytest.raises(InputError) as refused:
        parse_deck(text, "seed.yaml")
    assert {p.message for p in refused.value.problems} == {
        f"questions[{i}]: missing required field 'answer'" for i in range(5)}
    deck = parse_deck(dump_source(fill_answers(yaml.safe_load(text), "B")), "seed.yaml")
    assert len(deck.questions) == 10
    assert [q.answer for q in deck.questions] == ["B"] * 5 + ["A", "D", "C", "A", "B"]
    assert [q.id for q in deck.questions] == [q.id for q in page.deck.questions]
    assert deck.questions[1].code == page.deck.questions[1].code


def test_golden_file_has_a_todo_comment_for_each_warning_and_lint_refuses_it(
    tmp_path: Path,
) -> None:
    text = GOLDEN.read_text(encoding="utf-8")
    todos = [line.strip() for line in text.splitlines() if "TODO(srs):" in line]
    assert len(todos) == 11
    assert all(line.startswith("# TODO(srs): ") for line in todos)
    assert "(page line 24)" in todos[0]
    result = CliRunner().invoke(main, ["lint", str(GOLDEN)])
    assert result.exit_code == 1
    assert result.output.count("unresolved import TODO") == 11


# --- other pages ------------------------------------------------------------------------------


def test_generators_page_keeps_code_indentation_blank_lines_and_exact_choices() -> None:
    page = read_page(GENERATORS)
    deck = page.deck
    assert (deck.title, deck.topic, deck.tags) == (
        "Generators and lazy iteration", "Python", ("language",))
    assert (len(deck.challenges), len(deck.practice)) == (3, 2)
    assert [q.time_limit for q in deck.challenges] == [90, 120, 120]
    syntax = deck.challenges[1]
    assert syntax.kind == "syntax" and syntax.code is None
    assert [c.code.source for c in syntax.choices if c.code] == [
        "def squares(n):\n    result = []\n\n    for i in range(n):\n"
        "        result.append(i * i)\n    return result\n",
        "def squares(n):\n    for i in range(n):\n\n        yield i * i\n",
        "def squares(n):\n    return [i * i for i in range(n)]\n",
        "squares = [i * i for i in range(10)]\n",
    ]
    debug = deck.challenges[2]
    assert debug.hint == ""  # the page has none
    assert debug.attempts == 2  # "Attempts: 2 left" on one line
    assert [c.text for c in debug.choices] == [
        "A generator can be iterated only once: the first list() consumed it.",
        "Generator expressions cache their values -> the second list() reads an empty cache.",
        "The condition n % 2 == 0 is re-evaluated: every value is odd the second time.",
        "SyntaxError: generator expressions need square brackets.",
    ]
    take = deck.practice[1]
    assert take.code is not None and take.code.source == (
        "def take(n, items):\n    for i, item in enumerate(items):\n        if i == n:\n"
        "            return\n\n        yield item\n")
    assert take.prompt == 'Given this generator:\n\nWhat does list(take(2, "abc")) return?\n'
    assert [c.text for c in take.choices] == ["['a', 'b']", "['a', 'b', 'c']", "['a']", '"ab"']
    assert take.answer == "A"
    assert [(w.kind, w.line) for w in page.warnings] == [(NO_KEY, 23), (NO_KEY, 40), (NO_KEY, 70)]


def test_windows_line_endings_import_the_same_deck(tmp_path: Path) -> None:
    crlf = tmp_path / "python-generators-crlf.txt"
    crlf.write_bytes(page_text(GENERATORS).replace("\n", "\r\n").encode("utf-8"))
    assert b"\r\n" in crlf.read_bytes()
    unix, windows = read_page(GENERATORS), read_page(crlf)
    assert windows.deck == unix.deck
    assert [(w.kind, w.line) for w in windows.warnings] == [
        (w.kind, w.line) for w in unix.warnings]
    assert "\r" not in dump_source(windows.source_data())


def test_sql_page_without_practice_six_challenges_and_a_missing_hint() -> None:
    page = read_page(SQL_JOINS)
    deck = page.deck
    assert (deck.topic, deck.tags, deck.estimated_minutes) == ("SQL", ("database",), 25)
    assert (len(deck.challenges), len(deck.practice)) == (6, 0)
    assert [q.kind for q in deck.questions] == [
        "conceptual", "state_output", "syntax", "debug", "component_behavior", "conceptual"]
    assert [q.attempts for q in deck.questions] == [2, 2, 2, 2, 1, 2]
    assert [bool(q.hint) for q in deck.questions] == [True, True, True, False, True, True]
    counting = deck.questions[1]
    assert counting.code is not None and counting.code.language == "sql"
    assert counting.code.source == (
        "SELECT c.id, COUNT(o.customer_id) AS n\nFROM customers c\n"
        "LEFT JOIN orders o ON o.customer_id = c.id\nGROUP BY c.id\nORDER BY c.id;\n")
    assert counting.prompt == (
        "Table customers has ids 1, 2 and 3. Table orders has three rows whose customer_id "
        "values are 1, 1 and 2.\n\nWhat does the query return (id -> n)?\n")
    assert [c.text for c in counting.choices] == [
        "1 -> 2, 2 -> 1, 3 -> 0", "1 -> 2, 2 -> 1", "1 -> 2, 2 -> 1, 3 -> 1",
        "1 -> 1, 2 -> 1, 3 -> 1"]
    three_tables = deck.questions[2].choices[0]
    assert three_tables.code is not None and three_tables.code.language == "sql"
    assert three_tables.code.source == (
        "SELECT o.id, c.name, p.title\nFROM orders o\nJOIN customers c ON c.id = o.customer_id\n"
        "\nJOIN products p ON p.id = o.product_id;\n")
    assert deck.questions[0].choices[0].text.startswith("LEFT JOIN keeps every customer;")
    assert deck.questions[4].choices[0].text == "3: one for each matching pair of rows."
    assert deck.questions[5].choices[0].text.startswith("SELECT c.id FROM customers c LEFT JOIN")
    assert [w.kind for w in page.warnings] == [NO_KEY] * 6


def test_git_page_is_practice_only_fully_keyed_and_needs_no_todo() -> None:
    page = read_page(GIT_BRANCHING)
    deck = page.deck
    assert page.warnings == ()
    assert deck.badge is None and deck.challenges == ()
    assert [q.answer for q in deck.practice] == ["A", "A", "A", "A"]
    assert [q.hint != "" for q in deck.practice] == [True, True, False, True]
    commands = deck.practice[1].code
    assert commands is not None and commands.language == "bash"
    assert commands.source == (
        'git init\ngit commit --allow-empty -m "first"\ngit branch topic\n\n'
        'git commit --allow-empty -m "second"\n')
    assert deck.practice[2].common_mistakes == ("Mixing up --merged and --no-merged",)
    parse_deck(dump_source(page.source_data()), "git.yaml")  # loads as written


# --- what the page gets wrong ---------------------------------------------------------------


def test_final_answer_text_naming_another_option_is_a_warning() -> None:
    text = page_text(GIT_BRANCHING).replace(
        "    git branch --merged -> Option A", "    git branch --no-merged -> Option A")
    page = parse_page(text, "git.txt")
    assert [(w.kind, w.line, w.question) for w in page.warnings] == [
        (WarningKind.FINAL_ANSWER_MISMATCH, 86, 2)]
    assert page.deck.practice[2].answer == "A"  # the letter stands, with a TODO to check it
    assert "'git branch --no-merged' is not option A" in page.warnings[0].message


def test_quick_check_and_solution_disagreeing_with_the_answer_are_warnings() -> None:
    text = page_text(GIT_BRANCHING).replace(
        "-c means create, then switch = A [OK]", "-c means create, then switch = C [OK]"
    ).replace(
        "without -c, git switch only moves", "options A and B are wrong: git switch only moves")
    page = parse_page(text, "git.txt")
    assert [(w.kind, w.line) for w in page.warnings] == [(CONTRADICTS, 26), (QUICK, 32)]


def test_count_announced_on_the_page_is_checked() -> None:
    text = page_text(SQL_JOINS).replace("Challenge - 6 Problems", "Challenge - 5 Problems")
    page = parse_page(text, "sql.txt")
    assert (page.warnings[0].kind, page.warnings[0].line) == (WarningKind.COUNT_MISMATCH, 15)
    assert page.warnings[0].question is None


@pytest.mark.parametrize(
    ("edit", "line", "words"),
    [
        (lambda t: t.replace("  • Mixing", "Lorem ipsum\n  • Mixing"),
         91, "cannot place this line in practice 3: 'Lorem ipsum'"),
        (lambda t: t.replace("Recommended\n", "Recommended\nSurprise banner\n"), 14,
         "cannot place this line in the page header"),
        (lambda t: t.replace("    -c stands for", "-c stands for"), 23,
         "cannot place this line in practice 1"),
    ],
)
def test_unplaceable_lines_are_errors_naming_the_line(edit: Any, line: int, words: str) -> None:
    source = GIT_BRANCHING if "Lorem" in words or "practice 1" in words else SQL_JOINS
    with pytest.raises(InputError) as error:
        parse_page(edit(page_text(source)), "page.txt")
    assert [(p.line, words in p.message) for p in error.value.problems] == [(line, True)], [
        str(p) for p in error.value.problems]


def test_challenge_without_choices_is_an_error() -> None:
    text = page_text(GENERATORS).replace("BThe first value passed to yield.\n", "")
    text = text.replace("AA generator object", "A generator object")
    with pytest.raises(InputError) as error:
        parse_page(text, "gen.txt")
    assert str(error.value).startswith("gen.txt:23: error: challenge 1: found no lettered choices")


def test_a_text_that_is_no_quiz_page_is_an_error() -> None:
    with pytest.raises(InputError) as error:
        parse_page("Just some notes\nabout nothing\n", "notes.txt")
    messages = [str(p) for p in error.value.problems]
    assert any("no title line" in m for m in messages)
    assert any("neither 'Challenge - N Problems' nor 'Practice'" in m for m in messages)


# --- small parts ------------------------------------------------------------------------------


def test_slugs_are_readable_trimmed_and_ascii() -> None:
    assert slugify("Why use async views in Django?") == "why-use-async-views-in-django"
    assert slugify("You want to improve your Django app's performance by using async views") == (
        "you-want-to-improve-your-django-apps-performance")
    assert slugify("Which of the following is the correct way to define an async view?") == (
        "which-of-the-following-is-the-correct-way")
    assert slugify("Café – naïve") == "cafe-naive"
    assert slugify("???") == "question"


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("async def views let Django:", False),
        ("async def my_view(request):", True),
        ("    return JsonResponse({'id': 1})", True),
        ("What does the await keyword do here?", False),
        ("Consider this Django async view snippet:", False),
        ("SELECT c.id FROM customers c", True),
        ("git branch topic", True),
        ("Hello", False),
        ("data = await MyModel.objects.afirst()", True),
    ],
)
def test_code_is_told_from_prose(line: str, code: bool) -> None:
    assert looks_like_code(line) is code


# --- re-import ----------------------------------------------------------------------------------


def test_reimport_keeps_ids_and_author_fields_and_reports_changes(tmp_path: Path) -> None:
    out = tmp_path / "gen.yaml"
    first = import_page(GENERATORS, out)
    assert first.created and first.changes == ()
    data = load(out)
    ids = [q["id"] for q in data["questions"]]
    # The author keys the challenges, renames an id, adds a check and an explanation.
    data["questions"][0]["answer"] = "A"
    data["questions"][1]["answer"] = "B"
    data["questions"][1]["id"] = "which-is-a-generator-function"
    data["questions"][2]["explanation"] = "A generator is exhausted after one pass."
    data["questions"][2]["verify"] = {
        "run": "evens = (n for n in range(6) if n % 2 == 0)\nlist(evens)\nprint(list(evens))",
        "expect": {"output": "[]\n"},
    }
    data["description"] = "My notes on generators."
    out.write_text(dump_source(data), encoding="utf-8")

    # The page changes: a choice is reworded, and the last practice question goes away.
    page = tmp_path / "page.txt"
    text = page_text(GENERATORS).replace(
        "BThe first value passed to yield.", "BThe first value that the body yields."
    ).replace("(1/2)", "(1/1)")
    page.write_text(text[: text.index("2. Given this generator:")], encoding="utf-8")
    second = import_page(page, out)

    assert not second.created
    assert second.changes == (
        "changed what-calling-a-generator-function-returns: choices",
        f"removed {ids[4]}",
    )
    merged = load(out)
    assert [q["id"] for q in merged["questions"]] == [
        ids[0], "which-is-a-generator-function", ids[2], ids[3]]
    assert merged["description"] == "My notes on generators."
    assert merged["questions"][0]["answer"] == "A"
    assert merged["questions"][0]["choices"][1] == "The first value that the body yields."
    assert merged["questions"][1]["answer"] == "B"
    assert merged["questions"][2]["verify"]["expect"] == {"output": "[]\n"}
    assert merged["questions"][2]["explanation"] == "A generator is exhausted after one pass."
    # Keyed challenges lose their TODO; the unkeyed one keeps it.
    assert [(w.kind, w.line) for w in second.warnings] == [(NO_KEY, 70)]
    assert out.read_text(encoding="utf-8").count("TODO(srs):") == 1
    parse_deck(dump_source(fill_answers(merged)), "gen.yaml")


def test_reimport_of_an_unchanged_page_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "sql.yaml"
    import_page(SQL_JOINS, out)
    before = out.read_bytes()
    again = import_page(SQL_JOINS, out)
    assert again.changes == () and not again.created
    assert out.read_bytes() == before


def test_the_header_s_reimport_command_runs_again_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "sql.txt").write_bytes(SQL_JOINS.read_bytes())
    monkeypatch.chdir(tmp_path)
    import_page("pages/sql.txt", "cards/sql.yaml")
    header = Path("cards/sql.yaml").read_text("utf-8").splitlines()[2]
    assert header == "#   srs import pages/sql.txt --out cards/sql.yaml"

    result = CliRunner().invoke(main, header.removeprefix("#   srs ").split())

    assert result.exit_code == 0, result.output


def test_practice_answer_comes_from_the_page_on_reimport(tmp_path: Path) -> None:
    out = tmp_path / "git.yaml"
    import_page(GIT_BRANCHING, out)
    data = load(out)
    data["questions"][0]["answer"] = "B"
    out.write_text(dump_source(data), encoding="utf-8")
    outcome = import_page(GIT_BRANCHING, out)
    assert outcome.changes == ("changed what-does-git-switch-c-feature-do: answer",)
    assert load(out)["questions"][0]["answer"] == "A"


def test_reimport_into_a_broken_source_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "broken.yaml"
    out.write_text("format: 1\nquestions: [\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        import_page(GIT_BRANCHING, out)
    assert str(error.value).startswith(f"{out}:")
    assert out.read_text(encoding="utf-8") == "format: 1\nquestions: [\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml"]


# --- the command ------------------------------------------------------------------------------


def test_cli_writes_default_path_prints_warnings_and_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["import", str(GENERATORS)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "wrote cards/generators-and-lazy-iteration.yaml: 3 challenge(s), "
        "2 practice question(s), 3 TODO(srs) to resolve\n")
    assert result.stderr.splitlines() == [
        f"{GENERATORS}:{line}: warning: challenge {n} has no answer key on the page: decide the "
        "right choice and add 'answer: <letter>' [no-answer-key]"
        for n, line in ((1, 23), (2, 40), (3, 70))
    ]
    assert (tmp_path / "cards" / "generators-and-lazy-iteration.yaml").is_file()


def test_cli_reimport_prints_changes(tmp_path: Path) -> None:
    out = tmp_path / "git.yaml"
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(GIT_BRANCHING), "--out", str(out)]).exit_code == 0
    data = load(out)
    data["questions"][3]["hint"] = "my own hint"
    out.write_text(dump_source(data), encoding="utf-8")
    result = runner.invoke(main, ["import", str(GIT_BRANCHING), "-o", str(out)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "changed which-sequence-brings-the-commits-of-feature: hint",
        f"updated {out}: 0 challenge(s), 4 practice question(s)",
    ]
    again = runner.invoke(main, ["import", str(GIT_BRANCHING), "-o", str(out)])
    assert again.stdout.endswith("4 practice question(s), no changes\n")


def test_cli_error_names_the_line_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    page = tmp_path / "bad.txt"
    page.write_text(page_text(GIT_BRANCHING).replace("(1/4)\n", "(1/4)\nstray words\n"),
                    encoding="utf-8")
    out = tmp_path / "cards" / "bad.yaml"
    result = CliRunner().invoke(main, ["import", str(page), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{page}:12: error: cannot place this line before the first practice question "
        "('1. ...'): 'stray words'",
        "nothing written",
    ]
    assert "Traceback" not in result.output and not out.exists()
    assert not (tmp_path / "cards").exists() or not any((tmp_path / "cards").iterdir())


def test_cli_missing_page_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["import", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{tmp_path / 'nope.txt'}: error: no such file")


def test_cli_a_page_that_is_not_utf8_is_named_at_its_byte(tmp_path: Path) -> None:
    # Pages are read like sources (deck.files.read_source): the same message, line and column.
    page = tmp_path / "latin1.txt"
    page.write_bytes(b"Title\n\ncaf\xe9\n")
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(main, ["import", str(page), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{page}:3:4: error: not UTF-8 text: byte 0xE9")
    assert "Traceback" not in result.output and not out.exists()


def test_import_build_and_real_anki_import(tmp_path: Path) -> None:
    """A fully keyed page goes through `srs import`, `srs build` and Anki's own importer."""
    from anki.collection import Collection

    from anki import import_export_pb2 as ie

    runner = CliRunner()
    source = tmp_path / "cards" / "git.yaml"
    imported = runner.invoke(main, ["import", str(GIT_BRANCHING), "--out", str(source)])
    assert imported.exit_code == 0 and imported.stderr == ""
    assert "TODO(srs)" not in source.read_text(encoding="utf-8")
    built = runner.invoke(main, ["build", str(source), "--out", str(tmp_path / "decks")])
    assert built.exit_code == 0, built.output
    package = tmp_path / "decks" / "branching-in-git.apkg"
    assert package.is_file()
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        condition = ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
        log = col.import_anki_package(ie.ImportAnkiPackageRequest(
            package_path=str(package),
            options=ie.ImportAnkiPackageOptions(
                update_notes=condition, update_notetypes=condition, with_scheduling=False),
        )).log
        assert len(log.new) == 4
        assert col.note_count() == 4
        fronts = " ".join(col.get_card(cid).question() for cid in col.find_cards(""))
        assert "git switch -c feature" in fronts
        assert "Which commit does topic point to?" in fronts
    finally:
        col.close()


def test_sections_map_to_the_model(seed_page: Path) -> None:
    deck = read_page(seed_page).deck
    assert [q.section for q in deck.questions] == [Section.CHALLENGE] * 5 + [Section.PRACTICE] * 5


# --- less common layouts ------------------------------------------------------------------------

SMALL_PAGE = """\
Topic - Challenge Your Understanding
Practice

1. Which loop prints 0, 1 and 2?
# a note, not a heading
easy
A.
for i in range(3):
    print(i)
B.
for i in range(1, 3):

    print(i)
C. <none> of these
D. print(0, 1, 2) -> prints one line

Solution

  1. Final Answer:

    for i in range(3): print(i) -> Option A
"""


def test_practice_code_choices_escapes_and_flattened_final_answer() -> None:
    page = parse_page(SMALL_PAGE, "small.txt")
    question = page.deck.questions[0]
    assert [c.code.source if c.code else c.text for c in question.choices] == [
        "for i in range(3):\n    print(i)\n",
        "for i in range(1, 3):\n\n    print(i)\n",
        "<none> of these",
        "D. print(0, 1, 2) -> prints one line"[3:],
    ]
    assert question.code is not None and question.code.source == "# a note, not a heading\n"
    assert question.answer == "A" and page.warnings == ()  # the page flattens code to one line
    assert page.deck.topic == "" and page.deck.estimated_minutes is None


def test_markdown_is_escaped_only_where_it_would_become_markup() -> None:
    text = SMALL_PAGE.replace("1. Which loop prints 0, 1 and 2?", "1. What does <App /> render?")
    text = text.replace("# a note, not a heading\n", "- is this a list?\n")
    question = parse_page(text, "small.txt").deck.questions[0]
    assert question.prompt == "What does \\<App /> render?\n\n\\- is this a list?\n"


def test_a_second_code_block_stays_in_the_prompt_with_a_warning() -> None:
    text = SMALL_PAGE.replace(
        "# a note, not a heading\n", "x = 1\nThen this runs:\ny = x + 1\n")
    page = parse_page(text, "small.txt")
    question = page.deck.questions[0]
    assert question.code is not None and question.code.source == "x = 1\n"
    assert question.prompt == (
        "Which loop prints 0, 1 and 2?\n\nThen this runs:\n\n```python\ny = x + 1\n```\n")
    assert [(w.kind, w.line) for w in page.warnings] == [(WarningKind.EXTRA_CODE, 7)]


_CHOICE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=60
).map(str.strip).filter(lambda text: text and not text[0].isspace())


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(_CHOICE_TEXT, min_size=2, max_size=6))
def test_choice_texts_never_lose_or_gain_characters(texts: list[str]) -> None:
    glued = "\n".join(f"{letter}{text}" for letter, text in zip("ABCDEF", texts, strict=False))
    page = (
        "Quiz - Challenge Your Understanding\nChallenge - 1 Problems\n"
        f"debug\nhard\n1:00remaining\nA title\n\nWhat happens?\n\n{glued}\nAttempts:\n1 left\n"
    )
    deck = parse_page(page, "p.txt").deck
    assert [c.text for c in deck.questions[0].choices] == texts
    data = yaml.safe_load(dump_source(deck.to_dict()))
    assert data["questions"][0]["choices"] == texts


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("Join Master", "Join Master\nStray line", 18,
         "cannot place this line between 'Challenge - N Problems' and the first challenge"),
        ("equal to anything.", "equal to anything.\n\nFooter", 145,
         "cannot place this line after challenge 6's hint: 'Footer'"),
        ("1:00remaining", "0:00remaining", 22, "challenge 1: a time limit must be 0:05 to 60:00"),
        ("Attempts:\n1 left", "Attempts:\n9 left", 122, "challenge 5: attempts must be 1 to 5"),
        ("SQLdatabase~25 mins", "SQLdatabase~0 mins", 2, "estimated time must be 1 to 1440"),
        ("\nstate_output\n", "\nstate output!\n", 37, "expected the challenge's kind"),
    ],
)
def test_page_values_the_format_cannot_hold_are_errors(
    old: str, new: str, line: int, message: str
) -> None:
    text = page_text(SQL_JOINS)
    assert old in text
    with pytest.raises(InputError) as error:
        parse_page(text.replace(old, new), "sql.txt")
    assert [(p.line, message in p.message) for p in error.value.problems] == [(line, True)], [
        str(p) for p in error.value.problems]


_MARKER_LINES = ("", "A", "B.", "Solution", "  1. Step 1: x", "    x -> Option A", "Attempts:",
                 "2 left", "💡 Hint", "Hint: x", "Common Mistakes:", "• a", "(1/5)", "Practice",
                 "Challenge - 2 Problems", "1:00remaining", "easy", "2. Next?", "def f():")


@settings(max_examples=150, deadline=None)
@given(
    page=st.sampled_from([GENERATORS, SQL_JOINS, GIT_BRANCHING]),
    edits=st.lists(
        st.tuples(st.integers(0, 400), st.sampled_from(["drop", "indent", *_MARKER_LINES])),
        min_size=1,
        max_size=4,
    ),
)
def test_a_damaged_page_reads_or_names_its_lines_never_crashes(
    page: Path, edits: list[tuple[int, str]]
) -> None:
    lines = page_text(page).split("\n")
    for position, edit in edits:
        at = position % len(lines)
        if edit == "drop":
            del lines[at]
        elif edit == "indent":
            lines[at] = "  " + lines[at]
        else:
            lines.insert(at, edit)
    try:
        parse_page("\n".join(lines), "p.txt")
    except InputError as error:
        assert error.problems
        assert all(1 <= problem.line <= len(lines) for problem in error.problems), [
            str(problem) for problem in error.problems]
