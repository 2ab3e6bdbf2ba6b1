"""Do provider errors look like the real SDKs' and survive a trip between processes?"""

import pickle

import pytest

from infralab.llm.errors import (
    APITimeoutError,
    AuthenticationError,
    ContextLengthExceededError,
    OverloadedError,
    ProviderError,
    QuotaExceededError,
    RateLimitError,
    ServiceUnavailableError,
    error_for_status,
)


@pytest.mark.parametrize(
    ("status", "cls", "code"),
    [
        (429, RateLimitError, "rate_limit_exceeded"),
        (529, OverloadedError, "overloaded_error"),
        (503, ServiceUnavailableError, "service_unavailable"),
        (401, AuthenticationError, "invalid_api_key"),
        ("timeout", APITimeoutError, "timeout"),
        ("context_length_exceeded", ContextLengthExceededError, "context_length_exceeded"),
        ("insufficient_quota", QuotaExceededError, "insufficient_quota"),
    ],
)
def test_error_for_status(status, cls, code):
    err = error_for_status(status, model="sim-large@2026-11")
    assert type(err) is cls and err.code == code and isinstance(err, ProviderError)
    assert err.model == "sim-large@2026-11"


def test_unknown_status_names_the_known_ones():
    with pytest.raises(ValueError, match="no provider error for status 418.*429"):
        error_for_status(418)


def test_rate_limit_carries_retry_after_and_pickles():
    err = RateLimitError(retry_after=7, request_id="req_1")
    assert err.retry_after == 7.0 and "429" in str(err)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is RateLimitError
    assert (back.retry_after, back.request_id, back.status_code) == (7.0, "req_1", 429)


def test_context_length_message_says_both_numbers():
    err = ContextLengthExceededError(max_tokens=8192, requested_tokens=9000)
    assert "8192" in str(err) and "9000" in str(err) and err.status_code == 400


def test_errors_have_no_retryable_attribute():
    # Classifying errors is the learner's task in a2-resilience.
    assert not hasattr(RateLimitError(), "retryable")
