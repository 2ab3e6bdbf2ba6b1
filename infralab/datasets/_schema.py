"""The vocabulary shared by the scenario data, its loader and the tool world.

Kept free of heavy imports (no LangChain, no Pydantic) because the simulator imports the
loader on its hot path. ``infralab.tools`` builds its Pydantic argument schemas to match
``TOOL_PARAMS``; a test checks that the two agree.
"""

from __future__ import annotations

ROUTES: tuple[str, ...] = ("billing", "shipping", "technical", "account")
SPLITS: tuple[str, ...] = ("train", "test")
INJECTION_CHANNELS: tuple[str, ...] = ("user", "tool_output")

#: Every tool of the support desk: its parameters, and which of them are required.
TOOL_PARAMS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "get_customer": (frozenset({"customer_id", "email"}), frozenset()),
    "lookup_order": (frozenset({"order_id"}), frozenset({"order_id"})),
    "track_shipment": (frozenset({"tracking_number"}), frozenset({"tracking_number"})),
    "refund_order": (frozenset({"order_id", "amount"}), frozenset({"order_id", "amount"})),
    "cancel_order": (frozenset({"order_id"}), frozenset({"order_id"})),
    "search_kb": (frozenset({"query"}), frozenset({"query"})),
    "send_email": (
        frozenset({"customer_id", "template", "order_id"}),
        frozenset({"customer_id", "template"}),
    ),
    "update_account": (
        frozenset(
            {"customer_id", "email", "address", "tier", "two_factor_enabled", "rotate_api_key"}
        ),
        frozenset({"customer_id"}),
    ),
}

EMAIL_TEMPLATES: tuple[str, ...] = (
    "password_reset",
    "email_change_confirmation",
    "invoice",
    "return_label",
    "refund_confirmation",
)
TIERS: tuple[str, ...] = ("free", "pro", "business")
ORDER_STATUSES: tuple[str, ...] = ("processing", "shipped", "delivered", "lost", "returned")


def fold(text: str) -> str:
    """Case- and whitespace-fold a message: how ``find_scenario`` compares texts."""
    return " ".join(text.split()).casefold()
