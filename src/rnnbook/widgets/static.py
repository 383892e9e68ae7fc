r"""Kernel-free twins of the book's widgets, and the Sphinx hook that makes the HTML book offline.

An ipywidgets slider needs a Python kernel to answer: in the built HTML book nobody is there to
run the callback. A *twin* is the same plot computed ahead of time on a grid of slider
positions and written into the page as a self-contained HTML snippet: sliders (``<input
type=range>``) or selects choose a grid point, and a small inline script redraws an inline SVG
plot from the precomputed curves. No kernel, no external script, no CDN, no ``require.js``.

Use it in a notebook cell (tagged ``remove-input``) of the chapter::

    frames = frames_on_grid(make_frame, controls)        # one Frame per grid point
    display(HTML(twin_html(frames, controls, xlabel=..., ylabel=..., ylog10=True)))

* :class:`Series`, :class:`Frame` and :class:`Control` describe what is drawn;
* :func:`frames_on_grid` evaluates a function over every combination of control values;
* :func:`twin_payload` turns the frames into the compact JSON-able dict the script reads
  (curves thinned to ``max_points`` points, numbers rounded to ``digits`` decimals);
* :func:`twin_html` returns the HTML snippet (a :class:`TwinHTML`, displayed by Jupyter);
* :func:`decay_table_twin`, :func:`bound_explorer_twin` (chapter 4) and
  :func:`gradient_flow_twin` (chapter 5) are the book's twins, computed from the same data
  functions as the live widgets, in a second or two each.

The module is also a Sphinx extension (``sphinx: extra_extensions: [rnnbook.widgets.static]``):
:func:`setup` copies MathJax 3 from the ``django-static-mathjax`` wheel (a PyPI package that
ships the MathJax distribution files) into ``_static/mathjax`` of the HTML build and points
``mathjax_path`` at it, so every equation renders with the network cut off; it also leaves the
(dead, heavy) saved ipywidgets state out of the pages and removes a duplicated inline script of
sphinx-thebe that raised a SyntaxError on every page.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._checks import as_array, check_positive_int

__all__ = [
    "BOUND_GRID",
    "DASHES",
    "FLOW_GRID",
    "MATHJAX_PATH",
    "Control",
    "Frame",
    "Series",
    "DECAY_GRID",
    "TwinHTML",
    "bound_explorer_twin",
    "decay_table_twin",
    "frames_on_grid",
    "gradient_flow_twin",
    "mathjax_source",
    "setup",
    "simplify_indices",
    "thin_indices",
    "twin_html",
    "twin_payload",
]

#: SVG ``stroke-dasharray`` of each line style (matplotlib's names and symbols).
DASHES: dict[str, str] = {
    "solid": "", "-": "",
    "dashed": "6 4", "--": "6 4",
    "dotted": "1.5 3", ":": "1.5 3",
    "dashdot": "6 3 1.5 3", "-.": "6 3 1.5 3",
}

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ---------------------------------------------------------------------------
# what a twin draws
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """One line of a frame, or a shaded band between ``y`` and ``y2``.

    Parameters
    ----------
    label : str
        Legend text (plain text: it is escaped, no LaTeX).
    x, y : (K,) arrays, finite
        The points; for a logarithmic plot ``y`` is already in :math:`\\log_{10}` units.
    color : str
        ``"#rrggbb"``, e.g. from :data:`rnnbook.plots.COLORS`.
    dash : str
        ``"solid"``, ``"dashed"``, ``"dotted"``, ``"dashdot"`` (or ``"-"``, ``"--"``, ``":"``, ``"-."``).
    y2 : (K,) array or None
        If given, the series is a band filled between ``y`` and ``y2`` (drawn under the lines).
    width : float
        Line width in SVG pixels.
    """

    label: str
    x: Any
    y: Any
    color: str
    dash: str = "solid"
    y2: Any = None
    width: float = 1.8

    def __post_init__(self) -> None:
        if not isinstance(self.label, str):
            raise TypeError(f"label must be a str, got {type(self.label).__name__}")
        if not (isinstance(self.color, str) and _COLOR.match(self.color)):
            raise ValueError(f"color must be '#rrggbb', got {self.color!r}")
        if self.dash not in DASHES:
            raise ValueError(f"dash must be one of {sorted(DASHES)}, got {self.dash!r}")
        x = as_array(self.x, f"x of series {self.label!r}", ndim=1)
        y = as_array(self.y, f"y of series {self.label!r}", ndim=1)
        if x.shape != y.shape or x.size < 1:
            raise ValueError(f"series {self.label!r}: x and y must have the same shape (K,) with "
                             f"K >= 1, got {x.shape} and {y.shape}")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        if self.y2 is not None:
            y2 = as_array(self.y2, f"y2 of series {self.label!r}", ndim=1)
            if y2.shape != x.shape:
                raise ValueError(f"series {self.label!r}: y2 must have shape {x.shape}, "
                                 f"got {y2.shape}")
            object.__setattr__(self, "y2", y2)
        if not (isinstance(self.width, (int, float)) and 0 < self.width <= 20):
            raise ValueError(f"width must be a number in (0, 20], got {self.width!r}")

    @property
    def style(self) -> tuple[str, str, str, float, bool]:
        """What the legend shows: (label, color, dash, width, is_band)."""
        return (self.label, self.color.lower(), DASHES[self.dash], float(self.width),
                self.y2 is not None)


@dataclass(frozen=True)
class Frame:
    """Everything one grid point of the twin shows.

    Parameters
    ----------
    series : sequence of Series
    title : str
        Plain text above the plot.
    readout : str
        HTML shown under the plot (trusted: produced by the book's own code, e.g.
        :func:`rnnbook.widgets.gradient_bounds.readout_html`).
    description : str
        Text alternative of the plot at this grid point (screen readers); defaults to the title.
    xlim, ylim : (float, float) or None
        Axis ranges; by default the data range with a margin.
    """

    series: Sequence[Series]
    title: str = ""
    readout: str = ""
    description: str = ""
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        series = tuple(self.series)
        if not series or not all(isinstance(s, Series) for s in series):
            raise TypeError("series must be a non-empty sequence of Series")
        object.__setattr__(self, "series", series)
        for name in ("title", "readout", "description"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a str")
        for name in ("xlim", "ylim"):
            lim = getattr(self, name)
            if lim is not None:
                arr = as_array(lim, name, ndim=1)
                if arr.shape != (2,) or not arr[0] < arr[1]:
                    raise ValueError(f"{name} must be (low, high) with low < high, got {lim}")
                object.__setattr__(self, name, (float(arr[0]), float(arr[1])))


@dataclass(frozen=True)
class Control:
    """A slider (numeric values) or a select (string values) of the twin.

    Parameters
    ----------
    name : str
        A Python identifier: the keyword passed by :func:`frames_on_grid`.
    label : str
        What the reader sees next to the control.
    values : sequence
        The grid of this control: all numbers (a slider over them, in the order given) or all
        strings (a drop-down).
    initial : value in ``values`` or None
        The starting position (default: the first value).
    fmt : str
        Format of a number shown next to the slider, e.g. ``"{:.2f}"``.
    """

    name: str
    label: str
    values: Sequence[Any]
    initial: Any = None
    fmt: str = "{:g}"
    _shown: tuple[str, ...] = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        if not (isinstance(self.name, str) and _NAME.match(self.name)):
            raise ValueError(f"name must be an identifier, got {self.name!r}")
        if not isinstance(self.label, str):
            raise TypeError("label must be a str")
        values = tuple(self.values)
        if not values:
            raise ValueError(f"control {self.name!r} needs at least one value")
        if len(set(values)) != len(values):
            raise ValueError(f"control {self.name!r} has repeated values: {values}")
        if all(isinstance(v, str) for v in values):
            shown = values
        elif all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                 and np.isfinite(v) for v in values):
            shown = tuple(self.fmt.format(v) for v in values)
        else:
            raise TypeError(f"control {self.name!r}: values must be all finite numbers or all "
                            f"strings, got {values}")
        initial = values[0] if self.initial is None else self.initial
        if initial not in values:
            raise ValueError(f"initial {initial!r} of control {self.name!r} is not in {values}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "initial", initial)
        object.__setattr__(self, "_shown", shown)

    @property
    def kind(self) -> str:
        """``"select"`` for string values, ``"range"`` for numbers."""
        return "select" if isinstance(self.values[0], str) else "range"


def frames_on_grid(make_frame: Callable[..., Frame], controls: Sequence[Control]
                   ) -> dict[tuple, Frame]:
    """Evaluate ``make_frame(**{control.name: value})`` at every combination of control values.

    Returns
    -------
    dict
        ``{(v_1, ..., v_m): Frame}`` in row-major order of ``controls`` (the last varies fastest).
    """
    controls = _check_controls(controls)
    frames = {}
    for combo in itertools.product(*(c.values for c in controls)):
        frame = make_frame(**{c.name: v for c, v in zip(controls, combo, strict=True)})
        if not isinstance(frame, Frame):
            raise TypeError(f"make_frame must return a Frame, got {type(frame).__name__}")
        frames[combo] = frame
    return frames


# ---------------------------------------------------------------------------
# the payload
# ---------------------------------------------------------------------------
def thin_indices(K: int, max_points: int) -> np.ndarray:
    """At most ``max_points`` indices spread evenly over ``0..K-1``, both ends included.

    Returns
    -------
    (M,) int array, increasing, ``M = min(K, max_points)``.
    """
    K = check_positive_int(K, "K")
    max_points = check_positive_int(max_points, "max_points", minimum=2)
    if K <= max_points:
        return np.arange(K)
    return np.unique(np.round(np.linspace(0, K - 1, max_points)).astype(int))


def simplify_indices(x: np.ndarray, ys: Sequence[np.ndarray], tolerance: float) -> np.ndarray:
    """Indices of the points to keep so that every curve of ``ys`` (against ``x``) stays within
    ``tolerance`` (in y units) of its straight-line interpolation (Ramer-Douglas-Peucker).

    Returns
    -------
    (M,) int array, increasing, with the first and the last index.
    """
    x = as_array(x, "x", ndim=1)
    ys = [as_array(y, "y", ndim=1) for y in ys]
    if any(y.shape != x.shape for y in ys) or x.size == 0:
        raise ValueError(f"every y must have the shape of x, {x.shape}, with at least one point")
    if not (isinstance(tolerance, (int, float)) and np.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a finite number >= 0, got {tolerance!r}")
    keep = np.zeros(x.size, dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, x.size - 1)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        inner = np.arange(i + 1, j)
        span = x[j] - x[i]
        w = (x[inner] - x[i]) / span if span != 0 else np.zeros(inner.size)
        err = np.max([np.abs(y[inner] - (y[i] + w * (y[j] - y[i]))) for y in ys], axis=0)
        worst = int(np.argmax(err))
        if err[worst] > tolerance:
            m = int(inner[worst])
            keep[m] = True
            stack += [(i, m), (m, j)]
    return np.flatnonzero(keep)


def _check_controls(controls: Sequence[Control]) -> tuple[Control, ...]:
    controls = tuple(controls)
    if not controls or not all(isinstance(c, Control) for c in controls):
        raise TypeError("controls must be a non-empty sequence of Control")
    names = [c.name for c in controls]
    if len(set(names)) != len(names):
        raise ValueError(f"control names must be distinct, got {names}")
    return controls


def _rounded(a: np.ndarray, digits: int) -> list:
    out = np.round(a, digits) + 0.0  # + 0.0 turns -0.0 into 0.0
    return [int(v) if v == int(v) else float(v) for v in out.tolist()]


def _limits(values: list[np.ndarray], lim: tuple[float, float] | None) -> list[float]:
    if lim is not None:
        return [lim[0], lim[1]]
    lo = min(float(v.min()) for v in values)
    hi = max(float(v.max()) for v in values)
    pad = 0.05 * (hi - lo) if hi > lo else 0.5
    return [lo - pad, hi + pad]


def twin_payload(frames: Mapping[tuple, Frame], controls: Sequence[Control], *,
                 max_points: int = 120, digits: int = 3,
                 tolerance: float = 0.002) -> dict[str, Any]:
    """The JSON-able data of a twin: controls, legend styles and every frame's thinned curves.

    Parameters
    ----------
    frames : mapping ``{(v_1, ..., v_m): Frame}``
        One frame for every combination of the controls' values (the full grid).
    controls : sequence of Control
    max_points : int >= 2
        Curves with more points are thinned to this many (ends kept).
    digits : int >= 0
        Decimals kept of every coordinate (3 decimals of a :math:`\\log_{10}` value is 0.2%).
    tolerance : float >= 0
        After thinning, points that lie within ``tolerance`` (y units) of the straight line
        through their neighbours are dropped as well (:func:`simplify_indices`), if that
        halves the curve (a straight bound keeps 2 points). 0 turns it off.

    Returns
    -------
    dict with ``controls`` (name, label, kind, shown values, initial index), ``styles``
    (one legend entry per distinct series style, in order of first appearance), ``xs``
    (the distinct thinned x arrays), ``frames`` (row-major over the controls; each frame has
    ``t`` title, ``r`` readout, ``d`` description (left out when it is the title), ``xl``/``yl``
    limits and ``s``: a list of ``[style, x index, y]`` or ``[style, x index, y, y2]``).
    """
    controls = _check_controls(controls)
    max_points = check_positive_int(max_points, "max_points", minimum=2)
    digits = check_positive_int(digits, "digits", minimum=0)
    if not isinstance(frames, Mapping):
        raise TypeError(f"frames must be a dict {{values: Frame}}, got {type(frames).__name__}")
    grid = list(itertools.product(*(c.values for c in controls)))
    missing = [g for g in grid if g not in frames]
    if missing:
        raise ValueError(f"frames miss {len(missing)} grid points of the controls, e.g. {missing[0]}")
    extra = set(frames) - set(grid)
    if extra:
        raise ValueError(f"frames has keys that are not grid points of the controls: "
                         f"{sorted(map(str, extra))[:3]}")

    styles: list[tuple] = []
    xs: list[list] = []
    x_index: dict[bytes, int] = {}
    out_frames = []
    for key in grid:
        frame = frames[key]
        if not isinstance(frame, Frame):
            raise TypeError(f"frames[{key}] must be a Frame, got {type(frame).__name__}")
        drawn = []
        for s in frame.series:
            if s.style not in styles:
                styles.append(s.style)
            keep = thin_indices(s.x.size, max_points)
            if tolerance > 0 and keep.size > 2:
                curves = [s.y[keep]] + ([s.y2[keep]] if s.y2 is not None else [])
                fewer = simplify_indices(s.x[keep], curves, tolerance)
                if 2 * fewer.size <= keep.size:
                    keep = keep[fewer]
            x = _rounded(s.x[keep], digits)
            xkey = json.dumps(x).encode()
            if xkey not in x_index:
                x_index[xkey] = len(xs)
                xs.append(x)
            entry = [styles.index(s.style), x_index[xkey], _rounded(s.y[keep], digits)]
            if s.y2 is not None:
                entry.append(_rounded(s.y2[keep], digits))
            drawn.append(entry)
        ys = [s.y for s in frame.series] + [s.y2 for s in frame.series if s.y2 is not None]
        entry_frame = {"t": frame.title, "r": frame.readout,
                       "xl": _limits([s.x for s in frame.series], frame.xlim),
                       "yl": _limits(ys, frame.ylim), "s": drawn}
        if frame.description and frame.description != frame.title:
            entry_frame["d"] = frame.description
        out_frames.append(entry_frame)
    return {
        "controls": [{"name": c.name, "label": c.label, "kind": c.kind, "shown": list(c._shown),
                      "initial": c.values.index(c.initial)} for c in controls],
        "styles": [{"label": lab, "color": col, "dash": dash, "width": w, "band": band}
                   for lab, col, dash, w, band in styles],
        "xs": xs,
        "frames": out_frames,
    }


# ---------------------------------------------------------------------------
# the HTML snippet
# ---------------------------------------------------------------------------
_CSS = """
.rnnbook-twin{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;
 background:#fff;border:1px solid #ccc;border-radius:6px;padding:10px 12px;max-width:720px;
 margin:0.5em 0;font-size:14px;line-height:1.4}
.rnnbook-twin .twin-controls{display:flex;flex-wrap:wrap;gap:6px 22px;align-items:center}
.rnnbook-twin .twin-control{display:flex;align-items:center;gap:6px}
.rnnbook-twin input[type=range]{width:150px;accent-color:#0072B2}
.rnnbook-twin output{min-width:3.5em;font-variant-numeric:tabular-nums;font-weight:600}
.rnnbook-twin .twin-title{margin:6px 0 0;font-weight:600;font-size:13px}
.rnnbook-twin svg.twin-svg{display:block;width:100%;height:auto;background:#fff}
.rnnbook-twin .twin-legend svg{display:inline-block;flex:none}
.rnnbook-twin .twin-legend{display:flex;flex-wrap:wrap;gap:2px 16px;margin:2px 0;
 font-size:12.5px;list-style:none;padding:0}
.rnnbook-twin .twin-legend li{display:flex;align-items:center;gap:5px;margin:0}
.rnnbook-twin .twin-readout{margin-top:4px;font-size:13px}
.rnnbook-twin .twin-note{font-size:12px;color:#555;margin-top:4px}
"""

# The drawing code, defined once per page (the guard) and called once per twin.
_JS = r"""
(function(){
if(!window.rnnbookTwin){window.rnnbookTwin=function(root){
var NS="http://www.w3.org/2000/svg",D=JSON.parse(root.querySelector("script.twin-data").textContent);
var W=+root.dataset.width,H=+root.dataset.height,L=62,R=12,T=10,B=44,pw=W-L-R,ph=H-T-B;
var log=root.dataset.ylog10==="1",svg=root.querySelector("svg.twin-svg"),plot=svg.querySelector(".twin-plot");
var axes=svg.querySelector(".twin-axes"),ttl=root.querySelector(".twin-title"),
 rd=root.querySelector(".twin-readout"),st=svg.querySelector("title"),ds=svg.querySelector("desc");
var ctl=D.controls.map(function(c){return root.querySelector("[data-control='"+c.name+"']");});
function el(n,a,p){var e=document.createElementNS(NS,n);for(var k in a)e.setAttribute(k,a[k]);
 if(p)p.appendChild(e);return e;}
function ticks(lo,hi,n,integer){var span=hi-lo,raw=span/n,p=Math.pow(10,Math.floor(Math.log10(raw)));
 var st=[1,2,2.5,5,10].map(function(m){return m*p;}).filter(function(s){return s>=raw;})[0]||10*p;
 if(integer)st=Math.max(1,Math.round(st));var out=[];
 for(var v=Math.ceil(lo/st)*st;v<=hi+1e-9*span;v+=st)out.push(Math.abs(v)<1e-12*span?0:v);return out;}
function fmt(v){var a=Math.abs(v);if(a!==0&&(a>=1e5||a<1e-3))return v.toExponential(1);
 return String(+v.toPrecision(6));}
function index(){var i=0;D.controls.forEach(function(c,j){i=i*c.shown.length+(+ctl[j].value);});return i;}
function draw(){var i=index(),F=D.frames[i],xl=F.xl,yl=F.yl;
 var sx=function(x){return L+(x-xl[0])/(xl[1]-xl[0])*pw;},
 sy=function(y){return T+(yl[1]-y)/(yl[1]-yl[0])*ph;};
 while(axes.firstChild)axes.removeChild(axes.firstChild);
 while(plot.firstChild)plot.removeChild(plot.firstChild);
 ticks(xl[0],xl[1],7,false).forEach(function(v){var x=sx(v).toFixed(1);
  el("line",{x1:x,x2:x,y1:T,y2:T+ph,stroke:"#e3e3e3"},axes);
  var t=el("text",{x:x,y:T+ph+16,"text-anchor":"middle","font-size":11,fill:"#222"},axes);
  t.textContent=fmt(v);});
 ticks(yl[0],yl[1],6,log).forEach(function(v){var y=sy(v).toFixed(1);
  el("line",{x1:L,x2:L+pw,y1:y,y2:y,stroke:"#e3e3e3"},axes);
  var t=el("text",{x:L-6,y:+y+4,"text-anchor":"end","font-size":11,fill:"#222"},axes);
  if(log){t.textContent="10";var s=el("tspan",{dy:-6,"font-size":8.5},t);s.textContent=fmt(v);}
  else t.textContent=fmt(v);});
 el("path",{d:"M"+L+","+T+"V"+(T+ph)+"H"+(L+pw),fill:"none",stroke:"#222"},axes);
 var order=F.s.filter(function(s){return s.length>3;}).concat(F.s.filter(function(s){return s.length<4;}));
 order.forEach(function(s){var S=D.styles[s[0]],X=D.xs[s[1]],Y=s[2],pts=[],k;
  for(k=0;k<X.length;k++)pts.push(sx(X[k]).toFixed(1)+","+sy(Y[k]).toFixed(1));
  if(s.length>3){for(k=X.length-1;k>=0;k--)pts.push(sx(X[k]).toFixed(1)+","+sy(s[3][k]).toFixed(1));
   el("path",{d:"M"+pts.join("L")+"Z",fill:S.color,"fill-opacity":0.25,stroke:"none","class":"twin-series"},plot);}
  else el("path",{d:"M"+pts.join("L"),fill:"none",stroke:S.color,"stroke-width":S.width,
   "stroke-dasharray":S.dash,"stroke-linejoin":"round","class":"twin-series"},plot);});
 ttl.textContent=F.t;rd.innerHTML=F.r;var de=F.d||F.t;
 st.textContent=de;ds.textContent=de;svg.setAttribute("aria-label",de);
 D.controls.forEach(function(c,j){var v=c.shown[+ctl[j].value];
  if(c.kind==="range"){ctl[j].setAttribute("aria-valuetext",v);
   root.querySelector("output[data-for='"+c.name+"']").textContent=v;}});
 root.dataset.frame=i;}
ctl.forEach(function(c){c.addEventListener("input",draw);c.addEventListener("change",draw);});
draw();};}
var s=document.currentScript,r=s&&s.parentNode;
if(r&&r.classList.contains("rnnbook-twin"))window.rnnbookTwin(r);
})();
"""


class TwinHTML(str):
    """The HTML of a twin: a ``str`` that Jupyter displays as HTML when it ends a cell.

    ``repr`` is short, so the notebook's plain-text fallback does not repeat the whole page.
    """

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"<kernel-free widget twin, {len(self.encode()) / 1024:.0f} kB of HTML>"


def _minify(code: str) -> str:
    return "\n".join(line.strip() for line in code.strip().splitlines())


def twin_html(frames: Mapping[tuple, Frame], controls: Sequence[Control], *, xlabel: str,
              ylabel: str, ylog10: bool = False, note: str = "", width: int = 640,
              height: int = 340, max_points: int = 120, digits: int = 3,
              tolerance: float = 0.002, twin_id: str | None = None) -> str:
    """A self-contained HTML snippet: controls, an SVG plot redrawn on every move, a readout.

    Parameters
    ----------
    frames : mapping ``{(v_1, ..., v_m): Frame}``
        The full grid of the controls (see :func:`frames_on_grid`).
    controls : sequence of Control
    xlabel, ylabel : str
        Axis labels (plain text).
    ylog10 : bool
        The y values are :math:`\\log_{10}` units: the y ticks are integers shown as
        :math:`10^k`.
    note : str
        Plain text under the readout (e.g. "Precomputed for the HTML book: ...").
    width, height : int
        The SVG's coordinate size in pixels (it scales to the page width).
    max_points, digits, tolerance
        Passed to :func:`twin_payload`.
    twin_id : str or None
        The ``id`` of the outer ``<div>``; by default derived from a hash of the content,
        so the same data gives the same HTML.

    Returns
    -------
    TwinHTML (a str)
        HTML with one inline ``<style>``, one ``<script type="application/json">`` data block
        and one inline ``<script>``; nothing is fetched. As the last expression of a cell it
        is displayed (``_repr_html_``); ``IPython.display.HTML(...)`` works too.
    """
    for name, value in (("xlabel", xlabel), ("ylabel", ylabel), ("note", note)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    width = check_positive_int(width, "width", minimum=200)
    height = check_positive_int(height, "height", minimum=150)
    controls = _check_controls(controls)
    payload = twin_payload(frames, controls, max_points=max_points, digits=digits,
                           tolerance=tolerance)
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    # Inside <script>, "</" could end the element and U+2028/9 break old parsers: escape them.
    data = data.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if twin_id is None:
        digest = hashlib.sha1(f"{data}|{xlabel}|{ylabel}|{ylog10}|{width}|{height}".encode())
        twin_id = "twin-" + digest.hexdigest()[:10]
    elif not re.match(r"^[A-Za-z][A-Za-z0-9_-]*$", twin_id):
        raise ValueError(f"twin_id must be a valid HTML id, got {twin_id!r}")
    esc = html.escape

    parts = [f'<div class="rnnbook-twin tex2jax_ignore mathjax_ignore" id="{twin_id}" '
             f'data-width="{width}" data-height="{height}" data-ylog10="{int(bool(ylog10))}">',
             f"<style>{_minify(_CSS)}</style>", '<div class="twin-controls">']
    for c in controls:
        cid = f"{twin_id}-{c.name}"
        start = c.values.index(c.initial)
        if c.kind == "range":
            parts.append(
                f'<div class="twin-control"><label for="{cid}">{esc(c.label)}</label>'
                f'<input type="range" id="{cid}" data-control="{c.name}" min="0" '
                f'max="{len(c.values) - 1}" step="1" value="{start}" '
                f'aria-valuetext="{esc(c._shown[start])}">'
                f'<output data-for="{c.name}" for="{cid}">{esc(c._shown[start])}</output></div>')
        else:
            options = "".join(f'<option value="{i}"{" selected" if i == start else ""}>{esc(v)}'
                              f"</option>" for i, v in enumerate(c._shown))
            parts.append(f'<div class="twin-control"><label for="{cid}">{esc(c.label)}</label>'
                         f'<select id="{cid}" data-control="{c.name}">{options}</select></div>')
    parts.append("</div>")
    L, R, T, B = 62, 12, 10, 44  # must match the script's margins
    parts.append(
        f'<div class="twin-title" id="{twin_id}-title"></div>'
        f'<svg class="twin-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{twin_id}-svgtitle" aria-describedby="{twin_id}-svgdesc">'
        f'<title id="{twin_id}-svgtitle"></title><desc id="{twin_id}-svgdesc"></desc>'
        f'<defs><clipPath id="{twin_id}-clip"><rect x="{L}" y="{T}" width="{width - L - R}" '
        f'height="{height - T - B}"/></clipPath></defs>'
        f'<g class="twin-axes"></g><g class="twin-plot" clip-path="url(#{twin_id}-clip)"></g>'
        f'<text x="{L + (width - L - R) / 2:g}" y="{height - 8}" text-anchor="middle" '
        f'font-size="12" fill="#222">{esc(xlabel)}</text>'
        f'<text transform="translate(14 {T + (height - T - B) / 2:g}) rotate(-90)" '
        f'text-anchor="middle" font-size="12" fill="#222">{esc(ylabel)}</text></svg>')
    legend = []
    for s in payload["styles"]:
        if s["band"]:
            swatch = (f'<rect x="0" y="2" width="26" height="8" fill="{s["color"]}" '
                      f'fill-opacity="0.25"/>')
        else:
            swatch = (f'<line x1="0" y1="6" x2="26" y2="6" stroke="{s["color"]}" '
                      f'stroke-width="{s["width"]:g}" stroke-dasharray="{s["dash"]}"/>')
        legend.append(f'<li><svg width="26" height="12" aria-hidden="true">{swatch}</svg>'
                      f'{esc(s["label"])}</li>')
    parts.append(f'<ul class="twin-legend" aria-label="legend">{"".join(legend)}</ul>')
    parts.append('<div class="twin-readout" aria-live="polite"></div>')
    if note:
        parts.append(f'<div class="twin-note">{esc(note)}</div>')
    parts.append('<noscript>This interactive figure needs JavaScript.</noscript>')
    parts.append(f'<script type="application/json" class="twin-data">{data}</script>')
    parts.append(f"<script>{_minify(_JS)}</script></div>")
    return TwinHTML("".join(parts))


# ---------------------------------------------------------------------------
# the book's two twins: the gradient-bound explorer (chapter 4), the gradient flow (chapter 5)
# ---------------------------------------------------------------------------
#: Grid of the gradient-bound explorer's twin (the live widget's sliders are finer): the
#: slider's ends 0.1 and 8, both sides of 1 (tanh, ReLU) and of 4 (the sigmoid's threshold),
#: and n = 1 (a product of scalars) besides the default 32.
BOUND_GRID: dict[str, tuple] = {
    "norm": (0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 3.75, 4.0, 4.25, 8.0),
    "T": (10, 25, 50, 100, 200),
    "n": (1, 32),
    "activation": ("tanh", "sigmoid", "relu"),
}
#: Grid of the gradient-flow twin.
FLOW_GRID: dict[str, tuple] = {
    "T": (25, 50, 100, 200),
    "forget_bias": (-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0),
}
_NOTE = ("Precomputed for the HTML page on the grid of slider positions shown; "
         "run the notebook (Binder, Colab, JupyterHub) for the live widget.")


def _grid_controls(grid: Mapping[str, Sequence], labels: Mapping[str, str],
                   initial: Mapping[str, Any], fmt: Mapping[str, str]
                   ) -> tuple[list[Control], dict[str, Any]]:
    """Controls for the grid entries with several values; the single-valued ones are fixed."""
    controls, fixed = [], {}
    for name, values in grid.items():
        values = tuple(values)
        if len(values) == 1:
            fixed[name] = values[0]
            continue
        start = initial.get(name)
        controls.append(Control(name, labels[name], values,
                                initial=start if start in values else None,
                                fmt=fmt.get(name, "{:g}")))
    return controls, fixed


#: Grid of the decay-table twin (the table depends on |w_h| only).
DECAY_GRID: dict[str, tuple] = {
    "w_h": (0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.5, 2.0, 3.0, 4.0),
    "activation": ("sigmoid", "tanh", "relu"),
}


def decay_table_twin(grid: Mapping[str, Sequence] | None = None, k_max: int = 49) -> str:
    r"""The kernel-free twin of :func:`rnnbook.widgets.gradient_bounds.decay_table_widget`.

    Each grid point shows the widget's table
    (:func:`~rnnbook.widgets.gradient_bounds.decay_table_html`) as the readout, under a plot of
    the bound :math:`\log_{10}(\gamma|w_h|)^k` for :math:`k = 0..k_{max}` with the float32 and
    float64 machine epsilons.

    Parameters
    ----------
    grid : dict with keys ``w_h`` and ``activation`` (sequences), optional
        Default :data:`DECAY_GRID`.
    k_max : int >= 1
        The last :math:`k` of the plot (the table keeps the widget's ``DECAY_KS``).

    Returns
    -------
    TwinHTML (see :func:`twin_html`).
    """
    from ..plots import COLORS
    from .gradient_bounds import LOG10_EPS32, LOG10_EPS64, decay_table, decay_table_html

    k_max = check_positive_int(k_max, "k_max")
    grid = dict(DECAY_GRID if grid is None else grid)
    if set(grid) != set(DECAY_GRID):
        raise ValueError(f"grid must have the keys {sorted(DECAY_GRID)}, got {sorted(grid)}")
    controls, fixed = _grid_controls(grid, {"w_h": "w_h", "activation": "activation"},
                                     {"w_h": 0.9, "activation": "sigmoid"}, {})
    k = np.arange(k_max + 1)

    def frame(**values: Any) -> Frame:
        v = {**fixed, **values}
        table = decay_table(v["w_h"], v["activation"])
        curve = decay_table(v["w_h"], v["activation"], ks=k)["log10_bound"]
        curve = np.maximum(curve, -400.0)  # w_h = 0 would give -inf
        ends = [0.0, float(k_max)]
        series = [Series("bound (\u03b3|w_h|)^k", k, curve, COLORS["bound"], dash="--"),
                  Series("float32 eps", ends, [LOG10_EPS32] * 2, COLORS["accent"], dash=":",
                         width=1.2),
                  Series("float64 eps", ends, [LOG10_EPS64] * 2, COLORS["highlight"],
                         dash=":", width=1.2)]
        low = min(float(curve.min()), LOG10_EPS64)
        high = max(float(curve.max()), 0.0)
        pad = max(1.0, 0.06 * (high - low))
        title = (f"{v['activation']}, w_h = {v['w_h']:g}: factor per step "
                 f"\u03b3|w_h| = {table['factor']:.4g}")
        return Frame(series, title=title, readout=decay_table_html(table, v["activation"],
                                                                    v["w_h"]),
                     xlim=(0.0, float(k_max)), ylim=(low - pad, high + pad))

    frames = frames_on_grid(frame, controls)
    return twin_html(frames, controls, xlabel="steps back k", ylabel="bound (log scale)",
                     ylog10=True, note=_NOTE, height=260, twin_id="twin-decay-table")


def bound_explorer_twin(grid: Mapping[str, Sequence] | None = None, max_points: int = 80,
                        **options: Any) -> str:
    r"""The kernel-free twin of :func:`rnnbook.widgets.gradient_bounds.gradient_bound_explorer`.

    Every grid point is :func:`~rnnbook.widgets.gradient_bounds.bound_explorer_data`
    drawn as the widget draws it: the bound :math:`(\gamma\sigma_{\max})^{T-t}`, the median
    measured :math:`\lVert\partial h_T/\partial h_t\rVert_2` with its 10-90% band, and the
    float32/float64 machine epsilons, on a :math:`\log_{10}` axis, with the widget's readout.

    Parameters
    ----------
    grid : dict with keys ``norm``, ``T``, ``n``, ``activation`` (sequences), optional
        Default :data:`BOUND_GRID`; a key with one value is fixed (no slider).
    max_points : int
        Points kept per curve (see :func:`twin_payload`).
    **options
        Passed on to ``bound_explorer_data`` (e.g. ``seed``, ``samples``); by default the
        widget's own defaults, so the twin shows what the live widget shows.

    Returns
    -------
    str
        TwinHTML (see :func:`twin_html`).
    """
    from ..plots import COLORS
    from .gradient_bounds import LOG10_EPS32, LOG10_EPS64, bound_explorer_data, readout_html

    grid = dict(BOUND_GRID if grid is None else grid)
    if set(grid) != set(BOUND_GRID):
        raise ValueError(f"grid must have the keys {sorted(BOUND_GRID)}, got {sorted(grid)}")
    labels = {"norm": "\u2016W_hh\u2016\u2082", "T": "T", "n": "hidden n",
              "activation": "activation"}
    controls, fixed = _grid_controls(grid, labels,
                                     {"norm": 1.5, "T": 100, "n": 32, "activation": "tanh"},
                                     {"norm": "{:.2f}"})

    def frame(**values: Any) -> Frame:
        v = {**fixed, **values}
        d = bound_explorer_data(v["norm"], v["T"], v["n"], v["activation"], **options)
        k_end = np.array([0.0, float(d["T"])])
        series = [
            Series("measured, 10\u201390% of inputs", d["k"], d["lo"], COLORS["measured"],
                   y2=d["hi"]),
            Series("bound (\u03b3\u00b7\u03c3max)^(T\u2212t)", d["k_bound"], d["log10_bound"],
                   COLORS["bound"], dash="--"),
            Series("measured \u2016\u2202h_T/\u2202h_t\u2016\u2082, median", d["k"], d["median"],
                   COLORS["measured"]),
            Series("float32 eps", k_end, [LOG10_EPS32] * 2, COLORS["accent"], dash=":",
                   width=1.2),
            Series("float64 eps", k_end, [LOG10_EPS64] * 2, COLORS["highlight"], dash=":",
                   width=1.2),
        ]
        values_y = np.concatenate([d["log10_bound"], d["lo"], d["hi"], [LOG10_EPS64, 0.0]])
        lo, hi = float(values_y.min()), float(values_y.max())
        pad = max(2.0, 0.06 * (hi - lo))
        title = (f"{d['activation']}, n = {d['n']}, \u03c3max(W_hh) = {d['sigma_max']:.3g}, "
                 f"\u03b3\u00b7\u03c3max = {d['gamma_sigma']:.3g}: {d['regime']}")
        # the text alternative is the title (the readout, read aloud on change, has the values)
        return Frame(series, title=title, readout=readout_html(d),
                     xlim=(0.0, float(d["T"])), ylim=(lo - pad, hi + pad))

    frames = frames_on_grid(frame, controls)
    return twin_html(frames, controls, xlabel="T \u2212 t (steps back)",
                     ylabel="norm (log scale)", ylog10=True, note=_NOTE,
                     max_points=max_points, twin_id="twin-gradient-bounds")


def gradient_flow_twin(grid: Mapping[str, Sequence] | None = None, max_points: int = 100) -> str:
    r"""The kernel-free twin of :func:`rnnbook.widgets.gradient_flow.gradient_flow_widget`.

    Every grid point is :func:`~rnnbook.widgets.gradient_flow.gradient_flow_data`: the median
    :math:`\log_{10}` Jacobian norms of a vanilla RNN, an LSTM (hidden and cell state, and the
    direct forget-gate path) and a GRU against the distance :math:`k`.

    Parameters
    ----------
    grid : dict with keys ``T`` and ``forget_bias`` (sequences), optional
        Default :data:`FLOW_GRID`.
    max_points : int
        Points kept per curve.

    Returns
    -------
    str
        TwinHTML (see :func:`twin_html`).
    """
    from ..plots import COLORS
    from .gradient_flow import LINES as lines
    from .gradient_flow import gradient_flow_data

    grid = dict(FLOW_GRID if grid is None else grid)
    if set(grid) != set(FLOW_GRID):
        raise ValueError(f"grid must have the keys {sorted(FLOW_GRID)}, got {sorted(grid)}")
    controls, fixed = _grid_controls(grid, {"T": "T", "forget_bias": "forget bias b_f"},
                                     {"T": 100, "forget_bias": 1.0}, {})

    def frame(**values: Any) -> Frame:
        v = {**fixed, **values}
        c = gradient_flow_data(v["T"], v["forget_bias"])
        series = [Series(label, c.k, getattr(c, name), COLORS[colour], dash)
                  for name, colour, dash, label in lines]
        s = c.settings
        title = (f"T = {s['T']}, forget bias b_f = {s['forget_bias']:g}; n = {s['n']}, "
                 f"median of {s['n_sequences']} sequences")
        ends = ", ".join(f"{label.split(' ')[0]} {name.replace('lstm_', '')} "
                         f"10^{getattr(c, name)[-1]:.1f}" for name, _, _, label in lines)
        readout = (f"<b>At k = {s['T']}:</b> " + "; ".join(
            f"{html.escape(label)} = 10<sup>{getattr(c, name)[-1]:.1f}</sup>"
            for name, _, _, label in lines))
        return Frame(series, title=title, readout=readout,
                     description=f"Log-scale plot of gradient norms against the distance k "
                                 f"up to {s['T']}; at k = {s['T']}: {ends}.")

    frames = frames_on_grid(frame, controls)
    return twin_html(frames, controls, xlabel="distance k = T \u2212 t (steps back)",
                     ylabel="spectral norm (log scale)", ylog10=True, note=_NOTE,
                     max_points=max_points, twin_id="twin-gradient-flow")


# ---------------------------------------------------------------------------
# Sphinx extension: MathJax from a Python package, no CDN
# ---------------------------------------------------------------------------
#: ``mathjax_path`` of the HTML build (relative to ``_static``).
MATHJAX_PATH = "mathjax/tex-chtml.js"

# What the book needs of MathJax's es5 distribution: the combined TeX/CommonHTML component,
# the fonts it loads, the TeX extensions `autoload` may fetch and the menu's a11y/ui parts.
_MATHJAX_PARTS = ("tex-chtml.js", "input", "output/chtml", "ui", "a11y", "adaptors", "sre")


def mathjax_source() -> Path:
    """The ``es5`` folder of the MathJax 3 distribution shipped by ``django-static-mathjax``.

    Raises
    ------
    RuntimeError
        If the package is not installed (``pip install django-static-mathjax``).
    """
    try:
        import mathjax  # the import name of the PyPI package django-static-mathjax
    except ImportError as err:
        raise RuntimeError("MathJax is bundled from the PyPI package django-static-mathjax: "
                           "pip install -r requirements.txt") from err
    source = Path(next(iter(mathjax.__path__))) / "static" / "mathjax" / "es5"
    if not (source / "tex-chtml.js").is_file():
        raise RuntimeError(f"no MathJax 3 tex-chtml.js in {source}")
    return source


def _copy_mathjax(app: Any, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in _MATHJAX_PARTS:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, target / part, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / part)
    licence = source.parent / "LICENSE"
    if licence.is_file():
        shutil.copy2(licence, target / "LICENSE")


def _use_local_mathjax(app: Any, config: Any) -> None:
    mathjax_source()  # fail early, with the fix in the message
    if not str(config.mathjax_path).startswith("mathjax/"):
        config.mathjax_path = MATHJAX_PATH


def _drop_widget_state(app: Any, doctree: Any) -> None:
    # myst-nb embeds the saved ipywidgets state of an executed notebook (for its CDN widget
    # manager) in every page that had a live widget: with `nb_ipywidgets_js: {}` nothing reads
    # it, and it can weigh hundreds of kB (the widgets' plots). The page shows the twin instead.
    if not app.config.rnnbook_drop_widget_state:
        return
    metadata = getattr(app.env, "nb_metadata", {}).get(app.env.docname, {})
    metadata.get("js_files", {}).pop("ipywidgets_state", None)


def _dedupe_scripts(app: Any, pagename: str, templatename: str, context: dict,
                    doctree: Any) -> None:
    # sphinx-thebe adds its inline `const THEBE_JS_URL = ...` once to Sphinx's registry and once
    # to the builder, as filename None and "": the page would declare the constant twice, a
    # SyntaxError in the console of every page. Keep the first of equal scripts.
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, unique = set(), []
    for js in scripts:
        attributes = getattr(js, "attributes", {})
        key = (getattr(js, "filename", str(js)) or "", getattr(js, "priority", 500),
               tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point: serve MathJax 3 from ``_static/mathjax`` (copied from a wheel), and
    leave the dead ipywidgets state out of the pages (``rnnbook_drop_widget_state``)."""
    app.add_config_value("rnnbook_drop_widget_state", True, "html", bool)
    app.connect("config-inited", _use_local_mathjax)
    app.connect("doctree-read", _drop_widget_state)
    app.connect("html-page-context", _dedupe_scripts)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
