"""The built HTML book, as a reader gets it, in headless Chromium with the network cut off.

Every request to a host other than the local server is aborted: a page that needs a CDN (MathJax,
require.js, the ipywidgets manager, fonts) fails here. For every page of the table of contents:

* it loads with no console error, no page error, no failed and no blocked request;
* MathJax has typeset every equation (``mjx-container`` for every ``.math`` element, no TeX
  error, no raw ``$$``, ``\\(`` or ``\\[`` left in the visible text);
* every image has loaded (``naturalWidth > 0``) and has alt text;
* headings go down one level at a time (h1, h2, h3; never h1 then h3);
* theorem/proof/exercise blocks have their title; solutions are collapsed until clicked;
* chapters (notebooks) have the launch buttons (Binder, JupyterHub, Colab, live code) and a
  download button whose ``.ipynb`` link is served;
* every kernel-free twin redraws its plot when a slider moves.

A crawl of the HTML files checks that every internal link, anchor and image resolves (on top of
Sphinx's own ``-n -W`` checks), and a scan that no page loads anything from the network.
"""

from __future__ import annotations

import html.parser
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

try:
    from book_build import ROOT, is_notebook, toc_documents
except ImportError:
    from tests.browser.book_build import ROOT, is_notebook, toc_documents

DOCS = toc_documents()
CHAPTERS = [d for d in DOCS if is_notebook(d)]
# Chapters whose live widget has a kernel-free twin in the HTML (see rnnbook.widgets.static).
TWIN_CHAPTERS = ["book/04_vanishing_gradients", "book/05_lstm"]


# ---------------------------------------------------------------------------
# kernel-free twins
# ---------------------------------------------------------------------------
def move_every_control(page, doc: str) -> int:
    """Move each control of each twin on the page; assert the plot changes. Returns the count."""
    twins = page.locator(".rnnbook-twin")
    for t in range(twins.count()):
        twin = twins.nth(t)
        assert twin.locator("svg.twin-svg .twin-series").count() > 0, \
            f"{doc}: twin {t + 1} drew nothing"

        def snapshot(twin=twin):
            return twin.evaluate("""root => Array.from(root.querySelectorAll(
                'svg.twin-svg .twin-series')).map(p => p.getAttribute('d')).join('|')
                + root.querySelector('.twin-title').textContent""")

        for control in twin.locator("input[type=range], select").all():
            before = snapshot()
            if control.evaluate("e => e.tagName") == "SELECT":
                n = control.locator("option").count()
                current = int(control.input_value())
                control.select_option(str((current + 1) % n))
            else:
                top = int(control.get_attribute("max"))
                current = int(control.input_value())
                control.fill(str(0 if current == top else top))
            assert snapshot() != before, \
                f"{doc}: twin {t + 1}: moving {control.get_attribute('id')} changed nothing"
    return twins.count()


# ---------------------------------------------------------------------------
# every page in the browser
# ---------------------------------------------------------------------------
def wait_for_mathjax(page, doc: str, log) -> None:
    """Wait until MathJax has loaded and typeset the page (if it has math)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("() => !document.querySelector('.math') || (window.MathJax"
                               " && MathJax.startup && MathJax.startup.promise)", timeout=20_000)
    except PlaywrightTimeout:
        pytest.fail(f"{doc}: MathJax never started (is it loaded from a CDN?):\n"
                    + "\n".join(log.problems()), pytrace=False)
    page.evaluate("async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise)"
                  " await MathJax.startup.promise; }")


VISIBLE_TEXT = """() => {
  const skip = new Set(['SCRIPT', 'STYLE', 'PRE', 'CODE', 'MJX-CONTAINER', 'TEXTAREA']);
  const out = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { out.push(node.textContent); return; }
    if (node.nodeType !== Node.ELEMENT_NODE || skip.has(node.tagName)) return;
    if (node.classList.contains('rnnbook-twin') || node.classList.contains('highlight')) return;
    for (const child of node.childNodes) walk(child);
  };
  walk(document.querySelector('main') || document.body);
  return out.join(' ');
}"""


@pytest.mark.parametrize("doc", DOCS)
def test_page_works_offline(doc: str, site: str, open_page) -> None:
    page, log = open_page(f"{site}{doc}.html")
    wait_for_mathjax(page, doc, log)
    problems = list(log.problems())

    # MathJax typeset every equation, without a TeX error
    n_math = page.locator("main .math").count()
    typeset = page.locator("main .math mjx-container").count()
    if n_math:
        assert typeset >= n_math, f"{doc}: {typeset} of {n_math} equations typeset"
    errors = page.locator("mjx-merror").all_text_contents()
    assert not errors, f"{doc}: TeX errors {errors}"
    text = page.evaluate(VISIBLE_TEXT)
    for raw in ("$$", "\\(", "\\[", "\\begin{"):
        assert raw not in text, f"{doc}: raw TeX {raw!r} left in the text: " \
            f"...{text[max(0, text.find(raw) - 80):text.find(raw) + 80]}..."

    # images: loaded, with alt text
    images = page.evaluate("""() => Array.from(document.images).map(i => ({
        src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0,
        alt: i.getAttribute('alt'), visible: !!(i.offsetWidth || i.offsetHeight)}))""")
    for img in images:
        assert img["ok"], f"{doc}: image not loaded: {img['src']}"
        assert img["alt"] and img["alt"].strip(), f"{doc}: image without alt text: {img['src']}"
    # figures in the content have an image and a caption
    for fig in page.locator("main figure").all():
        assert fig.locator("img, svg").count() >= 1, f"{doc}: figure without image"
        assert fig.locator("figcaption").count() == 1, f"{doc}: figure without caption"

    # headings in order
    levels = page.evaluate("""() => Array.from(document.querySelectorAll(
        'main article h1, main article h2, main article h3, main article h4, main article h5,'
        + ' main article h6')).map(h => +h.tagName[1])""")
    assert levels and levels[0] == 1, f"{doc}: the page must start with one h1, got {levels[:3]}"
    assert levels.count(1) == 1, f"{doc}: {levels.count(1)} h1 headings"
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"{doc}: heading level jumps from h{before} to h{after}"

    # theorems (definitions, lemmas...), exercises and solutions carry their title; a proof
    # starts with "Proof."
    for block in page.locator("main div.proof, main div.exercise, main div.solution").all():
        classes = set((block.get_attribute("class") or "").split())
        if classes <= {"proof", "admonition"}:
            assert block.inner_text().strip().startswith("Proof"), f"{doc}: a proof without 'Proof'"
            continue
        title = block.locator(":scope > .admonition-title")
        assert title.count() == 1 and title.text_content().strip(), \
            f"{doc}: a {' '.join(sorted(classes))} block without title"
        assert block.is_visible() or "solution" in classes, f"{doc}: a hidden {classes} block"

    # solutions: collapsed until clicked (the first one is opened)
    solutions = page.locator("main div.solution.dropdown")
    for i in range(solutions.count()):
        assert not solution_body(solutions.nth(i)).is_visible(), \
            f"{doc}: solution {i + 1} is open before a click"
    if solutions.count():
        solutions.first.locator(":scope > .admonition-title").click()
        page.wait_for_timeout(400)
        assert solution_body(solutions.first).is_visible(), \
            f"{doc}: the first solution did not open on a click"

    # kernel-free twins: every control of every twin redraws the plot
    twins = move_every_control(page, doc)
    if twins:
        print(f"{doc}: {twins} kernel-free twin(s) respond to their controls")

    problems += [p for p in log.problems() if p not in problems]
    assert not problems, f"{doc}:\n" + "\n".join(problems)


def solution_body(solution):
    return solution.locator(":scope > section, :scope > :not(.admonition-title)").first


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_has_launch_and_download_buttons(doc: str, site: str, open_page) -> None:
    page, log = open_page(f"{site}{doc}.html")
    launch = page.locator(".dropdown-launch-buttons")
    assert launch.count() == 1, f"{doc}: no launch menu"
    hrefs = launch.locator("a").evaluate_all("els => els.map(a => a.href)")
    name = Path(doc).name + ".ipynb"
    for host in ("mybinder.org", "colab.research.google.com"):
        assert any(host in h and name in h for h in hrefs), f"{doc}: no {host} link to {name}"
    assert any(name in h and "git-pull" in h for h in hrefs), f"{doc}: no JupyterHub link"
    assert launch.locator(".btn-launch-thebe").count() == 1, f"{doc}: no live-code button"

    download = page.locator(".dropdown-download-buttons a[href$='.ipynb']")
    assert download.count() == 1, f"{doc}: no download-notebook button"
    url = download.evaluate("a => a.href")
    response = page.request.get(url)
    assert response.ok, f"{doc}: {url} gives HTTP {response.status}"
    notebook = response.json()
    assert notebook["nbformat"] == 4 and notebook["cells"], f"{doc}: {url} is not a notebook"
    assert not log.problems(), log.problems()


@pytest.mark.parametrize("doc", [d for d in TWIN_CHAPTERS if d in DOCS])
def test_widget_chapters_have_a_twin(doc: str, site: str, open_page) -> None:
    page, _ = open_page(f"{site}{doc}.html")
    assert page.locator(".rnnbook-twin").count() >= 1, f"{doc}: no kernel-free twin"


# ---------------------------------------------------------------------------
# the HTML files themselves: links, anchors, nothing loaded from the network
# ---------------------------------------------------------------------------
class _Links(html.parser.HTMLParser):
    LOADED = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
              ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
              ("object", "data"), ("image", "href"), ("use", "href")}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.ids.add(value)
            if name in ("href", "src", "data", "xlink:href") or (name == "srcset"):
                self.links.append((tag, name, value))
            if name == "style":
                self.styles.append(value)
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def _is_remote(url: str) -> bool:
    return bool(re.match(r"^(https?:)?//", url.strip(), flags=re.I))


def test_no_page_loads_anything_from_the_network(book_html: Path) -> None:
    """No script, stylesheet, image, font or frame comes from another host (links are fine)."""
    remote = []
    for path in sorted(book_html.rglob("*.html")):
        parsed = _parse(path)
        for tag, attr, value in parsed.links:
            if (tag, attr) in _Links.LOADED and _is_remote(value):
                if tag == "link":  # <link rel=canonical> etc. are not loaded; stylesheets are
                    continue
                remote.append(f"{path.relative_to(book_html)}: <{tag} {attr}={value}>")
        for css in parsed.styles:
            for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
                if _is_remote(url):
                    remote.append(f"{path.relative_to(book_html)}: css url({url})")
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r"<link\b[^>]*>", text):
            tag = m.group(0)
            if re.search(r"rel=\"?(stylesheet|preload|modulepreload|icon|prefetch)", tag) and \
                    re.search(r"href=\"(https?:)?//", tag):
                remote.append(f"{path.relative_to(book_html)}: {tag}")
    for css in sorted(book_html.rglob("*.css")):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(errors="replace")):
            if _is_remote(url):
                remote.append(f"{css.relative_to(book_html)}: url({url})")
    assert not remote, "loaded from the network:\n" + "\n".join(remote[:50])


def test_no_dead_widget_output_in_pages(book_html: Path) -> None:
    """A saved ipywidgets view cannot work without a kernel: tag its cell ``remove-output``."""
    dead = [str(p.relative_to(book_html)) for p in sorted(book_html.rglob("*.html"))
            if "application/vnd.jupyter.widget-view+json" in p.read_text(errors="replace")]
    assert not dead, f"live widget output in the HTML (no kernel there): {dead}"


def test_every_internal_link_and_anchor_resolves(book_html: Path) -> None:
    pages = {p: _parse(p) for p in sorted(book_html.rglob("*.html"))
             if "_static" not in p.relative_to(book_html).parts}
    ids = {p.resolve(): parsed.ids for p, parsed in pages.items()}
    broken = []
    for path, parsed in pages.items():
        rel = path.relative_to(book_html)
        for tag, attr, value in parsed.links:
            if attr == "srcset":
                candidates = [c.strip().split(" ")[0] for c in value.split(",") if c.strip()]
            else:
                candidates = [value]
            for url in candidates:
                url = url.strip()
                split = urlsplit(url)
                if split.scheme or url.startswith("//") or url.startswith("javascript:") or not url:
                    continue
                target, fragment = urldefrag(url)
                target = unquote(target.split("?")[0])
                if target:
                    file = (path.parent / target).resolve()
                    if file.is_dir():
                        file = file / "index.html"
                else:
                    file = path.resolve()
                if not file.exists():
                    broken.append(f"{rel}: <{tag} {attr}={url}> -> missing {target}")
                    continue
                if fragment and file.suffix == ".html" and tag == "a":
                    known = ids.get(file)
                    if known is None:
                        known = _parse(file).ids
                        ids[file] = known
                    if unquote(fragment) not in known:
                        broken.append(f"{rel}: <a href={url}> -> no id {fragment!r} in "
                                      f"{posixpath.relpath(str(file), str(book_html))}")
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:60])


def test_every_toc_page_was_built(book_html: Path) -> None:
    for doc in DOCS:
        assert (book_html / f"{doc}.html").is_file(), f"no page for {doc}"
    assert (ROOT / "_toc.yml").is_file()
