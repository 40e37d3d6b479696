"""Money as staff read it, in both languages: `{{ amount|yuan }}` is ¥1,234,567.89 and
`{{ amount|yuan:0 }}` ¥1,234,568 (and `yuan:-4`: as many decimals as it has, 2 to 4, for a
point worth ¥0.0125). Django's number formatting follows the locale, and
zh-hans has no thousands separator (¥17120200 beside ¥134,920.00 on the same page);
Chinese invoices and finance staff group by thousands with commas, so every amount on
every page goes through this one filter."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


def format_yuan(value, places: int = 2) -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
        places = int(places)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if places < 0:  # at least two decimals, up to -places when the amount has them
        exponent = -amount.normalize().as_tuple().exponent
        places = min(max(2, exponent), -places)
    quantum = Decimal(1).scaleb(-places)
    amount = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.{places}f}"


@register.filter
def yuan(value, places=2) -> str:
    return format_yuan(value, places)
