# mutant: retries every 429 until it succeeds, ignoring max_attempts
# replaces: task2-solution
# loses: task2
def call_with_retry_after(model, messages, max_attempts=3):
    """Invoke ``model``, waiting ``retry_after`` on the current clock after each 429.

    Returns ``(reply, elapsed)``: the first successful reply and the virtual seconds spent.
    """
    clock = current_clock()
    start = clock.now()
    while True:
        try:
            reply = model.invoke(messages)
        except RateLimitError as err:
            if err.retry_after is None:
                raise
            clock.sleep(err.retry_after)
        else:
            return reply, clock.now() - start
