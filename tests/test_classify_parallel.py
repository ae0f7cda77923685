"""Classifying in worker processes gives exactly what this process gives, in order,
also when a worker dies or cannot start."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace

import pytest

from inbox_audit.classify import classify_messages, load_rules, message_facts
from inbox_audit.classify import facts as facts_mod
from inbox_audit.classify.model import ensure_model, load_model
from inbox_audit.classify.parallel import WarmPool, classify_all
from inbox_audit.config import Settings, load_settings
from inbox_audit.parties import Parties
from inbox_audit.threads import build_threads, message_contexts

pytestmark = pytest.mark.slow  # each test starts a worker process (imports, model)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def test_workers_give_the_in_process_result_in_order(demo_parsed, rules):
    messages, contexts = demo_parsed
    info = ensure_model(Settings())
    model = load_model(info)
    expected = classify_messages(messages, contexts, rules, model)
    calls: list[tuple[int, int]] = []
    handed: list = []  # what a caller storing the labels chunk by chunk gets
    # share=False: every chunk goes to the worker, none is classified here.
    found = classify_all(messages, contexts, rules, model, model_info=info, workers=1,
                         min_messages=0, chunk=30, share=False,
                         progress=lambda done, total: calls.append((done, total)),
                         finished=handed.extend)
    assert found == expected
    assert [c.key for c in found] == [m.key for m in messages]
    assert calls[-1] == (len(messages), len(messages))
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert sorted(handed, key=lambda c: c.key) == sorted(expected, key=lambda c: c.key)
    # Shared between the worker and this process, and here alone: each label once.
    for workers in (1, 0):
        handed.clear()
        classify_all(messages, contexts, rules, model, model_info=info, workers=workers,
                     min_messages=0, chunk=30, finished=handed.extend)
        assert sorted(handed, key=lambda c: c.key) == sorted(expected, key=lambda c: c.key)
    # The facts the worker found came back with the labels, for message_facts here.
    facts_mod._KNOWN.clear()
    classify_all(messages, contexts, rules, model, model_info=info, workers=1,
                 min_messages=0, chunk=30, share=False)
    assert all(m.key in facts_mod._KNOWN for m in messages)
    remembered = [message_facts(m, rules) for m in messages]
    facts_mod._KNOWN.clear()
    assert remembered == [message_facts(m, rules) for m in messages]


def test_a_worker_that_dies_loses_no_message(demo_parsed, rules):
    messages, contexts = demo_parsed
    expected = classify_messages(messages, contexts, rules)

    def kill_workers(done: int, total: int) -> None:
        for child in multiprocessing.active_children():
            child.kill()

    found = classify_all(messages, contexts, rules, workers=1, min_messages=0, chunk=20,
                         share=False, progress=kill_workers)
    assert found == expected


def test_a_worker_that_cannot_start_leaves_the_job_to_this_process(demo_parsed, rules, tmp_path):
    messages, contexts = demo_parsed
    info = ensure_model(Settings())
    model = load_model(info)
    expected = classify_messages(messages, contexts, rules, model)
    missing = replace(info, path=tmp_path / "no-such-model")  # the worker cannot load it
    found = classify_all(messages, contexts, rules, model, model_info=missing, workers=1,
                         min_messages=0, chunk=30, share=False)
    assert found == expected


def test_a_pool_started_early_gives_the_same_result(demo_parsed, rules):
    messages, contexts = demo_parsed
    info = ensure_model(Settings())
    model = load_model(info)
    expected = classify_messages(messages, contexts, rules, model)
    with WarmPool(None, workers=1) as pool:
        found = classify_all(messages, contexts, rules, model, model_info=info,
                             min_messages=0, chunk=30, share=False, pool=pool)
        assert found == expected
        # The same workers take a second job (they keep the rules and the model).
        assert classify_all(messages, contexts, rules, model_info=info, min_messages=0,
                            chunk=30, share=False, pool=pool) == classify_messages(
                                messages, contexts, rules)


def test_a_pool_started_for_other_rules_leaves_the_job_to_this_process(demo_parsed, rules):
    messages, contexts = demo_parsed
    # The rules changed between the start of the pool and the job: not the same job.
    edited = replace(rules, digest="0" * 64)
    expected = classify_messages(messages, contexts, edited)
    with WarmPool(None, workers=1) as pool:
        assert pool.ready[0].result(timeout=120)  # started, with the bundled rules
        found = classify_all(messages, contexts, edited, min_messages=0, chunk=30,
                             share=False, pool=pool)
    assert found == expected


def test_small_jobs_stay_in_this_process(demo_parsed, rules):
    messages, contexts = demo_parsed
    before = set(multiprocessing.active_children())
    found = classify_all(messages, contexts, rules, workers=1)  # far below the threshold
    assert found == classify_messages(messages, contexts, rules)
    assert set(multiprocessing.active_children()) == before


def test_classify_store_takes_the_pool_and_stores_the_same_labels(tmp_path, demo_mbox,
                                                                  demo_config, monkeypatch):
    from inbox_audit import pipeline
    from inbox_audit.classify import parallel

    settings = load_settings(demo_config, env={}, explicit=True)

    def labels(folder):
        configured = replace(settings, store=folder / "store.db",
                             corrections=folder / "corrections.csv")
        pipeline.run_import(configured, [demo_mbox])
        with pipeline.open_store(configured) as store:
            messages = list(store.iter_messages())
            parties = Parties(configured)
            contexts = message_contexts(messages, build_threads(messages, parties), parties)
            found, classified = pipeline.classify_store(store, configured, messages, parties,
                                                        contexts)
            assert classified == len(messages)
            assert store.classifications() == found  # what was stored is what came back
            return found

    in_process = labels(tmp_path / "plain")
    monkeypatch.setattr(parallel, "POOL_MIN_MESSAGES", 0)
    monkeypatch.setattr(parallel, "CHUNK", 40)
    assert labels(tmp_path / "pooled") == in_process


def test_a_first_report_starts_the_pool_early_and_reports_the_same(tmp_path, demo_mbox,
                                                                   demo_config, monkeypatch):
    import json

    from inbox_audit import pipeline
    from inbox_audit.classify import parallel

    settings = load_settings(demo_config, env={}, explicit=True)
    started: list[WarmPool] = []

    class SpyPool(WarmPool):
        def __init__(self, rules_folder, workers=None):
            super().__init__(rules_folder, workers)
            started.append(self)

    def report(folder):
        configured = replace(settings, store=folder / "store.db",
                             corrections=folder / "corrections.csv")
        pipeline.run_import(configured, [demo_mbox])
        with pipeline.open_store(configured) as store:
            as_of = pipeline.demo_as_of(list(store.iter_messages(light=True)), configured)
        pipeline.run_report(configured, period=pipeline.ALL, as_of=as_of,
                            json_out=folder / "audit.json")
        data = json.loads((folder / "audit.json").read_text(encoding="utf-8"))
        assert data["stats"]["classified_now"] == data["stats"]["stored"]
        return data

    in_process = report(tmp_path / "plain")
    assert not started
    monkeypatch.setattr(pipeline, "WarmPool", SpyPool)
    monkeypatch.setattr(pipeline, "POOL_MIN_MESSAGES", 1)
    monkeypatch.setattr(parallel, "POOL_MIN_MESSAGES", 1)
    monkeypatch.setattr(parallel, "CHUNK", 40)
    pooled = report(tmp_path / "pooled")
    assert len(started) == 1 and started[0].executor is None  # used, then closed
    assert {**pooled, "stats": None} == {**in_process, "stats": None}


def test_prepared_messages_classify_as_unprepared_ones(demo_parsed, rules):
    # Workers prepare the first messages of a job before the threads are known; placed
    # in their threads later, they must get exactly the labels of a plain run.
    from inbox_audit.classify.evidence import prepare

    messages, contexts = demo_parsed
    model = load_model(ensure_model(Settings()))
    expected = classify_messages(messages, contexts, rules, model)
    prepared = {m.key: prepare(m, rules) for m in messages[::2]}
    # One entry made from another mail under the same key is not used for this one.
    stale = messages[1]
    prepared[stale.key] = prepare(replace(stale, text=stale.text + "\nPrijs: EUR 999"), rules)
    assert classify_messages(messages, contexts, rules, model, prepared=prepared) == expected
    assert not prepared  # each entry used (or passed over) once


def test_a_warm_pool_prepares_the_start_of_the_job(demo_parsed, rules, monkeypatch):
    from inbox_audit.classify import parallel

    messages, contexts = demo_parsed
    info = ensure_model(Settings())
    model = load_model(info)
    expected = classify_messages(messages, contexts, rules, model)
    monkeypatch.setattr(parallel, "CHUNK", 25)
    with WarmPool(None, workers=1) as pool:
        pool.prepare(messages)
        for future in pool.preparing:
            assert future.result(timeout=120) is None  # prepared in the worker
        found = classify_all(messages, contexts, rules, model, model_info=info,
                             min_messages=0, chunk=25, share=False, pool=pool)
    assert found == expected
