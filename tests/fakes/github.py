"""A fake GitHub (Enterprise-style, ``/api/v3``) REST API over HTTP: deployments and their
statuses, commits, pull requests and releases, with ``page``/``per_page`` pagination and
``Link`` headers built from the request's own ``Host`` (PyGithub refuses any other host).

Records use ``https://api.github.com`` URLs like the spec's examples; the fake rewrites them
to its own origin as it serves them, as a GitHub Enterprise server names itself.
"""

from __future__ import annotations

import copy
import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from .base import FakeServer, Recorded, Reply, load_fixture

API = "https://api.github.com"
_PREFIX = "/api/v3"
_REPO = re.compile(
    r"^/repos/([^/]+)/([^/]+)(?:/(deployments|commits|pulls|releases))?(?:/(\d+)/statuses)?$"
)


@dataclass
class Repo:
    """What one repository holds; tests append records made by the builders below."""

    deployments: list[dict[str, Any]] = field(default_factory=list)
    statuses: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    commits: list[dict[str, Any]] = field(default_factory=list)
    pulls: list[dict[str, Any]] = field(default_factory=list)
    releases: list[dict[str, Any]] = field(default_factory=list)
    # Listings ("deployments", "commits", "pulls", "releases") the token may not read: 403.
    forbidden: set[str] = field(default_factory=set)
    # Listings answered with this body instead of a page of records (a shape GitHub never sends).
    odd: dict[str, Any] = field(default_factory=dict)


class FakeGitHub(FakeServer):
    """Serves ``/api/v3/repos/{owner}/{repo}/...``; 401 unless ``Authorization: token <token>``."""

    name = "github"

    def __init__(self, token: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.token = token
        self.repos: dict[str, Repo] = {}

    @property
    def base_url(self) -> str:
        return f"{self.origin}{_PREFIX}"

    def repo(self, full_name: str) -> Repo:
        """The repository ``owner/name``, created empty on first use."""
        return self.repos.setdefault(full_name, Repo())

    def fault_body(self, status: int) -> Any:
        if status in (403, 429):
            return {
                "message": "You have exceeded a secondary rate limit. "
                "Please wait a few minutes before you try again.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            }
        return {"message": "Server Error"}

    def route(self, request: Recorded) -> Reply:
        if request.headers.get("Authorization") not in (
            f"token {self.token}",
            f"Bearer {self.token}",
        ):
            return _message(401, "Bad credentials")
        if not request.path.startswith(_PREFIX):
            return _message(404, "Not Found")
        match = _REPO.match(request.path[len(_PREFIX) :])
        full_name = f"{match.group(1)}/{match.group(2)}" if match else ""
        if not match or full_name not in self.repos:
            return _message(404, "Not Found")
        repo, what, deployment_id = self.repos[full_name], match.group(3), match.group(4)
        origin = f"{'https' if self.tls else 'http'}://{request.headers.get('Host')}"
        if what is None:
            return self._serve(origin, _repository(full_name))
        if what in repo.forbidden:
            return _message(403, "Resource not accessible by personal access token")
        if what in repo.odd:
            return self._serve(origin, repo.odd[what])
        if deployment_id is not None:
            listed = {d["id"] for d in repo.deployments}
            if what != "deployments" or int(deployment_id) not in repo.statuses.keys() | listed:
                return _message(404, "Not Found")
            # A deployment nobody reported on yet has an empty list of statuses.
            return self._page(origin, request, repo.statuses.get(int(deployment_id), []))
        items = _filtered(what, getattr(repo, what), request)
        return self._page(origin, request, items)

    def _page(self, origin: str, request: Recorded, items: list[dict[str, Any]]) -> Reply:
        per_page = min(int(request.arg("per_page") or 30), 100)
        page = max(int(request.arg("page") or 1), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        links = []
        for rel, number in (("prev", page - 1), ("next", page + 1), ("last", last), ("first", 1)):
            if (
                (rel == "prev" and page > 1)
                or (rel == "next" and page < last)
                or (rel in ("last", "first") and last > 1)
            ):
                query = {k: v[0] for k, v in request.query.items()} | {"page": str(number)}
                links.append(f'<{origin}{request.path}?{urlencode(query)}>; rel="{rel}"')
        headers = {"Link": ", ".join(links)} if links else {}
        return self._serve(origin, items[(page - 1) * per_page : page * per_page], headers)

    @staticmethod
    def _serve(origin: str, body: Any, headers: dict[str, str] | None = None) -> Reply:
        text = json.dumps(body).replace(API, f"{origin}{_PREFIX}")
        return Reply(200, text.encode(), headers or {})


def _filtered(what: str, items: list[dict[str, Any]], request: Recorded) -> list[dict[str, Any]]:
    if what == "commits":
        since, until = request.arg("since"), request.arg("until")
        date = [_instant(c["commit"]["committer"]["date"]) for c in items]
        return [
            c
            for c, when in zip(items, date, strict=True)
            if (not since or when >= _instant(since)) and (not until or when <= _instant(until))
        ]
    if what == "pulls":
        state = request.arg("state") or "open"
        items = [p for p in items if state == "all" or p["state"] == state]
        if (sort := request.arg("sort")) in ("created", "updated"):
            descending = (request.arg("direction") or "desc") == "desc"
            items = sorted(items, key=lambda p: _instant(p[f"{sort}_at"]), reverse=descending)
        return items
    if what == "deployments":
        for key in ("environment", "sha", "ref", "task"):
            if value := request.arg(key):
                items = [d for d in items if d[key] == value]
    return items


def _message(status: int, message: str) -> Reply:
    return Reply(
        status,
        {
            "message": message,
            "documentation_url": "https://docs.github.com/rest",
            "status": str(status),
        },
    )


def _repository(full_name: str) -> dict[str, Any]:
    owner, name = full_name.split("/")
    return {
        "id": zlib.crc32(full_name.encode()),
        "name": name,
        "full_name": full_name,
        "owner": {"login": owner, "id": 1, "type": "Organization"},
        "private": False,
        "default_branch": "main",
        "url": f"{API}/repos/{full_name}",
        "html_url": f"https://github.com/{full_name}",
    }


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- record builders (shapes from the spec's examples) ---------------------------------------


def deployment(
    repo: str, deployment_id: int, *, sha: str, created_at: str, environment: str = "production"
) -> dict[str, Any]:
    record = copy.deepcopy(load_fixture("github_list_deployments.json")[0])
    url = f"{API}/repos/{repo}/deployments/{deployment_id}"
    record.update(
        id=deployment_id,
        sha=sha,
        ref="main",
        environment=environment,
        created_at=created_at,
        updated_at=created_at,
        url=url,
        statuses_url=f"{url}/statuses",
        repository_url=f"{API}/repos/{repo}",
    )
    return record


def deployment_status(
    repo: str, deployment_id: int, status_id: int, *, state: str, created_at: str
) -> dict[str, Any]:
    record = copy.deepcopy(load_fixture("github_list_deployment_statuses.json")[0])
    url = f"{API}/repos/{repo}/deployments/{deployment_id}"
    record.update(
        id=status_id,
        state=state,
        created_at=created_at,
        updated_at=created_at,
        url=f"{url}/statuses/{status_id}",
        deployment_url=url,
        repository_url=f"{API}/repos/{repo}",
    )
    return record


def commit(
    repo: str, sha: str, *, committed_at: str, message: str = "Fix all the bugs"
) -> dict[str, Any]:
    record = copy.deepcopy(load_fixture("github_list_commits.json")[0])
    record.update(
        sha=sha,
        url=f"{API}/repos/{repo}/commits/{sha}",
        html_url=f"https://github.com/{repo}/commit/{sha}",
    )
    record["commit"]["message"] = message
    record["commit"]["committer"]["date"] = committed_at
    return record


def pull(
    repo: str,
    number: int,
    *,
    merged_at: str | None,
    state: str = "closed",
    updated_at: str | None = None,
) -> dict[str, Any]:
    record = copy.deepcopy(load_fixture("github_list_pulls.json")[0])
    record.update(
        number=number,
        state=state,
        merged_at=merged_at,
        closed_at=merged_at,
        url=f"{API}/repos/{repo}/pulls/{number}",
        html_url=f"https://github.com/{repo}/pull/{number}",
    )
    if updated_at is not None:
        record.update(updated_at=updated_at)
    return record


def release(repo: str, release_id: int, *, tag: str, published_at: str | None) -> dict[str, Any]:
    record = copy.deepcopy(load_fixture("github_list_releases.json")[0])
    record.update(
        id=release_id,
        tag_name=tag,
        name=tag,
        published_at=published_at,
        url=f"{API}/repos/{repo}/releases/{release_id}",
    )
    return record
