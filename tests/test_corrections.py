"""Reading the correction file: a valid file overrides, a bad one is refused whole."""

from __future__ import annotations

import pytest

from inbox_audit.corrections import load, normalise_label
from inbox_audit.errors import CorrectionsError

KNOWN = {"a@x", "b@x", "c@x"}


def write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "corrections.csv"
    path.write_text(text, encoding=encoding)
    return path


def test_missing_or_empty_file_means_no_corrections(tmp_path):
    assert load(tmp_path / "none.csv", KNOWN) == {}
    assert load(write(tmp_path, ""), KNOWN) == {}


def test_valid_rows_override_with_source_correction(tmp_path):
    path = write(tmp_path, "message_id,subject,predicted,correct,note\n"
                           "<a@x>,Offerte,follow-up,quote,PDF in bijlage\n"
                           "b@x,Re: vraag,request,,\n")
    fixes = load(path, KNOWN)
    assert set(fixes) == {"a@x"}
    assert fixes["a@x"].label == "quote" and fixes["a@x"].source == "correction"
    assert fixes["a@x"].confidence == 1.0


def test_belgian_excel_semicolons_and_bom(tmp_path):
    path = write(tmp_path, "message_id;correct\na@x;Follow Up\n", encoding="utf-8-sig")
    assert load(path, KNOWN)["a@x"].label == "follow-up"


@pytest.mark.parametrize(("typed", "label"), [
    ("followup", "follow-up"), ("FOLLOW-UP", "follow-up"), ("follow up", "follow-up"),
    (" Quote ", "quote"), ("silence", "silence"), ("nonsense", None)])
def test_label_spellings(typed, label):
    assert normalise_label(typed) == label


def test_every_problem_is_listed_with_its_line_and_nothing_applied(tmp_path):
    path = write(tmp_path, "message_id,correct\n"
                           "a@x,qoute\n"
                           "zz@x,quote\n"
                           "b@x,quote\n"
                           "b@x,other\n")
    with pytest.raises(CorrectionsError) as err:
        load(path, KNOWN)
    text = str(err.value)
    assert "line 2: unknown label 'qoute' (did you mean 'quote'?)" in text
    assert "line 3: unknown message 'zz@x'" in text
    assert "line 5:" in text and "line 4" in text
    assert "nothing applied" in text


def test_missing_column_is_refused(tmp_path):
    with pytest.raises(CorrectionsError, match="missing column"):
        load(write(tmp_path, "id,label\na@x,quote\n"), KNOWN)


def test_broken_csv_is_refused(tmp_path):
    with pytest.raises(CorrectionsError, match="line"):
        load(write(tmp_path, 'message_id,correct\n"a@x,quote\n'), KNOWN)


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"message_id,correct\n\xff\xfe@x,quote\n")
    with pytest.raises(CorrectionsError, match="UTF-8"):
        load(path, KNOWN)
