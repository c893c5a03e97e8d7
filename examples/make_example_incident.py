#!/usr/bin/env python3
"""Write the bundled example incident under ``timeline/example/``.

The incident is fictional: PagerDuty #2231 (PXM2K7Q), "Checkout API elevated 5xx errors" at
the made-up company Acme on 2026-10-14. The story is authored here; a seeded random generator
fills only seconds, microseconds, hashes and message IDs, so two runs write identical bytes.

    python examples/make_example_incident.py [--out DIR]

Payloads follow the official shapes: PagerDuty incident and log entries, GitHub deployments
(with their statuses embedded), commits and pulls, and an unpacked Slack workspace export.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

# A sibling package of this script (the script's folder is on sys.path when it runs).
from example_incident.github import commits, deployments, pulls
from example_incident.pagerduty import incident, log_entries
from example_incident.slack import slack_export
from example_incident.story import (
    GOOD_SHA,
    INCIDENT_CHANNEL,
    REPO,
    SEED,
    STATUS_CHANNEL,
    WORKSPACE,
    Ids,
)

NOTES = """\
Incident 2231 - checkout errors - working notes (pasted from the incident doc)
Oct 14, 2026
Deploy of #4812 went out at 10:10 ET.
First customer complaint in Zendesk at 10:24.
Datadog alert fired at 10:31.
10:33 Priya acknowledged the page and opened the incident channel.
10:44 status page set to investigating.
10:48 escalated to the database on-call.
10:58 decided to roll back to a1b2c3d.
11:05 rollback deploy finished; error rate back to baseline a few minutes later.
11:12 Datadog monitor recovered.
11:48 resolved in PagerDuty.
Ask the load-test team how pool settings are exercised at production pod counts.
"""

CONFIG = f"""\
# Settings for the bundled example incident (fictional data under this folder).

[slack]
workspace_url = "{WORKSPACE}"
channels = ["{INCIDENT_CHANNEL[1]}"]
comms_channels = ["{STATUS_CHANNEL[1]}"]

[github]
repos = ["{REPO}"]
"""

README = f"""\
# Example incident: PagerDuty #2231, checkout-api

A fictional incident at a fictional company (Acme), written to show what postmortem-timeline
reads and produces. Every name, ID, URL and number here is made up; the Slack token in one
message is a fake, planted so that redaction has something to find.

Story (UTC, 2026-10-14): a deploy at 14:10 changes the checkout-api database pool settings;
checkout 5xx errors rise from about 14:12; the Datadog monitor pages the on-call at 14:31;
the database on-call is brought in at 14:48; a rollback to {GOOD_SHA[:7]} finishes at 15:05;
errors are back at baseline by about 15:09; the incident is resolved at 15:48.

| file | shape |
|---|---|
| `pagerduty-incident.json` | `GET /incidents/{{id}}` response |
| `pagerduty-log-entries.json` | `GET /incidents/{{id}}/log_entries` response (one page) |
| `github-deployments.json` | deployments of `{REPO}` with their statuses, plus commits and pulls |
| `slack-export/` | an unpacked Slack workspace export of two channels |
| `notes.txt` | notes pasted from an incident doc, in Eastern time |
| `postmortem.toml` | the configuration for this example |

The files are written by `examples/make_example_incident.py`; edit the script, not the files.
"""


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_example(out: Path) -> list[Path]:
    """Write every file of the example under ``out``; return the paths written."""
    ids = Ids(SEED)
    entries, trigger_id = log_entries(ids)
    files: dict[str, Any] = {
        "pagerduty-incident.json": incident(trigger_id),
        "pagerduty-log-entries.json": {
            "log_entries": entries,
            "limit": 100,
            "offset": 0,
            "more": False,
        },
        "github-deployments.json": {
            "repo": REPO,
            "deployments": deployments(ids),
            "commits": commits(ids),
            "pulls": pulls(ids),
        },
    }
    files.update({f"slack-export/{name}": data for name, data in slack_export(ids).items()})
    written = []
    for name, data in files.items():
        write_json(out / name, data)
        written.append(out / name)
    for name, text in (("notes.txt", NOTES), ("postmortem.toml", CONFIG), ("README.md", README)):
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    return written


def main() -> None:
    default = Path(__file__).resolve().parents[1] / "timeline" / "example"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default, help=f"folder (default {default})")
    args = parser.parse_args()
    written = write_example(args.out)
    size = sum(path.stat().st_size for path in written)
    print(f"wrote {len(written)} files, {size / 1024:.0f} KiB, under {args.out}")


if __name__ == "__main__":
    main()
