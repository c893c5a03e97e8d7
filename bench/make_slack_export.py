"""Write a synthetic Slack workspace export (folder, or ZIP with --zip) for benchmarks.

    python bench/make_slack_export.py OUT --messages 1000000 --days 365 [--channels 10]
                                          [--busiest-share 0.4] [--zip]

Messages look like a real export's: user_profile, blocks, threads (replies in the day file of
their own date), broadcasts, reactions, mentions, links, edits, joins, bot posts and file shares.
Day files are split on America/Los_Angeles dates, as recent exports are. Deterministic (--seed).
With --busiest-share, the first channel (channel-0) holds that share of the messages and the
others split the rest evenly, as an incident channel that lived for a year would.
"""

from __future__ import annotations

import argparse
import random
import shutil
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson

SPLIT_ZONE = ZoneInfo("America/Los_Angeles")
START = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)  # midnight Pacific
TEAM = "T0BENCH01"
WORDS = (
    "deploy rollback latency p99 error rate api gateway pods restart config flag canary "
    "database replica lag cache miss alert paging customer impact status page mitigated "
    "looking checking queue backlog retry timeout dns cert expiry disk full cpu memory"
).split()
REACTIONS = ("eyes", "white_check_mark", "pushpin", "rotating_light", "+1", "thinking_face")


def make_users(count: int, rng: random.Random) -> list[dict]:
    users = []
    for i in range(count):
        first, last = f"First{i}", f"Last{i}"
        users.append(
            {
                "id": f"U{i:08d}",
                "team_id": TEAM,
                "name": f"user{i}",
                "deleted": False,
                "real_name": f"{first} {last}",
                "tz": "America/Los_Angeles",
                "profile": {
                    "real_name": f"{first} {last}",
                    "display_name": f"{first.lower()}{i}" if rng.random() < 0.8 else "",
                    "first_name": first,
                    "last_name": last,
                    "team": TEAM,
                },
                "is_bot": False,
            }
        )
    return users


def make_text(rng: random.Random, users: list[dict], channels: list[dict]) -> str:
    words = rng.choices(WORDS, k=rng.randint(4, 24))
    roll = rng.random()
    if roll < 0.2:
        words.insert(rng.randrange(len(words) + 1), f"<@{rng.choice(users)['id']}>")
    elif roll < 0.25:
        words.append(f"<https://grafana.example.com/d/{rng.randrange(10**6)}|dashboard>")
    elif roll < 0.27:
        channel = rng.choice(channels)
        words.append(f"<#{channel['id']}|{channel['name']}>")
    elif roll < 0.29:
        words.append("&lt;none&gt; &amp; more")
    return " ".join(words)


def message(ts: str, user: dict, text: str) -> dict:
    profile = user["profile"]
    return {
        "client_msg_id": str(uuid.UUID(int=random.getrandbits(128))),
        "type": "message",
        "text": text,
        "user": user["id"],
        "ts": ts,
        "blocks": [
            {
                "type": "rich_text",
                "block_id": ts[-5:],
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                ],
            }
        ],
        "team": TEAM,
        "user_team": TEAM,
        "source_team": TEAM,
        "user_profile": {
            "avatar_hash": "g" + ts[-11:],
            "image_72": f"https://secure.gravatar.com/avatar/{user['id']}.jpg?s=72",
            "first_name": profile["first_name"],
            "real_name": profile["real_name"],
            "display_name": profile["display_name"],
            "team": TEAM,
            "name": user["name"],
            "is_restricted": False,
            "is_ultra_restricted": False,
        },
    }


def decorate(msg: dict, rng: random.Random, users: list[dict], day_msgs: list[dict]) -> None:
    """Turn a plain message into a reply, bot post, join, file share, edit, as real ones are."""
    roll = rng.random()
    parents = [m for m in day_msgs[-20:] if "thread_ts" not in m or m["thread_ts"] == m["ts"]]
    if roll < 0.15 and parents:
        parent = rng.choice(parents)
        parent.setdefault("thread_ts", parent["ts"])
        parent["reply_count"] = parent.get("reply_count", 0) + 1
        parent.setdefault("replies", []).append({"user": msg["user"], "ts": msg["ts"]})
        parent["latest_reply"] = msg["ts"]
        msg["thread_ts"] = parent["ts"]
        msg["parent_user_id"] = parent.get("user", "")
        if rng.random() < 0.1:
            msg["subtype"] = "thread_broadcast"
    elif roll < 0.17:
        for key in ("user", "user_profile", "client_msg_id", "user_team", "source_team"):
            msg.pop(key, None)
        msg["subtype"] = "bot_message"
        msg["bot_id"] = "B0ALERTS1"
        msg["username"] = "alertmanager"
    elif roll < 0.18:
        msg["subtype"] = "channel_join"
        msg["text"] = f"<@{msg['user']}> has joined the channel"
        msg.pop("blocks", None)
    elif roll < 0.20:
        msg["files"] = [{"id": f"F{rng.randrange(10**8):08d}", "name": "graph.png"}]
    if rng.random() < 0.05:
        sec, frac = msg["ts"].split(".")
        msg["edited"] = {"user": msg.get("user", ""), "ts": f"{int(sec) + 90}.{frac}"}
    if rng.random() < 0.10:
        name = rng.choice(REACTIONS)
        voters = [u["id"] for u in rng.sample(users, 2)]
        msg["reactions"] = [{"name": name, "users": voters, "count": len(voters)}]
    if rng.random() < 0.002:
        msg["pinned_to"] = ["C0000000"]


def channel_shares(messages: int, channel_count: int, busiest_share: float) -> list[int]:
    """Messages per channel: even, or the first channel holding ``busiest_share`` of them."""
    if channel_count == 1 or busiest_share <= 0:
        even, extra = divmod(messages, channel_count)
        return [even + (1 if i < extra else 0) for i in range(channel_count)]
    first = round(messages * busiest_share)
    rest = channel_shares(messages - first, channel_count - 1, 0)
    return [first, *rest]


def write_export(
    out: Path, messages: int, days: int, channel_count: int, seed: int, busiest_share: float = 0
) -> int:
    """Write the export folder; return its size in bytes."""
    rng = random.Random(seed)
    random.seed(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    users = make_users(200, rng)
    channels = [
        {"id": f"C{i:08d}", "name": f"channel-{i}", "created": 1700000000, "is_archived": False}
        for i in range(channel_count)
    ]
    (out / "users.json").write_bytes(orjson.dumps(users))
    (out / "channels.json").write_bytes(orjson.dumps(channels))
    for channel, total in zip(
        channels, channel_shares(messages, channel_count, busiest_share), strict=True
    ):
        per_day = total // days
        extra = total - per_day * days
        step = 86_400_000_000 // max(per_day + 1, 1)  # microseconds between messages
        folder = out / channel["name"]
        folder.mkdir()
        for day in range(days):
            count = per_day + (1 if extra > 0 else 0)
            extra -= 1 if extra > 0 else 0
            day_start = START + timedelta(days=day)
            day_msgs: list[dict] = []
            for i in range(count):
                when = day_start + timedelta(microseconds=i * step + rng.randrange(step))
                stamp = f"{int(when.timestamp())}.{when.microsecond:06d}"
                msg = message(stamp, rng.choice(users), make_text(rng, users, channels))
                decorate(msg, rng, users, day_msgs)
                day_msgs.append(msg)
            name = day_start.astimezone(SPLIT_ZONE).date().isoformat()
            (folder / f"{name}.json").write_bytes(orjson.dumps(day_msgs))
    return sum(p.stat().st_size for p in out.rglob("*.json"))


def zip_export(folder: Path, target: Path) -> None:
    """Pack an export folder as Slack does (deflated, names relative to the export root)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in sorted(folder.rglob("*.json")):
            archive.write(path, path.relative_to(folder).as_posix())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--busiest-share", type=float, default=0, help="share of the messages in channel-0"
    )
    parser.add_argument("--zip", action="store_true", help="also write OUT.zip")
    args = parser.parse_args()
    size = write_export(
        args.out, args.messages, args.days, args.channels, args.seed, args.busiest_share
    )
    print(f"wrote {args.messages:,} messages over {args.days} days to {args.out} ({size:,} bytes)")
    if args.zip:
        zip_export(args.out, args.out.with_suffix(".zip"))
        print(f"wrote {args.out.with_suffix('.zip')}")


if __name__ == "__main__":
    main()
