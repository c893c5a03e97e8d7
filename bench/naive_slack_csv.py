"""The script an SRE would write instead of the tool: the baseline of bench/bench_pull.py.

    python bench/naive_slack_csv.py EXPORT_FOLDER CHANNEL_NAME OUT.csv

Walks the channel's day files, turns each message's ``ts`` into a UTC time with dateutil (epoch
seconds to a date string, read back by dateutil's parser, as such scripts often do), sorts by
time and writes one CSV row per message (time, user, text). Plain per-row Python.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from dateutil import parser as dateparser


def main() -> None:
    folder, channel, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    rows = []
    for day_file in sorted((folder / channel).glob("*.json")):
        for message in json.loads(day_file.read_text(encoding="utf-8")):
            stamp = datetime.fromtimestamp(float(message["ts"]), tz=UTC).isoformat()
            when = dateparser.parse(stamp)
            rows.append((when, message.get("user", ""), message.get("text", "")))
    rows.sort(key=lambda row: row[0])
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["time", "user", "text"])
        for when, user, text in rows:
            writer.writerow([when.isoformat(), user, text])


if __name__ == "__main__":
    main()
