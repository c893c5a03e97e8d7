"""GitHub API records saved as JSON files, read through the shared normaliser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ingest.errors import InputError
from ingest.github.normalise import (
    RECORD_KINDS,
    REPO_IN_URL,
    SOURCE,
    SUPERSEDED_STATE,
    check_shape,
    commits_frame,
    deployments_frame,
    pulls_frame,
    releases_frame,
)
from ingest.people import github_identities
from ingest.records import load_json, text, with_path, within_window
from ingest.shapes import describe
from ingest.types import ReadContext


def read_github_file(path: Path, ctx: ReadContext) -> Iterator[pd.DataFrame]:
    """Read GitHub API records saved as JSON, yielding one frame per kind of record.

    The file holds a list of deployments (each may embed its ``statuses``), deployment
    statuses, commits, pulls or releases, or an object ``{"repo": "o/r", "deployments": …,
    "statuses": …, "commits": …, "pulls": …, "releases": …}``. The shape is told from the
    records' keys; the repo from ``repo`` or else from the records' API URLs.
    """
    payload = load_json(path, ctx)
    try:
        groups, repo = _groups(payload)
        repo = repo or _repo_from_urls(groups)
        frames = _frames(groups, repo, ctx, path)
    except InputError as e:
        raise with_path(e, path) from e
    ctx.people.extend(github_identities(groups.values()))
    for kind, records in groups.items():
        if records:
            ctx.artifacts.append(
                {"source": SOURCE, "name": f"{path.name} {repo} {kind}", "records": len(records)}
            )
    for frame in frames:
        frame = within_window(frame, ctx)
        if len(frame):
            yield frame


def _frames(
    groups: dict[str, list[dict]], repo: str, ctx: ReadContext, path: Path
) -> list[pd.DataFrame]:
    deployments = list(groups["deployments"])
    statuses: dict[Any, list[dict]] = {}
    for d in deployments:
        statuses.setdefault(d.get("id"), []).extend(d.get("statuses") or [])
    known_ids = {d.get("id") for d in deployments}
    for status in groups["statuses"]:
        match = re.search(r"/deployments/(\d+)", text(status, "deployment_url"))
        if not match:
            raise InputError(f"deployment status {text(status, 'id')} has no deployment_url")
        deployment_id = int(match.group(1))
        statuses.setdefault(deployment_id, []).append(status)
        if deployment_id not in known_ids:
            # Only the statuses were saved: stand in for the deployment with what they say.
            known_ids.add(deployment_id)
            deployments.append(
                {
                    "id": deployment_id,
                    "url": status["deployment_url"],
                    "environment": status.get("environment"),
                    "created_at": status.get("created_at"),
                }
            )
    superseded = sum(text(s, "state") == SUPERSEDED_STATE for v in statuses.values() for s in v)
    if superseded:
        ctx.warn(
            f"{path}: {superseded} inactive deployment statuses (superseded by a later "
            "deployment) are not listed as events"
        )
    return [
        deployments_frame(deployments, statuses, repo=repo),
        commits_frame(groups["commits"], repo=repo),
        pulls_frame(groups["pulls"], repo=repo),
        releases_frame(groups["releases"], repo=repo),
    ]


def _groups(payload: Any) -> tuple[dict[str, list[dict]], str]:
    groups: dict[str, list[dict]] = {kind: [] for kind in RECORD_KINDS}
    if isinstance(payload, dict):
        present = [k for k in RECORD_KINDS if k in payload]
        if not present:
            found = ", ".join(repr(k) for k in payload) or "an empty object"
            raise InputError(
                "is not a GitHub export: expected a list of records or an object with "
                f"'repo' and any of {', '.join(repr(k) for k in RECORD_KINDS)} (found {found})"
            )
        for key in present:
            records = payload[key]
            if not isinstance(records, list):
                raise InputError(f"{key!r} must be a list of objects, not {describe(records)}")
            check_shape(key, records)
            groups[key].extend(records)
        repo = payload.get("repo")
        if repo is not None and not isinstance(repo, str):
            raise InputError(f"'repo' must be a string such as \"acme/api\", not {describe(repo)}")
        return groups, text(payload, "repo")
    if not isinstance(payload, list):
        raise InputError("is not a GitHub export: expected a JSON list or object")
    for number, record in enumerate(payload, start=1):
        groups[_record_kind(record, number)].append(record)
    for key, records in groups.items():
        check_shape(key, records)
    return groups, ""


def _record_kind(record: Any, number: int) -> str:
    """Which list a record belongs to, told from the keys the API always sends."""
    if isinstance(record, dict):
        if "deployment_url" in record and "state" in record:
            return "statuses"
        if "statuses_url" in record and "environment" in record:
            return "deployments"
        if "commit" in record and "sha" in record:
            return "commits"
        if "merged_at" in record and "number" in record:
            return "pulls"
        if "tag_name" in record:
            return "releases"
    raise InputError(
        f"record #{number} is not a deployment (statuses_url, environment), deployment status "
        "(state, deployment_url), commit (sha, commit), pull request (number, merged_at) or "
        "release (tag_name)"
    )


def _repo_from_urls(groups: dict[str, list[dict]]) -> str:
    for records in groups.values():
        for record in records:
            for key in ("repository_url", "url"):
                match = REPO_IN_URL.search(text(record, key))
                if match:
                    return match.group(1)
    raise InputError('cannot tell the repository: add a top-level "repo": "owner/name"')
