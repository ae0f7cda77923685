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


# The shapes of the timeline marks, shared with the legend. "chase" is the buyer's own
# follow-up; "silence" an automatic message (acknowledgement, out-of-office, bounce).
MARK_KINDS = ("request", "quote", "follow-up", "chase", "silence")
CHASE = "#c2410c"
LATE_FILL, OPEN_FILL = "#f59e0b", "#dc2626"


def _mark(kind: str, x: float, y: float) -> str:
    if kind == "request":
        return (f'<circle cx="{_n(x)}" cy="{_n(y)}" r="6" fill="{LABEL_COLOURS["request"]}" '
                f'stroke="white" stroke-width="1.2"/>')
    if kind == "quote":
        return (f'<rect x="{_n(x - 6)}" y="{_n(y - 6)}" width="12" height="12" rx="2.5" '
                f'fill="{LABEL_COLOURS["quote"]}" stroke="white" stroke-width="1.2"/>')
    if kind == "follow-up":
        return (f'<circle cx="{_n(x)}" cy="{_n(y)}" r="5" fill="{LABEL_COLOURS["follow-up"]}" '
                f'stroke="white" stroke-width="1.2"/>')
    if kind == "chase":
        return (f'<path d="M{_n(x)} {_n(y - 6.5)}L{_n(x + 6.5)} {_n(y)}L{_n(x)} {_n(y + 6.5)}'
                f'L{_n(x - 6.5)} {_n(y)}Z" fill="{CHASE}" stroke="white" stroke-width="1.2"/>')
    if kind == "silence":
        return (f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4.5" fill="white" '
                f'stroke="{LABEL_COLOURS["silence"]}" stroke-width="2"/>')
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{MUTED}"/>'


@dataclass(frozen=True)
class Mark:
    """One message on a swimlane: working days from the request, its kind (one of
    ``MARK_KINDS``), whose side, and a hover text (escaped here)."""

    wd: int
    kind: str
    from_me: bool
    title: str


@dataclass(frozen=True)
class Gap:
    """A wait on the supplier longer than its deadline: from the message that put the
    ball in the supplier's court to the answer, or to now when ``open``."""

    start_wd: int
    end_wd: int
    open: bool
    caption: str  # e.g. "8 wd", drawn in the shaded area when it fits
    title: str


def _step(span: float) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500):
        if span / step <= 10:
            return step
    return 1000


def swimlane(marks: Sequence[Mark], gaps: Sequence[Gap], *, deadline_wd: int | None,
             now_wd: int | None, lanes: tuple[str, str], now_label: str, unit: str,
             label: str, width: float = 470, height: float = 78) -> Markup:
    """A deal as two swimlanes (the buyer above, the supplier below) on a working-day
    axis that starts at the request (0). Waits past their deadline are shaded (light:
    answered late; red: still open, up to now), the quote deadline is a red dashed
    tick, now a dark tick. Marks on the same day in one lane sit side by side.
    Inline SVG in HTML needs no namespace, so the report holds no URL at all."""
    wds = [m.wd for m in marks]
    lo = min([0, *wds])
    hi = max([*(w + 1 for w in wds), lo + 1, deadline_wd or 0,
              *(g.end_wd for g in gaps), now_wd if now_wd is not None else 0])
    left, right = 74.0, 14.0
    scale = (width - left - right) / (hi - lo)

    def x(wd: float) -> float:
        return left + (wd - lo) * scale

    buyer_y, supplier_y, axis_y = 18.0, 44.0, 60.0
    top, bottom = 6.0, 54.0
    parts = [
        f'<text x="{_n(left - 8)}" y="{_n(buyer_y + 4)}" text-anchor="end" class="lane">'
        f'{escape(lanes[0])}</text>',
        f'<text x="{_n(left - 8)}" y="{_n(supplier_y + 4)}" text-anchor="end" class="lane">'
        f'{escape(lanes[1])}</text>',
        f'<line x1="{_n(x(lo))}" x2="{_n(x(hi))}" y1="{_n(buyer_y)}" y2="{_n(buyer_y)}" '
        f'stroke="#eef2f7"/>',
        f'<line x1="{_n(x(lo))}" x2="{_n(x(hi))}" y1="{_n(supplier_y)}" '
        f'y2="{_n(supplier_y)}" stroke="#eef2f7"/>',
    ]
    for g in gaps:
        x0, x1 = x(g.start_wd), x(max(g.end_wd, g.start_wd))
        fill, opacity = (OPEN_FILL, "0.18") if g.open else (LATE_FILL, "0.22")
        shade = (f'<rect x="{_n(x0)}" y="{_n(top)}" width="{_n(max(x1 - x0, 2))}" '
                 f'height="{_n(bottom - top)}" fill="{fill}" fill-opacity="{opacity}"/>')
        if g.open:
            shade += (f'<line x1="{_n(x0)}" x2="{_n(x1)}" y1="{_n(axis_y - 4)}" '
                      f'y2="{_n(axis_y - 4)}" stroke="{ALARM}" stroke-width="2.5" '
                      f'stroke-dasharray="4 3"/>')
        if x1 - x0 >= 34:
            shade += (f'<text x="{_n((x0 + x1) / 2)}" y="{_n((buyer_y + supplier_y) / 2 + 4)}"'
                      f' text-anchor="middle" class="gap{" open" if g.open else ""}">'
                      f'{escape(g.caption)}</text>')
        parts.append(f"<g>{shade}<title>{escape(g.title)}</title></g>")
    # The working-day axis, with a tick label every step.
    parts.append(f'<line x1="{_n(x(lo))}" x2="{_n(x(hi))}" y1="{_n(axis_y)}" '
                 f'y2="{_n(axis_y)}" stroke="#cbd5e1"/>'
                 f'<text x="{_n(left - 8)}" y="{_n(axis_y + 13)}" text-anchor="end" '
                 f'class="axis">{escape(unit)}</text>')
    step = _step(hi - lo)
    first = -(-lo // step) * step
    for wd in range(first, hi + 1, step):
        parts.append(f'<line x1="{_n(x(wd))}" x2="{_n(x(wd))}" y1="{_n(axis_y)}" '
                     f'y2="{_n(axis_y + 3)}" stroke="#94a3b8"/>'
                     f'<text x="{_n(x(wd))}" y="{_n(axis_y + 14)}" text-anchor="middle" '
                     f'class="axis">{wd}</text>')
    if deadline_wd is not None:
        parts.append(f'<line x1="{_n(x(deadline_wd))}" x2="{_n(x(deadline_wd))}" '
                     f'y1="{_n(top - 2)}" y2="{_n(axis_y)}" stroke="{ALARM}" '
                     f'stroke-width="1.2" stroke-dasharray="3 2"/>')
    if now_wd is not None:
        parts.append(f'<g><line x1="{_n(x(now_wd))}" x2="{_n(x(now_wd))}" y1="{_n(top - 2)}" '
                     f'y2="{_n(axis_y + 3)}" stroke="{INK}" stroke-width="1.5"/>'
                     f'<title>{escape(now_label)}</title></g>')
    lanes_at: dict[tuple[int, bool], list[Mark]] = {}
    for m in marks:
        lanes_at.setdefault((m.wd, m.from_me), []).append(m)
    for (wd, mine), same_day in lanes_at.items():
        spread = min(10.0, scale * 0.8 / max(len(same_day) - 1, 1)) if len(same_day) > 1 else 0
        for i, m in enumerate(same_day):
            cx = x(wd) + (i - (len(same_day) - 1) / 2) * spread
            cy = buyer_y if mine else supplier_y
            parts.append(f"<g>{_mark(m.kind, cx, cy)}<title>{escape(m.title)}</title></g>")
    return _svg(width, height, "".join(parts), label, "swimlane")


def legend(names: Mapping[str, str]) -> Markup:
    """One small SVG per entry of ``names``: a mark kind (``MARK_KINDS``) or ``late``,
    ``open`` (shaded waits) and ``deadline``, each beside its display name."""
    items = []
    for key, name in names.items():
        if key in MARK_KINDS:
            shape = _mark(key, 8, 8)
        elif key in ("late", "open"):
            fill, opacity = (OPEN_FILL, "0.18") if key == "open" else (LATE_FILL, "0.22")
            shape = (f'<rect x="1" y="2" width="14" height="12" fill="{fill}" '
                     f'fill-opacity="{opacity}"/>')
            if key == "open":
                shape += (f'<line x1="1" x2="15" y1="12" y2="12" stroke="{ALARM}" '
                          f'stroke-width="2" stroke-dasharray="3 2"/>')
        elif key == "deadline":
            shape = (f'<line x1="8" x2="8" y1="1" y2="15" stroke="{ALARM}" stroke-width="1.4" '
                     f'stroke-dasharray="3 2"/>')
        else:
            shape = (f'<line x1="8" x2="8" y1="1" y2="15" stroke="{INK}" '
                     f'stroke-width="1.6"/>')
        items.append(Markup(
            '<span class="legend-item"><svg width="16" height="16" viewBox="0 0 16 16" '
            f'aria-hidden="true">{shape}</svg> {escape(name)}</span>'))
    return Markup(" ").join(items)


def meter(rate: float | None, *, reference: float | None, label: str,
          width: float = 56, height: float = 10) -> Markup:
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
