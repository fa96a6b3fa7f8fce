"""entropy-polarity from Python: the trace writer a trainer calls
(`trace_columns`, `trace_columns_np`, `trace_line`), the TRL integration
(`entropy_polarity.trl`) and the per-step table of a run
(`entropy_polarity.steps`, the `entropy-polarity-steps` command).

The math is in docs/math.md of the repository; the trace format in
docs/trace-format.md.
"""

from .writer import trace_columns, trace_columns_np, trace_line

__all__ = ["trace_columns", "trace_columns_np", "trace_line"]
__version__ = "0.1.0"
