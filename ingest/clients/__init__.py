"""The official PagerDuty, GitHub and Slack clients, built once per run from settings.

``settings`` checks what the three share (URL, TLS, timeout, proxy); ``retry`` is the retry
policy and log; ``network`` names a request that got no answer; one module builds each client;
``session.Clients`` holds a run's clients and closes them.
"""

from ingest.clients.github import GitHubClient, github_client
from ingest.clients.network import network_error
from ingest.clients.pagerduty import PagerDutyClient, pagerduty_client
from ingest.clients.retry import DEFAULT_POLICY, RetryLog, RetryPolicy, attempts_said
from ingest.clients.secret import Secret
from ingest.clients.session import Clients
from ingest.clients.settings import Endpoint, endpoint
from ingest.clients.slack import SlackClient, slack_client

__all__ = [
    "DEFAULT_POLICY",
    "Clients",
    "Endpoint",
    "GitHubClient",
    "PagerDutyClient",
    "RetryLog",
    "RetryPolicy",
    "Secret",
    "SlackClient",
    "attempts_said",
    "endpoint",
    "github_client",
    "network_error",
    "pagerduty_client",
    "slack_client",
]
