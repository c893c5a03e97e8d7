"""The rubric's checks on a draft's structure: sections, impact, factors, timeline, actions.

Each check takes the parsed :class:`~timeline.review.draft.Draft` and returns findings; the
wording and exposure checks live in their own modules.
"""

from __future__ import annotations

import re

import timeline.review.rubric as rubric
from timeline.review.draft import Draft, is_more_row, row_ref_cells, timeline_tables
from timeline.review.rubric import Finding, finding

_TK = re.compile(r"\bTK\b(?!\s*[A-Za-z])")
_NO_SOURCE = frozenset({"", "-", "—", "–", "n/a", "na", "none", "unknown", "?", "tbd"})


def check_sections(draft: Draft) -> list[Finding]:
    found = []
    for key, name in rubric.REQUIRED_SECTIONS:
        section = draft.section(key, rubric.SECTION_ALIASES.get(key, ()))
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


def check_timeline_sources(draft: Draft) -> list[Finding]:
    """Timeline rows with no source: an empty or dash Source cell, or no ref in any cell.

    A Source column may name its artifact in words ("deploy log", "Zendesk ticket"), as the
    seed examples do; without a Source column a row needs an ID, SHA, link, CHANNEL/ts or
    file:line somewhere after its time.
    """
    found = []
    for table in timeline_tables(draft)[1]:
        column = table.column("source", "ref", "link")
        for line, cells in table.rows:
            if is_more_row(cells):
                continue
            if column is not None:
                cell = rubric.plain(cells[column]) if column < len(cells) else ""
                has_source = cell.lower().strip(" .") not in _NO_SOURCE
            else:
                refs = " ".join(row_ref_cells(table, cells))
                has_source = bool(rubric.REF_PATTERN.search(rubric.plain(refs))) or "](" in refs
            if not has_source:
                found.append(
                    finding(
                        "timeline-source-missing",
                        line,
                        draft.lines[line - 1],
                        "timeline row has no source: every row needs an artifact (an ID, SHA, "
                        "link, CHANNEL/ts, file:line, or the artifact named in words)",
                        "add the alert ID, commit SHA or message link this row comes from, or "
                        "mark it 'TK — author to confirm'",
                    )
                )
    return found


def check_impact(draft: Draft) -> list[Finding]:
    section = draft.section("customer impact", rubric.SECTION_ALIASES["customer impact"])
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


def check_factors(draft: Draft) -> list[Finding]:
    section = draft.section("contributing factors")
    if section is None:
        return []
    subheadings = [s for s in draft.sections if section.line < s.line <= section.end]
    content = draft.content(section)
    rows = sum(len(t.rows) for t in draft.tables(section.start, section.end))
    blocks = [b for b in draft.blocks if section.line < b.line <= section.end]
    count = len(subheadings) or len(draft.items_in(section)) or rows or len(blocks)
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


def check_actions(draft: Draft) -> list[Finding]:
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
            found.extend(check_action_row(line, cells, columns, draft.lines[line - 1]))
    return found


def check_action_row(
    line: int, cells: list[str], columns: dict[str, int | None], row: str
) -> list[Finding]:
    """An action item's problems; an empty cell is quoted as its whole row."""

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
                action or row,
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
            "set Type to Prevention, Detection, Mitigation or Process",
        ),
        (
            "owner",
            rubric.owner_problem,
            "action-owner",
            "name the person, role or team who will drive it",
        ),
        ("due", rubric.due_problem, "action-due", "give a date such as 2026-11-30"),
    )
    for name, check, rule, suggestion in checks:
        problem = check(cell(name))
        if problem:
            value = rubric.plain(cell(name)) or "(empty)"
            quote = rubric.plain(cell(name)) or row
            found.append(finding(rule, line, quote, f"{name} '{value}' {problem}", suggestion))
    return found
