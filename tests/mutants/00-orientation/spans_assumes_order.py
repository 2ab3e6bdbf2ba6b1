# mutant: assumes parents come before children and a node's spans follow it in the list
# replaces: task3-solution
# loses: task3
# (true of one span_rows() run, false for rows from several runs or in another order)
def summarise_spans(rows):
    """Count LLM calls, total tokens per graph node, find the slowest node, total the cost."""
    tokens = {}
    llm_calls = 0
    cost = 0.0
    node = None
    slowest = None
    for row in rows:
        if row["depth"] == 1:
            node = row["name"]
            if slowest is None or row["duration_s"] > slowest["duration_s"]:
                slowest = row
        if row["kind"] == "LLM":
            llm_calls += 1
            cost += row["cost_usd"] or 0.0
            used = (row["input_tokens"] or 0) + (row["output_tokens"] or 0)
            tokens[node] = tokens.get(node, 0) + used
    return {
        "llm_calls": llm_calls,
        "tokens_by_node": tokens,
        "slowest_node": None if slowest is None else slowest["name"],
        "cost_usd": cost,
    }
