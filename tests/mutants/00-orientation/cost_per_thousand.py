# mutant: reads the prices as per thousand tokens instead of per million
# replaces: task1-solution
# loses: task1
def call_cost(model, prompt):
    """Call ``model`` once with ``prompt`` and return the tokens it used and its price in USD."""
    reply = model.invoke(prompt)
    profile = get_profile(reply.response_metadata["model_name"])
    input_tokens = reply.usage_metadata["input_tokens"]
    output_tokens = reply.usage_metadata["output_tokens"]
    cost = (
        input_tokens * profile.input_price_per_mtok + output_tokens * profile.output_price_per_mtok
    ) / 1_000
    return {
        "model": profile.id,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cost_usd": cost,
    }
