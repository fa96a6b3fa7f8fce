"""docs/trace.schema.json against real trace lines: the example run
(www/examples/runs/trace/run.jsonl), the lines python/entropy_polarity/writer.py's twin
wrote (tests/fixtures/trace_writer_twin.json), and lines that must be refused.
Needs the jsonschema package; skipped (saying so) without it.

    python3 -m unittest tests/python/test_trace_schema.py
"""

import copy
import json
import os
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

try:
    import jsonschema
except ImportError:  # pragma: no cover
    jsonschema = None


@unittest.skipIf(jsonschema is None, "jsonschema is not installed (pip install jsonschema)")
class TraceSchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(ROOT, "docs", "trace.schema.json"), encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        cls.validator = jsonschema.Draft202012Validator(schema)

    def lines(self):
        out = []
        with open(os.path.join(ROOT, "www", "examples", "runs", "trace", "run.jsonl"), encoding="utf-8") as f:
            out += [json.loads(l) for l in f if l.strip()]
        with open(os.path.join(ROOT, "tests", "fixtures", "trace_writer_twin.json"), encoding="utf-8") as f:
            out += [json.loads(l) for c in json.load(f)["cases"] for l in c["lines"]]
        return out

    def test_written_lines_validate(self):
        lines = self.lines()
        self.assertGreater(len(lines), 10)
        for i, line in enumerate(lines):
            errors = [e.message for e in self.validator.iter_errors(line)]
            self.assertEqual(errors, [], "line %d" % i)

    def test_same_context_fields_are_optional(self):
        good = self.lines()[0]
        self.assertIn("entropy_after", good)  # the example run carries them
        for key in ("entropy_after", "logprob_after"):
            line = copy.deepcopy(good)
            del line[key]
            self.assertTrue(self.validator.is_valid(line), key)
        line = copy.deepcopy(good)
        line["entropy_after"][0] = None  # a non-finite value, written null
        self.assertTrue(self.validator.is_valid(line))

    def test_bad_lines_are_refused(self):
        good = self.lines()[0]
        for change in [
            lambda l: l.pop("logprob"),
            lambda l: l.update(version=2),
            lambda l: l.update(trace="other"),
            lambda l: l.update(step=-1),
            lambda l: l["logprob"].__setitem__(0, 0.5),
            lambda l: l["entropy"].__setitem__(0, -0.5),
            lambda l: l.update(advantage="high"),
            lambda l: l["entropy_after"].__setitem__(0, -0.5),
            lambda l: l["logprob_after"].__setitem__(0, 0.5),
            lambda l: l.update(entropy_after="after"),
            lambda l: l["entropy_after"].__setitem__(0, "x"),
            # the bounds the readers share (docs/trace-format.md, "One rule for every reader")
            lambda l: l.update(step=3.5),
            lambda l: l.update(sample=2 ** 53 + 1),
            lambda l: l["entropy"].__setitem__(0, 1e308),
            lambda l: l.update(mask=[2] * len(l["logprob"])),
            lambda l: l.update(logprob=-0.5),
        ]:
            bad = copy.deepcopy(good)
            change(bad)
            self.assertFalse(self.validator.is_valid(bad), bad)


if __name__ == "__main__":
    unittest.main()
