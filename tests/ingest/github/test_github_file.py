import json
from pathlib import Path

import pandas as pd
import pytest

from ingest.errors import InputError, TimeError
from ingest.github.file import read_github_file
from ingest.github.normalise import (
    commits_frame,
    deployments_frame,
    pulls_frame,
    releases_frame,
)
from ingest.schema import concat, validate
from ingest.types import ReadContext, Window

FIXTURES = Path(__file__).parents[2] / "fixtures" / "github"
REPO = "acme/checkout"


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


def export() -> dict:
    return load("export_checkout.json")


def deploys() -> pd.DataFrame:
    deployments = export()["deployments"]
    statuses = {d["id"]: d["statuses"] for d in deployments}
    frame = deployments_frame(deployments, statuses, repo=REPO)
    validate(frame)
    return frame.set_index("ref")


def read_all(path: Path, ctx: ReadContext | None = None) -> pd.DataFrame:
    frames = list(read_github_file(path, ctx or ReadContext()))
    for frame in frames:
        validate(frame)
    return concat(frames)


def test_official_deployment_takes_its_status_time_and_urls():
    deployment = load("list_deployments.json")[0]
    status = load("list_deployment_statuses.json")[0]
    status["created_at"] = "2012-07-20T01:25:00Z"  # later than the deployment's own created_at
    frame = deployments_frame([deployment], {1: [status]}, repo="octocat/example")
    validate(frame)
    row = frame.iloc[0]
    assert row["ts"] == pd.Timestamp("2012-07-20T01:25:00Z")
    assert row["kind"] == "deploy.succeeded"
    assert row["ref"] == "octocat/example@1/1"
    assert row["url"] == "https://example.com/deployment/42/output"
    assert row["actor"] == "octocat"
    assert row["channel"] == "octocat/example"
    assert row["subtype"] == "success"
    assert row["summary"] == (
        "Deploy succeeded: production a84d88e (topic-branch) - Deployment finished successfully."
    )


def test_status_states_map_to_kinds():
    frame = deploys()
    assert frame.loc[f"{REPO}@101/1001", "kind"] == "deploy.started"  # in_progress
    assert frame.loc[f"{REPO}@102/1021", "kind"] == "deploy.started"  # queued
    assert frame.loc[f"{REPO}@104/1041", "kind"] == "deploy.started"  # pending
    assert frame.loc[f"{REPO}@101/1002", "kind"] == "deploy.succeeded"
    assert frame.loc[f"{REPO}@104/1042", "kind"] == "deploy.failed"


def test_error_state_is_a_failed_deploy_and_unknown_states_are_kept():
    deployment = {"id": 7, "sha": "abc", "environment": "prod", "created_at": "2024-01-01T00:00Z"}
    statuses = {
        7: [
            {"id": 1, "state": "error", "created_at": "2024-01-01T00:01:00Z"},
            {"id": 2, "state": "warming", "created_at": "2024-01-01T00:02:00Z"},
        ]
    }
    frame = deployments_frame([deployment], statuses, repo="o/r")
    validate(frame)
    assert frame["kind"].tolist() == ["deploy.failed", "deploy.started"]
    assert frame["kind_rule"].tolist() == ["", "unknown deployment state warming listed as started"]


def test_inactive_statuses_are_left_out():
    frame = deploys()
    assert "inactive" not in set(frame["subtype"])
    assert f"{REPO}@101/1003" not in frame.index


def test_deployment_with_no_statuses_is_one_started_row_at_created_at():
    row = deploys().loc[f"{REPO}@105"]
    assert row["kind"] == "deploy.started"
    assert row["ts"] == pd.Timestamp("2024-05-01T11:10:00Z")
    assert row["summary"] == "Deployment created: canary c0ffee0 (revert-payment-timeout)"
    assert row["url"] == f"https://api.github.com/repos/{REPO}/deployments/105"


def test_url_falls_back_from_log_url_to_the_deployment():
    frame = deploys()
    assert frame.loc[f"{REPO}@101/1002", "url"] == "https://ci.example.com/deploys/101/1002"
    # status 1042 has no log or target url: its environment_url is next
    assert frame.loc[f"{REPO}@104/1042", "url"] == "https://test-branch.lab.acme.com"


def test_actor_is_the_deployment_creator_else_the_status_creator():
    frame = deploys()
    assert frame.loc[f"{REPO}@101/1002", "actor"] == "octocat"
    assert frame.loc[f"{REPO}@104/1042", "actor"] == "deploy-bot"


def test_redeploying_an_earlier_sha_after_another_is_tagged_rollback():
    frame = deploys()
    tags = frame["tags"]
    assert tags[f"{REPO}@103/1031"] == "rollback"
    assert tags[f"{REPO}@103/1032"] == "rollback"
    assert tags[f"{REPO}@101/1002"] == ""
    assert tags[f"{REPO}@102/1022"] == ""
    # same SHA as 102, but in another environment where it is new
    assert tags[f"{REPO}@104/1042"] == ""


def test_rollback_or_revert_in_ref_description_or_payload_is_tagged():
    frame = deploys()
    assert frame.loc[f"{REPO}@105", "tags"] == "rollback"
    base = {"sha": "abc", "environment": "prod", "created_at": "2024-01-01T00:00:00Z"}
    deployments = [
        {**base, "id": 1, "description": "Rolling back payments"},
        {**base, "id": 2, "payload": {"reason": "rollback to v1.2"}},
        {**base, "id": 3, "description": "Routine deploy", "payload": "scheduled"},
    ]
    tags = deployments_frame(deployments, {}, repo="o/r")["tags"].tolist()
    assert tags == ["rollback", "rollback", ""]


def test_redeploying_the_same_sha_twice_is_not_a_rollback():
    base = {"environment": "prod", "ref": "main"}
    deployments = [
        {**base, "id": 1, "sha": "aaa", "created_at": "2024-01-01T00:00:00Z"},
        {**base, "id": 2, "sha": "aaa", "created_at": "2024-01-01T01:00:00Z"},
    ]
    assert deployments_frame(deployments, {}, repo="o/r")["tags"].tolist() == ["", ""]


def test_commit_uses_committer_date_and_first_line():
    frame = commits_frame(export()["commits"], repo=REPO)
    validate(frame)
    first = frame.iloc[0]
    assert first["ts"] == pd.Timestamp("2024-05-01T09:50:00Z")  # not the authored date
    assert first["summary"] == "Committed a84d88e: Raise payment timeout to 30s"
    assert first["ref"] == "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d"
    assert first["url"] == f"https://github.com/{REPO}/commit/{first['ref']}"
    assert first["actor"] == "octocat"
    assert first["tags"] == ""


def test_commit_author_null_or_empty_falls_back_to_git_name_and_offsets_are_read():
    frame = commits_frame(export()["commits"], repo=REPO)
    assert frame["actor"].tolist()[1:] == ["Sam Contractor", "Lee Turner"]
    assert frame["ts"].iloc[1] == pd.Timestamp("2024-05-01T10:15:00Z")  # 03:15-07:00


def test_revert_commit_is_tagged():
    frame = commits_frame(export()["commits"], repo=REPO)
    assert frame["tags"].tolist() == ["", "", "revert"]


def test_commit_without_committer_date_takes_the_authored_date_and_says_so():
    commit = {
        "sha": "abc1234",
        "commit": {
            "message": "x",
            "committer": None,
            "author": {"name": "A", "date": "2024-01-01T00:00Z"},
        },
    }
    frame = commits_frame([commit], repo="o/r")
    assert frame["summary"].iloc[0] == "Authored abc1234: x"


def test_only_merged_pulls_are_kept():
    frame = pulls_frame(export()["pulls"], repo=REPO)
    validate(frame)
    assert frame["ref"].tolist() == [f"{REPO}#7", f"{REPO}#9"]
    assert frame["ts"].iloc[0] == pd.Timestamp("2024-05-01T09:51:00Z")
    assert frame["summary"].iloc[0] == "Merged PR #7 into main: Raise payment timeout to 30s"
    assert frame["tags"].tolist() == ["", "revert"]
    assert frame["url"].iloc[1] == f"https://github.com/{REPO}/pull/9"


def test_drafts_are_dropped_and_releases_take_published_at():
    frame = releases_frame(export()["releases"], repo=REPO)
    validate(frame)
    assert frame["ref"].tolist() == [f"{REPO}@v2.4.0", f"{REPO}@v2.5.0-rc1"]
    assert frame["ts"].iloc[0] == pd.Timestamp("2024-05-01T09:55:00Z")
    assert frame["summary"].tolist() == [
        "Release Payments 2.4 published (tag v2.4.0)",
        "Pre-release v2.5.0-rc1 published (tag v2.5.0-rc1)",
    ]


def test_official_release_is_dated_by_published_at():
    frame = releases_frame(load("list_releases.json"), repo="octocat/Hello-World")
    assert frame["ts"].tolist() == [pd.Timestamp("2013-02-27T19:35:32Z")]


def test_empty_inputs_give_empty_valid_frames():
    for frame in (
        deployments_frame([], {}, repo="o/r"),
        commits_frame([], repo="o/r"),
        pulls_frame([], repo="o/r"),
        releases_frame([], repo="o/r"),
    ):
        validate(frame)
        assert frame.empty


def test_reading_the_export_object():
    ctx = ReadContext()
    frame = read_all(FIXTURES / "export_checkout.json", ctx)
    counts = frame["kind"].astype(str).value_counts().to_dict()
    assert counts == {
        "deploy.started": 5,
        "deploy.succeeded": 3,
        "deploy.failed": 1,
        "commit": 3,
        "pr.merged": 2,
        "release.published": 2,
    }
    assert set(frame["channel"]) == {REPO}
    assert {a["name"]: a["records"] for a in ctx.artifacts} == {
        f"export_checkout.json {REPO} deployments": 5,
        f"export_checkout.json {REPO} commits": 3,
        f"export_checkout.json {REPO} pulls": 4,
        f"export_checkout.json {REPO} releases": 3,
    }
    assert ctx.warnings == [
        f"{FIXTURES / 'export_checkout.json'}: 2 inactive deployment statuses (superseded by a "
        "later deployment) are not listed as events"
    ]


def test_plain_lists_are_told_apart_and_the_repo_read_from_urls():
    commits = read_all(FIXTURES / "commits_only.json")
    assert commits["kind"].astype(str).unique().tolist() == ["commit"]
    assert set(commits["channel"]) == {REPO}
    deployments = read_all(FIXTURES / "deployments_only.json")
    assert deployments["kind"].astype(str).unique().tolist() == ["deploy.started"]
    assert len(deployments) == 5


def test_status_list_alone_is_joined_by_deployment_url():
    frame = read_all(FIXTURES / "deployment_statuses_only.json").set_index("ref")
    assert frame.loc[f"{REPO}@101/1002", "kind"] == "deploy.succeeded"
    assert frame.loc[f"{REPO}@101/1002", "ts"] == pd.Timestamp("2024-05-01T10:02:00Z")
    assert "(sha unknown)" in frame.loc[f"{REPO}@101/1002", "summary"]


def test_official_lists_read_with_their_own_repo():
    frame = read_all(FIXTURES / "list_pulls.json")
    assert frame["ref"].tolist() == ["octocat/Hello-World#1347"]
    frame = read_all(FIXTURES / "list_deployment_statuses.json")
    assert frame["ref"].tolist() == ["octocat/example@42/1"]


def test_window_filters_rows():
    window = Window(pd.Timestamp("2024-05-01T11:00:00Z"), pd.Timestamp("2024-05-01T11:30:00Z"))
    frame = read_all(FIXTURES / "export_checkout.json", ReadContext(window=window))
    # rollback deploy (2 statuses), canary deploy, revert commit, revert PR, pre-release
    assert len(frame) == 6
    assert frame["ts"].between(window.start, window.end).all()


def test_unrecognised_record_is_named(tmp_path):
    path = tmp_path / "issues.json"
    path.write_text('[{"number": 1, "title": "an issue"}]')
    with pytest.raises(InputError) as error:
        list(read_github_file(path, ReadContext()))
    assert str(error.value).startswith(f"{path}: record #1 is not a deployment")


def test_object_without_known_keys_says_what_was_expected(tmp_path):
    path = tmp_path / "repo.json"
    path.write_text('{"repo": "o/r", "issues": []}')
    with pytest.raises(InputError) as error:
        list(read_github_file(path, ReadContext()))
    assert str(error.value) == (
        f"{path}: is not a GitHub export: expected a list of records or an object with 'repo' "
        "and any of 'deployments', 'statuses', 'commits', 'pulls', 'releases' "
        "(found 'repo', 'issues')"
    )


def test_repo_that_cannot_be_told_is_an_error(tmp_path):
    path = tmp_path / "releases.json"
    path.write_text('[{"tag_name": "v1", "published_at": "2024-01-01T00:00:00Z"}]')
    expected = r'releases.json: cannot tell the repository: add a top-level "repo"'
    with pytest.raises(InputError, match=expected):
        list(read_github_file(path, ReadContext()))


def test_truncated_json_names_the_line(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text((FIXTURES / "commits_only.json").read_text()[:700])
    with pytest.raises(InputError) as error:
        list(read_github_file(path, ReadContext()))
    assert error.value.line is not None and error.value.line > 1
    assert str(error.value).startswith(f"{path}:{error.value.line}: not valid JSON")


def test_naive_time_is_a_time_error(tmp_path):
    path = tmp_path / "commits.json"
    commit = load("list_commits.json")[0]
    commit["commit"]["committer"]["date"] = "2011-04-14T16:00:49"
    path.write_text(json.dumps([commit]))
    expected = r"commits.json: commit date '2011-04-14T16:00:49' has no time zone offset"
    with pytest.raises(TimeError, match=expected):
        list(read_github_file(path, ReadContext()))


def test_deployment_without_created_at_is_named(tmp_path):
    path = tmp_path / "deployments.json"
    path.write_text(json.dumps({"repo": "o/r", "deployments": [{"id": 9, "sha": "abc"}]}))
    expected = r"deployments.json: deployment #1 \(9\): has no 'created_at'"
    with pytest.raises(InputError, match=expected):
        list(read_github_file(path, ReadContext()))


# -- every record checked against the shape the tool reads --------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"repo": "o/r", "commits": {"sha": "abc"}}, r"'commits' must be a list of objects"),
        ({"repo": ["o/r"], "commits": []}, r"'repo' must be a string"),
        ({"repo": "o/r", "commits": [1]}, r"commit #1: must be an object, not a number"),
        (
            {"repo": "o/r", "commits": [{"sha": "abc", "commit": "fix"}]},
            r"commit #1 \(abc\): field 'commit' must be an object, not a string",
        ),
        (
            {"repo": "o/r", "commits": [{"sha": "abc", "commit": {"message": 7}}]},
            r"commit #1 \(abc\): field 'commit.message' must be a string, not a number",
        ),
        (
            {"repo": "o/r", "pulls": [{"number": "12", "merged_at": "2024-05-01T10:00:00Z"}]},
            r"pull request #1 \(12\): field 'number' must be an integer, not a string",
        ),
        (
            {"repo": "o/r", "releases": [{"tag_name": "v1", "draft": "no"}]},
            r"release #1 \(v1\): field 'draft' must be true or false, not a string",
        ),
        (
            {
                "repo": "o/r",
                "deployments": [
                    {
                        "id": 9,
                        "created_at": "2024-05-01T10:00:00Z",
                        "statuses": [{"id": 1, "state": ["success"]}],
                    }
                ],
            },
            r"deployment #1 \(9\): field 'statuses\[0\].state' must be a string, not a list",
        ),
        (
            {"repo": "o/r", "deployments": [{"id": {"n": 9}, "created_at": "x"}]},
            r"deployment #1: field 'id' must be a string or an integer, not an object",
        ),
    ],
)
def test_a_wrong_type_or_missing_field_names_file_record_and_field(tmp_path, payload, message):
    path = tmp_path / "gh.json"
    path.write_text(json.dumps(payload))
    with pytest.raises(InputError, match=message) as error:
        list(read_github_file(path, ReadContext()))
    assert str(error.value).startswith(f"{path}: ")
