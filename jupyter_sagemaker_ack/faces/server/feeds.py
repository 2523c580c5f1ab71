"""One feed per run, fanned out to every viewer: the server extension's hub of run event streams.

A run view, the sidebar and a second browser tab all watching the same run share one
``services.watch.RunStream`` (one CR watch, one SageMaker poller), so ten viewers cost the API budget of
one. The hub opens a run's feed for its first viewer, sends a late viewer the last snapshot at once, and
closes the feed (its watch and poller too) when the last viewer leaves. The stream blocks, so it is
iterated on its own thread; every other step (joining, leaving, sending) runs on the server's event loop,
so the hub needs no lock.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tornado.ioloop import IOLoop

from ...config import Settings
from ...core.errors import UserError
from .wire import problem, to_wire

RunKey = tuple[str, str]
log = logging.getLogger(__name__)


class Viewer(Protocol):
    """Whoever shows a run's snapshots (a websocket): it is sent messages and told when the feed ends."""

    def deliver(self, message: str) -> None: ...

    def feed_ended(self, code: int, reason: str) -> None: ...


class FeedRefused(Exception):
    """No new feed can be opened now (the hub already runs its maximum)."""


@dataclass(eq=False)
class Feed:
    """One run's stream and the viewers it is fanned out to."""

    key: RunKey
    viewers: list[Viewer] = field(default_factory=list)
    last: str | None = None
    messages: int = 0
    stream: Any = None
    ended: bool = False

    def broadcast(self, message: str, *, keep: bool = True) -> None:
        if keep:
            self.last = message
            self.messages += 1
        for viewer in list(self.viewers):
            viewer.deliver(message)


@dataclass
class HubStats:
    """What the hub did, for its debug endpoint and the tests: feeds opened, viewers joined."""

    feeds_opened: int = 0
    viewers_joined: int = 0


class FeedHub:
    """Every open run feed of the server, by ``(namespace, name)``."""

    def __init__(self, settings: Callable[[], Settings], *, max_feeds: int = 32) -> None:
        self._settings = settings
        self._max_feeds = max_feeds
        self._feeds: dict[RunKey, Feed] = {}
        self.stats = HubStats()

    def join(self, namespace: str, name: str, viewer: Viewer) -> Feed:
        """Add a viewer to the run's feed, opening the feed if it is the first (call on the event loop)."""
        key = (namespace, name)
        feed = self._feeds.get(key)
        if feed is None:
            if len(self._feeds) >= self._max_feeds:
                raise FeedRefused(f"{len(self._feeds)} runs are being followed already.")
            feed = Feed(key)
            feed.stream = _run_stream(namespace, name, self._settings())
            self._feeds[key] = feed
            self.stats.feeds_opened += 1
            loop = IOLoop.current()
            threading.Thread(
                target=self._pump,
                args=(loop, feed),
                name=f"sagemaker-ack-feed-{namespace}-{name}",
                daemon=True,
            ).start()
        feed.viewers.append(viewer)
        self.stats.viewers_joined += 1
        if feed.last is not None:
            viewer.deliver(feed.last)
        return feed

    def leave(self, feed: Feed, viewer: Viewer) -> None:
        """Remove a viewer; the feed (its watch and poller) stops when no viewer is left."""
        if viewer in feed.viewers:
            feed.viewers.remove(viewer)
        if not feed.viewers and not feed.ended:
            self._end(feed)

    def close_all(self) -> None:
        for feed in list(self._feeds.values()):
            self._end(feed)

    def describe(self) -> dict[str, Any]:
        """The open feeds and the counters, as the debug endpoint answers."""
        return {
            "feeds": [
                {"namespace": ns, "name": name, "viewers": len(f.viewers), "messages": f.messages}
                for (ns, name), f in sorted(self._feeds.items())
            ],
            "feedsOpened": self.stats.feeds_opened,
            "viewersJoined": self.stats.viewers_joined,
        }

    def _end(self, feed: Feed) -> None:
        feed.ended = True
        if self._feeds.get(feed.key) is feed:
            del self._feeds[feed.key]
        feed.stream.close()

    def _pump(self, loop: IOLoop, feed: Feed) -> None:
        """Iterate the run's stream (its own thread) and hand each snapshot to the event loop."""
        code, reason = 1000, "The run has an outcome."
        try:
            for snapshot in feed.stream:
                if feed.ended:
                    return
                loop.add_callback(feed.broadcast, json.dumps(to_wire(snapshot)))
        except UserError as error:
            from ...services import unreachable

            explained = unreachable.explain(error, self._settings())
            loop.add_callback(feed.broadcast, json.dumps(problem(explained)), keep=False)
            code, reason = 1011, "The run cannot be watched."
        except Exception:
            log.exception("Watching %s/%s failed", *feed.key)
            code, reason = 1011, "Watching the run failed; see the server log."
        loop.add_callback(self._finished, feed, code, reason)

    def _finished(self, feed: Feed, code: int, reason: str) -> None:
        """The stream ended by itself (an outcome, a problem): tell every viewer and forget the feed."""
        if not feed.ended:
            feed.ended = True
            if self._feeds.get(feed.key) is feed:
                del self._feeds[feed.key]
        for viewer in list(feed.viewers):
            viewer.feed_ended(code, reason)
        feed.viewers.clear()


def _run_stream(namespace: str, name: str, settings: Settings) -> Any:
    from ...services.watch import RunStream

    return RunStream(namespace, name, settings)
