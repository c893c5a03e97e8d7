"""A planted secret of every kind reaches no file of the bundle."""

import json

import pandas as pd
from click.testing import CliRunner

from tests.ingest.test_redact import PLANTED
from timeline.cli import main


def test_no_planted_secret_reaches_any_bundle_file(tmp_path):
    table = tmp_path / "events.jsonl"
    with table.open("w") as out:
        for i, (_kind, text, _secret, _kept) in enumerate(PLANTED):
            out.write(
                json.dumps(
                    {
                        "time": f"2026-10-14T14:{i % 60:02d}:00Z",
                        "event": text,
                        "actor": "on-call",
                        "url": "https://status.example.com/x",
                    }
                )
                + "\n"
            )
    result = CliRunner().invoke(
        main, ["pull", "--from", str(table), "--id", "INC-1", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    bundle = tmp_path / "out" / "INC-1"
    contents = {path.name: path.read_bytes() for path in bundle.iterdir()}
    assert set(contents) == {"events.csv", "events.parquet", "summary.json", "timeline.md"}
    for kind, _text, secret, _kept in PLANTED:
        for name, data in contents.items():
            assert secret.encode() not in data, f"{kind} secret found in {name}"
    # Parquet pages may be compressed: check its decoded text too.
    frame = pd.read_parquet(bundle / "events.parquet")
    decoded = "\n".join(str(value) for value in frame.to_numpy().ravel())
    for kind, _text, secret, _kept in PLANTED:
        assert secret not in decoded, f"{kind} secret found in events.parquet"
    summary = json.loads(contents["summary.json"])
    reported = {finding["kind"] for finding in summary["redactions"]}
    assert {kind for kind, *_ in PLANTED} <= reported
