"""The per-process configuration cache: what it keeps, for how long, and how much."""

import time

from tongban.lib.configcache import ConfigCache


def test_a_value_is_kept_for_its_time_and_then_read_again(monkeypatch):
    cache, loads = ConfigCache("test.kept", ttl=30), []
    load = lambda: loads.append(1) or len(loads)  # noqa: E731
    assert cache.get("a", load) == 1 and cache.get("a", load) == 1
    later = time.monotonic() + 31
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert cache.get("a", load) == 2


def test_what_does_not_exist_is_not_kept_when_the_keys_come_from_requests():
    cache, loads = ConfigCache("test.missing", keep_missing=False), []
    for _ in range(3):
        assert cache.get("no-such-code", lambda: loads.append(1)) is None
    assert len(loads) == 3  # asked each time, kept never


def test_it_never_keeps_more_than_its_size(monkeypatch):
    cache = ConfigCache("test.size", ttl=30, size=10)
    for n in range(10):
        cache.get(n, lambda n=n: n)
    later = time.monotonic() + 31
    monkeypatch.setattr(time, "monotonic", lambda: later)
    cache.get("fresh", lambda: "x")  # the ten expired ones make room
    assert len(cache._entries) == 1
    for n in range(25):
        cache.get(("live", n), lambda n=n: n)
        assert len(cache._entries) <= 10
