"""GitHub live: deployments (by status), commits, merged pull requests and releases of the
configured repositories for an incident window, through PyGithub.

The client comes built from settings (``ingest.clients.github_client``: 100 items per page,
lazy objects, retries on 429, 5xx and network errors). This module asks for as few pages as the
window allows, turns each page into an event frame with the normalisers of
``ingest.github.normalise``, and translates PyGithub's errors into
:class:`~ingest.errors.SourceError` messages that say what to fix.

Requests per repository: no ``GET /repos/o/r`` (the repository is addressed lazily); per
environment, deployment pages until one reaches a day before the window; one statuses request
per deployment created from a day before the window to its end; commit pages of the window;
closed pull request pages (most recently updated first) until one reaches the window start;
release pages until a whole page was published more than a day before the window.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import github
import msgspec
import pandas as pd
import requests
from github.Requester import Requester

from ingest.clients.network import TLS, failure_kind, network_error
from ingest.clients.retry import attempts_said
from ingest.config import GitHubSettings
from ingest.errors import ConfigError, InputError, SourceError
from ingest.github.normalise import commits_frame, deployments_frame, pulls_frame, releases_frame
from ingest.people import Identity, github_identities
from ingest.progress import Progress
from ingest.shapes import describe
from ingest.times import iso_to_utc
from ingest.types import Window

SOURCE = "github"
# How far before the window deployments and releases are still read: a deployment started just
# before the window reports its statuses inside it, and earlier deployments to the same
# environment are what tells a redeploy of an older SHA (a rollback) apart.
HISTORY = pd.Timedelta(days=1)
SERVICE_KEYS = ("repos", "environments", "branch")
REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
# Which fine-grained token permission each listing needs (a classic token needs ``repo``).
PERMISSION = {
    "deployments": "Deployments",
    "commits": "Contents",
    "releases": "Contents",
    "pulls": "Pull requests",
}


class GitHubTargets(msgspec.Struct, frozen=True):
    """What to read for one incident: repositories, deployment environments (empty: all) and
    the branch whose commits are listed (empty: each repository's default branch)."""

    repos: tuple[str, ...]
    environments: tuple[str, ...]
    branch: str


def github_targets(settings: GitHubSettings, service: str = "") -> GitHubTargets:
    """The repositories, environments and branch for an incident on PagerDuty ``service``.

    ``settings.services[service]`` (keys ``repos``, ``environments``, ``branch``) wins where
    it has an entry; a key it leaves out, or a service it does not list, takes the global
    ``repos`` / ``environments`` / ``branch``. Raises ConfigError for a malformed entry, a repo
    that is not ``owner/name``, or no repositories at all.
    """
    entry = settings.services.get(service) if service else None
    where = f'github.services."{service}"'
    if entry is None:
        entry, where = {}, "github"
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where} must be a table with keys {', '.join(SERVICE_KEYS)}")
    unknown = sorted(set(entry) - set(SERVICE_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown key {where}.{unknown[0]}; known keys: {', '.join(SERVICE_KEYS)}"
        )
    repos = _strings(entry.get("repos", settings.repos), f"{where}.repos")
    environments = _strings(
        entry.get("environments", settings.environments), f"{where}.environments"
    )
    branch = entry.get("branch", settings.branch)
    if not isinstance(branch, str):
        raise ConfigError(f"{where}.branch must be a string, not {branch!r}")
    if not repos:
        raise ConfigError(
            'no GitHub repositories to read: set github.repos (or github.services."SERVICE"'
            ".repos for the incident's PagerDuty service)"
        )
    for name in repos:
        if not REPO_NAME.match(name):
            raise ConfigError(f"{where}.repos entry {name!r} is not owner/name (e.g. acme/api)")
    return GitHubTargets(tuple(dict.fromkeys(repos)), tuple(dict.fromkeys(environments)), branch)


def pull_github(
    client: github.Github,
    settings: GitHubSettings,
    window: Window,
    progress: Progress,
    *,
    service: str = "",
    identities: list[Identity] | None = None,
) -> Iterator[pd.DataFrame]:
    """Schema frames of GitHub events inside ``window``, repository by repository.

    Per repository: one frame of deployment statuses (after all of its deployments are read,
    because telling a rollback needs the older ones, which come on later pages), then one frame
    per page of commits on the branch, of merged pull requests and of published releases.
    Each request is reported with ``progress.request`` and each frame with ``progress.page``;
    retries happen in the client. ``identities``, when given, gets the users of every record
    read (deployment and status creators, commit authors and committers with their git names
    and e-mails, pull-request users, release authors; ``ingest.people``): no request of its
    own. Raises ConfigError (see :func:`github_targets`) and
    SourceError: token rejected, missing permission, unknown repository, GitHub failing.
    """
    targets = github_targets(settings, service)
    found = identities if identities is not None else []
    for name in targets.repos:
        # The client is lazy: addressing a repository costs no GET /repos/o/r.
        reader = _RepoReader(client.requester, name, window, progress, found)
        try:
            yield from reader.frames(targets)
        except (github.GithubException, requests.exceptions.RequestException) as e:
            raise _source_error(e, reader, settings, client) from e
        except InputError as e:
            raise SourceError(
                f"{name} {reader.listing}: GitHub sent a record that cannot be read ({e})",
                source=SOURCE,
                url=reader.url,
            ) from e


class _RepoReader:
    """Reads one repository's listings, remembering which one it is on for error messages."""

    def __init__(
        self,
        requester: Requester,
        name: str,
        window: Window,
        progress: Progress,
        identities: list[Identity],
    ) -> None:
        self.requester = requester
        self.name = name
        self.window = window
        self.progress = progress
        self.listing = ""
        self.path = ""
        self.identities = identities  # the users the records read name

    @property
    def url(self) -> str:
        """The listing being read when something failed (no query, no token)."""
        return self.requester.base_url + self.path if self.path else ""

    def frames(self, targets: GitHubTargets) -> Iterator[pd.DataFrame]:
        yield from self._emit(self.deployments(targets.environments))
        yield from self._emit(self.commits(targets.branch))
        yield from self._emit(self.pulls())
        yield from self._emit(self.releases())

    def deployments(self, environments: Sequence[str]) -> Iterator[pd.DataFrame]:
        """One frame: every status of the deployments created from a day before the window to
        its end, with the older deployments of the pages read as history for rollbacks."""
        oldest_wanted = self.window.start - HISTORY
        raw: list[dict] = []
        for query in [{"environment": e} for e in environments] or [{}]:
            for page in self._pages("deployments", query):
                raw += page
                # Newest first: once a page reaches back past the history, the rest is older.
                if _times(page, "created_at").min() < oldest_wanted:
                    break
        created = _times(raw, "created_at")
        in_range = (created >= oldest_wanted) & (created <= self.window.end)
        statuses: dict[Any, list[dict]] = {}
        for deployment, wanted in zip(raw, in_range, strict=True):
            if wanted:
                deployment_id = deployment.get("id")
                pages = self._pages("deployments", {}, f"{deployment_id}/statuses")
                statuses[deployment_id] = [status for page in pages for status in page]
        self.identities.extend(github_identities([raw, list(statuses.values())]))
        yield deployments_frame(raw, statuses, repo=self.name)

    def commits(self, branch: str) -> Iterator[pd.DataFrame]:
        """A frame per page of the branch's commits whose committer date is in the window."""
        query = {"since": _utc(self.window.start), "until": _utc(self.window.end)}
        if branch:
            query["sha"] = branch
        for page in self._pages("commits", query):
            yield commits_frame(self._named(page), repo=self.name)

    def pulls(self) -> Iterator[pd.DataFrame]:
        """A frame per page of pull requests merged in the window (``merged_at``, never the
        ``merged`` property, which costs a request per pull request)."""
        query = {"state": "closed", "sort": "updated", "direction": "desc"}
        for page in self._pages("pulls", query):
            yield pulls_frame(self._named(page), repo=self.name)
            # A merge in the window updated its pull request in the window or later, so it
            # sorts before the first one last updated before the window.
            if _times(page, "updated_at").min() < self.window.start:
                break

    def releases(self) -> Iterator[pd.DataFrame]:
        """A frame per page of releases published in the window; drafts are skipped."""
        for page in self._pages("releases", {}):
            yield releases_frame(self._named(page), repo=self.name)
            latest = _times(page, "published_at").fillna(_times(page, "created_at")).max()
            if latest < self.window.start - HISTORY:
                break

    def _named(self, records: list[dict]) -> list[dict]:
        """``records``, after adding the users they name to :attr:`identities`."""
        self.identities.extend(github_identities(records))
        return records

    def _pages(self, what: str, query: Mapping[str, str], below: str = "") -> Iterator[list[dict]]:
        """The listing ``what`` (``below`` it, if given) page by page, one request each, through
        the client's requester: the records as GitHub sent them, with its retries. The last
        page is the one without a "next" link (or shorter than the page size), so no empty
        page is ever asked for, and an early stop costs no request."""
        per_page = self.requester.per_page
        self.listing = what
        self.path = f"/repos/{self.name}/{what}" + (f"/{below}" if below else "")
        for number in itertools.count(1):
            self.progress.request(SOURCE)
            parameters = {**query, "per_page": per_page, "page": number}
            headers, page = self.requester.requestJsonAndCheck("GET", self.path, parameters)
            if not isinstance(page, list) or not all(isinstance(r, dict) for r in page):
                raise InputError(f"a page must be a JSON array of objects, not {describe(page)}")
            if page:
                yield page
            if len(page) < per_page or 'rel="next"' not in (headers or {}).get("link", ""):
                return

    def _emit(self, frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for frame in frames:
            kept = frame[self.window.contains(frame["ts"])].reset_index(drop=True)
            self.progress.page(SOURCE, len(kept))
            if len(kept):
                yield kept


def _times(records: Sequence[dict], key: str) -> pd.Series:
    return iso_to_utc([record.get(key) for record in records], what=key)


def _utc(moment: pd.Timestamp) -> str:
    """A time as GitHub's ``since`` and ``until`` take it (as PyGithub writes them)."""
    return moment.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(f"{where} must be a list of strings, not {value!r}")
    if not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of strings, not {list(value)!r}")
    return tuple(value)


def _source_error(
    e: Exception, reader: _RepoReader, settings: GitHubSettings, client: github.Github
) -> SourceError:
    """What went wrong, said so that the user knows what to fix; never the token."""
    base = settings.base_url.rstrip("/")
    name, what, url, path = reader.name, reader.listing, reader.url, reader.path

    def error(message: str, status: int | None) -> SourceError:
        return SourceError(message, source=SOURCE, url=url, status=status)

    if isinstance(e, requests.exceptions.RetryError):
        found = re.search(r"too many (\d{3}) error", str(e))
        status = int(found.group(1)) if found else None
        answer = f" (HTTP {status})" if status else ""
        tried = attempts_said(_retries(client) + 1)
        return error(f"GitHub failed after {tried}{answer} on GET {path}; run again later", status)
    if isinstance(e, requests.exceptions.RequestException):
        where = getattr(client, "endpoint", None)
        policy = getattr(client, "policy", None)
        if where is None or policy is None:
            return error(f"cannot reach GitHub at {base} ({e.__class__.__name__})", None)
        attempts = 1 if failure_kind(e) == TLS else policy.attempts
        return network_error(e, where, attempts=attempts, url=url)
    assert isinstance(e, github.GithubException)
    status = e.status
    message = _message(e)
    if isinstance(e, github.BadCredentialsException) or status == 401:
        return error(
            f"GitHub rejected the token in {settings.token_env} (HTTP 401 {message}): "
            f"set {settings.token_env} to a valid token for {base}",
            status,
        )
    if isinstance(e, github.RateLimitExceededException) or status == 429:
        return error(
            f"rate limited (HTTP {status}) on GET {path} and the wait is too long; run again later",
            status,
        )
    if status == 404:
        return error(
            f"repository {name} not found, or the token cannot see it (base_url is {base}): "
            "check github.repos and the token's repository access",
            status,
        )
    if status == 403:
        return error(
            f"the token in {settings.token_env} may not read {what} of {name} (HTTP 403 "
            f"{message}): give it the repo scope (classic token) or {PERMISSION[what]}: read "
            "(fine-grained token)",
            status,
        )
    return error(f"GitHub answered HTTP {status} on GET {path}: {message}", status)


def _message(e: github.GithubException) -> str:
    data = e.data
    if isinstance(data, Mapping) and isinstance(data.get("message"), str):
        return data["message"]
    return e.message or ""


def _retries(client: github.Github) -> int:
    retry = client.requester.kwargs.get("retry")
    total = getattr(retry, "total", retry)
    return total if isinstance(total, int) and not isinstance(total, bool) else 0
