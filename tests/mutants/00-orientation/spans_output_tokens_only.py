# mutant: adds up only the output tokens per node (forgets the prompt)
# replaces: task3-solution
# loses: task3
def summarise_spans(rows):
    """Count LLM calls, total tokens per graph node, find the slowest node, total the cost."""
    by_id = {row["span_id"]: row for row in rows}

    def node_of(row):
        while row["depth"] > 1:
            row = by_id[row["parent_id"]]
        return row["name"]

    llm = [row for row in rows if row["kind"] == "LLM"]
    tokens = {}
    for row in llm:
        node = node_of(row)
        tokens[node] = tokens.get(node, 0) + (row["output_tokens"] or 0)
    nodes = sorted((row for row in rows if row["depth"] == 1), key=lambda r: r["start_s"])
    slowest = max(nodes, key=lambda r: r["duration_s"], default=None)
    return {
        "llm_calls": len(llm),
        "tokens_by_node": tokens,
        "slowest_node": None if slowest is None else slowest["name"],
        "cost_usd": float(sum(row["cost_usd"] or 0.0 for row in llm)),
    }
