"""The correction file survives a real spreadsheet: LibreOffice Calc, headless.

The buyer opens the file, types, saves, maybe as .ods or .xlsx first and as CSV later.
Accents must come back unmangled, formulas must stay text, and the file must still
validate. CI installs Debian's ``libreoffice-calc`` (scripts/test): a missing soffice
is an error here, never a skip.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import mailfactory as mf
import pytest

from inbox_audit.corrections import load, read_table, undefuse

pytestmark = pytest.mark.slow

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
NOTE = "prijs € 12.500 klopt niet — café, België, Brüssel, ça va"
# CSV filter options: separator (44 ',' / 59 ';'), text delimiter '"', UTF-8 (76),
# data from line 1.
COMMA_UTF8, SEMICOLON_UTF8 = "44,34,76,1", "59,34,76,1"


def soffice(tmp_path: Path, source: Path, target: str, outdir: Path,
            infilter: str | None = None) -> Path:
    assert SOFFICE, "LibreOffice is not installed: run scripts/test (apt libreoffice-calc)"
    outdir.mkdir(parents=True, exist_ok=True)
    # A private profile: no first-start dialogs, nothing from the user's own settings.
    profile = (tmp_path / "lo-profile").as_uri()
    cmd = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", target, "--outdir", str(outdir), str(source)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    extension = target.split(":")[0]
    result = outdir / f"{source.stem}.{extension}"
    assert result.is_file(), f"soffice failed: {done.stdout} {done.stderr}"
    return result


@pytest.fixture
def typed_file(cli, tmp_path, demo_mbox, demo_config):
    """The demo's review file, with a few corrections and accented notes typed in."""
    accents = mf.write(tmp_path / "accents.mbox", mf.mbox([mf.mail(
        subject="Devis façade — prix €, ë ü ç é", sender="Müller <verkauf@mueller.de>",
        message_id="<accent-1@mueller.de>", body="Bonjour,\n\nVoici notre devis.\n")]))
    store, out = tmp_path / "store.db", tmp_path / "corrections.csv"
    common = ("--config", demo_config, "--store", store, "-q")
    assert cli("import", demo_mbox, accents, *common).exit_code == 0
    assert cli("review", "--all", "--out", out, *common).exit_code == 0
    text = out.read_text(encoding="utf-8-sig").splitlines()
    header = text[0].split(",")
    col = {name: i for i, name in enumerate(header)}
    records = list(csv.reader(io.StringIO("\n".join(text))))
    for n, record in enumerate(records[1:6], 1):
        record[col["correct"]] = ["quote", "Follow Up", "other", "request", "silence"][n - 1]
        record[col["note"]] = f"{NOTE} #{n}"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(records)
    out.write_text(buffer.getvalue(), encoding="utf-8-sig")
    keys = {r.key for r in read_table(out).rows}
    return out, keys


def cells(path: Path) -> list[tuple[str, str, str, str]]:
    return [(r.key, undefuse(r.get("subject")), r.get("correct"), r.get("note"))
            for r in read_table(path).rows]


@pytest.mark.parametrize(("sheet", "back_as"), [("ods", SEMICOLON_UTF8),
                                                 ("xlsx", COMMA_UTF8)])
def test_round_trip_through_calc_keeps_accents_and_validates(tmp_path, typed_file, sheet,
                                                             back_as):
    original, keys = typed_file
    spreadsheet = soffice(tmp_path, original, sheet, tmp_path / sheet,
                          infilter=f"CSV:{COMMA_UTF8}")
    back = soffice(tmp_path, spreadsheet,
                   f"csv:Text - txt - csv (StarCalc):{back_as}", tmp_path / f"{sheet}-csv")
    assert cells(back) == cells(original)
    text = back.read_text(encoding="utf-8-sig")
    for accent in ("é", "ë", "ü", "ç", "€", "—"):
        assert accent in text
    assert "Devis façade — prix €, ë ü ç é" in text and "Müller" in text
    fixes = load(back, keys)
    assert load(original, keys) == fixes and len(fixes) == 5


def test_calc_semicolon_save_merges_back_without_losing_a_typed_value(
        cli, tmp_path, typed_file, demo_config):
    original, _ = typed_file
    back = soffice(tmp_path, original, f"csv:Text - txt - csv (StarCalc):{SEMICOLON_UTF8}",
                   tmp_path / "semi", infilter=f"CSV:{COMMA_UTF8}")
    shutil.copy(back, original)  # the buyer saved over his file, Belgian style
    result = cli("review", "--all", "--out", original, "--config", demo_config,
                 "--store", tmp_path / "store.db", "-q")
    assert result.exit_code == 0, result.output
    notes = sorted(r.get("note") for r in read_table(original).rows if r.get("note"))
    assert notes == [f"{NOTE} #{n}" for n in range(1, 6)]
    assert original.read_text(encoding="utf-8-sig").startswith("message_id;")
