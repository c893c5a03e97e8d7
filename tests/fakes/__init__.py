"""Fake PagerDuty, GitHub and Slack API servers for tests and benchmarks.

Each runs a real HTTP(S) server on 127.0.0.1 (port 0) in a thread, serves payloads in the
official shapes from data a test puts in, records every request, and can be told to answer the
next requests with a 429 (with ``Retry-After``) or a 5xx, or to add latency to every response.
"""

from .base import FakeServer, Recorded, Reply, load_fixture, tls_context
from .github import FakeGitHub
from .pagerduty import FakePagerDuty
from .slack import FakeSlack

# Test tokens the fixtures in tests/conftest.py start the fakes with; any other is refused.
PAGERDUTY_TEST_TOKEN = "u+pdTestToken0123456789"
GITHUB_TEST_TOKEN = "ghp_testToken0123456789abcdefABCDEF01"
SLACK_TEST_TOKEN = "xoxb-1111-2222-testToken0123456789"
# The environment a live pull reads its three tokens from.
TEST_TOKENS = {
    "PAGERDUTY_API_TOKEN": PAGERDUTY_TEST_TOKEN,
    "GITHUB_TOKEN": GITHUB_TEST_TOKEN,
    "SLACK_BOT_TOKEN": SLACK_TEST_TOKEN,
}

__all__ = [
    "TEST_TOKENS",
    "GITHUB_TEST_TOKEN",
    "PAGERDUTY_TEST_TOKEN",
    "SLACK_TEST_TOKEN",
    "FakeGitHub",
    "FakePagerDuty",
    "FakeServer",
    "FakeSlack",
    "Recorded",
    "Reply",
    "load_fixture",
    "tls_context",
]
