"""Markdown to safe HTML: raw HTML is never passed through, and the result is sanitised again."""
import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote",
    "hr", "br", "a", "table", "thead", "tbody", "tr", "th", "td", "img",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
                      "td": {"align"}}


def render_markdown(source):
    """Render lesson Markdown to HTML safe to insert in a page."""
    html = _markdown.render(source)
    # Levels 1 headings belong to the page: demote so the outline stays in order.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        # Images wait until they are scrolled to: a lesson's text comes first on slow links.
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
    )


def split_sections(html):
    """A lesson's HTML cut before each ``<h2>``: the introduction, then section 1, 2, ..."""
    parts = html.split("<h2>")
    return [parts[0]] + ["<h2>" + part for part in parts[1:]]
