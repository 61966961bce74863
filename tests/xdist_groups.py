"""Groups of tests that share one pytest-xdist worker under ``make test`` (``-n 2 --dist loadgroup``).

Every other test goes to whichever worker is free. Without ``-n`` the marks change nothing.
"""

from __future__ import annotations

import pytest

# Tests that hold code to a CPU or wall-clock budget: the sandbox's script budgets, the importers' bomb guards, the
# scenario runner's time-outs. Their budgets count the CPU time of the thread or process (the other worker does not
# use it up), but the wall clock of a time-out also waits for a core: run one after another on one worker, two of
# them never compete with each other for the machine's two cores.
TIME_BUDGETS = pytest.mark.xdist_group("time_budgets")
