"""Panels other apps add to the customer page, so `customers` need not import them.

An app registers a panel in its AppConfig.ready():

    register_customer_panel(
        key="tiers", template_name="tiers/customer_panel.html", context=tier_panel_context,
        column="left", order=10,
    )

`context(customer=..., user=...)` returns the panel's template context, or None to show
nothing. It must run a fixed number of queries whatever the customer's history (the
customer page's query count is asserted)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

PanelContext = Callable[..., dict[str, Any] | None]


@dataclass(frozen=True)
class CustomerPanel:
    key: str
    template_name: str
    context: PanelContext
    column: Literal["left", "right"] = "left"
    order: int = 100


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template_name: str
    context: dict[str, Any]
    column: str


_panels: dict[str, CustomerPanel] = {}


def register_customer_panel(
    *,
    key: str,
    template_name: str,
    context: PanelContext,
    column: Literal["left", "right"] = "left",
    order: int = 100,
) -> None:
    _panels[key] = CustomerPanel(
        key=key, template_name=template_name, context=context, column=column, order=order
    )


def customer_panels(*, customer, user) -> list[RenderedPanel]:
    """The panels to show `user` on `customer`'s page, in order."""
    rendered = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(customer=customer, user=user)
        if context is not None:
            rendered.append(
                RenderedPanel(
                    key=panel.key,
                    template_name=panel.template_name,
                    context=context,
                    column=panel.column,
                )
            )
    return rendered
