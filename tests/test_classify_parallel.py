"""Classifying in worker processes gives exactly what this process gives, in order,
also when a worker dies or cannot start."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace

import pytest

from inbox_audit.classify import classify_messages, load_rules, message_facts
from inbox_audit.classify import facts as facts_mod
from inbox_audit.classify.model import ensure_model, load_model
from inbox_audit.classify.parallel import classify_all
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
    # share=False: every chunk goes to the worker, none is classified here.
    found = classify_all(messages, contexts, rules, model, model_info=info, workers=1,
                         min_messages=0, chunk=30, share=False,
                         progress=lambda done, total: calls.append((done, total)))
    assert found == expected
    assert [c.key for c in found] == [m.key for m in messages]
    assert calls[-1] == (len(messages), len(messages))
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
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
