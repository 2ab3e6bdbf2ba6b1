# mutant: measures elapsed with time.monotonic() (real time) instead of the current clock
# replaces: task2-solution
# loses: task2
import time


def call_with_retry_after(model, messages, max_attempts=3):
    """Invoke ``model``, waiting ``retry_after`` on the current clock after each 429.

    Returns ``(reply, elapsed)``: the first successful reply and the virtual seconds spent.
    """
    clock = current_clock()
    start = time.monotonic()
    for attempt in range(1, max_attempts + 1):
        try:
            reply = model.invoke(messages)
        except RateLimitError as err:
            if attempt == max_attempts or err.retry_after is None:
                raise
            clock.sleep(err.retry_after)
        else:
            return reply, time.monotonic() - start
