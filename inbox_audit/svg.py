"""Small inline SVG charts, drawn from numbers.

Each function returns ``Markup``: the only HTML the report inserts unescaped. Every piece
of text that ends up inside an SVG (titles, week labels, captions) goes through
``markupsafe.escape`` here, so mail content can never break out of a chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# One colour per label, shared by the timelines and their legend.
LABEL_COLOURS: dict[str, str] = {
    "request": "#1d4ed8",
    "quote": "#15803d",
    "follow-up": "#7c3aed",
    "silence": "#9ca3af",
    "other": "#d1d5db",
}
GOOD, BAD, MUTED, INK, ALARM = "#15803d", "#b91c1c", "#cbd5e1", "#334155", "#dc2626"


def _n(x: float) -> str:
    """A coordinate: short, locale-free."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(width: float, height: float, body: str, label: str, cls: str) -> Markup:
    return Markup(
        f'<svg class="{cls}" width="{_n(width)}" '
        f'height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" role="img" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>{body}</svg>')


def sparkline(values: Sequence[float | None], *, reference: float | None = None,
              label: str = "", width: float = 132, height: float = 34) -> Markup:
    """A line through the known values (0..1 rates or any non-negative numbers), gaps
    where a value is unknown, the last point marked, and a dashed reference line."""
    known = [v for v in values if v is not None]
    top = max([*known, reference or 0, 1e-9]) if known else max(reference or 0, 1.0)
    if all(0 <= v <= 1 for v in known) and (reference is None or reference <= 1):
        top = 1.0  # rates share one scale, so sparklines compare across cards
    pad = 3.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(v: float) -> float:
        return height - pad - (v / top) * (height - 2 * pad)

    parts = []
    if reference is not None:
        parts.append(f'<line x1="0" x2="{_n(width)}" y1="{_n(y(reference))}" '
                     f'y2="{_n(y(reference))}" stroke="{MUTED}" stroke-dasharray="3 2"/>')
    run: list[str] = []
    for i, v in enumerate([*values, None]):
        if v is None:
            if len(run) > 1:
                parts.append(f'<polyline fill="none" stroke="{INK}" stroke-width="1.6" '
                             f'points="{" ".join(run)}"/>')
            run = []
        else:
            run.append(f"{_n(pad + i * step)},{_n(y(v))}")
    for i, v in enumerate(values):
        if v is not None:
            last = i == len(values) - 1
            parts.append(f'<circle cx="{_n(pad + i * step)}" cy="{_n(y(v))}" '
                         f'r="{2.6 if last else 1.3}" fill="{INK}"/>')
    return _svg(width, height, "".join(parts), label, "spark")


@dataclass(frozen=True)
class Bar:
    """One bar of ``bars``: its caption under the axis, value (None = unknown), whether it
    is highlighted (the report period), and a hover text."""

    caption: str
    value: float | None
    highlight: bool = False
    title: str = ""


def bars(items: Sequence[Bar], *, reference: float | None, reference_label: str,
         label: str, width: float = 720, height: float = 190) -> Markup:
    """Vertical bars of rates (0..1) with a dashed reference line; unknown values are a
    small hollow marker instead of a zero bar (unknown is not 0)."""
    left, right, top, bottom = 34.0, 10.0, 14.0, 26.0
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(len(items), 1)
    bar_w = min(slot * 0.62, 38)

    def y(v: float) -> float:
        return top + plot_h * (1 - max(0.0, min(v, 1.0)))

    parts = []
    for tick in (0, 0.5, 1):
        parts.append(f'<line x1="{_n(left)}" x2="{_n(width - right)}" y1="{_n(y(tick))}" '
                     f'y2="{_n(y(tick))}" stroke="#e2e8f0"/>'
                     f'<text x="{_n(left - 5)}" y="{_n(y(tick) + 4)}" text-anchor="end" '
                     f'class="axis">{int(tick * 100)}%</text>')
    for i, item in enumerate(items):
        cx = left + slot * (i + 0.5)
        tip = f"<title>{escape(item.title or item.caption)}</title>"
        if item.value is None:
            parts.append(f'<g><rect x="{_n(cx - bar_w / 2)}" y="{_n(y(0) - 3)}" '
                         f'width="{_n(bar_w)}" height="3" fill="none" stroke="{MUTED}"/>{tip}</g>')
        else:
            colour = GOOD if reference is None or item.value >= reference else BAD
            opacity = "1" if item.highlight else "0.55"
            parts.append(f'<g><rect x="{_n(cx - bar_w / 2)}" y="{_n(y(item.value))}" '
                         f'width="{_n(bar_w)}" height="{_n(y(0) - y(item.value))}" rx="2" '
                         f'fill="{colour}" fill-opacity="{opacity}"/>{tip}</g>')
        weight = ' font-weight="700"' if item.highlight else ""
        parts.append(f'<text x="{_n(cx)}" y="{_n(height - 8)}" text-anchor="middle" '
                     f'class="axis"{weight}>{escape(item.caption)}</text>')
    if reference is not None:
        ry = y(reference)
        parts.append(f'<line x1="{_n(left)}" x2="{_n(width - right)}" y1="{_n(ry)}" '
                     f'y2="{_n(ry)}" stroke="{INK}" stroke-width="1.2" stroke-dasharray="5 3"/>'
                     f'<text x="{_n(width - right)}" y="{_n(ry - 4)}" text-anchor="end" '
                     f'class="ref">{escape(reference_label)}</text>')
    return _svg(width, height, "".join(parts), label, "bars")


@dataclass(frozen=True)
class Dot:
    """One message on a timeline: working days from the request, its label, whose side,
    and a hover text (escaped here)."""

    wd: int
    label: str
    from_me: bool
    title: str


def timeline(dots: Sequence[Dot], *, deadline_wd: int | None, now_wd: int,
             silent_from_wd: int | None, label: str, width: float = 300,
             height: float = 46) -> Markup:
    """A deal as two lanes (buyer above, supplier below) on a working-day axis from the
    request to the report time; the quote deadline is a red tick, and an open silence a
    red dashed line from ``silent_from_wd`` (the last human message) to now.
    Inline SVG in HTML needs no namespace, so the report holds no URL at all."""
    lo = min([0, *(d.wd for d in dots)])
    # An open silence runs to now; a settled deal only needs room for its messages.
    end = now_wd if silent_from_wd is not None else max([deadline_wd or 0,
                                                        *(d.wd for d in dots)]) + 1
    hi = max([end, deadline_wd or 0, *(d.wd for d in dots), lo + 1])
    left, right = 8.0, 8.0
    scale = (width - left - right) / (hi - lo)

    def x(wd: float) -> float:
        return left + (wd - lo) * scale

    lane = {True: 14.0, False: 32.0}
    axis_y = 23.0
    parts = [f'<line x1="{_n(x(lo))}" x2="{_n(x(hi))}" y1="{_n(axis_y)}" '
             f'y2="{_n(axis_y)}" stroke="#e2e8f0" stroke-width="2"/>']
    if deadline_wd is not None:
        parts.append(f'<line x1="{_n(x(deadline_wd))}" x2="{_n(x(deadline_wd))}" y1="4" '
                     f'y2="{_n(height - 4)}" stroke="{ALARM}" stroke-opacity="0.7" '
                     f'stroke-dasharray="2 2"/>')
    if silent_from_wd is not None:
        parts.append(f'<line x1="{_n(x(silent_from_wd))}" x2="{_n(x(now_wd))}" y1="{_n(axis_y)}" '
                     f'y2="{_n(axis_y)}" stroke="{ALARM}" stroke-width="2.5" '
                     f'stroke-dasharray="4 3"/>')
    if now_wd <= hi:
        parts.append(f'<circle cx="{_n(x(now_wd))}" cy="{_n(axis_y)}" r="2.5" fill="{INK}"/>')
    for d in dots:
        colour = LABEL_COLOURS.get(d.label, MUTED)
        cy = lane[d.from_me]
        shape = (f'<circle cx="{_n(x(d.wd))}" cy="{_n(cy)}" r="5" fill="white" '
                 f'stroke="{colour}" stroke-width="2"/>' if d.label == "silence" else
                 f'<circle cx="{_n(x(d.wd))}" cy="{_n(cy)}" r="5.5" fill="{colour}" '
                 f'stroke="white" stroke-width="1"/>')
        parts.append(f"<g>{shape}<title>{escape(d.title)}</title></g>")
    return _svg(width, height, "".join(parts), label, "timeline")


def legend(names: Mapping[str, str]) -> Markup:
    """The label colours with their display names, as one small SVG per label."""
    items = []
    for key, name in names.items():
        colour = LABEL_COLOURS.get(key, MUTED)
        fill, stroke = ("white", colour) if key == "silence" else (colour, "white")
        items.append(Markup(
            '<span class="legend-item"><svg width="12" '
            'height="12" viewBox="0 0 12 12" aria-hidden="true"><circle cx="6" cy="6" r="4.5" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/></svg> {escape(name)}</span>'))
    return Markup(" ").join(items)


def meter(rate: float | None, *, reference: float | None, label: str,
          width: float = 86, height: float = 10) -> Markup:
    """A thin horizontal bar for a rate (0..1) with a reference tick; empty when unknown."""
    parts = [f'<rect width="{_n(width)}" height="{_n(height)}" rx="3" fill="#f1f5f9"/>']
    if rate is not None:
        colour = GOOD if reference is None or rate >= reference else BAD
        parts.append(f'<rect width="{_n(max(width * min(rate, 1.0), 2))}" '
                     f'height="{_n(height)}" rx="3" fill="{colour}"/>')
    if reference is not None:
        parts.append(f'<line x1="{_n(width * reference)}" x2="{_n(width * reference)}" '
                     f'y1="0" y2="{_n(height)}" stroke="{INK}" stroke-width="1.5"/>')
    return _svg(width, height, "".join(parts), label, "meter")
