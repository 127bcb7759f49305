"""Slow connections: what each page type costs to load, measured in Chromium.

Every page is loaded with the browser's cache off (each page pays for its stylesheet and
script, as on a first visit) and the service worker blocked (it would serve them from its
cache). The figure is what the Performance API reports as transferred (``transferSize``:
compressed body plus headers) for the page's HTML and the CSS and JavaScript it loads, images
aside. A learner's page must stay within 30 KB. The figures are written to
test-results/page-weights.txt.
"""
import re

import pytest

from .conftest import page_types, visit_every_page, write_result

pytestmark = pytest.mark.browser

BUDGET = 30 * 1024
LEARNER_ROLES = (None, "learner")
MEASURE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const image = r => r.initiatorType === "img" || r.initiatorType === "image" ||
    /\\.(png|jpe?g|gif|webp|avif|svg|ico)(\\?|$)/.test(r.name);
  const resources = performance.getEntriesByType("resource");
  const assets = resources.filter(r => ["link", "script", "css"].includes(r.initiatorType) && !image(r));
  const background = resources.filter(r => r.initiatorType === "fetch");
  const sum = (list, key) => list.reduce((total, r) => total + r[key], 0);
  const images = [...document.images].map(img => ({src: img.currentSrc || img.src,
    sized: img.hasAttribute("width") && img.hasAttribute("height"), lazy: img.loading === "lazy"}));
  return {html: nav.transferSize, html_body: nav.encodedBodySize, html_raw: nav.decodedBodySize,
          assets: sum(assets, "transferSize"), asset_names: assets.map(r => r.name.replace(location.origin, "")),
          assets_raw: sum(assets, "decodedBodySize"), background: sum(background, "transferSize"),
          total: nav.transferSize + sum(assets, "transferSize"), images};
}"""


def cache_off(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})


def test_page_weight_compression_and_caching(new_page, cast, live_server):
    responses = []

    def measure(page, role, name):
        page.wait_for_load_state("networkidle")
        return page.evaluate(MEASURE)

    def prepare(page):
        cache_off(page)
        page.on("response", lambda r: responses.append((r.url, r.status, r.all_headers())))

    results = visit_every_page(new_page, cast, measure, prepare=prepare,
                               service_workers="block")
    assert len(results) == len(page_types(cast))
    roles = {name: role for role, name, _how in page_types(cast)}

    lines = [f"{'page':32} {'role':15} {'HTML':>7} {'CSS+JS':>7} {'total':>7}  (bytes transferred, "
             f"gzip; HTML uncompressed in brackets)"]
    for name, r in results.items():
        lines.append(f"{name:32} {roles[name] or 'signed out':15} {r['html']:7} {r['assets']:7} "
                     f"{r['total']:7}  [{r['html_raw']}]")
    lines.append(f"budget for learner pages: {BUDGET} bytes; CSS+JS files: "
                 f"{sorted({n for r in results.values() for n in r['asset_names']})}")
    background = {n: r["background"] for n, r in results.items() if r["background"]}
    lines.append(f"background fetches (offline copies of the learner's lessons): {background}")
    write_result("page-weights.txt", "\n".join(lines) + "\n")
    print("\n".join(lines))

    over = {name: r["total"] for name, r in results.items()
            if roles[name] in LEARNER_ROLES and r["total"] > BUDGET}
    assert not over, f"learner pages over {BUDGET} bytes: {over}"
    for name, r in results.items():
        assert r["html"] > 0 and r["assets"] > 0, (name, r)  # measured, not read from a cache
        for image in r["images"]:
            assert image["sized"] and image["lazy"], (name, image)

    # Everything from this server; text compressed; static files fingerprinted, kept a year.
    own = live_server.url + "/"
    assert all(url.startswith(own) for url, _s, _h in responses), \
        [url for url, _s, _h in responses if not url.startswith(own)]
    for url, status, headers in responses:
        kind = headers.get("content-type", "")
        if status == 200 and any(t in kind for t in ("text/html", "text/css", "javascript")):
            assert headers.get("content-encoding") == "gzip", (url, headers)
            assert "accept-encoding" in headers.get("vary", "").lower(), (url, headers)
        if "/static/" in url and status == 200:
            assert "?v=" in url, url
            assert headers.get("cache-control") == "public, max-age=31536000, immutable", url


def test_static_files_compressed_and_cached_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert any(u.startswith("/static/css/site.css?v=") for u in urls), urls
    assert any(u.startswith("/static/js/app.js?v=") for u in urls), urls
    for url in urls:
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Cookie" not in response.headers.get("Vary", "")
        assert "Expires" not in response.headers
        etag = response.headers["ETag"]
        response.close()
        again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert again.status_code == 304
        again.close()
    # Without the current fingerprint: the usual short lifetime (a stale address never sticks).
    plain = client.get("/static/css/site.css")
    assert plain.headers["Cache-Control"] != "public, max-age=31536000, immutable"
    assert "Content-Encoding" not in plain.headers  # this client did not ask for gzip
    plain.close()
    # A client that takes no gzip gets the page as it is.
    assert "Content-Encoding" not in client.get("/").headers
