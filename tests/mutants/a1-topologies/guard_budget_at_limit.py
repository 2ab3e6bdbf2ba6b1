# mutant: refuses a run that spent exactly its budget (>= instead of >)
# replaces: task2-solution
# loses: task2
class RoutingGuard:
    """Decide whether control may pass from path[-1] to next_node; a reason when it may not."""

    def __init__(self, *, max_hops, allowed=None, max_tokens=None, max_cost_usd=None):
        if type(max_hops) is not int or max_hops < 1:
            raise ValueError(f"max_hops must be an int >= 1, got {max_hops!r}")
        self.max_hops = max_hops
        self.allowed = None if allowed is None else {k: set(v) for k, v in allowed.items()}
        self.max_tokens = max_tokens
        self.max_cost_usd = max_cost_usd

    def __call__(self, path, next_node, calls):
        if not path:
            raise ValueError("path must hold at least the agent that is handing off")
        if next_node in (END, ESCALATE):
            return None  # stopping is the safe direction: never refuse it
        tokens = sum(c["input_tokens"] + c["output_tokens"] for c in calls)
        if self.max_tokens is not None and tokens >= self.max_tokens:
            return f"token_budget: {tokens} tokens used, budget {self.max_tokens}"
        cost = sum(c["cost_usd"] for c in calls)
        if self.max_cost_usd is not None and cost >= self.max_cost_usd:
            return f"cost_budget: ${cost:.6f} spent, budget ${self.max_cost_usd:.6f}"
        if len(path) > self.max_hops:  # this hop would be hop number len(path)
            return f"hop_limit: hop {len(path)} refused, at most {self.max_hops} hops"
        here = path[-1]
        if self.allowed is not None and next_node not in self.allowed.get(here, ()):
            return f"not_allowed: {here} -> {next_node} is not in the table"
        seq = [*path, next_node]
        for p in (2, 3):
            tail = seq[-2 * p :]
            if len(seq) >= 2 * p and tail[:p] == tail[p:] and len(set(tail[:p])) > 1:
                return f"ping_pong: {' -> '.join(tail)} repeats with period {p}"
        return None


def recursion_limit_for(max_hops):
    """The smallest recursion_limit that never fires before a RoutingGuard(max_hops=...)."""
    # at most max_hops + 1 agent runs, then one escalate run, plus the input step
    return max_hops + 3
    ### END SOLUTION
