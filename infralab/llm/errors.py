"""Provider errors shaped like the real SDKs' (OpenAI, Anthropic).

The simulated provider raises these when a :class:`~infralab.faults.FaultPlan` says a call
fails. Names, status codes and error codes follow what learners meet in production:

=============================  ======  ==========================  ===========================
class                          status  ``code``                    in production
=============================  ======  ==========================  ===========================
RateLimitError                 429     rate_limit_exceeded         ``openai.RateLimitError``
QuotaExceededError             429     insufficient_quota          billing quota used up
InternalServerError            500     server_error                ``openai.InternalServerError``
ServiceUnavailableError        503     service_unavailable         upstream down
OverloadedError                529     overloaded_error            Anthropic ``overloaded_error``
APITimeoutError                None    timeout                     ``openai.APITimeoutError``
ContextLengthExceededError     400     context_length_exceeded     prompt too long for model
BadRequestError                400     invalid_request_error       malformed request
AuthenticationError            401     invalid_api_key             bad or missing key
=============================  ======  ==========================  ===========================

There is deliberately no ``retryable`` attribute: deciding that from the status code and the
error code is the learner's job in lab ``a2-resilience``, as it is with the real SDKs.
Introduced in lab ``00-orientation``.
"""

from __future__ import annotations

__all__ = [
    "ProviderError",
    "RateLimitError",
    "QuotaExceededError",
    "InternalServerError",
    "ServiceUnavailableError",
    "OverloadedError",
    "APITimeoutError",
    "ContextLengthExceededError",
    "BadRequestError",
    "AuthenticationError",
    "CallNotPermittedError",
    "error_for_status",
]


class ProviderError(Exception):
    """An error returned by an LLM provider.

    Attributes:
        status_code: the HTTP status (None for a client-side timeout).
        code: the provider's machine-readable error code, e.g. ``"rate_limit_exceeded"``.
        message: the human-readable message.
        model: the model (profile) that was called, if known.
        request_id: a deterministic id for the failed request, as SDKs expose ``x-request-id``.
    """

    status_code: int | None = None
    code: str = "provider_error"

    def __init__(
        self,
        message: str = "",
        *,
        model: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.message = message or self.__class__.__doc__.splitlines()[0]  # type: ignore[union-attr]
        self.model = model
        self.request_id = request_id
        super().__init__(self.message)

    def __str__(self) -> str:
        status = "" if self.status_code is None else f"Error code: {self.status_code} - "
        return f"{status}{{'type': '{self.code}', 'message': '{self.message}'}}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, code={self.code!r})"

    def __reduce__(self):  # keep errors picklable across processes with their keyword fields
        return (_rebuild, (type(self), self.message, self.model, self.request_id, self.__dict__))


def _rebuild(cls, message, model, request_id, state):
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, message)
    return err


class RateLimitError(ProviderError):
    """Rate limit reached for requests or tokens per minute.

    Attributes:
        retry_after: seconds the provider asks the client to wait (the ``retry-after`` header),
            or None when it did not say.
    """

    status_code = 429
    code = "rate_limit_exceeded"

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kw) -> None:
        self.retry_after = None if retry_after is None else float(retry_after)
        super().__init__(message or "Rate limit reached. Please retry after a short wait.", **kw)


class QuotaExceededError(ProviderError):
    """You exceeded your current quota; check your plan and billing details."""

    status_code = 429
    code = "insufficient_quota"


class InternalServerError(ProviderError):
    """The server had an error while processing your request."""

    status_code = 500
    code = "server_error"


class ServiceUnavailableError(ProviderError):
    """The service is temporarily unavailable."""

    status_code = 503
    code = "service_unavailable"


class OverloadedError(ProviderError):
    """The model is overloaded. Please try again later."""

    status_code = 529
    code = "overloaded_error"


class APITimeoutError(ProviderError):
    """Request timed out."""

    status_code = None
    code = "timeout"

    def __init__(self, message: str = "", *, timeout: float | None = None, **kw) -> None:
        self.timeout = timeout
        super().__init__(message, **kw)


class ContextLengthExceededError(ProviderError):
    """This model's maximum context length was exceeded.

    Attributes:
        max_tokens: the model's context window.
        requested_tokens: how many tokens the request needed.
    """

    status_code = 400
    code = "context_length_exceeded"

    def __init__(
        self,
        message: str = "",
        *,
        max_tokens: int | None = None,
        requested_tokens: int | None = None,
        **kw,
    ) -> None:
        self.max_tokens = max_tokens
        self.requested_tokens = requested_tokens
        if not message and max_tokens is not None:
            message = (
                f"This model's maximum context length is {max_tokens} tokens. However, your "
                f"messages resulted in {requested_tokens} tokens."
            )
        super().__init__(message, **kw)


class BadRequestError(ProviderError):
    """The request was malformed."""

    status_code = 400
    code = "invalid_request_error"


class AuthenticationError(ProviderError):
    """Incorrect API key provided."""

    status_code = 401
    code = "invalid_api_key"


class CallNotPermittedError(Exception):
    """Raised by a circuit breaker that refuses a call (open, or half-open and full).

    Not a provider error: the call never left the client. Named after resilience4j's
    ``CallNotPermittedException``.
    """


_BY_STATUS: dict[int, type[ProviderError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    429: RateLimitError,
    500: InternalServerError,
    503: ServiceUnavailableError,
    529: OverloadedError,
}


def error_for_status(status: int | str, message: str = "", **kw) -> ProviderError:
    """Build the error a provider returns for ``status``.

    ``status`` is an HTTP status code, or one of the names ``"timeout"``,
    ``"context_length_exceeded"``, ``"insufficient_quota"`` (as used in fault plans).

    Raises:
        ValueError: for a status that no provider error has.
    """
    named: dict[str, type[ProviderError]] = {
        "timeout": APITimeoutError,
        "context_length_exceeded": ContextLengthExceededError,
        "insufficient_quota": QuotaExceededError,
    }
    if isinstance(status, str) and status in named:
        return named[status](message, **kw)
    try:
        cls = _BY_STATUS[int(status)]
    except (KeyError, ValueError):
        known = sorted(map(str, _BY_STATUS)) + sorted(named)
        raise ValueError(
            f"no provider error for status {status!r}; known: {', '.join(known)}"
        ) from None
    return cls(message, **kw)
