# mutant: counts the prompt text with count_tokens instead of reading usage_metadata
# replaces: task1-solution
# loses: task1
# (it misses the per-message framing tokens the provider bills)
def call_cost(model, prompt):
    """Call ``model`` once with ``prompt`` and return the tokens it used and its price in USD."""
    reply = model.invoke(prompt)
    profile = get_profile(reply.response_metadata["model_name"])
    input_tokens = count_tokens(prompt)
    output_tokens = count_tokens(reply.content)
    cost = (
        input_tokens * profile.input_price_per_mtok + output_tokens * profile.output_price_per_mtok
    ) / 1_000_000
    return {
        "model": profile.id,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cost_usd": cost,
    }
