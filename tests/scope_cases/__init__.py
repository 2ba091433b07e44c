"""More scope cases, one module per app: each defines CASES (a dict, as in tests/scope_registry.py)
and SEEDS (a list of functions that take the tree and add records outside each viewer's area).
tests/scope_registry.py merges every module here into its own CASES and SEEDS."""
