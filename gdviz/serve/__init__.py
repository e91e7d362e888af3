"""What serving a whole class from one process needs beyond the maths: a limit on heavy work.

Never imports streamlit: pages pass in how a waiting session is told (see gdviz.ui.runs.heavy).
"""

from gdviz.serve.limit import HeavyLimit, heavy_slots, usable_cores

__all__ = ["HeavyLimit", "heavy_slots", "usable_cores"]
