"""What a draft must not expose: secrets, personal data and customer identifiers, by line.

Secrets and personal data are found by the project's redaction rules (custom patterns
included), anywhere in the draft, code blocks and quoted logs too. Each finding names the line
that holds the value and quotes that line, redacted.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

import timeline.review.rubric as rubric
from ingest.config import RedactionSettings
from ingest.redact import redact_text
from timeline.review.rubric import Finding, finding

_MARKER = re.compile(r"\[REDACTED:([\w-]+)\]")
# A customer's account or tenant id, or a company name with its legal form.
_CUSTOMER_ID = re.compile(
    r"\b(?:customer|merchant|account|tenant|client|org(?:anization|anisation)?|company)"
    r"(?:\s+(?:account|id|number|no\.?))?\s*[:#]?\s*(?=[A-Z0-9-]*\d)[A-Z]{0,4}[-_]?\d{4,}\b",
    re.IGNORECASE,
)
_COMPANY = re.compile(
    r"\b[A-Z][\w'’-]*(?:\s+(?:&\s+)?[A-Z][\w'’-]*){0,3}\s+"
    r"(?:Ltd|Limited|Inc|LLC|GmbH|PLC|plc|Corp|Corporation|AG|S\.?A\.?|B\.?V\.?|Pty|SARL|KG)\b"
)


def check_exposure(text: str, lines: list[str], settings: RedactionSettings) -> list[Finding]:
    """Unredacted secrets, personal data and customer identifiers, one finding per line and kind."""
    return [*_secrets(text, lines, settings), *_customer_ids(lines)]


def _secrets(text: str, lines: list[str], settings: RedactionSettings) -> list[Finding]:
    _, redactions = redact_text(text, settings, ref="draft")
    if not redactions:
        return []
    found: list[Finding] = []
    covered: set[str] = set()
    for index, line in enumerate(lines):
        redacted, hits = redact_text(line, settings, ref="draft")
        for kind in sorted(h["kind"] for h in hits):
            covered.add(kind)
            found.append(_finding(kind, index + 1, redacted))
    missing = {r["kind"] for r in redactions} - covered
    if missing:  # a value over several lines (a PEM key): where the redacted text differs
        found.extend(_spanning(text, lines, settings, missing))
    return found


def _spanning(
    text: str, lines: list[str], settings: RedactionSettings, kinds: set[str]
) -> list[Finding]:
    after = redact_text(text, settings, ref="draft")[0].splitlines()
    found = []
    matcher = difflib.SequenceMatcher(None, lines, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        changed = "\n".join(after[j1:j2])
        before = "\n".join(lines[i1:i2])
        added = Counter(_MARKER.findall(changed)) - Counter(_MARKER.findall(before))
        for kind in sorted(k for k in added if k in kinds):
            found.append(_finding(kind, i1 + 1, after[j1] if j1 < len(after) else changed))
    return found


def _finding(kind: str, line: int, quote: str) -> Finding:
    personal = kind in rubric.PERSONAL_KINDS
    return finding(
        "unredacted-personal-data" if personal else "unredacted-secret",
        line,
        quote,
        f"the draft contains an unredacted {kind} (quoted here redacted)",
        "name a role or alias instead"
        if personal
        else f"replace it with [REDACTED:{kind}] and rotate it if it is real",
    )


def _customer_ids(lines: list[str]) -> list[Finding]:
    found = []
    for index, line in enumerate(lines):
        match = _CUSTOMER_ID.search(line) or _COMPANY.search(line)
        if match:
            found.append(
                finding(
                    "unredacted-customer-id",
                    index + 1,
                    match.group(0),
                    "names a customer: an account id or company name identifies them",
                    "aggregate ('the largest merchant') or use a stable pseudonym ('Merchant A')",
                )
            )
    return found
