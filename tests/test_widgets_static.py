"""Kernel-free widget twins (rnnbook.widgets.static): validation, payload, HTML, Sphinx hook.

The twin's script is exercised in a real browser by tests/browser/test_twin_browser.py; here
the Python side: every grid point is in the payload, curves are thinned without losing their
ends or their shape, the HTML is self-contained (no URL is loaded) and deterministic.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnbook.plots import COLORS
from rnnbook.widgets import static
from rnnbook.widgets.static import (
    Control,
    Frame,
    Series,
    frames_on_grid,
    simplify_indices,
    thin_indices,
    twin_html,
    twin_payload,
)


def demo(K: int = 40):
    k = np.arange(K, dtype=float)

    def frame(rate: float, kind: str) -> Frame:
        y = k * np.log10(rate) if kind == "geometric" else -np.log10(1 + k) * rate
        return Frame([Series("band", k, y - 1, COLORS["measured"], y2=y + 1),
                      Series("decay", k, y, COLORS["rnn"]),
                      Series("bound", k, k * 0.1, COLORS["bound"], dash="--")],
                     title=f"rate {rate}, {kind}", readout=f"<b>{y[-1]:.2f}</b>")

    controls = [Control("rate", "rate", [0.5, 0.9, 1.1], initial=0.9),
                Control("kind", "kind", ["geometric", "power"])]
    return frames_on_grid(frame, controls), controls


def payload_of(html: str) -> dict:
    block = re.search(r'<script type="application/json" class="twin-data">(.*?)</script>',
                      html, flags=re.S)
    assert block is not None
    return json.loads(block.group(1))


# ---------------------------------------------------------------------------
# building blocks
# ---------------------------------------------------------------------------
def test_series_validates() -> None:
    with pytest.raises(ValueError, match="#rrggbb"):
        Series("a", [0, 1], [0, 1], "blue")
    with pytest.raises(ValueError, match="dash"):
        Series("a", [0, 1], [0, 1], "#000000", dash="wiggly")
    with pytest.raises(ValueError, match="same shape"):
        Series("a", [0, 1, 2], [0, 1], "#000000")
    with pytest.raises(ValueError, match="NaN or infinite"):
        Series("a", [0, 1], [0, np.inf], "#000000")
    with pytest.raises(ValueError, match="y2"):
        Series("a", [0, 1], [0, 1], "#000000", y2=[1, 2, 3])
    with pytest.raises(TypeError, match="label"):
        Series(3, [0, 1], [0, 1], "#000000")
    s = Series("a", [0, 1], [2, 3], "#0072B2", dash="--")
    assert s.x.dtype == np.float64 and s.style == ("a", "#0072b2", "6 4", 1.8, False)


def test_frame_and_control_validate() -> None:
    with pytest.raises(TypeError, match="Series"):
        Frame([])
    with pytest.raises(ValueError, match="low < high"):
        Frame([Series("a", [0, 1], [0, 1], "#000000")], ylim=(1.0, 0.0))
    with pytest.raises(TypeError, match="finite numbers or all strings"):
        Control("a", "a", [1, "b"])
    with pytest.raises(ValueError, match="not in"):
        Control("a", "a", [1, 2], initial=3)
    with pytest.raises(ValueError, match="repeated"):
        Control("a", "a", [1, 1])
    with pytest.raises(ValueError, match="identifier"):
        Control("not a name", "a", [1])
    with pytest.raises(TypeError, match="finite numbers"):
        Control("a", "a", [True, False])
    c = Control("norm", "norm", [0.5, 1.25], initial=1.25, fmt="{:.2f}")
    assert c.kind == "range" and c._shown == ("0.50", "1.25") and c.initial == 1.25
    assert Control("act", "act", ["tanh", "relu"]).kind == "select"


def test_frames_on_grid_covers_the_grid_in_row_major_order() -> None:
    frames, controls = demo()
    assert list(frames) == [(r, k) for r in (0.5, 0.9, 1.1) for k in ("geometric", "power")]
    with pytest.raises(TypeError, match="must return a Frame"):
        frames_on_grid(lambda **kw: None, controls)
    with pytest.raises(ValueError, match="distinct"):
        frames_on_grid(lambda **kw: None, [controls[0], controls[0]])


# ---------------------------------------------------------------------------
# thinning
# ---------------------------------------------------------------------------
@given(K=st.integers(1, 500), max_points=st.integers(2, 200))
def test_thin_indices_keeps_the_ends(K: int, max_points: int) -> None:
    idx = thin_indices(K, max_points)
    assert idx[0] == 0 and idx[-1] == K - 1
    assert np.all(np.diff(idx) > 0)
    assert len(idx) == min(K, max_points)


def test_thin_indices_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        thin_indices(0, 10)
    with pytest.raises(ValueError):
        thin_indices(10, 1)


@given(seed=st.integers(0, 2**16), K=st.integers(2, 200),
       tolerance=st.floats(0.0, 1.0, allow_nan=False))
def test_simplified_curve_stays_within_tolerance(seed: int, K: int, tolerance: float) -> None:
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.uniform(0.1, 1.0, size=K))
    y = np.cumsum(rng.normal(size=K))
    keep = simplify_indices(x, [y], tolerance)
    assert keep[0] == 0 and keep[-1] == K - 1 and np.all(np.diff(keep) > 0)
    assert np.max(np.abs(np.interp(x, x[keep], y[keep]) - y)) <= tolerance + 1e-12


def test_simplify_drops_a_straight_line_to_two_points() -> None:
    x = np.arange(100.0)
    assert simplify_indices(x, [3 * x - 2], 1e-9).tolist() == [0, 99]
    kink = np.abs(x - 40.0)
    assert simplify_indices(x, [x, kink], 1e-9).tolist() == [0, 40, 99]
    with pytest.raises(ValueError, match="tolerance"):
        simplify_indices(x, [x], -1.0)
    with pytest.raises(ValueError, match="shape"):
        simplify_indices(x, [x[:5]], 0.1)


# ---------------------------------------------------------------------------
# payload and HTML
# ---------------------------------------------------------------------------
def test_payload_holds_every_frame_with_its_curves() -> None:
    frames, controls = demo()
    data = twin_payload(frames, controls, max_points=10, digits=3, tolerance=0.0)
    assert [c["shown"] for c in data["controls"]] == [["0.5", "0.9", "1.1"], ["geometric", "power"]]
    assert data["controls"][0]["initial"] == 1 and data["controls"][1]["initial"] == 0
    assert len(data["frames"]) == 6
    assert [s["label"] for s in data["styles"]] == ["band", "decay", "bound"]
    assert data["styles"][0]["band"] and data["styles"][2]["dash"] == "6 4"
    assert len(data["xs"]) == 1 and data["xs"][0][0] == 0 and data["xs"][0][-1] == 39
    frame = data["frames"][3]  # rate 0.9, power (row-major)
    assert frame["t"] == "rate 0.9, power"
    k = np.array(data["xs"][0])
    expected = -np.log10(1 + k) * 0.9
    np.testing.assert_allclose(frame["s"][1][2], expected, atol=6e-4)
    np.testing.assert_allclose(frame["s"][0][3], expected + 1, atol=6e-4)  # band top
    lo, hi = frame["yl"]
    assert lo < float(np.min(expected - 1)) and hi > float(np.max(expected + 1))


def test_payload_rejects_an_incomplete_or_foreign_grid() -> None:
    frames, controls = demo()
    partial = dict(frames)
    partial.pop((0.5, "power"))
    with pytest.raises(ValueError, match="miss 1 grid points"):
        twin_payload(partial, controls)
    extra = dict(frames)
    extra[(7.0, "power")] = frames[(0.5, "power")]
    with pytest.raises(ValueError, match="not grid points"):
        twin_payload(extra, controls)
    with pytest.raises(TypeError):
        twin_payload(list(frames.values()), controls)


def test_payload_simplifies_straight_curves_only() -> None:
    frames, controls = demo(K=200)
    data = twin_payload(frames, controls, max_points=100, tolerance=0.002)
    geometric = data["frames"][0]  # rate 0.5, geometric: every curve is a straight line
    assert all(len(entry[2]) == 2 for entry in geometric["s"])
    power = data["frames"][1]  # log10(1 + k) bends: more points kept
    assert len(power["s"][1][2]) > 10


def test_twin_html_is_self_contained_and_deterministic() -> None:
    frames, controls = demo()
    html = twin_html(frames, controls, xlabel="k <steps>", ylabel="norm", ylog10=True,
                     note="precomputed")
    assert html == twin_html(frames, controls, xlabel="k <steps>", ylabel="norm", ylog10=True,
                             note="precomputed")
    assert html.startswith('<div class="rnnbook-twin') and html.endswith("</script></div>")
    # nothing is fetched: the only URL is the SVG namespace
    assert set(re.findall(r"https?://[^\s\"')]+", html)) == {"http://www.w3.org/2000/svg"}
    assert "<script src" not in html and "require(" not in html and "<link" not in html
    assert "k &lt;steps&gt;" in html  # labels are escaped
    assert html.count('type="range"') == 1 and html.count("<select") == 1
    assert 'role="img"' in html and 'aria-live="polite"' in html and "<label for=" in html
    assert "mathjax_ignore" in html  # MathJax leaves the twin's text alone
    assert payload_of(html) == twin_payload(frames, controls)
    other = twin_html(frames, controls, xlabel="k", ylabel="norm")
    assert re.search(r'id="(twin-[0-9a-f]{10})"', html).group(1) != \
        re.search(r'id="(twin-[0-9a-f]{10})"', other).group(1)


def test_twin_html_escapes_script_endings_in_the_data() -> None:
    frames, controls = demo()
    nasty = {key: Frame(f.series, title="</script><script>alert(1)</script>", readout="\u2028")
             for key, f in frames.items()}
    html = twin_html(nasty, controls, xlabel="k", ylabel="y")
    data_block = html.split('class="twin-data">', 1)[1].split("</script>", 1)[0]
    assert "</script" not in data_block and "\u2028" not in data_block
    assert payload_of(html)["frames"][0]["t"] == "</script><script>alert(1)</script>"


def test_twin_html_rejects_bad_arguments() -> None:
    frames, controls = demo()
    with pytest.raises(TypeError, match="xlabel"):
        twin_html(frames, controls, xlabel=None, ylabel="y")
    with pytest.raises(ValueError, match="HTML id"):
        twin_html(frames, controls, xlabel="x", ylabel="y", twin_id="1 bad")
    with pytest.raises(ValueError, match="width"):
        twin_html(frames, controls, xlabel="x", ylabel="y", width=10)


def contrast(foreground: str, background: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""
    def luminance(colour: str) -> float:
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
        lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        return float(lin @ [0.2126, 0.7152, 0.0722])

    hi, lo = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_twin_text_has_enough_contrast() -> None:
    """Text colours of the twin (body, ticks, note) against its white background: WCAG AA."""
    frames, controls = demo()
    html = twin_html(frames, controls, xlabel="x", ylabel="y", note="n")
    colours = set(re.findall(r"(?:[^-]color:|fill:\"?|fill=\")(#[0-9a-fA-F]{6})", html))
    text_colours = {c for c in colours if c.lower() in {"#222", "#222222", "#555555"}} | {"#222222"}
    for colour in text_colours:
        assert contrast(colour) >= 4.5, colour
    assert contrast("#555555") >= 4.5  # the note


# ---------------------------------------------------------------------------
# the book's twins (chapters 4 and 5)
# ---------------------------------------------------------------------------
def test_bound_explorer_twin_matches_the_widget_data() -> None:
    from rnnbook.widgets.gradient_bounds import bound_explorer_data

    grid = {"norm": (0.5, 1.5), "T": (20, 60), "n": (8,), "activation": ("tanh", "relu")}
    html = static.bound_explorer_twin(grid)
    data = payload_of(html)
    assert [c["name"] for c in data["controls"]] == ["norm", "T", "activation"]  # n is fixed
    assert len(data["frames"]) == 8
    ref = bound_explorer_data(1.5, 60, 8, "relu")
    frame = data["frames"][-1]
    assert "relu" in frame["t"] and "1.5" in frame["t"]
    median = next(e for e in frame["s"] if data["styles"][e[0]]["label"].endswith("median"))
    x = np.array(data["xs"][median[1]])
    np.testing.assert_allclose(median[2], np.interp(x, ref["k"], ref["median"]), atol=3e-3)
    bound = next(e for e in frame["s"] if data["styles"][e[0]]["label"].startswith("bound"))
    assert len(bound[2]) == 2  # a straight line in log units
    np.testing.assert_allclose(bound[2][-1], ref["log10_bound"][-1], atol=1e-3)
    with pytest.raises(ValueError, match="keys"):
        static.bound_explorer_twin({"norm": (1.0,)})


def test_gradient_flow_twin_matches_the_widget_data() -> None:
    from rnnbook.widgets.gradient_flow import gradient_flow_data

    html = static.gradient_flow_twin({"T": (20, 40), "forget_bias": (0.0, 2.0)})
    data = payload_of(html)
    assert len(data["frames"]) == 4 and len(data["styles"]) == 5
    ref = gradient_flow_data(40, 2.0)
    frame = data["frames"][-1]
    lstm_c = frame["s"][2]
    x = np.array(data["xs"][lstm_c[1]])
    np.testing.assert_allclose(lstm_c[2], np.interp(x, ref.k, ref.lstm_c), atol=3e-3)
    assert "T = 40" in frame["t"] and "At k = 40" in frame["r"]
    with pytest.raises(ValueError, match="keys"):
        static.gradient_flow_twin({"T": (20,)})


# ---------------------------------------------------------------------------
# Sphinx hooks
# ---------------------------------------------------------------------------
def test_mathjax_comes_from_the_python_package(tmp_path) -> None:
    source = static.mathjax_source()
    assert (source / "tex-chtml.js").stat().st_size > 500_000
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(tmp_path))
    static._copy_mathjax(app, None)
    target = tmp_path / "_static" / "mathjax"
    assert (target / "tex-chtml.js").is_file() and (target / "LICENSE").is_file()
    assert any((target / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert (target / "input" / "tex" / "extensions" / "ams.js").is_file()
    config = SimpleNamespace(mathjax_path="https://cdn.example/mathjax.js")
    static._use_local_mathjax(None, config)
    assert config.mathjax_path == static.MATHJAX_PATH


def test_duplicate_inline_scripts_are_dropped() -> None:
    def js(filename, body):
        return SimpleNamespace(filename=filename, priority=500, attributes={"body": body})

    scripts = [js(None, "const A = 1"), js("x.js", ""), js("", "const A = 1"), js("y.js", "")]
    context = {"script_files": scripts}
    static._dedupe_scripts(None, "page", "page.html", context, None)
    assert [s.filename for s in context["script_files"]] == [None, "x.js", "y.js"]


def test_decay_table_twin_shows_the_widget_table() -> None:
    from rnnbook.widgets.gradient_bounds import decay_table, decay_table_html

    html = static.decay_table_twin({"w_h": (0.5, 2.0), "activation": ("sigmoid", "relu")})
    data = payload_of(html)
    assert len(data["frames"]) == 4
    frame = data["frames"][1]  # w_h 0.5, relu
    assert frame["r"] == decay_table_html(decay_table(0.5, "relu"), "relu", 0.5)
    bound = frame["s"][0]
    assert len(bound[2]) == 2  # a straight line in log units: 2 points
    np.testing.assert_allclose(bound[2][-1], 49 * np.log10(0.5), atol=1e-3)
    with pytest.raises(ValueError, match="keys"):
        static.decay_table_twin({"w_h": (1.0,)})


def test_twins_display_as_html_in_jupyter() -> None:
    frames, controls = demo()
    html = twin_html(frames, controls, xlabel="x", ylabel="y")
    assert isinstance(html, static.TwinHTML) and isinstance(html, str)
    assert html._repr_html_() == str(html)
    assert repr(html).startswith("<kernel-free widget twin") and len(repr(html)) < 80


def test_book_grids_cover_the_positions_the_chapters_mention():
    from rnnbook.widgets import gradient_bounds as gb
    from rnnbook.widgets import gradient_flow as gfw
    from rnnbook.widgets.static import BOUND_GRID, FLOW_GRID
    norms = BOUND_GRID["norm"]
    # chapter 4: n = 1 and the default 32; the slider's ends; both sides of the sigmoid's 4
    assert {1, 32} <= set(BOUND_GRID["n"])
    assert (min(norms), max(norms)) == gb.NORM_RANGE
    assert any(3.5 <= s < 4 for s in norms) and any(4 < s <= 4.5 for s in norms) and 4.0 in norms
    assert all(gb.HIDDEN_RANGE[0] <= n <= gb.HIDDEN_RANGE[1] for n in BOUND_GRID["n"])
    assert all(gb.T_RANGE[0] <= T <= gb.T_RANGE[1] for T in BOUND_GRID["T"])
    # chapter 5 quotes the largest bias at the longest T of the grid
    assert gfw.BIAS_RANGE[1] in FLOW_GRID["forget_bias"]
    assert max(FLOW_GRID["T"]) in range(gfw.T_RANGE[0], gfw.T_RANGE[1] + 1, gfw.T_RANGE[2])


def test_bound_explorer_twin_page_stays_light():
    from rnnbook.widgets.static import bound_explorer_twin
    html = str(bound_explorer_twin())
    assert len(html.encode()) < 450_000          # 375 kB with the book's grid
    assert '"initial":1' in html.split('"hidden n"')[1][:200]   # starts at n = 32, not n = 1
