"""GitHub: deployments (by status), commits, merged pull requests and releases into event frames.

The normalisers are pure functions over the dicts the REST API returns, shared by the file
reader (``ingest.github.file``) and the live reader (``ingest.github.live``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson
import pandas as pd

from ingest.errors import InputError
from ingest.records import get, sha256_each, text
from ingest.schema import empty_frame, frame_from_columns
from ingest.shapes import BOOL, ID, INT, STR, check_records
from ingest.times import iso_to_utc

SOURCE = "github"

KIND_BY_STATE = {
    "queued": "deploy.started",
    "pending": "deploy.started",
    "in_progress": "deploy.started",
    "success": "deploy.succeeded",
    "failure": "deploy.failed",
    "error": "deploy.failed",
}
VERB_BY_STATE = {
    "": "Deployment created",
    "queued": "Deploy queued",
    "pending": "Deploy pending",
    "in_progress": "Deploy in progress",
    "success": "Deploy succeeded",
    "failure": "Deploy failed",
    "error": "Deploy errored",
}
# "inactive" only says a later deployment to the same environment replaced this one; that
# later deployment's own status row already records the moment, so inactive rows are left out.
SUPERSEDED_STATE = "inactive"
ROLLBACK_WORDS = re.compile(r"\broll(?:ed|ing)?[ _-]?back|\brevert", re.IGNORECASE)
REPO_IN_URL = re.compile(r"/repos/([^/]+/[^/?#]+)")
RECORD_KINDS = ("deployments", "statuses", "commits", "pulls", "releases")

# The fields each record is read for, with their types in the REST API description.
_LOGIN = {"login": STR}
STATUS_SHAPE = {
    "id": ID,
    "state": STR,
    "created_at": STR,
    "description": STR,
    "creator": _LOGIN,
    "log_url": STR,
    "environment_url": STR,
    "target_url": STR,
    "deployment_url": STR,
    "environment": STR,
}
DEPLOYMENT_SHAPE = {
    "id": ID,
    "created_at": STR,
    "sha": STR,
    "ref": STR,
    "environment": STR,
    "description": STR,
    "task": STR,
    "creator": _LOGIN,
    "url": STR,
    "statuses": [STATUS_SHAPE],
}
_GIT_PERSON = {"date": STR, "name": STR}
COMMIT_SHAPE = {
    "sha": STR,
    "commit": {"committer": _GIT_PERSON, "author": _GIT_PERSON, "message": STR},
    "author": _LOGIN,
    "html_url": STR,
}
PULL_SHAPE = {
    "number": INT,
    "title": STR,
    "merged_at": STR,
    "base": {"ref": STR},
    "user": _LOGIN,
    "html_url": STR,
}
RELEASE_SHAPE = {
    "tag_name": STR,
    "name": STR,
    "published_at": STR,
    "draft": BOOL,
    "prerelease": BOOL,
    "author": _LOGIN,
    "html_url": STR,
}
# A status is one row named by its ID, dated by its time and described by its state: without
# any of them it would be another row (the deployment's own, or one an inactive state hides).
STATUS_REQUIRED = ("id", "state", "created_at")
# record kind -> (shape, what a record is called, required fields, its id field)
SHAPES: dict[str, tuple[dict, str, tuple[str, ...], str]] = {
    "deployments": (DEPLOYMENT_SHAPE, "deployment", ("id", "created_at"), "id"),
    "statuses": (STATUS_SHAPE, "deployment status", STATUS_REQUIRED, "id"),
    "commits": (COMMIT_SHAPE, "commit", ("sha", "commit"), "sha"),
    "pulls": (PULL_SHAPE, "pull request", ("number",), "number"),
    "releases": (RELEASE_SHAPE, "release", ("tag_name",), "tag_name"),
}


def check_shape(kind: str, records: list[Any]) -> None:
    """InputError naming the record and field when ``records`` (of ``RECORD_KINDS``) do not
    have the shape the normalisers read."""
    shape, what, required, id_key = SHAPES[kind]
    check_records(records, shape, what=what, required=required, id_key=id_key)


def deployments_frame(
    deployments: list[dict], statuses: Mapping[Any, list[dict]], *, repo: str
) -> pd.DataFrame:
    """One row per deployment status, at the status's ``created_at``.

    ``statuses`` maps a deployment ``id`` to its statuses. A deployment with none (or only
    ``inactive`` ones) is one ``deploy.started`` row at its own ``created_at``. Deployments
    that put back a SHA the environment ran before, after a different one, or that say
    rollback/revert, are tagged ``rollback``.
    """
    if not deployments:
        return empty_frame()
    check_shape("deployments", deployments)
    for deployment_id, listed in statuses.items():
        check_records(
            listed,
            STATUS_SHAPE,
            what=f"deployment {deployment_id} status",
            required=STATUS_REQUIRED,
            id_key="id",
        )
    deployment_ids = [text(d, "id") for d in deployments]
    if "" in deployment_ids:
        raise InputError(f"deployment #{deployment_ids.index('') + 1} has no 'id'")
    dep = pd.DataFrame(
        {
            "deployment": range(len(deployments)),
            "created_at": _times(deployments, "created_at", "deployment"),
            "sha": [text(d, "sha") for d in deployments],
            "ref": [text(d, "ref") for d in deployments],
            "environment": [text(d, "environment") for d in deployments],
            "description": [text(d, "description") for d in deployments],
            "creator": [get(d, "creator", "login") for d in deployments],
            "url": [text(d, "url") for d in deployments],
        }
    )
    dep["rollback"] = _rollback_flags(dep, deployments)

    kept = [
        (position, status)
        for position, d in enumerate(deployments)
        for status in statuses.get(d.get("id"), [])
        if text(status, "state") != SUPERSEDED_STATE
    ]
    with_status = pd.DataFrame(
        {
            "deployment": [position for position, _ in kept],
            "status_id": [text(s, "id") for _, s in kept],
            "state": [text(s, "state") for _, s in kept],
            "status_at": _times([s for _, s in kept], "created_at", "deployment status"),
            "status_description": [text(s, "description") for _, s in kept],
            "status_creator": [get(s, "creator", "login") for _, s in kept],
            "status_url": [
                text(s, "log_url") or text(s, "environment_url") or text(s, "target_url")
                for _, s in kept
            ],
            "raw_sha256": sha256_each(s for _, s in kept),
        }
    )
    bare = dep.loc[~dep["deployment"].isin(with_status["deployment"]), ["deployment"]]
    bare = bare.assign(raw_sha256=sha256_each(deployments[i] for i in bare["deployment"]))
    rows = pd.concat([with_status, bare], ignore_index=True).merge(dep, on="deployment")
    for column in ("status_id", "state", "status_description", "status_creator", "status_url"):
        rows[column] = rows[column].astype(object).fillna("").astype(str)

    ts = rows["status_at"].fillna(rows["created_at"])
    known = rows["state"].isin([*KIND_BY_STATE, ""])
    kind = rows["state"].map(KIND_BY_STATE).fillna("deploy.started")
    verb = rows["state"].map(VERB_BY_STATE).fillna("Deploy " + rows["state"])
    description = rows["status_description"].where(
        rows["status_description"] != "", rows["description"]
    )
    summary = (
        verb
        + ": "
        + rows["environment"].where(rows["environment"] != "", "(no environment)")
        + " "
        + rows["sha"].str.slice(0, 7).where(rows["sha"] != "", "(sha unknown)")
        + (" (" + rows["ref"] + ")").where(rows["ref"] != "", "")
        + (" - " + description).where(description != "", "")
    )
    deployment_ref = repo + "@" + rows["deployment"].map(dict(enumerate(deployment_ids)))
    ref = (deployment_ref + "/" + rows["status_id"]).where(rows["status_id"] != "", deployment_ref)
    return frame_from_columns(
        {
            "ts": ts,
            "source": SOURCE,
            "kind": kind,
            "actor": rows["creator"].where(rows["creator"] != "", rows["status_creator"]),
            "summary": summary,
            "ref": ref,
            "url": rows["status_url"].where(rows["status_url"] != "", rows["url"]),
            "channel": repo,
            "raw_sha256": rows["raw_sha256"],
            "subtype": rows["state"],
            "tags": rows["rollback"].map({True: "rollback", False: ""}),
            "kind_rule": ("unknown deployment state " + rows["state"] + " listed as started").where(
                ~known, ""
            ),
        }
    ).sort_values("ts", kind="stable", ignore_index=True)


def commits_frame(commits: list[dict], *, repo: str) -> pd.DataFrame:
    """One ``commit`` row per commit at its committer date (authored date if it has none)."""
    if not commits:
        return empty_frame()
    check_shape("commits", commits)
    shas = [text(c, "sha") for c in commits]
    if "" in shas:
        raise InputError(f"commit #{shas.index('') + 1} has no 'sha'")
    git: list[dict] = [c["commit"] if isinstance(c.get("commit"), dict) else {} for c in commits]
    committed = iso_to_utc([get(g, "committer", "date") for g in git], what="commit date")
    authored = iso_to_utc([get(g, "author", "date") for g in git], what="commit date")
    if committed.isna().any() and authored[committed.isna()].isna().any():
        missing = shas[int((committed.isna() & authored.isna()).to_numpy().argmax())]
        raise InputError(f"commit {missing} has no commit.committer.date")
    message = pd.Series([text(g, "message") for g in git], dtype=object)
    first_line = message.str.split("\n", n=1).str[0].str.strip()
    verb = pd.Series("Committed ", index=message.index).where(committed.notna(), "Authored ")
    login = pd.Series([get(c, "author", "login") for c in commits], dtype=object)
    name = pd.Series([get(g, "author", "name") for g in git], dtype=object)
    return frame_from_columns(
        {
            "ts": committed.fillna(authored),
            "source": SOURCE,
            "kind": "commit",
            "actor": login.where(login != "", name),
            "summary": verb + pd.Series(shas).str.slice(0, 7) + ": " + first_line,
            "ref": shas,
            "url": [text(c, "html_url") for c in commits],
            "channel": repo,
            "raw_sha256": sha256_each(commits),
            "tags": message.str.startswith('Revert "').map({True: "revert", False: ""}),
        }
    )


def pulls_frame(pulls: list[dict], *, repo: str) -> pd.DataFrame:
    """One ``pr.merged`` row per merged pull request, at ``merged_at``; unmerged are skipped.
    The API always sends ``merged_at`` (null when not merged): a record without it is refused,
    never taken for unmerged."""
    check_shape("pulls", pulls)
    _require_key(pulls, "merged_at", "pull request", "number", "null when not merged")
    merged = [p for p in pulls if p.get("merged_at")]
    if not merged:
        return empty_frame()
    numbers = pd.Series([text(p, "number") for p in merged], dtype=object)
    title = pd.Series([text(p, "title") for p in merged], dtype=object)
    base = pd.Series([get(p, "base", "ref") for p in merged], dtype=object)
    return frame_from_columns(
        {
            "ts": iso_to_utc([p["merged_at"] for p in merged], what="pull request merged_at"),
            "source": SOURCE,
            "kind": "pr.merged",
            "actor": [get(p, "user", "login") for p in merged],
            "summary": "Merged PR #"
            + numbers
            + (" into " + base).where(base != "", "")
            + ": "
            + title,
            "ref": repo + "#" + numbers,
            "url": [text(p, "html_url") for p in merged],
            "channel": repo,
            "raw_sha256": sha256_each(merged),
            "tags": title.str.startswith('Revert "').map({True: "revert", False: ""}),
        }
    )


def releases_frame(releases: list[dict], *, repo: str) -> pd.DataFrame:
    """One ``release.published`` row per published release, at ``published_at``; drafts skipped.
    A record without ``published_at`` (null for a draft, always sent) is refused."""
    check_shape("releases", releases)
    _require_key(releases, "published_at", "release", "tag_name", "null for a draft")
    published = [r for r in releases if r.get("published_at") and not r.get("draft")]
    if not published:
        return empty_frame()
    tags = pd.Series([text(r, "tag_name") for r in published], dtype=object)
    names = pd.Series([text(r, "name") for r in published], dtype=object)
    prerelease = pd.Series([bool(r.get("prerelease")) for r in published])
    label = names.where(names != "", tags)
    return frame_from_columns(
        {
            "ts": iso_to_utc([r["published_at"] for r in published], what="release published_at"),
            "source": SOURCE,
            "kind": "release.published",
            "actor": [get(r, "author", "login") for r in published],
            "summary": prerelease.map({True: "Pre-release ", False: "Release "})
            + label
            + " published (tag "
            + tags
            + ")",
            "ref": repo + "@" + tags,
            "url": [text(r, "html_url") for r in published],
            "channel": repo,
            "raw_sha256": sha256_each(published),
            "subtype": prerelease.map({True: "prerelease", False: "release"}),
        }
    )


def _rollback_flags(dep: pd.DataFrame, deployments: list[dict]) -> pd.Series:
    """True for a deployment that puts back a SHA its environment ran before another one,
    or whose ref, task, description or payload says rollback or revert."""
    ordered = dep.sort_values("created_at", kind="stable")
    by_env = ordered.groupby("environment", sort=False)["sha"]
    previous = by_env.shift()
    seen_before = ordered.groupby(["environment", "sha"], sort=False).cumcount() > 0
    redeployed = (
        (ordered["sha"] != "") & seen_before & previous.notna() & (previous != ordered["sha"])
    )
    words = pd.Series(
        [
            " ".join(
                [
                    text(d, "ref"),
                    text(d, "task"),
                    text(d, "description"),
                    _payload_text(d.get("payload")),
                ]
            )
            for d in deployments
        ],
        index=dep.index,
    )
    return redeployed.reindex(dep.index) | words.str.contains(ROLLBACK_WORDS)


def _payload_text(payload: Any) -> str:
    if payload is None or isinstance(payload, str):
        return payload or ""
    return orjson.dumps(payload).decode()


def _times(records: list[dict], key: str, what: str) -> pd.Series:
    times = iso_to_utc([r.get(key) for r in records], what=f"{what} {key}")
    if times.isna().any():
        position = int(times.isna().to_numpy().argmax())
        raise InputError(f"{what} {text(records[position], 'id') or position + 1} has no {key!r}")
    return times


def _require_key(records: list[dict], key: str, what: str, id_key: str, null_means: str) -> None:
    """InputError for the first record without ``key`` at all (a null value is an answer)."""
    for number, record in enumerate(records, start=1):
        if key not in record:
            name = text(record, id_key)
            raise InputError(
                f"{what} #{number}{f' ({name})' if name else ''}: has no {key!r} "
                f"(the API sends it, {null_means})"
            )
