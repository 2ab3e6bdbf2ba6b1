# mutant: off by one: max_attempts *retries* after the first call (max_attempts + 1 calls)
# replaces: task2-solution
# loses: task2
def call_with_retry_after(model, messages, max_attempts=3):
    """Invoke ``model``, waiting ``retry_after`` on the current clock after each 429.

    Returns ``(reply, elapsed)``: the first successful reply and the virtual seconds spent.
    """
    clock = current_clock()
    start = clock.now()
    attempt = 0
    while True:
        try:
            reply = model.invoke(messages)
        except RateLimitError as err:
            attempt += 1
            if attempt > max_attempts or err.retry_after is None:
                raise
            clock.sleep(err.retry_after)
        else:
            return reply, clock.now() - start
