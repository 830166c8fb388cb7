"""Bounds on what a client may cost: request bodies (256 KiB, as answer files) and a per-token rate limit.

The body bound is an ASGI middleware: a declared Content-Length over the bound is refused before anything is
read, and a body streamed without one is cut off at the bound. The rate limit is a token bucket per bearer
token (per server process), answering 429 with Retry-After.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from dataclasses import dataclass

from server.errors import error_body

MAX_BODY_BYTES = 256 * 1024


class BodyTooLarge(Exception):
    pass


def _too_large_body() -> bytes:
    kib = MAX_BODY_BYTES // 1024
    body = error_body(
        "too_large",
        f"درخواست از {kib} کیلوبایت بزرگ‌تر است؛ پرونده‌ی پاسخ حداکثر {kib} کیلوبایت است.",
        f"The request body is larger than {kib} KiB (the limit of an answer file).",
    )
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


class BodyLimitMiddleware:
    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await self._refuse(send)
        seen = 0

        async def bounded_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge()
            return message

        try:
            await self.app(scope, bounded_receive, send)
        except BodyTooLarge:
            await self._refuse(send)

    async def _refuse(self, send):
        body = _too_large_body()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@dataclass
class RateSettings:
    per_minute: float = 120.0  # sustained requests per minute per token
    burst: int = 30  # requests a token may make at once


class RateLimiter:
    """A token bucket per bearer token (keyed by its hash; thread-safe: endpoints run in a thread pool)."""

    def __init__(self, settings: RateSettings):
        self.settings = settings
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, token: str) -> int | None:
        """None when the request may go; else the seconds to wait."""
        key = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        rate = self.settings.per_minute / 60.0
        now = time.monotonic()
        with self._lock:
            level, last = self._buckets.get(key, (float(self.settings.burst), now))
            level = min(float(self.settings.burst), level + (now - last) * rate)
            if level >= 1.0:
                self._buckets[key] = (level - 1.0, now)
                return None
            self._buckets[key] = (level, now)
            if len(self._buckets) > 100_000:  # bounded memory under a flood of made-up tokens
                self._buckets.clear()
            return max(1, math.ceil((1.0 - level) / rate))
