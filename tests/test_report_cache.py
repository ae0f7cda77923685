"""A re-run reuses what the store remembers (labels, facts) and reads light messages;
its figures must be exactly those of a cold run on a fresh store holding the same mail
(new mail, a correction, a forget, a config change, another report time), and the JSON
writer must write what ``json.dumps(indent=2, ensure_ascii=False)`` writes."""

from __future__ import annotations

import csv
import json
import mailbox
import math
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from inbox_audit.config import Settings, load_settings
from inbox_audit.metrics_json import dumps
from inbox_audit.pipeline import ALL, open_store, run_forget, run_import, run_report

AS_OF = datetime.fromisoformat("2026-12-07T08:00:00+01:00")


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One model cache for the module: the model is trained once, not per test.
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def shared_cache(model_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(model_cache))


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo mailbox cut in two: the older four fifths and the newest fifth."""
    folder = tmp_path_factory.mktemp("halves")
    source = folder / "demo.mbox"  # a copy: mailbox opens its file for writing too
    source.write_bytes((Path(__file__).resolve().parent.parent / "samples" / "demo.mbox")
                       .read_bytes())
    whole = mailbox.mbox(source, create=False)
    try:
        messages = list(whole)
    finally:
        whole.close()
    cut = len(messages) * 4 // 5
    paths = (folder / "old.mbox", folder / "new.mbox")
    for path, part in zip(paths, (messages[:cut], messages[cut:]), strict=True):
        box = mailbox.mbox(path)
        for msg in part:
            box.add(msg)
        box.close()
    return paths


def settings_in(folder: Path, demo_config: Path, **changes: object) -> Settings:
    folder.mkdir(parents=True, exist_ok=True)
    settings = load_settings(demo_config, env={}, explicit=True)
    return replace(settings, store=folder / "store.db",
                   corrections=folder / "corrections.csv", **changes)


def figures(settings: Settings, as_of: datetime = AS_OF) -> dict:
    """The JSON document of ``report --all``, without the count of messages classified
    in this run (the one figure that tells a re-run from a cold run)."""
    out = settings.store_path.parent / "report.json"
    run_report(settings, period=ALL, as_of=as_of, json_out=out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["stats"].pop("classified_now")
    return doc


def cold(tmp_path: Path, demo_config: Path, paths: tuple[Path, ...], *,
         corrections: Path | None = None, forget: str | None = None,
         as_of: datetime = AS_OF, **changes: object) -> dict:
    settings = settings_in(tmp_path / "cold", demo_config, **changes)
    run_import(settings, list(paths))
    if corrections is not None:
        settings.corrections_path.write_bytes(corrections.read_bytes())
    if forget is not None:
        run_forget(settings, supplier=forget)
    return figures(settings, as_of)


def test_rerun_after_new_mail_equals_a_cold_run(tmp_path, demo_config, halves):
    warm = settings_in(tmp_path / "warm", demo_config)
    run_import(warm, [halves[0]])
    first = figures(warm)
    run_import(warm, [halves[1]])
    again = figures(warm)
    assert again != first  # the new mail changed the figures
    assert again == cold(tmp_path, demo_config, halves)


def test_rerun_after_a_correction_equals_a_cold_run(tmp_path, demo_config, halves):
    warm = settings_in(tmp_path / "warm", demo_config)
    run_import(warm, list(halves))
    before = figures(warm)
    request = next(m for m in before["messages"] if m["label"] == "request")
    with warm.corrections_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["message_id", "correct"])
        writer.writerow([request["message_id"], "other"])
    after = figures(warm)
    assert after != before
    assert after == cold(tmp_path, demo_config, halves, corrections=warm.corrections_path)


def test_rerun_after_forget_equals_a_cold_run(tmp_path, demo_config, halves):
    warm = settings_in(tmp_path / "warm", demo_config)
    run_import(warm, list(halves))
    before = figures(warm)
    supplier = before["suppliers"][0]["supplier"]
    run_forget(warm, supplier=supplier)
    after = figures(warm)
    assert after != before
    assert after == cold(tmp_path, demo_config, halves, forget=supplier)


@pytest.mark.parametrize("changes", [
    {"extra_holidays": [date(2026, 11, 23), date(2026, 11, 24)]},
    {"workdays": ["Mon", "Tue", "Wed", "Thu"]},
    {"quote_sla_wd": 3},
])
def test_rerun_after_a_config_change_equals_a_cold_run(tmp_path, demo_config, halves,
                                                       changes):
    warm = settings_in(tmp_path / "warm", demo_config)
    run_import(warm, list(halves))
    before = figures(warm)
    changed = replace(warm, **changes)
    after = figures(changed)
    assert after != before
    assert after == cold(tmp_path, demo_config, halves, **changes)


def test_rerun_at_another_report_time_equals_a_cold_run(tmp_path, demo_config, halves):
    warm = settings_in(tmp_path / "warm", demo_config)
    run_import(warm, list(halves))
    figures(warm)
    earlier = datetime.fromisoformat("2026-11-18T08:00:00+01:00")
    again = figures(warm, earlier)
    assert again["as_of"].startswith("2026-11-18")
    assert again == cold(tmp_path, demo_config, halves, as_of=earlier)


def test_light_messages_are_the_whole_ones_without_their_texts(tmp_path, demo_config,
                                                               demo_mbox):
    settings = settings_in(tmp_path, demo_config)
    run_import(settings, [demo_mbox])
    with open_store(settings) as store:
        whole = list(store.iter_messages())
        light = list(store.iter_messages(light=True))
        assert [replace(m, text="", attachment_text="", headers=(), defects=())
                for m in whole] == light
        assert any(m.text for m in whole) and any(m.headers for m in whole)
        keys = [m.key for m in reversed(whole[:700])] + ["not-stored@example.com"]
        assert store.messages(keys) == list(reversed(whole[:700]))


def test_json_writer_writes_what_json_dumps_writes(tmp_path, demo_config, demo_mbox):
    settings = settings_in(tmp_path, demo_config)
    run_import(settings, [demo_mbox])
    out = tmp_path / "report.json"
    run_report(settings, period=ALL, as_of=AS_OF, json_out=out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert out.read_text(encoding="utf-8") == json.dumps(doc, indent=2,
                                                         ensure_ascii=False) + "\n"
    tricky = {
        "text": 'é "quoted" \\ back\tslash\n\u2028 \x00 <script> 😀', "": [],
        "empty": {}, "nested": [[], {}, [1, [2.5, None]], {"a": {"b": (True, False)}}],
        "numbers": [0, -1, 2**63 - 1, 0.1, 1e-05, 1e16, -0.0, 1 / 3],
    }
    text = dumps(tricky).decode("utf-8")
    assert json.loads(text) == json.loads(json.dumps(tricky))
    same = {k: v for k, v in tricky.items() if k != "numbers"}
    assert dumps(same).decode("utf-8") == json.dumps(same, indent=2, ensure_ascii=False) + "\n"
    # Not JSON's to hold: a figure that is not a number is written null, never NaN.
    assert json.loads(dumps([math.nan, math.inf])) == [None, None]
