"""A canary password never leaks: not into the store, the reports, the JSON, the
correction file, any other file the tool writes, nor the output of any command.

The canary is the IMAP password of a real Dovecot account, handed over through
``password_env`` and through ``password_command``; every command that exists is run
for real (its own process) with it configured, including a wrong-password login. Then
every byte the tool wrote and printed is searched for the canary, plain and in the
encodings a careless program might use (base64 as in an AUTHENTICATE PLAIN, hex, URL).
Also here: attachment bytes are never written anywhere, and attachment names never
become paths.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import sqlite3
import subprocess
import sys
import urllib.parse
import uuid
from pathlib import Path

import pytest
from dovecot import PASSWORD, Dovecot
from mailfactory import mail, mbox, with_attachment, write

from inbox_audit.cli import cli

CANARY = PASSWORD  # the password of every account of the test Dovecot
WRONG = "canary-Wr0ng-9f4e1c"


def forms(secret: str) -> list[bytes]:
    """The secret as it could appear in a file or an output."""
    raw = secret.encode()
    plain_auth = base64.b64encode(b"\0buyer\0" + raw)  # AUTHENTICATE PLAIN
    return [raw, base64.b64encode(raw), binascii.hexlify(raw),
            urllib.parse.quote(secret).encode(), plain_auth[4:-4]]


def run(workdir: Path, *args: object, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "inbox_audit", *map(str, args)],
                          capture_output=True, text=True, cwd=workdir, env=env, timeout=300,
                          check=False)
    return f"$ {' '.join(map(str, args))} -> {done.returncode}\n{done.stdout}{done.stderr}"


def leaks(root: Path, outputs: list[str], secrets: list[str]) -> list[str]:
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [f"{path}: {form!r}" for s in secrets for form in forms(s) if form in data]
    text = "\n".join(outputs).encode()
    found += [f"output: {form!r}" for s in secrets for form in forms(s) if form in text]
    return found


def supplier_mail(dovecot: Dovecot, user: str) -> None:
    inbox = [mail(subject=f"Offerte {i}", message_id=f"<q{i}@garage-peeters.be>",
                  sender="Jan <jan@garage-peeters.be>", to=f"{user}@vdbroeck-bouw.be",
                  date=f"Mon, 0{3 + i % 4} Nov 2025 10:15:00 +0100",
                  body="Beste,\n\nOfferte in bijlage: EUR 12.500,00 excl. btw.\n")
             for i in range(6)]
    sent = [mail(subject="Aanvraag offerte bestelwagen", message_id="<r1@vdbroeck-bouw.be>",
                 sender=f"Koen <{user}@vdbroeck-bouw.be>", to="jan@garage-peeters.be",
                 date="Mon, 03 Nov 2025 08:00:00 +0100",
                 body="Beste Jan,\n\nGraag een offerte voor een bestelwagen.\n")]
    dovecot.append(user, "INBOX", inbox)
    dovecot.append(user, "Sent", sent)


@pytest.mark.slow
def test_canary_password_appears_nowhere(dovecot, tmp_path):
    user = dovecot.new_account()
    supplier_mail(dovecot, user)
    work = tmp_path / "work"  # everything the tool may write lands under here
    home = work / "home"
    secrets_dir = tmp_path / "secrets"  # the password's own file: not searched
    secrets_dir.mkdir()
    (secrets_dir / "pass").write_text(CANARY + "\n", encoding="utf-8")
    home.mkdir(parents=True)
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local" / "share"), "IMAP_CANARY": CANARY}
    env.pop("INBOX_AUDIT_DEBUG", None)
    box = write(work / "extra.mbox", mbox([mail(message_id="<extra@x.be>")]))

    def config(name: str, secret_source: str, **report: str) -> Path:
        path = work / f"{name}.toml"
        path.write_text(
            f'me = ["{user}@vdbroeck-bouw.be"]\nstore = "{work / "store.db"}"\n'
            f'corrections = "{work / "corrections.csv"}"\n'
            "[imap]\n"
            f'host = "{dovecot.host}"\nport = {dovecot.port}\ntls = false\n'
            f'username = "{user}"\n{secret_source}\n'
            "[report]\n" f'folder = "{work / "reports"}"\n'
            + "".join(f"{k} = {v}\n" for k, v in report.items()), encoding="utf-8")
        return path

    by_env = config("env", 'password_env = "IMAP_CANARY"', deliver='["imap"]')
    by_command = config("command", f'password_command = "cat {secrets_dir / "pass"}"')
    outputs = [
        run(work, "fetch", "--config", by_env, env=env),
        run(work, "fetch", "--config", by_command, env=env),
        run(work, "import", box, "--config", by_env, env=env),
        run(work, "report", "--config", by_env, "--all", "--out", work / "r.html",
            "--json", work / "r.json", "--as-of", "2025-11-24T08:00", env=env),
        run(work, "forget", "--config", by_env, "--before", "1999-01-01", env=env),
    ]
    # Commands other issues add (review, run, train...) run too when they exist.
    if "review" in cli.commands:
        outputs.append(run(work, "review", "--config", by_env, "--all", env=env))
    if "run" in cli.commands:
        outputs.append(run(work, "run", "--config", by_env, "--week", "2025-W45", env=env))
    # A wrong password: the refusal must not echo it either.
    env_wrong = {**env, "IMAP_CANARY": WRONG}
    outputs.append(run(work, "fetch", "--config", by_env, env=env_wrong))

    assert "fetched 7 new messages" in outputs[0], outputs[0]
    assert all(o.splitlines()[0].endswith("-> 0") for o in outputs[:-1]), outputs
    assert (work / "corrections.csv").exists() == ("review" in cli.commands)
    assert "-> 1" in outputs[-1] and "refused" in outputs[-1], outputs[-1]
    assert (work / "store.db").exists() and (work / "r.html").exists()
    assert leaks(work, outputs, [CANARY, WRONG]) == []
    # What `run` delivered into the mailbox holds no password either.
    with dovecot.client(user) as client:
        for folder in [f for _flags, _d, f in client.list_folders()]:
            client.select_folder(folder, readonly=True)
            bodies = client.fetch(client.search(["ALL"]), ["BODY.PEEK[]"])
            for data in bodies.values():
                assert not any(form in data[b"BODY[]"] for form in forms(CANARY))


def test_the_config_file_refuses_a_password(tmp_path):
    config = tmp_path / "inbox-audit.toml"
    config.write_text(f'[imap]\nhost = "imap.x.be"\npassword = "{WRONG}"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "inbox_audit", "report", "--config", config,
                           "--all", "-q"], capture_output=True, text=True, cwd=tmp_path,
                          check=False)
    assert done.returncode == 1 and WRONG not in done.stdout + done.stderr
    assert "password" in done.stderr and len(done.stderr.strip().splitlines()) == 1


# --- attachments ---------------------------------------------------------------------------

def _attachment() -> tuple[bytes, list[str]]:
    marker = uuid.uuid4().bytes * 4
    data = marker + os.urandom(3000) + marker
    names = [f"../../../../tmp/evil-{uuid.uuid4().hex}.sh", f"/tmp/evil-{uuid.uuid4().hex}",
             f"..\\..\\evil-{uuid.uuid4().hex}.exe"]
    return data, names


@pytest.mark.slow
@pytest.mark.parametrize("keep_raw", [True, False])
def test_attachment_bytes_are_never_written_and_names_never_become_paths(tmp_path, keep_raw):
    data, names = _attachment()
    box = write(tmp_path / "in" / "box.mbox", mbox(
        [with_attachment(data, filename=name, message_id=f"att{i}")
         for i, name in enumerate(names)]))
    work = tmp_path / "work"
    work.mkdir()
    config = work / "inbox-audit.toml"
    config.write_text(f'store = "{work / "store.db"}"\nkeep_raw = {str(keep_raw).lower()}\n',
                      encoding="utf-8")
    for args in (("import", box), ("report", "--all", "--out", work / "r.html",
                                   "--json", work / "r.json")):
        done = subprocess.run([sys.executable, "-m", "inbox_audit", *map(str, args),
                               "--config", config, "-q"], capture_output=True, text=True,
                              cwd=work, check=False)
        assert done.returncode == 0, done.stderr

    # No file is named after an attachment, wherever its name points.
    for name in names:
        stem = name.replace("\\", "/").rsplit("/", 1)[-1]
        assert not list(Path("/tmp").glob(f"*{stem}*"))
        assert not list(tmp_path.rglob(f"*{stem}*"))
    written = sorted(p.name for p in work.rglob("*") if p.is_file())
    assert all(n.startswith(("store.db", "r.", "inbox-audit.toml")) for n in written), written
    # The attachment's bytes (and their base64) are in no file and no column, except
    # inside the raw mail kept compressed in the store, and with keep_raw = false not
    # even there.
    needles = [data[:64], base64.b64encode(data)[:64]]
    with contextlib.closing(sqlite3.connect(work / "store.db")) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master "
                                             "WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                cells = [c if isinstance(c, bytes) else str(c).encode() for c in row]
                if table == "raw":
                    if keep_raw:
                        continue  # the compressed original mail: kept on purpose
                    assert cells[1] == b""
                assert not any(n in c for n in needles for c in cells), table
    for path in work.rglob("*"):
        if path.is_file() and not (keep_raw and path.name.startswith("store.db")):
            assert not any(n in path.read_bytes() for n in needles), path
