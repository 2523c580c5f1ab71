"""The status feeder: latest snapshot wins, the final one arrives, errors are shown, stop means stop."""

from __future__ import annotations

import threading
import time

from jupyter_sagemaker_ack.faces.panel.feeder import StatusFeeder


def _snapshots(n: int, delay: float = 0.0):
    for i in range(n):
        if delay:
            time.sleep(delay)
        yield {
            "name": "run",
            "status": "Executing" if i < n - 1 else "Succeeded",
            "seq": i,
            "outcome": "Succeeded" if i == n - 1 else None,
        }


def test_a_burst_is_coalesced_and_the_final_snapshot_is_pushed():
    pushed: list[dict] = []
    errors: list[BaseException] = []
    done: list[object] = []
    feeder = StatusFeeder(
        lambda: _snapshots(500), pushed.append, on_error=errors.append, on_done=done.append, interval=0.05
    ).start()
    assert feeder.join(10)
    assert pushed[-1]["seq"] == 499
    assert len(pushed) < 500  # coalesced, not one widget update per snapshot
    assert [p["seq"] for p in pushed] == sorted(p["seq"] for p in pushed)
    assert not errors
    assert done == [pushed[-1]]


def test_an_error_in_the_watch_is_reported_not_swallowed():
    def failing():
        yield {"name": "run", "status": "Executing"}
        raise ConnectionError("cluster went away")

    errors: list[BaseException] = []
    pushed: list[dict] = []
    feeder = StatusFeeder(failing, pushed.append, on_error=errors.append, interval=0.01).start()
    assert feeder.join(10)
    assert pushed
    assert pushed[-1]["status"] == "Executing"
    assert len(errors) == 1
    assert "cluster went away" in str(errors[0])


def test_a_failing_push_is_reported():
    errors: list[BaseException] = []

    def push(_snapshot):
        raise ValueError("widget gone")

    feeder = StatusFeeder(lambda: _snapshots(3), push, on_error=errors.append, interval=0.01).start()
    assert feeder.join(10)
    assert "widget gone" in str(errors[0])


def test_after_stop_nothing_more_is_pushed():
    pushed: list[dict] = []
    release = threading.Event()

    def slow():
        yield {"name": "run", "status": "Executing", "seq": 0}
        release.wait(5)
        yield {"name": "run", "status": "Succeeded", "seq": 1}

    feeder = StatusFeeder(slow, pushed.append, on_error=lambda e: None, interval=0.01).start()
    deadline = time.monotonic() + 5
    while not pushed and time.monotonic() < deadline:
        time.sleep(0.01)
    feeder.stop()
    assert feeder.join(5)
    release.set()
    time.sleep(0.1)
    assert [p["seq"] for p in pushed] == [0]


def test_threads_run_in_a_copy_of_the_callers_context():
    import contextvars

    marker = contextvars.ContextVar("marker", default="missing")
    marker.set("kernel-parent")
    seen: list[str] = []
    feeder = StatusFeeder(lambda: _snapshots(1), lambda s: seen.append(marker.get()), on_error=lambda e: None)
    feeder.start().join(5)
    assert seen == ["kernel-parent"]
