"""The kernel-free twin's script in a real browser, on a page of its own (no book build needed).

A demo twin with a slider and a select is written to a page, served on localhost and driven in
Chromium with the network cut off: moving the slider or choosing another option redraws the plot,
the readout, the title and the text alternative; nothing is requested from another host and
nothing is logged as an error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnbook.plots import COLORS
from rnnbook.widgets.static import Control, Frame, Series, frames_on_grid, twin_html

try:
    from conftest import serve
except ImportError:
    from tests.browser.conftest import serve


def demo_twin(twin_id: str | None = None) -> str:
    k = np.arange(0, 51)

    def frame(rate: float, shape: str) -> Frame:
        y = k * np.log10(rate) if shape == "geometric" else -0.5 * np.log10(1.0 + k) * rate
        return Frame(
            [Series("band", k, y - 0.5, COLORS["measured"], y2=y + 0.5),
             Series("decay", k, y, COLORS["rnn"]),
             Series("bound", k, y + 1.0, COLORS["bound"], dash="--")],
            title=f"rate {rate:g}, {shape}",
            readout=f"<b>At k = 50:</b> 10<sup>{y[-1]:.2f}</sup>",
            description=f"Decay at rate {rate:g} ({shape}).")

    controls = [Control("rate", "rate", [0.5, 0.9, 1.0, 1.1], initial=0.9),
                Control("shape", "shape", ["geometric", "power"])]
    return twin_html(frames_on_grid(frame, controls), controls, xlabel="k",
                     ylabel="norm (log scale)", ylog10=True, twin_id=twin_id)


@pytest.fixture(scope="module")
def twin_page(tmp_path_factory: pytest.TempPathFactory):
    folder: Path = tmp_path_factory.mktemp("twin")
    (folder / "index.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>twin</title></head>"
        f"<body><main><h1>Twin</h1>{demo_twin()}{demo_twin('second')}</main></body>"
        "</html>", encoding="utf-8")
    server, url = serve(folder)
    yield url + "index.html"
    server.shutdown()
    server.server_close()


def state(page, twin):
    return page.evaluate(
        """(root) => ({
            paths: Array.from(root.querySelectorAll('svg.twin-svg .twin-series'))
                        .map(p => p.getAttribute('d')),
            title: root.querySelector('.twin-title').textContent,
            readout: root.querySelector('.twin-readout').innerHTML,
            label: root.querySelector('svg.twin-svg').getAttribute('aria-label'),
            frame: root.dataset.frame,
            ticks: root.querySelectorAll('svg.twin-svg .twin-axes text').length,
        })""", twin.element_handle())


def test_twin_draws_and_follows_its_controls(open_page, twin_page) -> None:
    page, log = open_page(twin_page)
    twins = page.locator(".rnnbook-twin")
    assert twins.count() == 2  # two twins on one page do not interfere
    twin = twins.first
    start = state(page, twin)
    assert len(start["paths"]) == 3 and all(start["paths"])
    assert start["ticks"] > 4
    assert start["title"] == "rate 0.9, geometric"
    assert start["label"] == "Decay at rate 0.9 (geometric)."
    assert "At k = 50" in start["readout"]
    slider = twin.locator("input[type=range]")
    assert slider.get_attribute("aria-valuetext") == "0.9"

    slider.fill("3")  # rate 1.1
    moved = state(page, twin)
    assert moved["paths"] != start["paths"]
    assert moved["title"] == "rate 1.1, geometric"
    assert moved["readout"] != start["readout"]
    assert slider.get_attribute("aria-valuetext") == "1.1"
    assert twin.locator("output").text_content() == "1.1"

    twin.locator("select").select_option("1")  # power
    chosen = state(page, twin)
    assert chosen["paths"] != moved["paths"] and chosen["title"] == "rate 1.1, power"

    # keyboard: one step left
    slider.focus()
    page.keyboard.press("ArrowLeft")
    assert state(page, twin)["title"] == "rate 1, power"
    # the second twin did not move
    assert state(page, twins.nth(1))["title"] == "rate 0.9, geometric"
    assert not log.problems(), log.problems()


def test_twin_is_accessible(open_page, twin_page) -> None:
    page, log = open_page(twin_page)
    twin = page.locator(".rnnbook-twin").first
    svg = twin.locator("svg.twin-svg")
    assert svg.get_attribute("role") == "img"
    assert svg.locator("title").text_content()
    for control in twin.locator("input, select").all():
        cid = control.get_attribute("id")
        assert twin.locator(f"label[for='{cid}']").count() == 1
    assert twin.locator("[aria-live=polite]").count() == 1
    assert not log.problems(), log.problems()
