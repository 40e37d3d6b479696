"""The reports as tables, for CSV and XLSX downloads."""

from django.utils.translation import gettext as _

from customers.spreadsheets import money, table_response  # noqa: F401 - views use it
from tiers.selectors import TierReport

REPORTS = ("grades", "movement", "quadrants", "value", "pareto", "rfm", "dormant", "churn")
# Reports whose rows are customers: their downloads count toward the export guard, one
# customer row per table row. A new report listing customers belongs here.
CUSTOMER_ROW_REPORTS = frozenset({"dormant", "value"})


def _pct(value: float) -> float:
    return round(value * 100, 1)


def report_table(report: TierReport, name: str) -> tuple[list[str], list[list]]:
    if name == "grades":
        return [_("Grade"), _("Customers"), _("Share (%)"), _("12-month spend (¥)")], [
            [r["label"], r["customers"], _pct(r["share"]), money(r["spend"])] for r in report.grades
        ]
    if name == "movement":
        return [_("Movement"), _("Customers")], [
            [r["label"], r["customers"]] for r in report.movement.get("rows", [])
        ]
    if name == "quadrants":
        headers = [
            _("Quadrant"), _("Customers"), _("Share of customers (%)"),
            _("12-month spend (¥)"), _("Share of spend (%)"),
            _("12-month gross profit (¥)"), _("Share of gross profit (%)"),
            _("Large but poor value"),
        ]  # fmt: skip
        return headers, [
            [
                r["label"],
                r["customers"],
                _pct(r["customer_share"]),
                money(r["spend"]),
                _pct(r["spend_share"]),
                money(r["gross_profit"]),
                _pct(r["profit_share"]),
                r["poor_value"],
            ]
            for r in report.quadrants
        ]
    if name == "value":
        return _value_table(report.value)
    if name == "pareto":
        # One curve after the other, each in its own order of customers.
        headers = [_("Customers ordered by"), _("Share of buying customers (%)"),
                   _("Cumulative share (%)")]  # fmt: skip
        curves = [
            (_("12-month spend"), report.pareto.get("spend_points", [])),
            (_("12-month gross profit"), report.pareto.get("profit_points", [])),
        ]
        return headers, [[order, _pct(x), _pct(y)] for order, points in curves for x, y in points]
    if name == "rfm":
        return [_("R"), _("F"), _("Customers"), _("Average M"), _("12-month spend (¥)")], [
            [c["r"], c["f"], c["customers"], c["avg_m"], money(c["spend"])] for c in report.rfm
        ]
    if name == "dormant":
        headers = [_("Customer"), _("Owner"), _("Grade"), _("Last business"),
                   _("Days without business"), _("Spend in the 12 months before (¥)")]  # fmt: skip
        return headers, [
            [
                s.customer.name,
                s.owner.display_name,
                s.grade,
                s.last_business_on or _("Never bought"),
                s.days_without_business,
                money(s.spend_prev_12m),
            ]
            for s in report.dormant.get("top", [])
        ]
    return _churn_table(report.churn)


def _value_table(value: dict) -> tuple[list[str], list[list]]:
    """The value ranking, then the large but poor value customers (as on the page)."""
    headers = [_("List"), _("Customer"), _("Owner"), _("Grade"), _("Value"),
               _("12-month spend (¥)"), _("Gross margin (%)"), _("Payment delay (days)"),
               _("Bookings in 12 months"), _("Large but poor value")]  # fmt: skip
    lists = [
        (_("Ranked by value"), value.get("ranked", [])),
        (_("Large but poor value"), value.get("poor", [])),
    ]
    return headers, [
        [
            title,
            s.customer.name,
            s.owner.display_name,
            s.grade,
            s.value_score,
            money(s.spend_12m),
            s.margin_percent,
            s.avg_payment_delay_days,
            s.bookings_12m,
            _("Yes") if s.poor_value else _("No"),
        ]
        for title, rows in lists
        for s in rows
    ]


def _churn_table(churn: dict) -> tuple[list[str], list[list]]:
    """Customers lost by reason: count and share in each period, and the handbook's."""
    if not churn:
        return [_("Reason lost")], []
    periods = [
        ("this_year", _("This year (%(year)s)") % {"year": churn["this_year"]}),
        ("last_year", _("Last year (%(year)s)") % {"year": churn["last_year"]}),
        ("all_time", _("All time")),
    ]
    headers = [_("Reason lost")]
    for _key, heading in periods:
        headers += [
            _("%(period)s: customers") % {"period": heading},
            _("%(period)s: share (%%)") % {"period": heading},
        ]
    headers.append(_("Handbook (%)"))
    rows = [
        [row["label"]]
        + [value for key, _heading in periods for value in (row[key], _pct(row[f"{key}_share"]))]
        + [_pct(row["handbook_share"])]
        for row in churn["rows"]
    ]
    return headers, rows
