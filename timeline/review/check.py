"""Checking a postmortem draft against the blameless rubric and, given one, against its bundle.

:func:`review_draft` reads the draft's Markdown structure once (headings, sections, tables),
runs each rubric rule of :mod:`timeline.review.rubric` over it, and, with a bundle, checks the
timeline rows and key timestamps against the recorded events. The bundle is indexed by ref
once, so a long draft against a large bundle stays fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from msgspec.structs import asdict

import timeline.review.structure as structure
import timeline.review.wording as wording
from ingest.config import RedactionSettings
from ingest.errors import InputError, UsageError
from ingest.vocab import has_tag
from timeline.bundle import Bundle
from timeline.review.against_bundle import cross_check
from timeline.review.draft import Draft
from timeline.review.exposure import check_exposure
from timeline.review.rubric import Finding, finding

__all__ = ["Finding", "format_findings", "has_errors", "read_draft", "review_draft"]

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
        *structure.check_sections(draft),
        *structure.check_timeline_sources(draft),
        *structure.check_impact(draft),
        *_check_wording(draft, actors),
        *structure.check_factors(draft),
        *structure.check_actions(draft),
        *check_exposure(text, draft.lines, redaction or RedactionSettings()),
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
        notes = sum(f.level == "note" for f in findings)
        document = {
            "draft": path,
            "errors": errors,
            "warnings": len(findings) - errors - notes,
            "notes": notes,
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


def _check_wording(draft: Draft, actors: frozenset[str]) -> list[Finding]:
    """Blame and hindsight in prose and in every table cell but sources, once per line and rule."""
    pieces: list[tuple[int, str]] = [(b.line, b.text) for b in draft.blocks if not b.quoted]
    for table in draft.tables():
        skip = table.column("source", "ref", "link")
        for line, cells in table.rows:
            pieces.extend((line, cell) for i, cell in enumerate(cells) if i != skip)
    found: list[Finding] = []
    seen: set[tuple[str, int]] = set()
    for start, text in pieces:
        for hit in wording.find(text, actors):
            line = start + text.count("\n", 0, hit.offset)
            if (hit.rule, line) in seen:
                continue
            seen.add((hit.rule, line))
            found.append(finding(hit.rule, line, hit.words, hit.why, hit.suggestion))
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
    """Lower-cased names, and their single words, of the people the bundle knows."""
    frame = bundle.frame
    person = ~has_tag(frame["tags"], "bot", "system")
    names = {str(n).strip().lower() for n in frame.loc[person, "actor"].dropna().unique()}
    words = {w for n in names for w in n.split() if len(w) >= 3}
    return frozenset(n for n in names | words if len(n) >= 3)
