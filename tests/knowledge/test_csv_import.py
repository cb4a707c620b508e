"""Importing a spreadsheet export into answer files."""

from __future__ import annotations

import pathlib

import pytest

from knowledge import CsvImportError, import_csv, load_answer_base


def write_csv(tmp_path: pathlib.Path, text: str, encoding: str = "utf-8") -> pathlib.Path:
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    return path


def import_error(
    csv_path: pathlib.Path, out_dir: pathlib.Path, **options: object
) -> CsvImportError:
    with pytest.raises(CsvImportError) as caught:
        import_csv(csv_path, out_dir, **options)  # type: ignore[arg-type]
    return caught.value


SEMICOLON = (
    "Question;Answer;Language;ID\n"
    "Hvor er pakken min?;Pakken din er på vei. Følg den på Min side.;nb;order-tracking\n"
    "Når kommer pakken?;Pakken din er på vei. Følg den på Min side.;nb;order-tracking\n"
    "Where is my parcel?;Your parcel is on its way.;en;order-tracking\n"
    "Kan jeg returnere varen?;Ja, innen 30 dager.;;returns\n"
)


def test_semicolon_file_with_merged_rows(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "answers"
    written = import_csv(write_csv(tmp_path, SEMICOLON), out)
    assert written == [out / "order-tracking.yaml", out / "returns.yaml"]
    base = load_answer_base(out)
    tracking = base.get("order-tracking")
    assert tracking is not None
    assert tracking.title == "Hvor er pakken min?"
    assert tracking.status == "published"
    assert tracking.questions == (
        "Hvor er pakken min?",
        "Når kommer pakken?",
        "Where is my parcel?",
    )
    assert dict(tracking.answer) == {
        "nb": "Pakken din er på vei. Følg den på Min side.",
        "en": "Your parcel is on its way.",
    }
    returns = base.get("returns")
    assert returns is not None
    assert dict(returns.answer) == {"nb": "Ja, innen 30 dager."}


def test_written_yaml_keeps_unicode_and_key_order(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "answers"
    import_csv(write_csv(tmp_path, SEMICOLON), out)
    text = (out / "order-tracking.yaml").read_text(encoding="utf-8")
    assert "Når kommer pakken?" in text
    assert "på vei" in text
    assert "\\x" not in text and "\\u" not in text
    keys = [line.split(":")[0] for line in text.splitlines() if not line.startswith(" ")]
    assert keys == ["id", "title", "status", "questions", "answer"]


def test_comma_file_with_bom_title_quotes_and_multiline_cells(tmp_path: pathlib.Path) -> None:
    text = (
        "\ufeffid,Title,question,language,answer\n"
        'payment-declined,Betaling avvist,"Hvorfor, egentlig?",NB,"Sjekk kortet.\r\n'
        'Ring banken, om nødvendig."\n'
        'payment-declined,,"yes",en,"Check your card; say ""hi""."\n'
    )
    out = tmp_path / "answers"
    import_csv(write_csv(tmp_path, text), out)
    answer = load_answer_base(out).answers[0]
    assert answer.title == "Betaling avvist"
    assert answer.questions == ("Hvorfor, egentlig?", "yes")
    assert answer.answer["nb"] == "Sjekk kortet.\nRing banken, om nødvendig."
    assert answer.answer["en"] == 'Check your card; say "hi".'


def test_rows_may_leave_the_answer_or_question_empty(tmp_path: pathlib.Path) -> None:
    text = (
        "question;answer;language;id\n"
        "Hvor er pakken?;På vei.;nb;tracking\n"
        "Sporing;;nb;tracking\n"
        ";On its way.;en;tracking\n"
        "\n"
        ";;;\n"
    )
    out = tmp_path / "answers"
    import_csv(write_csv(tmp_path, text), out)
    answer = load_answer_base(out).answers[0]
    assert answer.questions == ("Hvor er pakken?", "Sporing")
    assert set(answer.answer) == {"nb", "en"}


def test_default_language_is_used_for_empty_language_cells(tmp_path: pathlib.Path) -> None:
    text = "question;answer;language;id\nVar är paketet?;På väg.;;tracking\n"
    out = tmp_path / "answers"
    import_csv(write_csv(tmp_path, text), out, default_language="sv")
    assert dict(load_answer_base(out).answers[0].answer) == {"sv": "På väg."}


def test_latin1_file_names_the_encoding_and_line(tmp_path: pathlib.Path) -> None:
    csv_path = write_csv(tmp_path, SEMICOLON, encoding="latin-1")
    error = import_error(csv_path, tmp_path / "answers")
    [problem] = error.problems
    assert (problem.file, problem.line) == (csv_path, 2)
    assert "UTF-8" in problem.message and "Latin-1" in problem.message
    assert f"{csv_path}:2:" in str(error)
    assert not (tmp_path / "answers").exists()


def test_missing_column(tmp_path: pathlib.Path) -> None:
    csv_path = write_csv(tmp_path, "question;answer;id\nHei?;Hei.;greeting\n")
    [problem] = import_error(csv_path, tmp_path / "answers").problems
    assert (problem.line, problem.field) == (1, "language")
    assert 'column "language" is missing' in problem.message


def test_unknown_column(tmp_path: pathlib.Path) -> None:
    csv_path = write_csv(tmp_path, "question;answer;language;id;titel\n")
    [problem] = import_error(csv_path, tmp_path / "answers").problems
    assert (problem.line, problem.field) == (1, "titel")
    assert 'did you mean "title"' in problem.message


def test_bad_language_and_bad_id_are_reported_together(tmp_path: pathlib.Path) -> None:
    text = (
        "question;answer;language;id\n"
        "Hei?;Hei.;no;greeting\n"
        "Hallo?;Hallo.;nb;\n"
        "Hallo?;Hallo.;nb;Greeting One\n"
    )
    error = import_error(write_csv(tmp_path, text), tmp_path / "answers")
    assert [(p.line, p.field) for p in error.problems] == [
        (2, "language"),
        (3, "id"),
        (4, "id"),
    ]
    assert "nb, nn, sv, da, fi, en" in error.problems[0].message


def test_conflicting_answers_name_both_lines(tmp_path: pathlib.Path) -> None:
    text = (
        "question;answer;language;id\n"
        "Hvor er pakken?;På vei.;nb;tracking\n"
        "Sporing;Kommer i morgen.;nb;tracking\n"
    )
    [problem] = import_error(write_csv(tmp_path, text), tmp_path / "answers").problems
    assert (problem.line, problem.field) == (3, "answer")
    assert "line 2" in problem.message


def test_an_id_without_answer_text_is_an_error(tmp_path: pathlib.Path) -> None:
    text = "question;answer;language;id\nHvor er pakken?;;nb;tracking\n"
    [problem] = import_error(write_csv(tmp_path, text), tmp_path / "answers").problems
    assert (problem.line, problem.field) == (2, "answer")


def test_existing_files_are_not_overwritten_and_nothing_is_written(
    tmp_path: pathlib.Path,
) -> None:
    out = tmp_path / "answers"
    out.mkdir()
    (out / "returns.yaml").write_text("keep me\n", encoding="utf-8")
    csv_path = write_csv(tmp_path, SEMICOLON)
    [problem] = import_error(csv_path, out).problems
    assert problem.file == out / "returns.yaml"
    assert "already exists" in problem.message
    assert sorted(path.name for path in out.iterdir()) == ["returns.yaml"]
    assert (out / "returns.yaml").read_text(encoding="utf-8") == "keep me\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["answers", "export.csv"]


def test_overwrite_replaces_existing_files(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "answers"
    out.mkdir()
    (out / "returns.yaml").write_text("old\n", encoding="utf-8")
    import_csv(write_csv(tmp_path, SEMICOLON), out, overwrite=True)
    assert load_answer_base(out).get("returns") is not None
    assert sorted(path.name for path in tmp_path.iterdir()) == ["answers", "export.csv"]


def test_a_failure_anywhere_writes_nothing(tmp_path: pathlib.Path) -> None:
    text = SEMICOLON + "Siste?;Svar.;xx;last-one\n"
    import_error(write_csv(tmp_path, text), tmp_path / "answers")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["export.csv"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ('question;answer;language;id\n"Hei;Hei.;nb;x\n', "not valid CSV"),
        ("question;answer;language;id\nHei?;Hei.;nb;greeting;extra\n", "more cells"),
    ],
)
def test_broken_files(tmp_path: pathlib.Path, text: str, expected: str) -> None:
    error = import_error(write_csv(tmp_path, text), tmp_path / "answers")
    assert any(expected in problem.message for problem in error.problems), str(error)


def test_unknown_default_language(tmp_path: pathlib.Path) -> None:
    error = import_error(write_csv(tmp_path, SEMICOLON), tmp_path / "a", default_language="no")
    assert any("default language" in problem.message for problem in error.problems)


def test_yaml_special_words_round_trip(tmp_path: pathlib.Path) -> None:
    text = (
        "question;answer;language;id\n"
        "yes;no;nb;special\n"
        "null;;nb;special\n"
        "- list?;;nb;special\n"
        "123;;nb;special\n"
        "Hva er: dette? #tag;;nb;special\n"
        "'quoted';;nb;special\n"
    )
    out = tmp_path / "answers"
    import_csv(write_csv(tmp_path, text), out)
    answer = load_answer_base(out).answers[0]
    assert answer.questions == ("yes", "null", "- list?", "123", "Hva er: dette? #tag", "'quoted'")
    assert answer.answer["nb"] == "no"
    assert "'no'" in (out / "special.yaml").read_text(encoding="utf-8")
