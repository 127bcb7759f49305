"""SVG screens of practices: accepted only when they cannot run code or fetch anything.

A practice's SVG is drawn for this project, so rather than rewrite a file we reject one that
carries a script, an event handler, an embedded document or any reference outside itself, and
the author fixes the drawing. What passes is served as it is, with a strict content type.
"""
import re
import xml.etree.ElementTree as ET

MAX_BYTES = 200 * 1024
FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "object", "embed", "audio", "video",
                  "handler", "listener"}
LINK_ATTRIBUTES = {"href", "src"}
URL_RE = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.I)


def _local(name):
    return name.rsplit("}", 1)[-1].lower()


def _external_urls(text):
    return [url for url in URL_RE.findall(text or "") if not url.startswith("#")]


def svg_problems(data):
    """Messages about an SVG file's bytes; an empty list means it is safe to serve."""
    if len(data) > MAX_BYTES:
        return [f"SVG is larger than {MAX_BYTES // 1024} KB"]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ["SVG is not UTF-8"]
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.I):
        return ["SVG must not declare a DOCTYPE or entities"]
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        return [f"SVG is not well-formed XML: {error}"]
    if _local(root.tag) != "svg":
        return ["the file's root element is not <svg>"]
    problems = []
    for element in root.iter():
        problems += _element_problems(element)
    return list(dict.fromkeys(problems))


def _element_problems(element):
    tag, problems = _local(element.tag), []
    if tag in FORBIDDEN_TAGS:
        problems.append(f"SVG must not contain <{tag}>")
    if tag == "style" and ("@import" in (element.text or "") or _external_urls(element.text)):
        problems.append("SVG style must not load anything from elsewhere")
    for name, value in element.attrib.items():
        local = _local(name)
        if local.startswith("on"):
            problems.append(f"SVG must not carry event handlers ({local}=)")
        elif local in LINK_ATTRIBUTES and not value.strip().startswith("#"):
            problems.append(f"SVG must not refer to anything outside itself ({local}=\"{value}\")")
        elif _external_urls(value) or "javascript:" in value.lower():
            problems.append(f"SVG must not refer to anything outside itself ({local}=)")
    return problems
