"""Charts drawn on the server as inline SVG: no JavaScript, nothing to load, readable
in print and in screenshots. Each returns markup, or "" when there is nothing to draw
(the template then says so instead of showing an empty frame)."""

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BLUE = "#0d6efd"
GREEN = "#198754"
GREY = "#adb5bd"
ORANGE = "#fd7e14"


def _html(template: str, *args) -> SafeString:
    """format_html with numbers rounded for SVG coordinates."""
    return format_html(template, *(f"{a:.2f}" if isinstance(a, float) else a for a in args))


def _svg(width: int, height: int, title: str, body: str) -> SafeString:
    return format_html(
        '<svg class="tier-chart" role="img" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        "<title>{}</title>{}</svg>",
        width,
        height,
        title,
        mark_safe(body),  # noqa: S308 - built from format_html pieces below
    )


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def bar_chart(rows, *, title: str, value: str = "customers", label: str = "label") -> str:
    """Horizontal bars, one per row, labelled with the value."""
    if not any(row[value] for row in rows):
        return ""
    width, label_width, bar_height, gap = 520, 150, 22, 8
    top = max(row[value] for row in rows)
    body = []
    for index, row in enumerate(rows):
        y = index * (bar_height + gap)
        length = (width - label_width - 70) * row[value] / top if top else 0
        body.append(
            _html(
                '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<text x="{}" y="{}" font-size="12">{}</text>',
                label_width - 6,
                y + 15,
                row[label],
                label_width,
                y,
                length,
                bar_height,
                BLUE,
                label_width + length + 4,
                y + 15,
                f"{row[value]:,}",
            )
        )
    return _svg(width, len(rows) * (bar_height + gap), title, "".join(body))


def paired_bars(rows, *, title: str, ours: str, theirs: str, legend: tuple[str, str]) -> str:
    """Two bars per row (our share and a reference share), as percentages."""
    if not any(row["customers"] for row in rows):
        return ""
    width, label_width, bar, gap = 520, 170, 10, 10
    body = [
        _html(
            '<rect x="{}" y="0" width="10" height="10" fill="{}"></rect>'
            '<text x="{}" y="9" font-size="11">{}</text>'
            '<rect x="{}" y="0" width="10" height="10" fill="{}"></rect>'
            '<text x="{}" y="9" font-size="11">{}</text>',
            label_width,
            BLUE,
            label_width + 14,
            legend[0],
            label_width + 150,
            GREY,
            label_width + 164,
            legend[1],
        )
    ]
    scale = width - label_width - 60
    for index, row in enumerate(rows):
        y = 20 + index * (2 * bar + gap)
        body.append(
            _html(
                '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<text x="{}" y="{}" font-size="10">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<text x="{}" y="{}" font-size="10">{}</text>',
                label_width - 6,
                y + 14,
                row["label"],
                label_width,
                y,
                scale * row[ours],
                bar,
                BLUE,
                label_width + scale * row[ours] + 3,
                y + 9,
                _percent(row[ours]),
                label_width,
                y + bar,
                scale * row[theirs],
                bar,
                GREY,
                label_width + scale * row[theirs] + 3,
                y + bar + 9,
                _percent(row[theirs]),
            )
        )
    return _svg(width, 20 + len(rows) * (2 * bar + gap), title, "".join(body))


def quadrant_matrix(quadrants, *, title: str) -> str:
    """The four kinds of customer: volume up the side, loyalty along the bottom; each
    cell shows its customers and its share of spend (darker = more of the spend)."""
    if not any(row["customers"] for row in quadrants):
        return ""
    cells = {row["quadrant"]: row for row in quadrants}
    size, left, top = 190, 70, 10
    places = {"unstable": (0, 0), "core": (1, 0), "retire": (0, 1), "nurture": (1, 1)}
    body = []
    for key, (column, line) in places.items():
        row = cells[key]
        x, y = left + column * size, top + line * size
        body.append(
            _html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" fill-opacity="{}" '
                'stroke="#fff" stroke-width="2" data-quadrant="{}"></rect>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="12" font-weight="bold">'
                "{}</text>"
                '<text x="{}" y="{}" text-anchor="middle" font-size="22">{}</text>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="12">{}</text>',
                x,
                y,
                size,
                size,
                GREEN,
                0.15 + 0.75 * row["spend_share"],
                key,
                x + size / 2,
                y + 30,
                row["label"],
                x + size / 2,
                y + size / 2 + 6,
                f"{row['customers']:,}",
                x + size / 2,
                y + size / 2 + 30,
                _("%(share)s of spend") % {"share": _percent(row["spend_share"])},
            )
        )
    body.append(
        _html(
            '<text x="{}" y="{}" font-size="12" transform="rotate(-90 {} {})" '
            'text-anchor="middle">{}</text>'
            '<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>',
            20,
            top + size,
            20,
            top + size,
            _("Sales volume: small ↑ large"),
            left + size,
            top + 2 * size + 22,
            _("Loyalty: low → high"),
        )
    )
    return _svg(left + 2 * size + 10, top + 2 * size + 30, title, "".join(body))


def pareto_curve(pareto, *, title: str) -> str:
    """Cumulative share of spend (blue) and of gross profit (green) against the share of
    buying customers, best first; the dashed line marks the top 20%."""
    points = pareto.get("points") or []
    if len(points) < 2:
        return ""
    left, top, width, height = 50, 10, 400, 240

    def xy(x: float, y: float) -> str:
        return f"{left + x * width:.1f},{top + (1 - y) * height:.1f}"

    spend = " ".join(xy(p[0], p[1]) for p in points)
    profit = " ".join(xy(p[0], p[2]) for p in points)
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}%</text>'
        '<text x="{}" y="{}" font-size="10" text-anchor="end">{}%</text>',
        (
            (left + t * width, top + height + 14, int(t * 100), left - 4,
             top + (1 - t) * height + 3, int(t * 100))
            for t in (0, 0.2, 0.4, 0.6, 0.8, 1.0)
        ),
    )  # fmt: skip
    body = _html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}"></rect>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="2 3"></line>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="5 4"></line>'
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"></polyline>'
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"></polyline>'
        "{}"
        '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>'
        '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>'
        '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
        left, top, width, height, GREY,
        left, top + height, left + width, top, GREY,
        left + 0.2 * width, top, left + 0.2 * width, top + height, ORANGE,
        spend, BLUE, profit, GREEN, ticks,
        left + width / 2, top + height + 30, _("Share of buying customers, best first"),
        left + 0.2 * width + 6, top + 16, BLUE,
        _("Top 20%%: %(share)s of spend") % {"share": _percent(pareto["top20_spend"])},
        left + 0.2 * width + 6, top + 32, GREEN,
        _("Top 20%%: %(share)s of gross profit") % {"share": _percent(pareto["top20_profit"])},
    )  # fmt: skip
    return _svg(left + width + 20, top + height + 40, title, body)


def heat_map(grid, *, title: str) -> str:
    """R (recency) down the side, F (frequency) along the bottom: the number of
    customers in each cell (darker = more) and their average M score."""
    if not any(cell["customers"] for cell in grid):
        return ""
    size, left, top = 64, 40, 10
    most = max(cell["customers"] for cell in grid)
    body = []
    for cell in grid:
        x = left + (cell["f"] - 1) * size
        y = top + (5 - cell["r"]) * size
        body.append(
            _html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" fill-opacity="{}" '
                'stroke="#fff" data-r="{}" data-f="{}"></rect>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="13">{}</text>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="10">{}</text>',
                x,
                y,
                size,
                size,
                BLUE,
                0.05 + 0.85 * cell["customers"] / most,
                cell["r"],
                cell["f"],
                x + size / 2,
                y + size / 2,
                f"{cell['customers']:,}",
                x + size / 2,
                y + size / 2 + 16,
                f"M {cell['avg_m']}" if cell["avg_m"] is not None else "",
            )
        )
    axes = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
        [(left + (n - 0.5) * size, top + 5 * size + 14, f"F{n}") for n in range(1, 6)]
        + [(left - 16, top + (5.5 - n) * size + 4, f"R{n}") for n in range(1, 6)],
    )
    return _svg(left + 5 * size + 10, top + 5 * size + 24, title, "".join(body) + axes)


def no_data_text() -> str:
    return escape(_("No data for this selection yet."))
