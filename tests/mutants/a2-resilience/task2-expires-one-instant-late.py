# mutant: keeps events of age exactly `window` (expires with > instead of >=)
# replaces: task2-solution
# loses: task2
class RetryBudget:
    """Retries allowed: a share of recent requests plus a small reserve per second."""

    def __init__(
        self,
        *,
        ratio: float = 0.2,
        min_per_second: float = 0.1,
        window: float = 10.0,
        clock: Clock | None = None,
    ):
        self.ratio = ratio
        self.min_per_second = min_per_second
        self.window = window
        self._fixed_clock = clock
        self._requests = deque()
        self._retries = deque()

    def record_request(self) -> None:
        """Count one original request (not a retry) at the current time."""
        now = (self._fixed_clock or current_clock()).now()
        self._requests.append(now)

    def try_spend(self) -> bool:
        """Spend one retry if the budget allows it; return whether it did."""
        now = (self._fixed_clock or current_clock()).now()
        for events in (self._requests, self._retries):
            while events and now - events[0] > self.window:
                events.popleft()
        allowed = self.ratio * len(self._requests) + self.min_per_second * self.window
        if len(self._retries) + 1 <= allowed:
            self._retries.append(now)
            return True
        return False
