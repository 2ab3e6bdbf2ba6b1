"""Pydantic argument schemas of the support-desk tools (what a model sees when tools are bound).

Strict on purpose: unknown arguments are rejected (``extra="forbid"``) and ids must look like
ids, so a hallucinated or malformed argument comes back to the model as a clear tool error.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


def _customer_id() -> Any:
    return Field(pattern=r"^C\d{4}$", description="Customer id, e.g. 'C0042'.")


def _order_id() -> Any:
    return Field(pattern=r"^O\d{5}$", description="Order id, e.g. 'O10023'.")


EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

Template = Literal[
    "password_reset", "email_change_confirmation", "invoice", "return_label", "refund_confirmation"
]
Tier = Literal["free", "pro", "business"]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GetCustomerArgs(_Args):
    """Look a customer up by id or by e-mail (exactly one of the two)."""

    customer_id: str | None = Field(
        default=None, pattern=r"^C\d{4}$", description="Customer id, e.g. 'C0042'."
    )
    email: str | None = Field(
        default=None,
        pattern=EMAIL_PATTERN,
        max_length=254,
        description="The e-mail address on the customer's account.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> GetCustomerArgs:
        if (self.customer_id is None) == (self.email is None):
            raise ValueError("give exactly one of customer_id or email")
        return self


class LookupOrderArgs(_Args):
    order_id: str = _order_id()


class TrackShipmentArgs(_Args):
    tracking_number: str = Field(
        min_length=6,
        max_length=40,
        pattern=r"^[A-Za-z0-9]+$",
        description="The carrier tracking number from lookup_order.",
    )


class RefundOrderArgs(_Args):
    order_id: str = _order_id()
    amount: float = Field(
        gt=0,
        le=100_000,
        allow_inf_nan=False,
        description="Amount to refund in the order's currency, e.g. 49.90. At most what was "
        "paid minus what was already refunded.",
    )


class CancelOrderArgs(_Args):
    order_id: str = _order_id()


class SearchKbArgs(_Args):
    query: str = Field(
        min_length=2,
        max_length=200,
        description="A few keywords, e.g. 'API error 429' or 'shipping times'.",
    )


class SendEmailArgs(_Args):
    customer_id: str = _customer_id()
    template: Template = Field(
        description="Which e-mail to send. 'invoice', 'return_label' and "
        "'refund_confirmation' need order_id."
    )
    order_id: str | None = Field(
        default=None, pattern=r"^O\d{5}$", description="The order the e-mail is about, if any."
    )


class UpdateAccountArgs(_Args):
    customer_id: str = _customer_id()
    email: str | None = Field(
        default=None, pattern=EMAIL_PATTERN, max_length=254, description="New e-mail address."
    )
    address: str | None = Field(
        default=None, min_length=5, max_length=200, description="New postal address, one line."
    )
    tier: Tier | None = Field(default=None, description="New plan.")
    two_factor_enabled: bool | None = Field(
        default=None, description="Turn two-factor authentication on (true) or off (false)."
    )
    rotate_api_key: bool | None = Field(
        default=None, description="true to revoke the current API key and issue a new one."
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateAccountArgs:
        changes = (self.email, self.address, self.tier, self.two_factor_enabled)
        if all(v is None for v in changes) and not self.rotate_api_key:
            raise ValueError(
                "nothing to update: give email, address, tier, two_factor_enabled or "
                "rotate_api_key=true"
            )
        return self


ARGS_SCHEMAS: dict[str, type[BaseModel]] = {
    "get_customer": GetCustomerArgs,
    "lookup_order": LookupOrderArgs,
    "track_shipment": TrackShipmentArgs,
    "refund_order": RefundOrderArgs,
    "cancel_order": CancelOrderArgs,
    "search_kb": SearchKbArgs,
    "send_email": SendEmailArgs,
    "update_account": UpdateAccountArgs,
}

DESCRIPTIONS: dict[str, str] = {
    "get_customer": (
        "Look up a customer account by customer_id or by e-mail address (exactly one). Returns "
        "id, name, e-mail, plan (tier), address, two-factor status and the customer's orders."
    ),
    "lookup_order": (
        "Look up an order by id (e.g. 'O10023'). Returns status (processing, shipped, "
        "delivered, lost, returned, cancelled), items, total, charges, amounts paid, refunded "
        "and still refundable, carrier and tracking number."
    ),
    "track_shipment": (
        "Track a shipment by its carrier tracking number (from lookup_order). Returns the "
        "shipment status, estimated delivery or delivery date, and the scan events."
    ),
    "refund_order": (
        "Refund money on an order to the original payment method. amount must not exceed what "
        "was paid minus what was already refunded. Use for damaged, unwanted, lost or "
        "double-charged orders; to stop an order that has not shipped, use cancel_order."
    ),
    "cancel_order": (
        "Cancel an order that is still processing (not yet shipped) and refund it in full. "
        "Shipped orders cannot be cancelled."
    ),
    "search_kb": (
        "Search the help-center knowledge base with a few keywords. Returns up to 3 articles "
        "(id, title, body). Use for how-to questions, policies and API error codes."
    ),
    "send_email": (
        "Send a templated e-mail to a customer's address on file: password_reset, "
        "email_change_confirmation, invoice, return_label or refund_confirmation (the last "
        "three need the order_id of one of the customer's orders)."
    ),
    "update_account": (
        "Change a customer's account: e-mail, postal address, plan (tier: free, pro, "
        "business), two-factor authentication on/off, or rotate the API key. Give the "
        "customer_id and only the fields to change."
    ),
}
