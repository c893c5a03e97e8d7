"""Checking a postmortem draft against the blameless rubric and, given one, against its bundle.

:func:`review_draft` reads the draft's Markdown structure once (headings, sections, tables),
runs each rubric rule of :mod:`timeline.review.rubric` over it, and, with a bundle, checks the
timeline rows and key timestamps against the recorded events. The bundle is indexed by ref
once, so a long draft against a large bundle stays fast.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import timeline.review.rubric as rubric
from ingest.config import RedactionSettings
from ingest.errors import InputError, UsageError
from ingest.redact import redact_text
from ingest.vocab import CHAT_KINDS, has_tag
from timeline.bundle import Bundle
from timeline.review.against_bundle import cross_check
from timeline.review.draft import Draft, is_more_row, row_ref_cells, timeline_tables
from timeline.review.rubric import Finding, finding

__all__ = ["Finding", "format_findings", "has_errors", "read_draft", "review_draft"]

_BULLET = re.compile(r"^ ?(?:[-*+]|\d+[.)])\s+")
_MARKER = re.compile(r"\[REDACTED:([\w-]+)\]")
# "TK — author to confirm", "TK:" or a bare "TK" cell; not the word in prose ("TK marks ...").
_TK = re.compile(r"\bTK\b(?!\s*[A-Za-z])")


def review_draft(
    text: str, bundle: Bundle | None = None, *, redaction: RedactionSettings | None = None
) -> list[Finding]:
    """Check a postmortem draft against the rubric (and the bundle, if given); sorted by line.

    ``redaction`` is the project's redaction settings (custom patterns included); the default
    settings are used when it is None.
    """
    draft = Draft(text)
    actors = _people(bundle) if bundle is not None else frozenset()
    findings = [
        *_check_sections(draft),
        *_check_timeline_sources(draft),
        *_check_impact(draft),
        *_check_wording(draft, actors),
        *_check_factors(draft),
        *_check_actions(draft),
        *_check_secrets(text, redaction or RedactionSettings()),
        *_check_open_markers(draft),
    ]
    if bundle is not None:
        findings.extend(cross_check(draft, bundle))
    return sorted(findings, key=lambda f: f.line)


def read_draft(path: Path) -> str:
    """A draft's text; InputError naming the file when it cannot be read as UTF-8 text."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise InputError("draft not found; give the path of a Markdown file", path=path) from e
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text (byte {e.start}); save it as UTF-8", path=path) from e
    except OSError as e:
        raise InputError(f"cannot read the draft ({e.strerror})", path=path) from e


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is error-level (the review command then exits 1)."""
    return any(f.level == "error" for f in findings)


def format_findings(findings: list[Finding], fmt: str, *, path: str = "draft") -> str:
    """Findings as ``text`` (one line each, ``PATH:LINE: level [rule] ...``) or ``json``."""
    if fmt == "json":
        errors = sum(f.level == "error" for f in findings)
        document = {
            "draft": path,
            "errors": errors,
            "warnings": len(findings) - errors,
            "findings": [asdict(f) for f in findings],
        }
        return json.dumps(document, indent=2, ensure_ascii=False)
    if fmt == "text":
        lines = []
        for f in findings:
            line = f'{path}:{f.line}: {f.level} [{f.rule}] "{f.quote}" — {f.why}'
            lines.append(line + (f" (suggest: {f.suggestion})" if f.suggestion else ""))
        return "\n".join(lines)
    raise UsageError(f"unknown review format {fmt!r}; choose one of: text, json")


def _check_sections(draft: Draft) -> list[Finding]:
    found = []
    for key, name in rubric.REQUIRED_SECTIONS:
        section = draft.section(key)
        if section is None:
            hint = (
                " (or 'Customer impact avoided' for a near miss)"
                if key == "customer impact"
                else ""
            )
            found.append(
                finding(
                    "section-missing",
                    1,
                    f"## {name}",
                    f"the '{name}' section is missing{hint}",
                    f"add a '## {name}' heading and fill it in",
                )
            )
            continue
        content = [t for _, t in draft.content(section)]
        answer = re.sub(r"^\W*[-*+]\s*", "", " ".join(content)).strip().rstrip(".").lower()
        if key == "where we got lucky" and answer in rubric.EMPTY_ANSWERS:
            found.append(
                finding(
                    "lucky-empty",
                    section.line,
                    section.title,
                    "'Where we got lucky' is empty or says none: there is almost always something",
                    "list what went well by chance (timing, who was around, a safeguard that "
                    "happened to hold) so nobody relies on it next time",
                )
            )
        elif not content:
            found.append(
                finding(
                    "section-empty",
                    section.line,
                    section.title,
                    f"the '{name}' section is empty",
                    "write it, or say in one line why it does not apply",
                )
            )
    return found


def _check_timeline_sources(draft: Draft) -> list[Finding]:
    found = []
    for table in timeline_tables(draft)[1]:
        for line, cells in table.rows:
            if is_more_row(cells):
                continue
            refs = " ".join(row_ref_cells(table, cells))
            if not rubric.REF_PATTERN.search(rubric.plain(refs)) and "](" not in refs:
                found.append(
                    finding(
                        "timeline-source-missing",
                        line,
                        draft.lines[line - 1],
                        "timeline row has no source: every row needs an ID, SHA, link, "
                        "CHANNEL/ts or file:line",
                        "add the alert ID, commit SHA or message link this row comes from, or "
                        "mark it 'TK — author to confirm'",
                    )
                )
    return found


def _check_impact(draft: Draft) -> list[Finding]:
    section = draft.section("customer impact")
    if section is None:
        return []
    content = draft.content(section)
    found = []
    for line, text in content:
        for match in rubric.VAGUE_IMPACT.finditer(text):
            found.append(
                finding(
                    "impact-vague",
                    line,
                    match.group(0),
                    "impact described with an adjective instead of a number",
                    "give the count or rate and where it comes from: '2,340 checkout requests "
                    "failed (5xx), per the API dashboard'",
                )
            )
    body = " ".join(text for _, text in content)
    near_miss = section.key.startswith(rubric.NEAR_MISS_IMPACT)
    if not near_miss and content and not rubric.impact_has_number(body):
        found.append(
            finding(
                "impact-no-number",
                section.line,
                section.title,
                "customer impact has no number: how many users, requests or orders, for how long",
                "state the figures and their source (dashboard link, query, support tickets)",
            )
        )
    elif not near_miss and content and not rubric.impact_has_source(body):
        found.append(
            finding(
                "impact-unsourced",
                section.line,
                section.title,
                "impact figures do not say where they come from",
                "link the dashboard, query or ticket count that the numbers come from",
            )
        )
    return found


def _check_wording(draft: Draft, actors: frozenset[str]) -> list[Finding]:
    artifact_rows: set[int] = set()
    for table in draft.tables():
        if table.column("source") is not None:
            artifact_rows.update(line for line, _ in table.rows)
    found = []
    for index, line in enumerate(draft.lines):
        number = index + 1
        if draft.kinds[index] not in ("text", "heading") or number in artifact_rows:
            continue
        if line.lstrip().startswith(">"):
            continue  # a quotation from an artifact is recorded as it was said
        for rule, text in rubric.blame_matches(line, actors):
            found.append(finding(rule.rule, number, text, rule.why, rule.suggestion))
    return found


def _check_factors(draft: Draft) -> list[Finding]:
    section = draft.section("contributing factors")
    if section is None:
        return []
    subheadings = [s for s in draft.sections if section.line < s.line <= section.end]
    content = draft.content(section)
    bullets = [text for _, text in content if _BULLET.match(text)]
    paragraphs = sum(
        1 for i, (line, _) in enumerate(content) if i == 0 or content[i - 1][0] != line - 1
    )
    count = len(subheadings) or len(bullets) or paragraphs
    if count != 1 or all(_TK.search(text) for _, text in content):
        return []
    return [
        finding(
            "single-contributing-factor",
            section.line,
            section.title,
            "only one contributing factor: incidents come from several conditions together",
            "ask what else had to be true: missing guards, detection gaps, load, timing, "
            "tooling, documentation",
        )
    ]


def _check_actions(draft: Draft) -> list[Finding]:
    section = draft.section("action items")
    if section is None:
        return []
    tables = [t for t in draft.tables(section.start, section.end) if t.column("action") is not None]
    if not tables:
        return [
            finding(
                "action-items-table",
                section.line,
                section.title,
                "action items are not a table",
                "add a table: | Action | Type | Owner | Due |",
            )
        ]
    found = []
    for table in tables:
        columns = {
            "action": table.column("action"),
            "type": table.column("type"),
            "owner": table.column("owner"),
            "due": table.column("due", "date", "deadline"),
        }
        missing = [name for name, index in columns.items() if index is None]
        if missing:
            found.append(
                finding(
                    "action-items-table",
                    table.header_line,
                    draft.lines[table.header_line - 1],
                    f"the action items table has no {', '.join(missing)} column",
                    "use the columns Action | Type | Owner | Due",
                )
            )
            continue
        for line, cells in table.rows:
            found.extend(_check_action_row(line, cells, columns))
    return found


def _check_action_row(line: int, cells: list[str], columns: dict[str, int | None]) -> list[Finding]:
    def cell(name: str) -> str:
        index = columns[name]
        return cells[index] if index is not None and index < len(cells) else ""

    found = []
    action = rubric.plain(cell("action"))
    vague = rubric.vague_action(action) if action else "(empty)"
    if vague:
        found.append(
            finding(
                "action-vague",
                line,
                action or cell("action"),
                f"action item is not specific ('{vague}'): nobody can tell when it is done",
                "name the change to a system or process and its done state: 'add a p99 "
                "latency alert on checkout-api at 800 ms'",
            )
        )
    checks = (
        (
            "type",
            rubric.type_problem,
            "action-type",
            "set Type to Prevention, Detection or Mitigation",
        ),
        ("owner", rubric.owner_problem, "action-owner", "name one person who will drive it"),
        ("due", rubric.due_problem, "action-due", "give a date such as 2026-11-30"),
    )
    for name, check, rule, suggestion in checks:
        problem = check(cell(name))
        if problem:
            value = rubric.plain(cell(name)) or "(empty)"
            found.append(finding(rule, line, value, f"{name} '{value}' {problem}", suggestion))
    return found


def _check_secrets(text: str, settings: RedactionSettings) -> list[Finding]:
    redacted, redactions = redact_text(text, settings, ref="draft")
    if not redactions:
        return []
    before, after = text.splitlines(), redacted.splitlines()
    found = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        changed = "\n".join(after[j1:j2])
        # only the markers redaction just added: the author's own markers are fine
        added = Counter(_MARKER.findall(changed)) - Counter(
            _MARKER.findall("\n".join(before[i1:i2]))
        )
        for kind in sorted(added) or ["secret"]:
            personal = kind in rubric.PERSONAL_KINDS
            found.append(
                finding(
                    "unredacted-personal-data" if personal else "unredacted-secret",
                    i1 + 1,
                    changed,
                    f"the draft contains an unredacted {kind} (quoted here redacted)",
                    "name a role or alias instead"
                    if personal
                    else f"replace it with [REDACTED:{kind}] and rotate it if it is real",
                )
            )
    return found


def _check_open_markers(draft: Draft) -> list[Finding]:
    return [
        finding(
            "tk-open",
            index + 1,
            line,
            "a TK marker is still open",
            "confirm the fact from an artifact and replace the marker, or remove the line",
        )
        for index, line in enumerate(draft.lines)
        if draft.kinds[index] in ("text", "heading") and _TK.search(line)
    ]


def _people(bundle: Bundle) -> frozenset[str]:
    """Lower-cased names of the people who wrote in chat, for spotting a person named as cause."""
    frame = bundle.frame
    chat = frame["kind"].isin(CHAT_KINDS) & ~has_tag(frame["tags"], "bot", "system")
    names = frame.loc[chat, "actor"].dropna().unique()
    return frozenset(str(n).lower() for n in names if len(str(n)) >= 3)
