"""One feed per run: ten websocket viewers of a run share one CR watch and one SageMaker poller.

Counted twice: at the server's hub (``GET /sagemaker-ack/debug/feeds``) and by the threads that really
watch the CR and poll SageMaker (the server runs in this process). All viewers receive the same snapshots,
and the feed, its watch and its poller stop when the last viewer leaves. Sidebars polling the runs list at
the same moment share one listing of the CRs.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

from tests.fixtures.sandbox import default_step_seconds
from tests.server.test_runs import _json, _submit

VIEWERS = 10


def _source_threads() -> dict[str, int]:
    """How many CR watches and SageMaker pollers run in this process right now."""
    names = [t.name for t in threading.enumerate() if t.is_alive()]
    return {
        "cr-watch": names.count("sagemaker-ack-cr-watch"),
        "poller": names.count("sagemaker-ack-poller"),
    }


async def _until(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def _read_all(socket: Any) -> list[str]:
    messages = []
    while (message := await socket.read_message()) is not None:
        messages.append(message)
    return messages


async def test_ten_viewers_of_a_run_share_one_watch_and_one_poller(jp_fetch, jp_ws_fetch, sandbox_ready):
    await _until(lambda: _source_threads() == {"cr-watch": 0, "poller": 0})
    with default_step_seconds(sandbox_ready, 1.0):
        _, run = _submit()
        sockets = [
            await jp_ws_fetch("sagemaker-ack", "runs", "default", run, "events") for _ in range(VIEWERS)
        ]
        readers = [asyncio.ensure_future(_read_all(socket)) for socket in sockets]
        await _until(lambda: _source_threads()["poller"] >= 1)
        await asyncio.sleep(0.5)  # a second watch or poller would be running by now
        assert _source_threads() == {"cr-watch": 1, "poller": 1}
        hub = await _json(jp_fetch, "sagemaker-ack", "debug", "feeds")
        assert hub["feeds"] == [
            {"namespace": "default", "name": run, "viewers": VIEWERS, "messages": hub["feeds"][0]["messages"]}
        ]
        assert hub["feedsOpened"] == 1
        received = await asyncio.gather(*readers)

    longest = max(received, key=len)
    assert json.loads(longest[-1])["outcome"] == "Succeeded"
    for messages in received:
        assert messages, "every viewer got snapshots"
        # A viewer that joined after the first snapshot starts with the last one then: the same sequence.
        start = longest.index(messages[0])
        assert messages == longest[start:]
    assert sum(1 for messages in received if messages == longest) >= 1
    await _until(lambda: _source_threads() == {"cr-watch": 0, "poller": 0})
    assert (await _json(jp_fetch, "sagemaker-ack", "debug", "feeds"))["feeds"] == []


async def test_the_feed_stops_when_the_last_viewer_leaves(jp_fetch, jp_ws_fetch, sandbox_ready):
    await _until(lambda: _source_threads() == {"cr-watch": 0, "poller": 0})
    with default_step_seconds(sandbox_ready, 30.0):
        _, run = _submit()
        first = await jp_ws_fetch("sagemaker-ack", "runs", "default", run, "events")
        second = await jp_ws_fetch("sagemaker-ack", "runs", "default", run, "events")
        assert json.loads(await first.read_message())["name"] == run
        await _until(lambda: _source_threads() == {"cr-watch": 1, "poller": 1})

        first.close()
        await asyncio.sleep(1.0)
        hub = await _json(jp_fetch, "sagemaker-ack", "debug", "feeds")
        assert [f["viewers"] for f in hub["feeds"]] == [1], "one viewer left: the feed goes on"
        assert _source_threads() == {"cr-watch": 1, "poller": 1}

        second.close()
        await _until(lambda: _source_threads() == {"cr-watch": 0, "poller": 0}, timeout=10)
        assert (await _json(jp_fetch, "sagemaker-ack", "debug", "feeds"))["feeds"] == []

        third = await jp_ws_fetch("sagemaker-ack", "runs", "default", run, "events")
        assert json.loads(await third.read_message())["name"] == run, "a new viewer opens a new feed"
        hub = await _json(jp_fetch, "sagemaker-ack", "debug", "feeds")
        assert hub["feedsOpened"] == 2
        third.close()
        await _until(lambda: _source_threads() == {"cr-watch": 0, "poller": 0}, timeout=10)


async def test_viewers_of_an_unknown_run_get_the_problem_and_the_feed_goes(
    jp_fetch, jp_ws_fetch, sandbox_ready
):
    sockets = [
        await jp_ws_fetch("sagemaker-ack", "runs", "default", "no-such-run", "events") for _ in range(3)
    ]
    for socket in sockets:
        messages = [json.loads(m) for m in await _read_all(socket)]
        assert len(messages) == 1
        assert "no-such-run" in messages[0]["problem"]
        assert messages[0]["fix"]
    await _until(lambda: _source_threads() == {"cr-watch": 0, "poller": 0})
    assert (await _json(jp_fetch, "sagemaker-ack", "debug", "feeds"))["feeds"] == []


async def test_ten_sidebars_polling_at_once_share_one_listing(jp_fetch, sandbox_ready, monkeypatch):
    from jupyter_sagemaker_ack.adapters.kube import KubeObjects

    _, run = _submit()
    lists: list[str] = []
    real = KubeObjects.list_objects

    def counted(self: Any, kind: str, namespace: str, *args: Any, **kwargs: Any) -> Any:
        lists.append(kind)
        return real(self, kind, namespace, *args, **kwargs)

    monkeypatch.setattr(KubeObjects, "list_objects", counted)
    answers = await asyncio.gather(*(_json(jp_fetch, "sagemaker-ack", "runs") for _ in range(VIEWERS)))
    assert all(run in {r["name"] for r in answer["runs"]} for answer in answers)
    assert all(answer == answers[0] for answer in answers), "every sidebar got the same answer"
    assert lists.count("PipelineExecution") == 1, lists

    await asyncio.sleep(0.6)  # older than the shared answer's age: asked again
    await _json(jp_fetch, "sagemaker-ack", "runs")
    assert lists.count("PipelineExecution") == 2, lists
