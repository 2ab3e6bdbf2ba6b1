# mutant: sleeps a pause that ends exactly at the deadline, then has nothing left
# replaces: task4-solution
# loses: task4
DEGRADED_ANSWER = (
    "Sorry, our assistant is overloaded right now. Your ticket is saved and a "
    "person will answer it shortly."
)


@dataclass
class Route:
    """One way to answer: a named model, optionally behind a circuit breaker."""

    name: str
    model: Any  # anything with .invoke(messages) -> AIMessage, e.g. SimChatModel
    breaker: Any = None  # anything with .call(fn, *args), e.g. your CircuitBreaker


class FallbackChain:
    """Answer a request through routes in order, with retries, a deadline and a last resort."""

    def __init__(
        self,
        routes,
        *,
        long_context=None,
        deadline: float = 30.0,
        max_attempts: int = 3,
        budget=None,
        retryable=None,
        delay=None,
        degraded_answer: str = DEGRADED_ANSWER,
        seed: int = 0,
        clock: Clock | None = None,
    ):
        self.routes = list(routes)
        self.long_context = long_context
        self.deadline = deadline
        self.max_attempts = max_attempts
        self.budget = budget
        self.retryable = retryable or is_retryable
        rng = random.Random(seed)
        self.delay = delay or (
            lambda attempt, err: backoff_delay(
                attempt, base=0.5, cap=8.0, rng=rng, retry_after=getattr(err, "retry_after", None)
            )
        )
        self.degraded_answer = degraded_answer
        self._fixed_clock = clock

    def invoke(self, messages) -> dict:
        """Answer ``messages``; return the record described above."""
        clock = self._fixed_clock or current_clock()
        start = clock.now()
        end = start + self.deadline
        attempts = []
        if self.budget is not None:
            self.budget.record_request()

        def finish(served_by, content, cost):
            return {
                "served_by": served_by,
                "content": content,
                "cost_usd": cost,
                "attempts": attempts,
                "elapsed": clock.now() - start,
            }

        def degraded():
            return finish("degraded", self.degraded_answer, 0.0)

        queue = list(self.routes)
        while queue:
            route = queue.pop(0)
            calls = 0
            while True:
                if clock.now() >= end:
                    return degraded()
                t0 = clock.now()
                try:
                    if route.breaker is not None:
                        message = route.breaker.call(route.model.invoke, messages)
                    else:
                        message = route.model.invoke(messages)
                except CallNotPermittedError:
                    attempts.append(
                        {
                            "route": route.name,
                            "start": t0,
                            "end": clock.now(),
                            "outcome": "not_permitted",
                        }
                    )
                    break
                except ProviderError as err:
                    calls += 1
                    attempts.append(
                        {"route": route.name, "start": t0, "end": clock.now(), "outcome": err.code}
                    )
                    if isinstance(err, ContextLengthExceededError):
                        if self.long_context is None or route is self.long_context:
                            return degraded()
                        queue = [self.long_context]  # a bigger window, not another try
                        break
                    if not self.retryable(err) or calls >= self.max_attempts:
                        break
                    pause = self.delay(calls - 1, err)
                    if clock.now() + pause > end:
                        break
                    if self.budget is not None and not self.budget.try_spend():
                        break
                    clock.sleep(pause)
                    continue
                attempts.append(
                    {"route": route.name, "start": t0, "end": clock.now(), "outcome": "ok"}
                )
                cost = float(
                    (getattr(message, "response_metadata", None) or {}).get("cost_usd", 0.0)
                )
                return finish(route.name, message.content, cost)
        return degraded()
