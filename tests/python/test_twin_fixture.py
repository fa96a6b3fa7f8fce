"""python/make_twin_fixture.py --check compares numbers, not text (issue 17, item 7):
the last-digit rounding of another CPU's NumPy passes, a real change does not.

    python3 -m unittest tests/python/test_twin_fixture.py
"""

import copy
import json
import math
import os
import sys
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))

import make_twin_fixture as twin  # noqa: E402

with open(twin.OUT, encoding="utf-8") as _f:
    FIXTURE = json.load(_f)


def nudge_line(line, field, f):
    d = json.loads(line)
    d[field] = [f(x) for x in d[field]]
    return json.dumps(d)


class Check(unittest.TestCase):
    def test_the_committed_fixture_is_current(self):
        self.assertIsNone(twin.differs(FIXTURE, json.loads(twin.render())))

    def test_last_digit_rounding_passes(self):
        other = copy.deepcopy(FIXTURE)
        for case in other["cases"]:
            cols = case["columns"]
            for c in ("logprob", "entropy", "mean_discriminator"):
                cols[c] = [math.nextafter(x, math.inf) for x in cols[c]]
            case["lines"] = [nudge_line(x, "entropy", lambda v: math.nextafter(v, 0.0)) for x in case["lines"]]
            case["logits"] = [[v if v == "-inf" else repr(math.nextafter(float(v), 0.0)) for v in row]
                              for row in case["logits"]]
        self.assertIsNone(twin.differs(FIXTURE, other))

    def test_a_changed_number_fails_naming_it(self):
        other = copy.deepcopy(FIXTURE)
        other["cases"][2]["columns"]["entropy"][4] *= 1 + 1e-9
        self.assertIn("cases[2].columns.entropy[4]", twin.differs(FIXTURE, other))
        other = copy.deepcopy(FIXTURE)
        other["cases"][1]["lines"][0] = nudge_line(other["cases"][1]["lines"][0], "mean_discriminator",
                                                   lambda v: v * (1 + 1e-9))
        self.assertIn("cases[1].lines[0].mean_discriminator[0]", twin.differs(FIXTURE, other))

    def test_a_changed_id_or_shape_fails(self):
        other = copy.deepcopy(FIXTURE)
        other["cases"][0]["columns"]["token_id"][0] += 1
        self.assertIn("token_id[0]", twin.differs(FIXTURE, other))
        other = copy.deepcopy(FIXTURE)
        other["cases"][3]["logits"].pop()
        self.assertIn("cases[3].logits", twin.differs(FIXTURE, other))
        other = copy.deepcopy(FIXTURE)
        del other["cases"][0]["columns"]["advantage"]
        self.assertIn("keys", twin.differs(FIXTURE, other))
        other = copy.deepcopy(FIXTURE)
        masked = next(c for c in other["cases"] if c["name"] == "masked")
        masked["logits"][0][-1] = repr(-sys.float_info.max)  # was '-inf'
        self.assertIn("logits[0][29]", twin.differs(FIXTURE, other))


if __name__ == "__main__":
    unittest.main()
