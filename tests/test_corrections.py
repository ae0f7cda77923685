"""Reading the correction file: a valid file overrides, a bad one is refused whole."""

from __future__ import annotations

import pytest

from inbox_audit.corrections import (
    GONE,
    defuse,
    load,
    normalise_label,
    read_table,
    suggest_label,
    undefuse,
)
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
    (" Quote ", "quote"), ("silence", "silence"), ("nonsense", None),
    ("Follow_Up", "follow-up"), ("offerte", "quote"), ("devis", "quote"),
    ("Angebot", "quote"), ("stilte", "silence"), ("", None)])
def test_label_spellings(typed, label):
    assert normalise_label(typed) == label


@pytest.mark.parametrize(("typed", "hint"), [
    ("qoute", "quote"), ("folowup", "follow-up"), ("reqest", "request"),
    ("silense", "silence"), ("xyz", None)])
def test_closest_label_is_suggested(typed, hint):
    assert suggest_label(typed) == hint


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


def test_undecodable_bytes_are_refused(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"message_id,correct\n\x81\x8d@x,quote\n")
    with pytest.raises(CorrectionsError, match="UTF-8"):
        load(path, KNOWN)


def test_excel_ansi_and_unicode_text_saves_are_read(tmp_path):
    # "CSV (puntkomma gescheiden)" is cp1252; "Unicode-tekst" is UTF-16, tab-delimited.
    ansi = tmp_path / "ansi.csv"
    ansi.write_bytes("message_id;correct;note\na@x;quote;prijs in €, café\n".encode("cp1252"))
    assert load(ansi, KNOWN)["a@x"].label == "quote"
    assert read_table(ansi).rows[0].get("note") == "prijs in €, café"
    utf16 = tmp_path / "u16.csv"
    utf16.write_text("message_id\tcorrect\nb@x\tother\n", encoding="utf-16")
    assert load(utf16, KNOWN)["b@x"].label == "other"


def test_excel_sep_hint_line_is_understood(tmp_path):
    path = write(tmp_path, "sep=;\nmessage_id;correct\na@x;quote\nq@x;qoute\n")
    with pytest.raises(CorrectionsError, match="line 4: unknown label 'qoute'"):
        load(path, KNOWN)


@pytest.mark.parametrize(("text", "expected"), [
    ("message_id,correct\na@x,quote\n", "line 2: unknown message 'a@x'"),
    ("message_id;correct\nb@x;Offerte\n\nzz@x;quote\n", "line 4: unknown message 'zz@x'"),
])
def test_unknown_message_names_its_line(tmp_path, text, expected):
    with pytest.raises(CorrectionsError, match=expected):
        load(write(tmp_path, text), {"b@x"})


def test_line_numbers_count_physical_lines_of_multiline_cells(tmp_path):
    path = write(tmp_path, 'message_id,note,correct\n'
                           'a@x,"two\nlines",quote\n'
                           'b@x,,quoet\n')
    with pytest.raises(CorrectionsError, match="line 4: unknown label 'quoet'"):
        load(path, KNOWN)


def test_agreeing_duplicates_are_fine_disagreeing_ones_are_not(tmp_path):
    same = write(tmp_path, "message_id,correct\na@x,quote\n<a@x>,Quote\n")
    assert load(same, KNOWN)["a@x"].label == "quote"
    clash = write(tmp_path, "message_id,correct\na@x,quote\nb@x,\n<a@x>,other\n")
    with pytest.raises(CorrectionsError,
                       match="line 4: message 'a@x' is corrected to 'other' here but "
                             "to 'quote' on line 2"):
        load(clash, KNOWN)


def test_rows_flagged_gone_do_not_make_the_file_invalid(tmp_path):
    path = write(tmp_path, f"message_id,correct,note,status\n"
                           f"gone@x,quote,mijn notitie,{GONE}\n"
                           f"a@x,other,,{GONE}\n")
    fixes = load(path, KNOWN)
    # The flagged row whose message came back applies again; the gone one is skipped.
    assert set(fixes) == {"a@x"} and fixes["a@x"].label == "other"


def test_row_longer_than_the_header_is_refused_only_when_it_carries_values(tmp_path):
    trailing = write(tmp_path, "message_id;correct\na@x;quote;;;\n")
    assert load(trailing, KNOWN)["a@x"].label == "quote"
    shifted = write(tmp_path, "message_id,correct\na@x,quote,1,5\n")
    with pytest.raises(CorrectionsError, match="line 2: more fields than columns"):
        load(shifted, KNOWN)


def test_duplicate_column_and_missing_column_name_line_1(tmp_path):
    with pytest.raises(CorrectionsError, match="line 1: column.*correct.*more than once"):
        load(write(tmp_path, "message_id,correct,correct\na@x,quote,other\n"), KNOWN)
    with pytest.raises(CorrectionsError, match="line 1: missing column.*message_id"):
        load(write(tmp_path, "id;correct\na@x;quote\n"), KNOWN)


def test_label_typed_without_a_message_id(tmp_path):
    with pytest.raises(CorrectionsError, match="line 3: label 'quote' but no message_id"):
        load(write(tmp_path, "message_id,correct\na@x,other\n,quote\n"), KNOWN)


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)",
                                  "\tquote", "plain", ""])
def test_defuse_makes_formulas_inert_and_undefuse_restores(cell):
    safe = defuse(cell)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert undefuse(safe) == cell


def test_defused_typed_cells_read_back_as_typed(tmp_path):
    path = write(tmp_path, "message_id,correct,note\na@x,'-quote,'=klopt\n")
    assert load(path, KNOWN)["a@x"].label == "quote"
    assert undefuse(read_table(path).rows[0].get("note")) == "=klopt"


def test_blank_lines_above_the_header_keep_line_numbers_right(tmp_path):
    path = write(tmp_path, "\n\nmessage_id;correct\na@x;qoute\n")
    with pytest.raises(CorrectionsError, match="line 4: unknown label 'qoute'"):
        load(path, KNOWN)
