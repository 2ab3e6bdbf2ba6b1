# mutant: when retry_after is None it waits a default 30 s and tries again
# replaces: task2-solution
# loses: task2
# (that 429 said no wait can help: the call is larger than the whole TPM limit)
def call_with_retry_after(model, messages, max_attempts=3):
    """Invoke ``model``, waiting ``retry_after`` on the current clock after each 429.

    Returns ``(reply, elapsed)``: the first successful reply and the virtual seconds spent.
    """
    clock = current_clock()
    start = clock.now()
    for attempt in range(1, max_attempts + 1):
        try:
            reply = model.invoke(messages)
        except RateLimitError as err:
            if attempt == max_attempts:
                raise
            clock.sleep(err.retry_after if err.retry_after is not None else 30.0)
        else:
            return reply, clock.now() - start
