"""The GitHub payloads: deployments with their statuses, commits and pull requests."""

from __future__ import annotations

from example_incident.story import (
    BAD_SHA,
    DAY,
    GITHUB_USERS,
    GOOD_SHA,
    OLDER_SHA,
    POOL_CHANGE_TITLE,
    REPO,
    REVERT_SHA,
    Ids,
    iso_z,
    utc,
)


def gh_user(login: str) -> dict:
    ident, kind = GITHUB_USERS[login]
    api = f"https://api.github.com/users/{login}"
    return {
        "login": login,
        "id": ident,
        "node_id": f"MDQ6VXNlcj{ident}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{ident}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"https://github.com/{login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": kind,
        "site_admin": False,
    }


API_REPO = f"https://api.github.com/repos/{REPO}"

# fmt: off
# id, sha, ref, description, creator, created, [(state, time, description)]
DEPLOYMENTS = [
    (2260481155, GOOD_SHA, "main", f"Deploy {GOOD_SHA[:7]} to production", "acme-deployer[bot]",
     "2026-10-13 17:58:02", [("in_progress", "2026-10-13 17:58:30", "Rolling out 80 pods"),
                             ("success", "2026-10-13 18:02:51", "Deployment finished.")]),
    (2262113870, BAD_SHA, "main", f"Deploy {BAD_SHA[:7]} to production", "acme-deployer[bot]",
     f"{DAY} 14:08:05", [("in_progress", f"{DAY} 14:08:31", "Rolling out 80 pods"),
                         ("success", f"{DAY} 14:10:12", "Deployment finished.")]),
    (2262207431, GOOD_SHA, GOOD_SHA, f"Rollback to {GOOD_SHA[:7]}", "tbrooks",
     f"{DAY} 15:01:47", [("in_progress", f"{DAY} 15:02:10", "Rolling out 80 pods"),
                         ("success", f"{DAY} 15:05:34", "Deployment finished.")]),
    (2262499016, REVERT_SHA, "main", f"Deploy {REVERT_SHA[:7]} to production",
     "acme-deployer[bot]", f"{DAY} 16:20:40",
     [("in_progress", f"{DAY} 16:21:02", "Rolling out 80 pods"),
      ("success", f"{DAY} 16:24:48", "Deployment finished.")]),
]
# fmt: on


def deployments(ids: Ids) -> list[dict]:
    """Newest first, as the API lists them, each with its statuses (newest first) embedded."""
    out = []
    for ident, sha, ref, description, creator, created, statuses in DEPLOYMENTS:
        url = f"{API_REPO}/deployments/{ident}"
        run = ids.rng.randint(11_000_000_000, 11_999_999_999)
        status_list = []
        for number, (state, at, text) in enumerate(statuses, start=1):
            status_id = ident * 10 + number
            status_list.append(
                {
                    "url": f"{url}/statuses/{status_id}",
                    "id": status_id,
                    "node_id": "DES_kwDO"
                    + ids.token(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"),
                    "state": state,
                    "creator": gh_user("acme-deployer[bot]"),
                    "description": text,
                    "environment": "production",
                    "target_url": f"https://github.com/{REPO}/actions/runs/{run}",
                    "created_at": iso_z(utc(at)),
                    "updated_at": iso_z(utc(at)),
                    "deployment_url": url,
                    "repository_url": API_REPO,
                    "environment_url": "https://checkout.acme.example",
                    "log_url": f"https://github.com/{REPO}/actions/runs/{run}",
                    "performed_via_github_app": None,
                }
            )
        out.append(
            {
                "url": url,
                "id": ident,
                "node_id": "DE_kwDO" + ids.token(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"),
                "sha": sha,
                "ref": ref,
                "task": "deploy",
                "payload": {},
                "original_environment": "production",
                "environment": "production",
                "description": description,
                "creator": gh_user(creator),
                "created_at": iso_z(utc(created)),
                "updated_at": iso_z(utc(statuses[-1][1])),
                "statuses_url": f"{url}/statuses",
                "repository_url": API_REPO,
                "transient_environment": False,
                "production_environment": True,
                "performed_via_github_app": None,
                "statuses": status_list[::-1],
            }
        )
    return out[::-1]


# fmt: off
# sha, parent, author login, name, authored, committed, message
COMMITS = [
    (OLDER_SHA, "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b", "aokafor", "Amara Okafor",
     "2026-10-12 15:48:10", "2026-10-12 16:03:44", "Add request id to checkout error logs (#4805)"),
    (GOOD_SHA, OLDER_SHA, "tbrooks", "Tom Brooks", "2026-10-13 17:20:05", "2026-10-13 17:41:19",
     "Bump stripe-python to 11.2.0 (#4809)"),
    (BAD_SHA, GOOD_SHA, "jmorales", "Jordan Morales", "2026-10-13 21:40:55",
     f"{DAY} 13:52:31", f"{POOL_CHANGE_TITLE} (#4812)\n\nRecycle database connections sooner so "
     "that pools drain faster after a primary failover."),
    (REVERT_SHA, BAD_SHA, "aokafor", "Amara Okafor", f"{DAY} 15:17:02", f"{DAY} 15:24:47",
     f'Revert "{POOL_CHANGE_TITLE} (#4812)" (#4815)\n\nThis reverts commit {BAD_SHA}.\n\n'
     "Production was rolled back to a1b2c3d during incident 2231; this brings main in line."),
]
# fmt: on


def commits(ids: Ids) -> list[dict]:
    """Newest first (git log order from main)."""
    out = []
    for sha, parent, login, name, authored, committed, message in COMMITS:
        email = f"{name.split()[0].lower()}@acme.example"
        out.append(
            {
                "url": f"{API_REPO}/commits/{sha}",
                "sha": sha,
                "node_id": "C_kwDO"
                + ids.token(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456789"),
                "html_url": f"https://github.com/{REPO}/commit/{sha}",
                "comments_url": f"{API_REPO}/commits/{sha}/comments",
                "commit": {
                    "url": f"{API_REPO}/git/commits/{sha}",
                    "author": {"name": name, "email": email, "date": iso_z(utc(authored))},
                    "committer": {
                        "name": "GitHub",
                        "email": "noreply@github.com",
                        "date": iso_z(utc(committed)),
                    },
                    "message": message,
                    "tree": {"url": f"{API_REPO}/git/trees/{(t := ids.hex(40))}", "sha": t},
                    "comment_count": 0,
                    "verification": {
                        "verified": True,
                        "reason": "valid",
                        "signature": None,
                        "payload": None,
                        "verified_at": iso_z(utc(committed)),
                    },
                },
                "author": gh_user(login),
                "committer": {},
                "parents": [{"url": f"{API_REPO}/commits/{parent}", "sha": parent}],
            }
        )
    return out[::-1]


# fmt: off
# number, title, author, head branch, created, closed, merged, merge sha, body
PULLS = [
    (4812, POOL_CHANGE_TITLE, "jmorales", "jm/pool-lifetime",
     "2026-10-13 21:44:10", f"{DAY} 13:52:31", f"{DAY} 13:52:31", BAD_SHA,
     "Recycle connections sooner so pools drain faster after a failover. Tested in staging."),
    (4814, "Raise pgbouncer max_client_conn for checkout_db", "rIyer-db", "ri/pgb-client-conn",
     f"{DAY} 14:56:18", f"{DAY} 15:09:02", None, None,
     "Option (b) from incident 2231, only if the rollback does not help."),
    (4815, f'Revert "{POOL_CHANGE_TITLE} (#4812)"', "aokafor", "revert-4812",
     f"{DAY} 15:17:40", f"{DAY} 15:24:47", f"{DAY} 15:24:47", REVERT_SHA,
     "Brings main in line with production after the rollback during incident 2231."),
    (4816, "Add monitor for pgbouncer client wait queue", "kwatanabe", "kw/pgb-cl-waiting",
     f"{DAY} 16:04:51", None, None, None,
     "Draft: page when cl_waiting stays above 100 for 5 minutes."),
]
# fmt: on


def repo_object() -> dict:
    return {
        "id": 587214410,
        "node_id": "R_kgDOIL2ySg",
        "name": "checkout-api",
        "full_name": REPO,
        "private": True,
        "owner": gh_user("acme"),
        "html_url": f"https://github.com/{REPO}",
        "description": "Checkout service",
        "fork": False,
        "url": API_REPO,
        "default_branch": "main",
        "visibility": "private",
    }


def pulls(ids: Ids) -> list[dict]:
    out = []
    for number, title, login, branch, created, closed, merged, merge_sha, body in PULLS:
        head = ids.hex(40)
        url = f"{API_REPO}/pulls/{number}"
        out.append(
            {
                "url": url,
                "id": 2100000000 + number,
                "node_id": "PR_kwDO"
                + ids.token(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456789"),
                "html_url": f"https://github.com/{REPO}/pull/{number}",
                "diff_url": f"https://github.com/{REPO}/pull/{number}.diff",
                "patch_url": f"https://github.com/{REPO}/pull/{number}.patch",
                "issue_url": f"{API_REPO}/issues/{number}",
                "commits_url": f"{url}/commits",
                "review_comments_url": f"{url}/comments",
                "review_comment_url": f"{API_REPO}/pulls/comments{{/number}}",
                "comments_url": f"{API_REPO}/issues/{number}/comments",
                "statuses_url": f"{API_REPO}/statuses/{head}",
                "number": number,
                "state": "closed" if closed else "open",
                "locked": False,
                "title": title,
                "user": gh_user(login),
                "body": body,
                "labels": [],
                "milestone": None,
                "active_lock_reason": None,
                "created_at": iso_z(utc(created)),
                "updated_at": iso_z(utc(closed or created)),
                "closed_at": iso_z(utc(closed)) if closed else None,
                "merged_at": iso_z(utc(merged)) if merged else None,
                "merge_commit_sha": merge_sha or ids.hex(40),
                "assignee": None,
                "assignees": [],
                "requested_reviewers": [],
                "requested_teams": [],
                "head": {
                    "label": f"acme:{branch}",
                    "ref": branch,
                    "sha": head,
                    "user": gh_user(login),
                    "repo": repo_object(),
                },
                "base": {
                    "label": "acme:main",
                    "ref": "main",
                    "sha": GOOD_SHA,
                    "user": gh_user(login),
                    "repo": repo_object(),
                },
                "_links": {
                    "self": {"href": url},
                    "html": {"href": f"https://github.com/{REPO}/pull/{number}"},
                    "issue": {"href": f"{API_REPO}/issues/{number}"},
                    "comments": {"href": f"{API_REPO}/issues/{number}/comments"},
                    "review_comments": {"href": f"{url}/comments"},
                    "review_comment": {"href": f"{API_REPO}/pulls/comments{{/number}}"},
                    "commits": {"href": f"{url}/commits"},
                    "statuses": {"href": f"{API_REPO}/statuses/{head}"},
                },
                "author_association": "MEMBER",
                "auto_merge": None,
                "draft": number == 4816,
            }
        )
    return out[::-1]
