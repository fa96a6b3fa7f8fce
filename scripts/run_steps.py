#!/usr/bin/env python3
"""The per-step table of a whole training run: `entropy-polarity-steps` from a
checkout, without installing the package (python/entropy_polarity/steps.py).

    python3 scripts/run_steps.py DIR [--format …] > steps.csv
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

from entropy_polarity.steps import *  # noqa: E402,F401,F403  (tests use js_number and friends)
from entropy_polarity.steps import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
