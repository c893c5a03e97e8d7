"""The Slack workspace export: users.json, channels.json and one file per channel and UTC day."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from example_incident.chat import INCIDENT_CHAT, STATUS_CHAT
from example_incident.story import (
    BOTS,
    DAY,
    INCIDENT_CHANNEL,
    INCIDENT_ID,
    INCIDENT_TITLE,
    MONITOR,
    PD_WEB,
    PEOPLE,
    STATUS_CHANNEL,
    TEAM,
    ZONE_LABELS,
    Ids,
    utc,
)

LINE = re.compile(r"^(?:(\d{4}-\d\d-\d\d) )?(\d\d:\d\d) (\w+)((?: \S+)*?) \|(?: (.*))?$")


def parse_chat(script: str) -> list[dict]:
    """The authored lines into plain records (continuation lines joined)."""
    records: list[dict] = []
    for raw in script.strip("\n").splitlines():
        if raw.startswith("  + "):
            records[-1]["text"] += "\n" + raw[4:]
            continue
        if raw.startswith("  "):
            records[-1]["text"] += " " + raw.strip()
            continue
        match = LINE.match(raw)
        if not match:
            raise ValueError(f"cannot read chat line: {raw!r}")
        day, clock, who, options, text = match.groups()
        record: dict[str, Any] = {
            "at": utc(f"{day or DAY} {clock}"),
            "who": who,
            "text": text or "",
            "reactions": [],
        }
        for option in options.split():
            if option.startswith("#"):
                record["starts"] = option[1:]
            elif option.startswith(">"):
                record["reply_to"] = option[1:]
            elif option.startswith("r:"):
                name, users = option[2:].split("=")
                record["reactions"].append((name, users.split(",")))
            elif option.startswith("e:"):
                record["edited"] = utc(f"{day or DAY} {option[2:]}")
            else:
                record[{"^": "broadcast"}.get(option, option)] = True
        records.append(record)
    return records


def slack_ts(micros: int) -> str:
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def stamp(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000


def draw_times(records: list[dict], ids: Ids) -> None:
    """Strictly increasing ts within the minute each line names (later if the minute is full)."""
    previous = 0
    for record in records:
        micros = stamp(record["at"]) + ids.rng.randint(0, 25) * 1_000_000
        micros = max(micros, previous + ids.rng.randint(3, 11) * 1_000_000)
        micros += ids.rng.randint(0, 999_999)
        record["ts"] = slack_ts(micros)
        previous = micros - micros % 1_000_000
        if "edited" in record:
            edit = max(stamp(record["edited"]), micros + 5_000_000) + ids.rng.randint(0, 59_999_999)
            record["edited_ts"] = slack_ts(edit)


def user_profile(key: str, ids: Ids) -> dict:
    slack_id, handle, real, display, *_ = PEOPLE[key]
    avatar = ids.hex(12)
    return {
        "avatar_hash": avatar,
        "image_72": f"https://avatars.slack-edge.com/2026-01-05/{slack_id[-6:]}_{avatar}_72.jpg",
        "first_name": real.split()[0],
        "real_name": real,
        "display_name": display,
        "team": TEAM,
        "name": handle,
        "is_restricted": False,
        "is_ultra_restricted": False,
    }


SLACK_MARKUP = re.compile(r"(<(?:https?://|@|#)[^>]*>)")


def markup(text: str) -> str:
    """Authored text as Slack stores it: mentions and channel links in ``<...>``, and every
    other ``&``, ``<`` and ``>`` escaped as an HTML entity."""
    text = re.sub(
        r"@(\w+)",
        lambda m: f"<@{PEOPLE[m.group(1)][0]}>" if m.group(1) in PEOPLE else m.group(0),
        text,
    )
    for ident, name in (INCIDENT_CHANNEL, STATUS_CHANNEL):
        text = text.replace(f"#{name}", f"<#{ident}|{name}>")
    parts = SLACK_MARKUP.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(parts)


def bot_message(record: dict) -> dict:
    user_id, bot_id, name, app_id = BOTS[record["who"]]
    text = markup(record["text"])
    if record["who"] == "pagerduty":
        title, link, color = (
            f"#2231 {INCIDENT_TITLE}",
            f"{PD_WEB}/incidents/{INCIDENT_ID}",
            "a80000",
        )
    else:
        title, link = MONITOR, "https://app.datadoghq.com/monitors/48213907"
        color = "2eb67d" if record["text"].startswith("Recovered") else "e01e5a"
    return {
        "type": "message",
        "subtype": "bot_message",
        "text": text,
        "ts": record["ts"],
        "username": name,
        "bot_id": bot_id,
        "bot_profile": {
            "id": bot_id,
            "app_id": app_id,
            "name": name,
            "deleted": False,
            "team_id": TEAM,
        },
        "attachments": [
            {
                "id": 1,
                "color": color,
                "fallback": text,
                "title": title,
                "title_link": link,
                "text": text,
            }
        ],
    }


def slack_messages(
    records: list[dict], channel_id: str, ids: Ids, profiles: dict[str, dict]
) -> list[dict]:
    parents = {r["starts"]: r for r in records if "starts" in r}
    messages = []
    for record in records:
        who = record["who"]
        if record.get("bot"):
            messages.append(bot_message(record))
            continue
        slack_id = PEOPLE[who][0]
        if record.get("join"):
            messages.append(
                {
                    "type": "message",
                    "subtype": "channel_join",
                    "ts": record["ts"],
                    "user": slack_id,
                    "text": f"<@{slack_id}> has joined the channel",
                }
            )
            continue
        message: dict[str, Any] = {
            "client_msg_id": ids.uuid(),
            "type": "message",
            "text": markup(record["text"]),
            "user": slack_id,
            "ts": record["ts"],
            "team": TEAM,
            "user_team": TEAM,
            "source_team": TEAM,
            "user_profile": profiles[who],
        }
        if "edited_ts" in record:
            message["edited"] = {"user": slack_id, "ts": record["edited_ts"]}
        if "starts" in record:
            replies = [r for r in records if r.get("reply_to") == record["starts"]]
            users = list(dict.fromkeys(PEOPLE[r["who"]][0] for r in replies))
            message.update(
                {
                    "thread_ts": record["ts"],
                    "reply_count": len(replies),
                    "reply_users_count": len(users),
                    "latest_reply": replies[-1]["ts"],
                    "reply_users": users,
                    "is_locked": False,
                    "subscribed": False,
                    "replies": [{"user": PEOPLE[r["who"]][0], "ts": r["ts"]} for r in replies],
                }
            )
        if "reply_to" in record:
            parent = parents[record["reply_to"]]
            message.update({"thread_ts": parent["ts"], "parent_user_id": PEOPLE[parent["who"]][0]})
            if record.get("broadcast"):
                message["subtype"] = "thread_broadcast"
                message["root"] = {
                    "type": "message",
                    "user": PEOPLE[parent["who"]][0],
                    "text": markup(parent["text"]),
                    "ts": parent["ts"],
                    "thread_ts": parent["ts"],
                }
        if record.get("pin"):
            message["pinned_to"] = [channel_id]
        if record["reactions"]:
            message["reactions"] = [
                {"name": name, "users": [PEOPLE[u][0] for u in users], "count": len(users)}
                for name, users in record["reactions"]
            ]
        messages.append(message)
    return messages


def day_files(messages: list[dict]) -> dict[str, list[dict]]:
    """Messages grouped by the UTC date of their ts, each day in ts order."""
    days: dict[str, list[dict]] = {}
    for message in sorted(messages, key=lambda m: (int(m["ts"].split(".")[0]), m["ts"])):
        seconds = int(message["ts"].split(".")[0])
        days.setdefault(datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d"), []).append(
            message
        )
    return days


def users(ids: Ids, profiles: dict[str, dict]) -> list[dict]:
    reference = utc(f"{DAY} 14:00:00")
    members = []
    for key, (slack_id, handle, real, display, title, zone, _) in PEOPLE.items():
        profile = profiles[key]
        offset = reference.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
        members.append(
            {
                "id": slack_id,
                "team_id": TEAM,
                "name": handle,
                "deleted": False,
                "color": ids.hex(6),
                "real_name": real,
                "tz": zone,
                "tz_label": ZONE_LABELS[zone],
                "tz_offset": int(offset.total_seconds()),
                "profile": {
                    "title": title,
                    "phone": "",
                    "skype": "",
                    "real_name": real,
                    "real_name_normalized": real,
                    "display_name": display,
                    "display_name_normalized": display,
                    "status_text": "",
                    "status_emoji": "",
                    "avatar_hash": profile["avatar_hash"],
                    "email": f"{handle}@acme.example",
                    "first_name": profile["first_name"],
                    "last_name": real.split()[-1],
                    "image_72": profile["image_72"],
                    "team": TEAM,
                },
                "is_admin": key == "marco",
                "is_owner": False,
                "is_primary_owner": False,
                "is_restricted": False,
                "is_ultra_restricted": False,
                "is_bot": False,
                "is_app_user": False,
                "updated": 1767225600 + ids.rng.randint(0, 20_000_000),
            }
        )
    for user_id, bot_id, name, app_id in BOTS.values():
        members.append(
            {
                "id": user_id,
                "team_id": TEAM,
                "name": name.lower(),
                "deleted": False,
                "real_name": name,
                "tz": "America/Los_Angeles",
                "tz_label": ZONE_LABELS["America/Los_Angeles"],
                "tz_offset": -25200,
                "profile": {
                    "real_name": name,
                    "real_name_normalized": name,
                    "display_name": "",
                    "display_name_normalized": "",
                    "bot_id": bot_id,
                    "api_app_id": app_id,
                    "always_active": True,
                    "team": TEAM,
                },
                "is_admin": False,
                "is_owner": False,
                "is_primary_owner": False,
                "is_restricted": False,
                "is_ultra_restricted": False,
                "is_bot": True,
                "is_app_user": False,
                "updated": 1767225600,
            }
        )
    return members


def channel_entry(
    ident: str,
    name: str,
    created: int,
    creator: str,
    members: list[str],
    topic: str,
    purpose: str,
    pins: list[dict],
) -> dict:
    entry = {
        "id": ident,
        "name": name,
        "created": created,
        "creator": creator,
        "is_archived": False,
        "is_general": False,
        "members": members,
        "topic": {"value": topic, "creator": creator, "last_set": created},
        "purpose": {"value": purpose, "creator": creator, "last_set": created},
    }
    if pins:
        entry["pins"] = pins
    return entry


def slack_export(ids: Ids) -> dict[str, Any]:
    """Every file of the export folder, by relative path."""
    profiles = {key: user_profile(key, ids) for key in PEOPLE}
    files: dict[str, Any] = {"users.json": users(ids, profiles)}
    channels = []
    for (ident, name), script in ((INCIDENT_CHANNEL, INCIDENT_CHAT), (STATUS_CHANNEL, STATUS_CHAT)):
        records = parse_chat(script)
        draw_times(records, ids)
        messages = slack_messages(records, ident, ids, profiles)
        for day, day_messages in day_files(messages).items():
            files[f"{name}/{day}.json"] = day_messages
        members = list(dict.fromkeys(PEOPLE[r["who"]][0] for r in records if r["who"] in PEOPLE))
        pins = [
            {
                "id": m["ts"],
                "type": "C",
                "created": int(m["ts"].split(".")[0]) + 40,
                "user": m["user"],
                "owner": m["user"],
            }
            for m in messages
            if "pinned_to" in m
        ]
        if name == INCIDENT_CHANNEL[1]:
            created = int(records[0]["ts"].split(".")[0]) - 2
            channels.append(
                channel_entry(
                    ident,
                    name,
                    created,
                    members[0],
                    members + [BOTS["pagerduty"][0]],
                    "PagerDuty #2231 Checkout API elevated 5xx errors | IC: Marco Silva",
                    "Incident response for PagerDuty #2231",
                    pins,
                )
            )
        else:
            channels.append(
                channel_entry(
                    ident,
                    name,
                    1609459200,
                    PEOPLE["david"][0],
                    members + [PEOPLE["marco"][0]],
                    "Customer-facing status updates, mirrored from the status page",
                    "First place to post incident communications",
                    pins,
                )
            )
    files["channels.json"] = channels
    return files
