"""Charts drawn on the server as inline SVG: no JavaScript, nothing to load, readable
in print and in screenshots. Each returns markup, or "" when there is nothing to draw
(the template then says so instead of showing an empty frame)."""

import math

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


def text_width(text: str, size: float) -> float:
    """A generous estimate of a label's width in SVG units: the page's fonts are not known
    on the server, so a Chinese character counts as a full em, anything else as 0.62 em
    (wider than most Latin letters), and the label's room is made from it."""
    return sum(size if ord(char) > 0x2E80 else size * 0.62 for char in str(text))


def bar_chart(rows, *, title: str, value: str = "customers", label: str = "label") -> str:
    """Horizontal bars, one per row, labelled with the value. The labels' column is as
    wide as the longest label, so none is cut at the left edge in either language."""
    if not any(row[value] for row in rows):
        return ""
    label_width = max(60, math.ceil(max(text_width(row[label], 12) for row in rows)) + 12)
    width, bar_height, gap = label_width + 370, 22, 8
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


def grouped_bars(rows, *, title: str, series: list[tuple[str, str, str]]) -> str:
    """Several bars per row, as percentages: `series` is (key, legend, colour) per bar.
    Each row's label stands on its own line above its bars, so long labels need no
    margin and the chart stays narrow enough to read on a phone."""
    if not any(row[key] for row in rows for key, _legend, _colour in series):
        return ""
    width, bar, legend_line, label_line, gap = 400, 10, 16, 16, 10
    scale = width - 48  # room for "100.0%" after the longest bar
    body = []
    for index, (_key, legend, colour) in enumerate(series):
        x, y = (index % 2) * 200, 3 + (index // 2) * legend_line
        body.append(
            _html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}"></rect>'
                '<text x="{}" y="{}" font-size="11">{}</text>',
                x,
                y,
                colour,
                x + 14,
                y + 9,
                legend,
            )
        )
    top = legend_line * ((len(series) + 1) // 2) + 10
    group = label_line + len(series) * bar + gap
    for index, row in enumerate(rows):
        y = top + index * group
        body.append(
            _html(
                '<text x="0" y="{}" font-size="12" font-weight="bold" data-row="{}">{}</text>',
                y + 12,
                row.get("reason", ""),
                row["label"],
            )
        )
        for offset, (key, _legend, colour) in enumerate(series):
            length = scale * max(row[key], 0)
            bar_y = y + label_line + offset * bar
            body.append(
                _html(
                    '<rect x="0" y="{}" width="{}" height="{}" fill="{}"></rect>'
                    '<text x="{}" y="{}" font-size="9">{}</text>',
                    bar_y,
                    length,
                    bar - 1,
                    colour,
                    length + 3,
                    bar_y + 8,
                    _percent(row[key]),
                )
            )
    return _svg(width, top + len(rows) * group, title, "".join(body))


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
    """The cumulative share of spend (blue, customers ordered by spend) and of gross
    profit (green, customers ordered by gross profit) against the share of buying
    customers, best first; the dashed line marks the top 20%.

    The notes (the top 20%'s shares) stand below the chart as a legend. Profit can pass
    100% on the way when loss-making customers come last: the scale then goes above
    100%."""
    spend_points = pareto.get("spend_points") or []
    profit_points = pareto.get("profit_points") or []
    if len(spend_points) < 2 and len(profit_points) < 2:
        return ""
    left, top, width, height = 50, 10, 400, 240
    peak = max([1.0] + [y for _x, y in spend_points + profit_points])
    y_max = 1.0 if peak <= 1.0 + 1e-9 else math.ceil(peak * 5) / 5

    def xy(x: float, y: float) -> str:
        return f"{left + x * width:.1f},{top + (1 - y / y_max) * height:.1f}"

    y_ticks = [step / 5 for step in range(round(y_max * 5) + 1)]
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}%</text>',
        ((left + t * width, top + height + 14, int(t * 100)) for t in (0, 0.2, 0.4, 0.6, 0.8, 1)),
    ) + format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" text-anchor="end">{}%</text>',
        ((left - 4, top + (1 - t / y_max) * height + 3, round(t * 100)) for t in y_ticks),
    )
    curves = mark_safe(  # noqa: S308 - joined format_html pieces
        "".join(
            _html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="{}" '
                'data-curve="{}"></polyline>',
                " ".join(xy(x, y) for x, y in points),
                colour,
                stroke,
                name,
            )
            for name, points, colour, stroke in (
                ("spend", spend_points, BLUE, 2.5),
                ("profit", profit_points, GREEN, 2),
            )
            if len(points) > 1
        )
    )
    notes = [
        (
            BLUE,
            _("Top 20%% by spend: %(share)s of spend") % {"share": _percent(pareto["top20_spend"])},
        )
    ]
    if len(profit_points) > 1:
        notes.append(
            (
                GREEN,
                _("Top 20%% by gross profit: %(share)s of gross profit")
                % {"share": _percent(pareto["top20_profit"])},
            )
        )
    # The notes are a legend below the axis title, outside the plot: no curve, reference
    # line or axis can ever run through them, whatever the data or the language.
    notes_top = top + height + 52
    note_lines = mark_safe(  # noqa: S308 - joined format_html pieces
        "".join(
            _html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"></line>'
                '<text x="{}" y="{}" font-size="11" fill="{}" data-note="{}">{}</text>',
                left,
                notes_top + 16 * index - 4,
                left + 18,
                notes_top + 16 * index - 4,
                colour,
                left + 24,
                notes_top + 16 * index,
                colour,
                index,
                text,
            )
            for index, (colour, text) in enumerate(notes)
        )
    )
    body = _html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}"></rect>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="2 3"></line>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="5 4"></line>'
        "{}{}{}"
        '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
        left, top, width, height, GREY,
        left, top + height, left + width, top + (1 - 1 / y_max) * height, GREY,
        left + 0.2 * width, top, left + 0.2 * width, top + height, ORANGE,
        curves, ticks, note_lines,
        left + width / 2, top + height + 30, _("Share of buying customers, best first"),
    )  # fmt: skip
    return _svg(left + width + 20, notes_top + 16 * (len(notes) - 1) + 8, title, body)


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
