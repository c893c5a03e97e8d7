"""The HTML report: escaping of hostile artifact text, the SVG timeline, self-containment,
the same sections as the Markdown skeleton, template overrides."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ingest.errors import InputError
from render.html import render_html
from render.markdown import render_markdown
from tests.render.html_cases import (
    ATTRIBUTE_BREAK,
    IMG,
    SCRIPT,
    event,
    hostile_rows,
    hostile_summary,
    make_frame,
    milestone,
)


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes and the tags it sits in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None], tuple[str, ...]]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs), tuple(self.open)))
        if tag not in ("meta", "link", "br", "img", "input", "hr"):
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs), tuple(self.open)))

    def handle_endtag(self, tag):
        if tag in self.open:
            while self.open.pop() != tag:
                pass


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


def marks(parsed: Elements, layout: str = "wide") -> list[dict[str, str | None]]:
    """The marks of one of the two charts (wide or narrow)."""
    found, inside = [], False
    for tag, attrs, parents in parsed.tags:
        if tag == "svg":
            inside = layout in (attrs.get("class") or "").split()
        elif inside and "svg" in parents and "mark" in (attrs.get("class") or "").split():
            found.append(attrs)
    return found


@pytest.fixture
def hostile_page() -> str:
    return render_html(make_frame(hostile_rows()), hostile_summary())


def test_hostile_text_is_shown_as_text_and_runs_nothing(hostile_page: str):
    parsed = parse(hostile_page)
    tags = {tag for tag, _, _ in parsed.tags}
    assert "script" not in tags
    assert "img" not in tags
    handlers = [
        (tag, name) for tag, attrs, _ in parsed.tags for name in attrs if name.startswith("on")
    ]
    assert handlers == []
    assert "<script" not in hostile_page.lower()
    # Outside quoted (escaped) attribute values, no tag carries a handler.
    bare_tags = [re.sub(r'"[^"]*"', '""', tag) for tag in re.findall(r"<[^>]+>", hostile_page)]
    assert not [t for t in bare_tags if re.search(r"\bon\w+\s*=", t, flags=re.IGNORECASE)]
    # The text is still there for the reader, escaped.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_page
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile_page


def test_links_are_only_http(hostile_page: str):
    hrefs = [attrs["href"] for _, attrs, _ in parse(hostile_page).tags if "href" in attrs]
    page_links = [h for h in hrefs if h != "data:," and not h.startswith("#")]  # favicon, anchors
    assert page_links, "expected source links"
    assert all(h and re.match(r"https?://", h) for h in page_links), page_links
    # In-page links (the chart's marks) lead to a row of the table.
    ids = {attrs["id"] for _, attrs, _ in parse(hostile_page).tags if "id" in attrs}
    anchors = [h[1:] for h in hrefs if h.startswith("#")]
    assert anchors and set(anchors) <= ids
    assert "javascript:" not in " ".join(hrefs)
    # A quote in a URL cannot end the attribute: it is percent-encoded.
    assert "https://github.com/acme/shop/deployments/8?x=%22%3E%3Csvg" in " ".join(hrefs)


def test_data_ref_of_a_hostile_ref_stays_one_attribute(hostile_page: str):
    refs = [attrs["data-ref"] for attrs in marks(parse(hostile_page))]
    assert f"C1/1714557660.000100{ATTRIBUTE_BREAK}" in refs


def test_one_mark_per_key_event_with_its_text_as_title(hostile_page: str):
    frame = make_frame(hostile_rows())
    parsed = parse(hostile_page)
    key_refs = list(frame.loc[frame["key"], "ref"])
    assert [m["data-ref"] for m in marks(parsed, "wide")] == key_refs
    assert [m["data-ref"] for m in marks(parsed, "narrow")] == key_refs
    titles = re.findall(r'class="mark [^"]*"[^>]*><title>([^<]*)</title>', hostile_page)
    assert len(titles) == 2 * len(key_refs)
    assert "Checkout 5xx &lt;script&gt;alert(1)&lt;/script&gt;" in titles[1]


def test_svg_draws_lanes_milestones_and_quiet_periods(hostile_page: str):
    parsed = parse(hostile_page)
    svg = [attrs for tag, attrs, _ in parsed.tags if tag == "svg"]
    assert [a["class"] for a in svg] == ["timeline wide", "timeline narrow"]
    assert all(a["width"] == "100%" and a["viewbox"].startswith("0 0 ") for a in svg)
    lanes = [a for t, a, _ in parsed.tags if "lane" in (a.get("class") or "").split()]
    assert len(lanes) == 2 * 3  # github, pagerduty, slack in each chart
    drawn = [a["data-milestone"] for t, a, p in parsed.tags if "data-milestone" in a and t == "g"]
    assert drawn == 2 * ["detected", "acknowledged", "mitigated", "resolved"]
    listed = [a["data-milestone"] for t, a, p in parsed.tags if "data-milestone" in a and t == "li"]
    assert listed == ["detected", "acknowledged", "mitigated", "resolved"]
    inferred = [a for t, a, _ in parsed.tags if "evidence-inferred" in (a.get("class") or "")]
    assert [a["data-milestone"] for a in inferred] == 3 * ["mitigated"]
    quiet = [a for t, a, _ in parsed.tags if t == "rect" and a.get("class") == "quiet"]
    assert len(quiet) == 2 and float(quiet[0]["width"]) > 10


def test_marks_in_a_busy_lane_do_not_sit_on_each_other():
    rows = [
        event(f"2024-05-01T10:00:{s:02d}Z", "slack", "chat.message", f"m{s}", f"C1/{s}")
        for s in range(0, 8)
    ] + [event("2024-05-01T11:00:00Z", "slack", "chat.message", "late", "C1/late")]
    page = render_html(make_frame(rows), {})
    circles = [a for a in marks(parse(page))]
    positions = {(a["cx"], a["cy"]) for a in circles}
    assert len(circles) == 9
    assert len({cy for _, cy in positions}) > 1, "close marks should be spread vertically"


def test_page_is_self_contained(hostile_page: str):
    parsed = parse(hostile_page)
    assert not [a for t, a, _ in parsed.tags if "src" in a]
    links = [a for t, a, _ in parsed.tags if t == "link"]
    assert links == [{"rel": "icon", "href": "data:,"}]
    styles = re.findall(r"<style>(.*?)</style>", hostile_page, flags=re.DOTALL)
    assert len(styles) == 1
    assert "url(" not in styles[0] and "@import" not in styles[0]
    csp = [a for t, a, _ in parsed.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]


def test_page_reads_on_print_and_narrow_screens(hostile_page: str):
    style = re.search(r"<style>(.*?)</style>", hostile_page, flags=re.DOTALL).group(1)
    assert "@media print" in style
    assert re.search(r"@media \(max-width: [\d.]+rem\)", style)
    cells = [a for t, a, _ in parse(hostile_page).tags if t == "td" and "data-label" in a]
    assert {"Time (UTC)", "Event", "Source", "Actor"} <= {a["data-label"] for a in cells}


def test_same_sections_as_the_markdown(hostile_page: str):
    markdown = render_markdown(make_frame(hostile_rows()), hostile_summary())
    headings = re.findall(r"^#{2,3} (.+)$", markdown, flags=re.MULTILINE)
    page_headings = re.findall(r"<h[23]>([^<]+)</h[23]>", hostile_page)
    assert len(headings) >= 15
    for heading in headings:
        assert heading in page_headings, heading
    assert hostile_page.count("TK — author to confirm") >= markdown.count("TK — author to confirm")


def test_timeline_table_matches_the_markdown_rows(hostile_page: str):
    assert "1 more message in #inc" in hostile_page
    assert "Reply in thread:" in hostile_page
    assert "⚠ edited after mitigation; may contain hindsight" in hostile_page
    assert "(edited 10:40:00)" in hostile_page
    assert "⚠ negative" in hostile_page
    assert "inferred (older SHA redeployed &lt;script&gt;" in hostile_page


def test_empty_bundle_renders_with_unknowns():
    frame = make_frame([])
    page = render_html(frame, {})
    assert "<svg" in page and "Timeline of 0 key events" in page
    assert page.count("TK — author to confirm") >= 9 + 7  # author sections + unknown milestones
    assert marks(parse(page)) == []


def test_summary_without_milestones_draws_none():
    rows = [event("2024-05-01T10:00:00Z", "notes", "note", "hello", "notes.txt:1")]
    summary = {"milestones": {"detected": milestone(None)}}
    parsed = parse(render_html(make_frame(rows), summary))
    assert not [a for t, a, _ in parsed.tags if "data-milestone" in a]
    assert len(marks(parsed)) == 1


def test_template_dir_overrides_a_part_by_name(tmp_path: Path):
    (tmp_path / "_html_author.j2").write_text("<h2>Our own sections</h2><p>{{ incident.id }}</p>")
    page = render_html(make_frame(hostile_rows()), hostile_summary(), template_dir=tmp_path)
    assert "<h2>Our own sections</h2>" in page
    assert "<h2>Lessons learned</h2>" not in page
    assert "<p>P1&lt;script&gt;" in page  # a custom template is autoescaped too
    assert "<h2>Key timestamps</h2>" in page  # the other parts stay packaged


def test_missing_template_dir_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="template directory not found"):
        render_html(make_frame([]), {}, template_dir=tmp_path / "nope")


def test_broken_template_names_its_file_and_line(tmp_path: Path):
    (tmp_path / "report.html.j2").write_text("<p>ok</p>\n{% if %}\n")
    with pytest.raises(InputError, match=r"report\.html\.j2:2: template error"):
        render_html(make_frame([]), {}, template_dir=tmp_path)


def test_hostile_strings_are_what_the_cases_say():
    # Guards the fixtures: if these lost their markup, the escaping tests would prove nothing.
    assert "<script>" in SCRIPT and "onerror=" in IMG and '">' in ATTRIBUTE_BREAK


def test_twins_are_one_mark_and_lanes_count_all_events():
    rows = [
        event("2024-05-01T10:00:00Z", "slack", "chat.message", "rolling back", "C1/1"),
        event("2024-05-01T10:00:05Z", "slack", "chat.message", "rolling back", "C2/1", tags="twin"),
        event("2024-05-01T10:05:00Z", "slack", "chat.message", "chatter", "C1/2", key=False),
    ]
    page = render_html(make_frame(rows), {})
    parsed = parse(page)
    assert [m["data-ref"] for m in marks(parsed, "wide")] == ["C1/1"]
    assert [m["data-ref"] for m in marks(parsed, "narrow")] == ["C1/1"]
    assert page.count('<tspan class="lane-count">3 events, 1 shown</tspan>') == 2
