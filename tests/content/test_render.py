"""Lesson Markdown becomes safe HTML: raw HTML, script URLs and event handlers never survive."""
import re

import pytest

from digilit.content.render import render_markdown

TAG_RE = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")


def tags(html):
    """``[(tag name, attribute text)]`` of every real tag in ``html``."""
    return [(name.lower(), attrs) for name, attrs in TAG_RE.findall(html)]


def attribute_values(html, attribute):
    return re.findall(rf'\b{attribute}\s*=\s*"([^"]*)"', html, flags=re.IGNORECASE)


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "Text <script>alert(1)</script> more",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    'Inline <img src="x" onerror="alert(1)"> image',
    '<iframe src="https://evil.example/"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "<svg onload=alert(1)>",
    '<object data="evil.swf"></object>',
])
def test_raw_html_is_never_passed_through(source):
    html = render_markdown(source)
    names = {name for name, _ in tags(html)}
    assert not names & {"script", "img", "iframe", "svg", "object", "div", "a"}, html
    for _name, attrs in tags(html):
        assert not re.search(r"\bon[a-z]+\s*=", attrs, re.IGNORECASE), html
        assert "style" not in attrs.lower(), html


def test_raw_html_is_shown_as_text():
    html = render_markdown("Use <b>bold</b> like <script>alert(1)</script>")
    assert "&lt;script&gt;" in html
    assert "<script>" not in html and "<b>" not in html


@pytest.mark.parametrize("source", [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](data:image/png;base64,iVBORw0KGgo=)",
    "![pixel](javascript:alert(1))",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
])
def test_script_and_data_urls_are_neutralised(source):
    html = render_markdown(source)
    for value in attribute_values(html, "href") + attribute_values(html, "src"):
        assert not re.match(r"\s*(javascript|vbscript|data):", value, re.IGNORECASE), html
    assert not re.search(r"(href|src)\s*=\s*\"?\s*(javascript|vbscript|data)", html,
                         re.IGNORECASE), html


def test_ordinary_links_and_images_stay_and_links_get_rel():
    html = render_markdown("[Cổng](https://dichvucong.gov.vn) · [gọi](tel:113) · "
                           "![sơ đồ](https://example.org/a.png)")
    assert 'href="https://dichvucong.gov.vn"' in html
    assert 'href="tel:113"' in html
    assert 'rel="noopener noreferrer"' in html
    assert 'src="https://example.org/a.png"' in html and 'alt="sơ đồ"' in html


def test_tables_render():
    html = render_markdown("| Mức | Cách làm |\n|---|:---:|\n| 1 | Tại nhà |\n| 2 | Công an |\n")
    assert "<table>" in html and "</table>" in html
    assert "<th>Mức</th>" in html
    assert re.search(r"<th[^>]*>Cách làm</th>", html)
    assert "<td>1</td>" in html and "<td>2</td>" in html
    assert html.count("<tr>") == 3


def test_common_markdown_renders_and_level_one_headings_are_demoted():
    html = render_markdown("# Title\n\n## Section\n\n- one\n- two\n\n1. first\n\n**bold** *em* "
                           "`code`\n\n> quote\n")
    assert "<h1>" not in html
    assert "<h2>Title</h2>" in html and "<h2>Section</h2>" in html
    assert "<ul>" in html and "<li>one</li>" in html and "<ol>" in html
    assert "<strong>bold</strong>" in html and "<em>em</em>" in html
    assert "<code>code</code>" in html and "<blockquote>" in html


def test_real_lessons_are_sanitised(catalog):
    """Every lesson the app serves is free of scripts, handlers and frames."""
    for course in catalog:
        for lesson in course.lessons:
            for html in lesson.html.values():
                names = {name for name, _ in tags(html)}
                assert not names & {"script", "iframe", "style", "object", "embed", "form"}
                assert not re.search(r"\bon[a-z]+\s*=", html, re.IGNORECASE)
