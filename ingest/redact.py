"""Redaction: secrets and personal data become ``[REDACTED:kind]`` before anything is written.

Each finding is reported as ``{"kind", "ref", "count"}`` so that the secret can be rotated; the
secret itself never leaves this module.

Rules run in a fixed order, specific before generic: a Slack token inside a URL is reported as
``slack_token``, not as ``url_credentials`` or ``secret_assignment``. Configured patterns run
after the built-in token kinds and before the generic ones. A pattern with a group named
``secret`` redacts only that group and keeps the rest of the match (a key name, a host).

Every rule has a *hint*: a cheap regex that matches wherever the rule might, written in the
subset that RE2 and Python agree on. ``redact_frame`` runs the built-in hints as one regex (in
Arrow, through ``ingest.textmatch``) over each text column, each distinct name and channel once;
a configured pattern is its own scan. Full patterns run only where the hints let them through.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from functools import cached_property, lru_cache

import msgspec
import numpy as np
import pandas as pd

from ingest.config import RedactionSettings
from ingest.errors import ConfigError, SchemaError
from ingest.machine import side_by_side
from ingest.textmatch import contains, distinct_values

TEXT_COLUMNS = ("summary", "actor", "url", "channel")


def marker(kind: str) -> str:
    """The text that replaces a redacted span of this kind."""
    return f"[REDACTED:{kind}]"


class Rule(msgspec.Struct, frozen=True, dict=True):  # dict: for the cached pattern
    """One kind of secret: where it may be (hint), what it is (pattern), and a final check."""

    kind: str
    source: str  # the regular expression, compiled when a hint first matches (most never do)
    hint: str
    accept: Callable[[re.Match[str]], bool] | None = None
    configured: bool = False
    flags: int = 0

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source, self.flags)

    def apply(self, text: str, markers: re.Pattern[str]) -> tuple[str, int]:
        """Redact every accepted match in ``text``; return the new text and how many.

        A match that overlaps a marker (``markers``) is left alone, so redacting is idempotent.
        """
        taken = [m.span() for m in markers.finditer(text)] if "[REDACTED:" in text else []
        count = 0

        def replace(match: re.Match[str]) -> str:
            nonlocal count
            start, end = match.span()
            if start == end or any(start < t_end and t_start < end for t_start, t_end in taken):
                return match.group(0)
            if self.accept is not None and not self.accept(match):
                return match.group(0)
            if "secret" not in self.pattern.groupindex or match.group("secret") is None:
                count += 1
                return marker(self.kind)
            s_start, s_end = match.span("secret")  # redact only this part, keep the rest
            if s_start == s_end:
                return match.group(0)
            count += 1
            return text[start:s_start] + marker(self.kind) + text[s_end:end]

        return self.pattern.sub(replace, text), count


# --- checks that a regex alone cannot make ---------------------------------------------------


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_issuer_ok(digits: str) -> bool:
    """Issuer prefixes of the card networks; rules out epoch times, dates and other IDs."""
    if digits[0] in "456":
        return True  # Visa; Mastercard 51-55 and Maestro; Discover, Maestro, UnionPay
    if digits[0] == "3":  # Amex, JCB, Diners
        return int(digits[:2]) >= 34 or 300 <= int(digits[:3]) <= 305
    return 2221 <= int(digits[:4]) <= 2720  # Mastercard 2-series


def _card_ok(match: re.Match[str]) -> bool:
    digits = re.sub(r"[^0-9]", "", match.group(0))
    return _card_issuer_ok(digits) and _luhn_ok(digits)


_DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _phone_ok(match: re.Match[str]) -> bool:
    text = match.group(0)
    if not text.startswith("+"):
        return True  # the North American form is specific enough by itself
    digits = re.sub(r"[^0-9]", "", text)
    if _DATE_LIKE.search(text):
        return False
    # E.164 allows at most 15 digits; an unbroken run needs 10 to tell it from a diff stat
    return 8 <= len(digits) <= 15 and (len(digits) >= 10 or not text[1:].isdigit())


_PLACEHOLDER = re.compile(
    r"(?i)^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|[*x.]+|none|null|nil|true|false|redacted)$"
)


def _assignment_ok(match: re.Match[str]) -> bool:
    value = match.group("secret")
    if _PLACEHOLDER.match(value):
        return False
    quoted = match.start("secret") > 0 and match.string[match.start("secret") - 1] in "\"'"
    if match.group("equals") or quoted:
        return True
    # "Token: expired" is prose; "token: 9f8e7d6c" is a value
    return len(value) >= 6 and not value.isalpha()


# --- the built-in rules, in the order they run -------------------------------------------------

_B = r"(?<![A-Za-z0-9_])"  # not inside a longer word
_E = r"(?![A-Za-z0-9_])"

_SECRET_KEY = (
    r"(?:[A-Za-z0-9]+[_.-])*"
    r"(?:passw(?:or)?d|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|secret[_-]?key|private[_-]?key|credentials?)"
)
# A quoted value runs to its closing quote; a bare one to a space or delimiter, and after "="
# also to "&" (the next query parameter).
_ASSIGNMENT_VALUE = (
    r"(?P<secret>(?<=\")[^\"\n]+(?=\")|(?<=')[^'\n]+(?=')"
    r"|(?<![\"'])(?(equals)[^\s\"'&,;<>\[\]]+|[^\s\"',;<>\[\]]+))"
)

# (kind, pattern, hint, check); patterns are compiled with re.ASCII.
_SPECIFIC: tuple[tuple[str, str, str, Callable[[re.Match[str]], bool] | None], ...] = (
    (
        "private_key",
        r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:.*?-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|.*\Z)",
        r"PRIVATE KEY",
        None,
    ),
    (
        "slack_webhook",
        r"(?:https?://)?hooks\.slack(?:-gov)?\.com/(?:services|workflows|triggers)/"
        r"[A-Za-z0-9_/+-]{8,}",
        r"hooks\.slack",
        None,
    ),
    (
        "slack_token",
        r"(?<![A-Za-z0-9_-])(?:xox[abeoprs]|xapp)-(?=[A-Za-z0-9-]*[0-9])[A-Za-z0-9-]{10,}",
        r"xox[abeoprs]-|xapp-",
        None,
    ),
    (
        "github_token",
        _B + r"(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})" + _E,
        r"gh[pousr]_|github_pat_",
        None,
    ),
    (
        "aws_access_key",
        r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])",
        r"A(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16}",
        None,
    ),
    (
        "aws_secret_key",
        r"(?i:aws_?secret_?(?:access_?)?key)[\"']?\s*[:=]\s*[\"']?"
        r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        r"(?i:aws_?secret)",
        None,
    ),
    (
        "google_api_key",
        r"(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])",
        r"AIza",
        None,
    ),
    (
        "stripe_key",
        _B + r"(?:(?:sk|rk)_(?:live|test)|pk_live)_[A-Za-z0-9]{16,247}" + _E,
        r"(?:sk|rk|pk)_(?:live|test)_",
        None,
    ),
    (
        "jwt",
        r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",
        r"eyJ",
        None,
    ),
)

_GENERIC: tuple[tuple[str, str, str, Callable[[re.Match[str]], bool] | None], ...] = (
    (
        "url_credentials",
        r"(?i:\b[a-z][a-z0-9+.-]{0,30}://)(?P<secret>[^\s/?#@:]*:[^\s/?#]+)@(?=[A-Za-z0-9\[])",
        r"://[^ \t\n/?#@]*@",
        None,
    ),
    (
        "authorization_header",
        r"(?i:(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?(?:bearer|basic|token|digest)\s+"
        r"|\bbearer\s+(?=[A-Za-z0-9._~+/=-]{16}))"
        r"(?P<secret>[A-Za-z0-9._~+/=-]+)",
        r"(?i:authorization|bearer)",
        None,
    ),
    (
        "secret_assignment",
        r"(?i)(?<![A-Za-z0-9_.-])"
        + _SECRET_KEY
        + r"[\"']?[ \t]*(?:(?P<equals>=)|:)[ \t]*[\"']?"
        + _ASSIGNMENT_VALUE,
        r"(?i:(?:passw(?:or)?d|passphrase|pwd|secret|token|key|credentials?)[\"']?[ \t]*[:=])",
        _assignment_ok,
    ),
)

_EMAIL = (
    "email",
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,63}(?![A-Za-z0-9-])",
    r"@[A-Za-z0-9-]+\.",
    None,
)

_CARD = (
    "card_number",
    # 13-19 digits, unbroken or grouped as printed: 4-4-4-4, 4-4-4-4-3, 4-6-5, 4-6-4
    r"(?<![A-Za-z0-9_.:/+-])[2-6](?:[0-9]{12,18}|[0-9]{3}(?P<gap>[ -])"
    r"(?:[0-9]{4}(?P=gap)[0-9]{4}(?P=gap)[0-9]{4}(?:(?P=gap)[0-9]{3})?|[0-9]{6}(?P=gap)[0-9]{4,5}))"
    r"(?![A-Za-z0-9_]|[.:/-]?[0-9])",
    # the boundary keeps Slack permalinks (".../p1355517523000005") out of the candidates
    r"(?:^|[^A-Za-z0-9_.:/+-])[2-6](?:[ -]?[0-9]){12}",
    _card_ok,
)

_PHONE = (
    "phone",
    # international: +CC then digit groups split by single spaces or dashes
    r"(?<![A-Za-z0-9_+])\+[1-9][0-9]*(?:[ -]?\([0-9]{1,4}\))?(?:[ -][0-9]+)*"
    r"(?![A-Za-z0-9_]|[ .:/-][0-9])"
    # North American: (555) 123-4567, 555-123-4567, 555.123.4567, 1-800-555-1234
    r"|(?<![A-Za-z0-9_+.:/-])(?:1[ .-])?"
    r"(?:\([2-9][0-9]{2}\) ?[0-9]{3}[ .-]|[2-9][0-9]{2}(?P<sep>[ .-])[0-9]{3}(?P=sep))"
    r"[0-9]{4}(?![A-Za-z0-9_]|[.:/-]?[0-9])",
    r"\+[1-9]|[0-9]{3}[ .-][0-9]{3}[ .-][0-9]{4}|\([0-9]{3}\)",
    _phone_ok,
)


def _builtin(spec: tuple[str, str, str, Callable[[re.Match[str]], bool] | None]) -> Rule:
    kind, pattern, hint, accept = spec
    return Rule(kind, pattern, hint, accept, flags=re.ASCII | re.DOTALL)


def _custom(name: str, regex: str) -> Rule:
    try:
        pattern = re.compile(regex)
    except re.error as e:
        raise ConfigError(f"redaction.patterns {name!r} is not a valid regex ({e})") from e
    if pattern.search("") is not None:
        raise ConfigError(
            f"redaction.patterns {name!r} matches the empty string; make it match at least "
            "one character"
        )
    return Rule(name, regex, hint=regex, configured=True)


class RuleSet(msgspec.Struct, frozen=True):
    """The rules to run, in order, and the markers they write (which no rule may match again)."""

    rules: tuple[Rule, ...]
    markers: re.Pattern[str]


@lru_cache(maxsize=16)
def rules_for(settings: RedactionSettings) -> RuleSet:
    """The rules these settings ask for, in the order they run."""
    rules = [_builtin(spec) for spec in _SPECIFIC]
    rules += [_custom(p.name, p.regex) for p in settings.patterns]
    rules += [_builtin(spec) for spec in _GENERIC]
    if settings.emails:
        rules.append(_builtin(_EMAIL))
    rules.append(_builtin(_CARD))
    if settings.phones:
        rules.append(_builtin(_PHONE))
    kinds = "|".join(re.escape(kind) for kind in sorted({r.kind for r in rules}))
    return RuleSet(tuple(rules), re.compile(rf"\[REDACTED:(?:{kinds})\]"))


# --- public API --------------------------------------------------------------------------------

# A redaction can expose a neighbour that a rule's boundary check hid ("...4567+44 20 ..."), so
# changed texts get more passes until a pass changes nothing. Each pass turns at least one
# character into a marker and markers are never matched again, so this ends; the cap is a
# safety net.
MAX_PASSES = 8

Hit = tuple[int, int, str, int]  # (text index, rule rank, kind, count)


def redact_text(text: str, settings: RedactionSettings, ref: str = "") -> tuple[str, list[dict]]:
    """Redact one text; return it and the findings ``[{"kind", "ref", "count"}]``."""
    ruleset = rules_for(settings)
    texts = pd.Series([text], dtype=_SCAN_DTYPE)
    if not _may_match(texts, ruleset.rules).any():  # one scan, as for a frame's rows
        return text, []
    values = [text]
    hits = _redact_values(texts, values, ruleset)
    counts: dict[str, int] = {}
    for _, _, kind, count in sorted(hits, key=lambda hit: hit[1]):
        counts[kind] = counts.get(kind, 0) + count
    return values[0], [{"kind": kind, "ref": ref, "count": n} for kind, n in counts.items()]


def redact_frame(
    frame: pd.DataFrame, settings: RedactionSettings
) -> tuple[pd.DataFrame, list[dict]]:
    """Redact the text columns of an event frame; return a new frame and its findings.

    The text columns are ``summary``, ``actor``, ``url`` and ``channel`` (those present).
    Findings are ``[{"kind", "ref", "count"}]``, one per (kind, row ref), in frame order. The
    input frame is not changed.
    """
    if "ref" not in frame.columns:
        raise SchemaError("redact_frame needs the event frame's 'ref' column to report findings")
    ruleset = rules_for(settings)
    out = frame.copy()
    row_hits: list[Hit] = []  # here the index is the row position
    columns = [c for c in TEXT_COLUMNS if c in frame.columns]
    may_match = side_by_side(
        lambda column: _column_may_match(frame, column, ruleset.rules), columns, rows=len(frame)
    )
    for column, possible in zip(columns, may_match, strict=True):
        series = frame[column]
        positions = np.flatnonzero(possible)
        if not len(positions):
            continue
        candidates = series.iloc[positions]
        values = candidates.tolist()
        hits = _redact_values(candidates, values, ruleset)
        if not hits:
            continue
        changed = np.zeros(len(values), dtype=bool)
        changed[[i for i, *_ in hits]] = True
        redacted = series.copy()
        redacted.iloc[positions[changed]] = [values[i] for i in np.flatnonzero(changed)]
        out[column] = redacted
        row_hits.extend((int(positions[i]), rank, kind, count) for i, rank, kind, count in hits)
    return out, _aggregate(row_hits, frame["ref"])


_SCAN_DTYPE = pd.StringDtype("pyarrow")


def _redact_values(texts: pd.Series, values: list[str], ruleset: RuleSet) -> list[Hit]:
    """Redact ``values`` (the strings of ``texts``) in place, pass after pass; return the hits.

    In each pass every rule's hint is scanned over the texts still in play, vectorised, and the
    rule runs only where its hint matched. A text stays in play while a pass changes it.
    """
    hits: list[Hit] = []
    in_play = np.arange(len(values))
    for _ in range(MAX_PASSES):
        changed = np.zeros(len(in_play), dtype=bool)
        for rank, rule in enumerate(ruleset.rules):
            for k in np.flatnonzero(_contains(texts, rule.hint, configured=rule.configured)):
                i = int(in_play[k])
                values[i], count = rule.apply(values[i], ruleset.markers)
                if count:
                    changed[k] = True
                    hits.append((i, rank, rule.kind, count))
        in_play = in_play[changed]
        if not len(in_play):
            break
        texts = pd.Series([values[i] for i in in_play], dtype=_SCAN_DTYPE)
    return hits


def _column_may_match(frame: pd.DataFrame, column: str, rules: tuple[Rule, ...]) -> np.ndarray:
    series = frame[column]
    if column not in ("actor", "channel") or series.empty:  # these repeat: each scanned once
        return _may_match(series, rules)
    codes, distinct = distinct_values(series)
    possible = _may_match(pd.Series(distinct, dtype=_SCAN_DTYPE), rules)[codes]
    return possible & series.notna().to_numpy()


def _may_match(series: pd.Series, rules: tuple[Rule, ...]) -> np.ndarray:
    """Rows any rule might match: one combined scan for the built-in hints, one per custom."""
    builtin = "|".join(f"(?:{r.hint})" for r in rules if not r.configured)
    mask = _contains(series, builtin, configured=False)
    for rule in rules:
        if rule.configured:
            mask = mask | _contains(series, rule.hint, configured=True)
    return mask


def _contains(series: pd.Series, pattern: str, *, configured: bool) -> np.ndarray:
    """Rows ``pattern`` matches somewhere (``re.search``); pandas, which knows every construct
    where RE2 and ``re`` disagree, only for configured ones (it parses a pattern on each call)."""
    if not configured:
        return contains(series, pattern).to_numpy(dtype=bool)
    with warnings.catch_warnings():
        # a configured pattern may have groups; here only whether it matches counts
        warnings.filterwarnings("ignore", "This pattern is interpreted", UserWarning)
        return series.str.contains(pattern, regex=True, na=False).to_numpy(dtype=bool)


def _aggregate(row_hits: list[Hit], refs: pd.Series) -> list[dict]:
    if not row_hits:
        return []
    table = pd.DataFrame(row_hits, columns=["position", "rank", "kind", "count"])
    table["ref"] = refs.iloc[table["position"].to_numpy()].astype(str).to_numpy()
    grouped = (
        table.groupby(["ref", "kind"], sort=False)
        .agg(count=("count", "sum"), position=("position", "min"), rank=("rank", "min"))
        .reset_index()
        .sort_values(["position", "rank"], kind="mergesort")
    )
    return [
        {"kind": str(kind), "ref": str(ref), "count": int(count)}
        for kind, ref, count in zip(grouped["kind"], grouped["ref"], grouped["count"], strict=True)
    ]
