"""WCAG 2.1 AA with axe-core on every page type, as each role sees it.

axe-core comes from the npm package pinned in package.json. The Content-Security-Policy allows
no inline script, so it is evaluated through the DevTools protocol (``page.evaluate``), which
the policy does not govern: the pages are tested with their real policy on.
"""
import pytest

from .conftest import page_types, visit_every_page, write_json

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Failures whatever axe's impact: the issue names them (headings in order, a skip link, lang).
ALWAYS = {"heading-order", "page-has-heading-one", "bypass", "html-has-lang", "html-lang-valid",
          "valid-lang", "landmark-one-main", "label", "color-contrast", "document-title"}
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: %s},
                                          resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary)}));
}""" % AXE_TAGS

HEADINGS = """() => {
  const levels = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
    .filter(h => h.getClientRects().length).map(h => Number(h.tagName[1]));
  const problems = [];
  if (levels.filter(l => l === 1).length !== 1) problems.push("not exactly one h1: " + levels);
  if (levels[0] !== 1) problems.push("the first heading is not h1: " + levels);
  levels.forEach((l, i) => { if (i && l > levels[i - 1] + 1) problems.push("skips a level: " + levels); });
  return problems;
}"""


def axe_violations(page, axe_source):
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(axe_source + "\n;undefined")
    found = page.evaluate(RUN_AXE)
    return [v for v in found if v["impact"] in ("serious", "critical") or v["id"] in ALWAYS]


def test_every_page_type_passes_axe(new_page, cast, axe_source):
    def check(page, role, name):
        problems = axe_violations(page, axe_source)
        lang = page.evaluate("() => document.documentElement.lang")
        skip = page.locator("a.skip[href='#main']").count() if name != "login cards" else 1
        headings = page.evaluate(HEADINGS)
        return {"violations": problems, "lang": lang, "skip": skip, "headings": headings}

    results = visit_every_page(new_page, cast, check)
    write_json("axe.json", results)
    failures = {name: r for name, r in results.items()
                if r["violations"] or r["lang"] not in ("vi", "en", "de", "ro") or not r["skip"]
                or r["headings"]}
    assert len(results) == len(page_types(cast))
    assert not failures, failures



def test_axe_finds_what_is_planted(page, axe_source):
    """The harness itself: a low-contrast text and an unlabelled field are reported."""
    page.goto("/auth/login")
    page.evaluate("""() => {
      const p = document.createElement("p");
      p.textContent = "faint"; p.style.color = "#ccc"; p.style.background = "#fff";
      const input = document.createElement("input");
      document.querySelector("main").append(p, input);
    }""")
    found = {v["id"] for v in axe_violations(page, axe_source)}
    assert {"color-contrast", "label"} <= found, found

# --- Read aloud: the browser's speech synthesis, stood in for by a recorder ---
# (Headless Chromium has no voices; the stand-in says which voices exist and records what
# would be spoken.)
FAKE_SPEECH = """(voices) => {
  const listeners = [];
  const said = window.__said = [];
  window.__cancelled = 0;
  const synth = {
    speaking: false, pending: false, voices: voices.map(lang => ({lang, name: lang, default: false})),
    getVoices() { return this.voices; },
    speak(u) { said.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.lang}); this.speaking = true; },
    cancel() { window.__cancelled += 1; this.speaking = false; },
    addEventListener(type, fn) { if (type === "voiceschanged") listeners.push(fn); },
  };
  window.__addVoice = lang => { synth.voices.push({lang, name: lang, default: false}); listeners.forEach(f => f()); };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
}"""


def lesson_with_voices(new_page, cast, voices, path=None, **options):
    page = new_page(**options)
    page.add_init_script(f"({FAKE_SPEECH})({voices!r})")
    page.goto(path or f"/courses/{cast.course}/lessons/{cast.lessons[0]}")
    return page


def test_read_aloud_in_the_pages_language(new_page, cast):
    page = lesson_with_voices(new_page, cast, ["en-US", "vi-VN"])
    button = page.locator("#read-aloud")
    button.wait_for(state="visible")
    label = button.inner_text()
    button.click()
    said = page.evaluate("() => window.__said")
    title = page.locator("h1").inner_text()
    assert said[0]["text"] == title
    assert {s["lang"] for s in said} == {"vi"} and {s["voice"] for s in said} == {"vi-VN"}
    article = page.locator("article.lesson").inner_text()
    assert all(s["text"] in article or s["text"] == title for s in said)
    assert len(said) > 3  # paragraph by paragraph
    assert button.inner_text() == button.get_attribute("data-stop")
    button.click()  # a second click stops
    assert page.evaluate("() => window.__cancelled") == 1
    assert button.inner_text() == label


def test_read_aloud_in_english_on_an_english_page(new_page, cast):
    path = f"/courses/{cast.course}/lessons/{cast.lessons[0]}?lang=en"
    page = lesson_with_voices(new_page, cast, ["en-GB"], path=path)
    assert page.evaluate("() => document.documentElement.lang") == "en"
    page.locator("#read-aloud").click()
    assert {s["lang"] for s in page.evaluate("() => window.__said")} == {"en"}


def test_read_aloud_hidden_without_a_voice_for_the_language(new_page, cast):
    page = lesson_with_voices(new_page, cast, ["en-US", "fr-FR"])
    button = page.locator("#read-aloud")
    page.wait_for_load_state("load")
    assert button.count() == 1 and button.is_hidden()
    page.evaluate("() => window.__addVoice('vi-VN')")  # voices often arrive late
    button.wait_for(state="visible")


def test_read_aloud_hidden_without_javascript(new_page, cast):
    page = new_page(java_script_enabled=False)
    page.goto(f"/courses/{cast.course}/lessons/{cast.lessons[0]}")
    assert page.locator("#read-aloud").is_hidden()
