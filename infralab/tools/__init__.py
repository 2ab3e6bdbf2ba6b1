"""The simulated tool world: a support desk (customers, orders, shipments, help center).

:class:`SupportDesk` starts from ``datasets/support_desk/world.json`` and exposes eight
LangChain tools, the names the scenarios' ``expected_tool_calls`` use:

==================  ===========================================  ============================
tool                does                                         routes (``tools_for``)
==================  ===========================================  ============================
get_customer        account by ``customer_id`` or ``email``      all four
lookup_order        order status, items, charges, tracking       billing, shipping
track_shipment      carrier scans by ``tracking_number``         shipping
refund_order        refund ``amount`` of an order (side effect)  billing, shipping
cancel_order        cancel a processing order (side effect)      billing
search_kb           help-center articles by keywords             shipping, technical, account
send_email          templated e-mail (side effect)               all four
update_account      e-mail, address, plan, 2FA, API key (s.e.)   technical, account
==================  ===========================================  ============================

Introduced in lab ``00-orientation``.

Example:
    >>> from infralab.tools import SupportDesk
    >>> desk = SupportDesk()
    >>> [t.name for t in desk.tools_for("shipping")][:3]
    ['get_customer', 'lookup_order', 'track_shipment']
"""

from __future__ import annotations

from infralab.tools._desk import (
    ROUTE_TOOLS,
    SIDE_EFFECT_KINDS,
    TOOL_NAMES,
    CallRecord,
    SideEffect,
    SupportDesk,
)

__all__ = [
    "ROUTE_TOOLS",
    "SIDE_EFFECT_KINDS",
    "TOOL_NAMES",
    "CallRecord",
    "SideEffect",
    "SupportDesk",
]
