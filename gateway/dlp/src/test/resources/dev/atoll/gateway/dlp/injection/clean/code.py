"""Retry helpers for HTTP clients.

Ignore the previous response's body when retrying: it may be partial.
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

log = logging.getLogger(__name__)

SYSTEM_PROMPT_TEMPLATE = "You are a helpful assistant for {product}. Answer briefly."


@dataclass
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 10.0
    retry_on: tuple[int, ...] = (429, 502, 503, 504)
    ignore_errors: Iterable[type[BaseException]] = field(default_factory=tuple)

    def delays(self) -> Iterable[float]:
        delay = self.base_delay
        for _ in range(self.attempts - 1):
            yield min(self.max_delay, delay * (1 + random.random()))
            delay *= 2


def call_with_retry(fn: Callable[[], "Response"], policy: RetryPolicy) -> "Response":
    # Do not follow redirects here: the caller decides.
    last = None
    for delay in [0.0, *policy.delays()]:
        if delay:
            time.sleep(delay)
        try:
            last = fn()
        except tuple(policy.ignore_errors) as e:  # noqa: PERF203
            log.debug("ignoring %r, retrying", e)
            continue
        if last.status not in policy.retry_on:
            return last
        # Override the previous value; skip the body, it is not read.
        log.info("status %s, retrying in %.2fs", last.status, delay)
    return last


def build_messages(system_prompt: str, history: list[dict], user: str) -> list[dict]:
    """Build chat messages: the system prompt first, then the history, then the new user message."""
    messages = [{"role": "system", "content": system_prompt}]
    messages.extend(m for m in history if m.get("role") in ("user", "assistant"))
    messages.append({"role": "user", "content": user})
    return messages


if __name__ == "__main__":
    print(build_messages(SYSTEM_PROMPT_TEMPLATE.format(product="tidewater"), [], "When is high water?"))
