# mutant: always prices with sim-large's price list, whatever model answered
# replaces: task1-solution
# loses: task1
def call_cost(model, prompt):
    """Call ``model`` once with ``prompt`` and return the tokens it used and its price in USD."""
    reply = model.invoke(prompt)
    profile = get_profile("sim-large@2026-11")
    input_tokens = reply.usage_metadata["input_tokens"]
    output_tokens = reply.usage_metadata["output_tokens"]
    cost = (
        input_tokens * profile.input_price_per_mtok + output_tokens * profile.output_price_per_mtok
    ) / 1_000_000
    return {
        "model": profile.id,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cost_usd": cost,
    }
