"""The live GitHub connector: PyGithub, built by ingest.clients, over real HTTP on loopback
against the fake GitHub. Pagination, retries and request counts are the library's own."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from ingest.clients import RetryLog, RetryPolicy, Secret, github_client
from ingest.config import GitHubSettings
from ingest.errors import ConfigError, SourceError
from ingest.github.live import github_targets, pull_github
from ingest.progress import Progress
from ingest.schema import concat, validate
from ingest.types import Window
from tests.fakes import GITHUB_TEST_TOKEN
from tests.fakes import github as gh

FAST = RetryPolicy(retries=2, backoff=0.01, max_wait=5)
REPO = "acme/checkout"
START = pd.Timestamp("2024-05-01T10:00:00Z")
END = pd.Timestamp("2024-05-01T12:00:00Z")
WINDOW = Window(START, END)
_OPENED: list = []


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    while _OPENED:
        _OPENED.pop().close()


def _settings(fake, **kw) -> GitHubSettings:
    return GitHubSettings(base_url=fake.base_url, **({"repos": (REPO,)} | kw))


def _pull(fake, *, settings=None, window=WINDOW, token=GITHUB_TEST_TOKEN, log=None, service=""):
    """Every frame pull_github yields, and the progress it reported."""
    settings = settings or _settings(fake)
    client = github_client(settings, Secret(token), policy=FAST, log=log)
    _OPENED.append(client)
    progress = Progress()
    frames = list(pull_github(client, settings, window, progress, service=service))
    for frame in frames:
        validate(frame)
    return frames, progress


def _at(minutes: float) -> str:
    """An ISO time ``minutes`` after the window start."""
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rows(frames, kind):
    frame = concat(frames)
    return frame[frame["kind"] == kind].reset_index(drop=True)


# -- pagination and request counts -----------------------------------------------------------


def test_a_listing_whose_last_page_is_full_costs_no_empty_page(fake_github):
    repo = fake_github.repo(REPO)
    repo.commits += [gh.commit(REPO, f"{i:040x}", committed_at=_at(i * 0.4)) for i in range(200)]
    frames, progress = _pull(fake_github)
    # The second page is full, but it has no "next" link: it is the last one.
    assert [r.arg("page") for r in fake_github.requests_to("/commits")] == ["1", "2"]
    assert sum(len(f) for f in frames if (f["kind"] == "commit").all()) == 200
    assert progress.sources["github"].requests == len(fake_github.requests)


@pytest.mark.parametrize("body", [{"message": "not a list"}, [1, 2], "text"])
def test_a_page_that_is_not_a_list_of_records_names_repo_and_listing(fake_github, body):
    fake_github.repo(REPO).odd["pulls"] = body
    with pytest.raises(SourceError, match=r"acme/checkout pulls: .*JSON array of objects"):
        _pull(fake_github)


def test_commits_follow_link_pages_and_yield_a_frame_per_page(fake_github):
    repo = fake_github.repo(REPO)
    repo.commits += [gh.commit(REPO, f"{i:040x}", committed_at=_at(i * 0.4)) for i in range(250)]
    frames, progress = _pull(fake_github)

    pages = fake_github.requests_to("/commits")
    assert [r.arg("page", "1") for r in pages] == ["1", "2", "3"]
    assert {r.arg("per_page") for r in pages} == {"100"}
    assert [len(f) for f in frames] == [100, 100, 50]
    assert set(_rows(frames, "commit")["ref"]) == {f"{i:040x}" for i in range(250)}
    # The repository is addressed lazily: no GET /repos/acme/checkout.
    assert [r.path for r in fake_github.requests if r.path.endswith(REPO)] == []
    assert progress.sources["github"].requests == len(fake_github.requests)
    assert progress.sources["github"].events == 250


def test_since_and_until_go_out_as_utc_even_from_a_zoned_window(fake_github):
    berlin = Window(
        pd.Timestamp("2024-05-01T12:00:00", tz="Europe/Berlin"),
        pd.Timestamp("2024-05-01T14:00:00", tz="Europe/Berlin"),
    )
    repo = fake_github.repo(REPO)
    repo.commits += [
        gh.commit(REPO, "1" * 40, committed_at="2024-05-01T09:59:00Z"),
        gh.commit(REPO, "2" * 40, committed_at="2024-05-01T10:30:00Z"),
        gh.commit(REPO, "3" * 40, committed_at="2024-05-01T12:30:00Z"),
    ]
    frames, _ = _pull(fake_github, window=berlin)
    [request] = fake_github.requests_to("/commits")
    assert request.arg("since") == "2024-05-01T10:00:00Z"
    assert request.arg("until") == "2024-05-01T12:00:00Z"
    assert list(_rows(frames, "commit")["ref"]) == ["2" * 40]


def test_branch_is_asked_for_by_name(fake_github):
    fake_github.repo(REPO)
    _pull(fake_github, settings=_settings(fake_github, branch="release-7"))
    [request] = fake_github.requests_to("/commits")
    assert request.arg("sha") == "release-7"


def test_deployments_stop_a_day_before_the_window_and_statuses_only_in_range(fake_github):
    repo = fake_github.repo(REPO)
    # One deployment an hour, newest first as GitHub lists them, from the window's end back
    # about ten days: three pages of 100 exist, but the first already reaches past a day.
    for i in range(250):
        deployment_id = 1000 - i
        repo.deployments.append(
            gh.deployment(REPO, deployment_id, sha=f"{i:040x}", created_at=_at(120 - 60 * i))
        )
        repo.statuses[deployment_id] = [
            gh.deployment_status(
                REPO, deployment_id, 1, state="success", created_at=_at(120 - 60 * i + 3)
            )
        ]
    frames, progress = _pull(fake_github)

    listing = [r for r in fake_github.requests_to("/deployments") if "statuses" not in r.path]
    assert [r.arg("page", "1") for r in listing] == ["1"]
    # Created from a day before the window start to its end: 26 h, one an hour, both ends in.
    statuses = [r for r in fake_github.requests if r.path.endswith("/statuses")]
    assert len(statuses) == 27
    assert all(r.arg("per_page") == "100" for r in statuses)
    succeeded = _rows(frames, "deploy.succeeded")
    assert len(succeeded) == 2  # 10:03 and 11:03; the 12:00 deployment's status is at 12:03
    assert succeeded["ts"].between(START, END).all()
    assert progress.sources["github"].requests == len(fake_github.requests)


def test_deployments_filtered_by_environment(fake_github):
    repo = fake_github.repo(REPO)
    for deployment_id, environment in ((2, "staging"), (1, "production")):
        repo.deployments.append(
            gh.deployment(
                REPO, deployment_id, sha="a" * 40, created_at=_at(10), environment=environment
            )
        )
        repo.statuses[deployment_id] = [
            gh.deployment_status(REPO, deployment_id, 7, state="failure", created_at=_at(12))
        ]
    frames, _ = _pull(fake_github, settings=_settings(fake_github, environments=("production",)))

    listing = [r for r in fake_github.requests_to("/deployments") if "statuses" not in r.path]
    assert [r.arg("environment") for r in listing] == ["production"]
    failed = _rows(frames, "deploy.failed")
    assert list(failed["ref"]) == [f"{REPO}@1/7"]
    assert failed["summary"].str.contains("production").all()
    assert not fake_github.requests_to("/deployments/2/")


def test_redeploy_of_an_older_sha_is_tagged_using_history_before_the_window(fake_github):
    repo = fake_github.repo(REPO)
    history = [
        (3, "a" * 40, _at(30)),  # in the window: puts back what ran before b
        (2, "b" * 40, _at(-120)),
        (1, "a" * 40, _at(-60 * 30)),  # more than a day before: history only
    ]
    for deployment_id, sha, created_at in history:
        repo.deployments.append(gh.deployment(REPO, deployment_id, sha=sha, created_at=created_at))
    repo.statuses[3] = [gh.deployment_status(REPO, 3, 9, state="success", created_at=_at(33))]
    frames, _ = _pull(fake_github)

    deploys = concat(frames)
    deploys = deploys[deploys["kind"].str.startswith("deploy.")]
    assert list(deploys["ref"]) == [f"{REPO}@3/9"]
    assert list(deploys["tags"]) == ["rollback"]
    # Statuses are asked for from a day before the window only.
    statuses = [r.path.split("/")[-2] for r in fake_github.requests if "statuses" in r.path]
    assert statuses == ["3", "2"]


def test_merged_pulls_stop_at_the_window_start_and_unmerged_are_dropped(fake_github):
    repo = fake_github.repo(REPO)
    # Stored oldest first; the connector asks for most recently updated first.
    repo.pulls += [
        gh.pull(REPO, n, merged_at=_at(-600 - n), updated_at=_at(-600 - n)) for n in range(150)
    ]
    repo.pulls += [
        gh.pull(REPO, 500 + n, merged_at=_at(n), updated_at=_at(n + 200)) for n in range(110)
    ]
    repo.pulls.append(gh.pull(REPO, 900, merged_at=None, updated_at=_at(5)))
    repo.pulls.append(gh.pull(REPO, 901, merged_at=None, state="open", updated_at=_at(6)))
    repo.pulls.append(gh.pull(REPO, 902, merged_at=_at(-5), updated_at=_at(20)))
    frames, _ = _pull(fake_github)

    requests = fake_github.requests_to("/pulls")
    assert [r.arg("page", "1") for r in requests] == ["1", "2"]  # a third page exists
    assert {(r.arg("state"), r.arg("sort"), r.arg("direction")) for r in requests} == {
        ("closed", "updated", "desc")
    }
    merged = _rows(frames, "pr.merged")
    assert sorted(merged["ref"]) == sorted(f"{REPO}#{500 + n}" for n in range(110))
    assert merged["ts"].between(START, END).all()
    # merged_at comes from the listing: no GET /pulls/{number} per pull request.
    assert all(r.path.endswith("/pulls") for r in requests)


def test_releases_published_in_the_window_only(fake_github):
    repo = fake_github.repo(REPO)
    repo.releases += [
        gh.release(REPO, 3, tag="v2.0.1", published_at=_at(45)),
        gh.release(REPO, 2, tag="v2.1.0-draft", published_at=None),
        gh.release(REPO, 1, tag="v2.0.0", published_at=_at(-90)),
    ]
    frames, _ = _pull(fake_github)
    released = _rows(frames, "release.published")
    assert list(released["ref"]) == [f"{REPO}@v2.0.1"]
    assert released["ts"].iloc[0] == START + timedelta(minutes=45)


def test_releases_stop_after_a_whole_page_from_before_the_history(fake_github):
    repo = fake_github.repo(REPO)
    releases = [
        gh.release(REPO, 1000 - i, tag=f"v1.{i}", published_at=_at(-60 * 24 * 3 - i))
        for i in range(250)
    ]
    for record in releases:
        record["created_at"] = record["published_at"]
    repo.releases += releases
    frames, _ = _pull(fake_github)
    assert [r.arg("page", "1") for r in fake_github.requests_to("/releases")] == ["1"]
    assert _rows(frames, "release.published").empty


def test_commit_with_no_github_account_takes_the_git_author_name(fake_github):
    repo = fake_github.repo(REPO)
    nobody = gh.commit(REPO, "c" * 40, committed_at=_at(1), message="Hotfix timeout\n\nbody")
    nobody["author"] = None
    nobody["commit"]["author"]["name"] = "Build Bot"
    empty = gh.commit(REPO, "d" * 40, committed_at=_at(2), message='Revert "Add cache"')
    empty["author"] = {}
    empty["commit"]["author"]["name"] = "Ana Lima"
    repo.commits += [nobody, empty]
    frames, _ = _pull(fake_github)
    commits = _rows(frames, "commit").set_index("ref")
    assert commits.loc["c" * 40, "actor"] == "Build Bot"
    assert commits.loc["c" * 40, "summary"] == "Committed ccccccc: Hotfix timeout"
    assert commits.loc["d" * 40, "actor"] == "Ana Lima"
    assert commits.loc["d" * 40, "tags"] == "revert"


# -- retries ---------------------------------------------------------------------------------


def _some_of_everything(fake):
    repo = fake.repo(REPO)
    repo.deployments.append(gh.deployment(REPO, 5, sha="e" * 40, created_at=_at(20)))
    repo.statuses[5] = [gh.deployment_status(REPO, 5, 1, state="success", created_at=_at(22))]
    repo.commits += [gh.commit(REPO, f"{i:040x}", committed_at=_at(i)) for i in range(1, 4)]
    repo.pulls.append(gh.pull(REPO, 7, merged_at=_at(15), updated_at=_at(16)))
    repo.releases.append(gh.release(REPO, 3, tag="v9", published_at=_at(25)))


def test_a_429_with_retry_after_is_waited_out(fake_github):
    _some_of_everything(fake_github)
    clean, _ = _pull(fake_github)
    fake_github.reset_log()
    log = RetryLog()
    fake_github.fail_next(1, 429, path="/commits", retry_after="1")
    frames, progress = _pull(fake_github, log=log)
    pd.testing.assert_frame_equal(concat(frames), concat(clean))
    assert len(fake_github.requests_to("/commits")) == 2
    assert log.of("github") == [1.0]
    assert progress.sources["github"].requests == len(fake_github.requests) - 1


def test_a_5xx_is_retried_and_recovered(fake_github):
    _some_of_everything(fake_github)
    fake_github.fail_next(1, 502, path="/statuses", retry_after=None)
    frames, _ = _pull(fake_github)
    assert len(fake_github.requests_to("/statuses")) == 2
    assert list(_rows(frames, "deploy.succeeded")["ref"]) == [f"{REPO}@5/1"]
    assert len(concat(frames)) == 6  # one status, three commits, one merge, one release


# -- errors ----------------------------------------------------------------------------------


def _assert_no_token(error: SourceError, token: str = GITHUB_TEST_TOKEN) -> None:
    for text in (str(error), repr(error), error.url, repr(error.__dict__)):
        assert token not in text


def test_unknown_repository_says_so(fake_github):
    fake_github.repo(REPO)
    settings = _settings(fake_github, repos=(REPO, "acme/nope"))
    with pytest.raises(SourceError) as caught:
        _pull(fake_github, settings=settings)
    error = caught.value
    assert str(error).startswith(
        "github: repository acme/nope not found, or the token cannot see it"
    )
    assert error.status == 404
    assert error.url == f"{fake_github.base_url}/repos/acme/nope/deployments"
    _assert_no_token(error)


def test_bad_token_names_the_environment_variable(fake_github):
    fake_github.repo(REPO)
    wrong = "ghp_WRONGtoken999999999999999999999999"
    settings = _settings(fake_github, token_env="ACME_GITHUB_TOKEN")
    with pytest.raises(SourceError) as caught:
        _pull(fake_github, settings=settings, token=wrong)
    assert caught.value.status == 401
    assert "rejected the token in ACME_GITHUB_TOKEN" in str(caught.value)
    assert len(fake_github.requests) == 1  # no retries of a 401
    _assert_no_token(caught.value, wrong)
    _assert_no_token(caught.value)


def test_missing_permission_names_the_scope(fake_github):
    _some_of_everything(fake_github)
    fake_github.repo(REPO).forbidden.add("pulls")
    with pytest.raises(SourceError) as caught:
        _pull(fake_github)
    message = str(caught.value)
    assert caught.value.status == 403
    assert "may not read pulls of acme/checkout" in message
    assert "repo scope" in message and "Pull requests: read" in message
    assert "Resource not accessible by personal access token" in message
    _assert_no_token(caught.value)


def test_persistent_5xx_says_how_many_retries(fake_github):
    _some_of_everything(fake_github)
    fake_github.fail_next(50, 500, path="/releases", retry_after=None)
    with pytest.raises(SourceError) as caught:
        _pull(fake_github)
    assert str(caught.value) == (
        f"github: GitHub failed after {FAST.retries + 1} attempts ({FAST.retries} retries) "
        "(HTTP 500) on GET "
        f"/repos/{REPO}/releases; run again later"
    )
    assert caught.value.status == 500
    assert len(fake_github.requests_to("/releases")) == FAST.retries + 1
    _assert_no_token(caught.value)


def test_a_record_that_cannot_be_read_names_repo_and_listing(fake_github):
    repo = fake_github.repo(REPO)
    broken = gh.commit(REPO, "f" * 40, committed_at=_at(1))
    broken["sha"] = None
    repo.commits.append(broken)
    with pytest.raises(SourceError, match=r"acme/checkout commits: .*has no 'sha'"):
        _pull(fake_github)


# -- which repositories ----------------------------------------------------------------------


def test_service_entry_replaces_the_global_repos_and_keeps_the_rest(fake_github):
    fake_github.repo(REPO)
    fake_github.repo("acme/payments")
    settings = _settings(
        fake_github,
        environments=("production",),
        branch="main",
        services={"payments-api": {"repos": ["acme/payments"]}},
    )
    _pull(fake_github, settings=settings, service="payments-api")
    assert {r.path.split("/")[5] for r in fake_github.requests} == {"payments"}
    [listing] = fake_github.requests_to("/deployments")
    assert listing.arg("environment") == "production"
    assert fake_github.requests_to("/commits")[0].arg("sha") == "main"

    fake_github.reset_log()
    _pull(fake_github, settings=settings, service="other-service")
    assert {r.path.split("/")[5] for r in fake_github.requests} == {"checkout"}


def test_targets_from_settings():
    settings = GitHubSettings(
        repos=("acme/a",),
        environments=("production",),
        services={"svc": {"repos": ["acme/b", "acme/c"], "environments": [], "branch": "x"}},
    )
    assert github_targets(settings, "svc").repos == ("acme/b", "acme/c")
    assert github_targets(settings, "svc").environments == ()
    assert github_targets(settings, "svc").branch == "x"
    assert github_targets(settings).repos == ("acme/a",)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (GitHubSettings(), "no GitHub repositories to read: set github.repos"),
        (GitHubSettings(repos=("checkout",)), "github.repos entry 'checkout' is not owner/name"),
        (
            GitHubSettings(repos=("a/b",), services={"svc": {"repo": ["a/c"]}}),
            'unknown key github.services."svc".repo',
        ),
        (
            GitHubSettings(repos=("a/b",), services={"svc": {"repos": "a/c"}}),
            'github.services."svc".repos must be a list of strings',
        ),
        (
            GitHubSettings(repos=("a/b",), services={"svc": ["a/c"]}),
            'github.services."svc" must be a table',
        ),
    ],
)
def test_targets_refuse_bad_settings(settings, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        github_targets(settings, "svc")
