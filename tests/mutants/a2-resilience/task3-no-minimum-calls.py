# mutant: computes the rates from the first recorded call (ignores minimum_calls)
# replaces: task3-solution
# loses: task3
CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    """A count-based circuit breaker with the semantics of resilience4j."""

    def __init__(
        self,
        *,
        window_size: int = 10,
        minimum_calls: int = 10,
        failure_rate_threshold: float = 50.0,
        slow_call_rate_threshold: float = 100.0,
        slow_call_duration: float = 60.0,
        wait_duration_in_open: float = 60.0,
        permitted_calls_in_half_open: int = 3,
        ignore_exceptions: tuple = (),
        name: str = "breaker",
        clock: Clock | None = None,
    ):
        self.window_size = window_size
        self.minimum_calls = minimum_calls
        self.failure_rate_threshold = failure_rate_threshold
        self.slow_call_rate_threshold = slow_call_rate_threshold
        self.slow_call_duration = slow_call_duration
        self.wait_duration_in_open = wait_duration_in_open
        self.permitted_calls_in_half_open = permitted_calls_in_half_open
        self.ignore_exceptions = tuple(ignore_exceptions)
        self.name = name
        self.events = []
        self._fixed_clock = clock
        self._state = CLOSED
        self._window = deque(maxlen=window_size)  # (failed, slow) for each recorded call
        self._opened_at = 0.0
        self._admitted = 0  # trial calls let through in half_open

    @property
    def state(self) -> str:
        """The state: "closed", "open" or "half_open" (an expired open wait turns half_open)."""
        if self._state == OPEN and self._now() >= self._opened_at + self.wait_duration_in_open:
            self._transition(HALF_OPEN)
        return self._state

    def try_acquire(self) -> bool:
        """Ask to make one call; False means the call is not permitted."""
        state = self.state
        if state == CLOSED:
            return True
        if state == HALF_OPEN and self._admitted < self.permitted_calls_in_half_open:
            self._admitted += 1
            return True
        return False

    def on_success(self, duration: float) -> None:
        """Record a permitted call that returned, after ``duration`` seconds."""
        self._record(False, duration)

    def on_error(self, err: BaseException, duration: float) -> None:
        """Record a permitted call that raised ``err`` after ``duration`` seconds."""
        if isinstance(err, self.ignore_exceptions):
            if self._state == HALF_OPEN:
                self._admitted -= 1  # the trial slot goes back: this call told us nothing
            return
        self._record(True, duration)

    def call(self, fn, *args, **kwargs):
        """Run ``fn(*args, **kwargs)`` through the breaker; raise CallNotPermittedError if refused."""
        if not self.try_acquire():
            raise CallNotPermittedError(f"circuit breaker {self.name!r} is {self._state}")
        start = self._now()
        try:
            result = fn(*args, **kwargs)
        except Exception as err:
            self.on_error(err, self._now() - start)
            raise
        self.on_success(self._now() - start)
        return result

    def _now(self) -> float:
        """The time on this breaker's clock (the current clock when none was given)."""
        return (self._fixed_clock or current_clock()).now()

    def _transition(self, to: str) -> None:
        """Move to state ``to``: append the event and reset what the new state needs."""
        self.events.append({"at": self._now(), "from": self._state, "to": to})
        self._state = to
        if to == OPEN:
            self._opened_at = self._now()
        elif to == HALF_OPEN:
            self._admitted = 0
            self._window = deque(maxlen=self.permitted_calls_in_half_open)
        else:
            self._window = deque(maxlen=self.window_size)

    def _record(self, failed: bool, duration: float) -> None:
        """Add one outcome to the window, then open or close if a verdict is due."""
        if self._state == OPEN:
            return  # a call admitted before the breaker opened; the verdict is already in
        self._window.append((failed, duration > self.slow_call_duration))
        needed = 1 if self._state == CLOSED else self.permitted_calls_in_half_open
        calls = len(self._window)
        if calls < needed:
            return
        failure_rate = 100.0 * sum(f for f, _ in self._window) / calls
        slow_rate = 100.0 * sum(s for _, s in self._window) / calls
        if (
            failure_rate >= self.failure_rate_threshold
            or slow_rate >= self.slow_call_rate_threshold
        ):
            self._transition(OPEN)
        elif self._state == HALF_OPEN:
            self._transition(CLOSED)
