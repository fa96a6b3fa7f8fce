"""entropy_polarity.trl.PolarityGRPOTrainer on a tiny GPT-2, on the CPU, offline.

    python3 -m unittest tests/python/test_trl_trainer.py      # about 20-30 s

The model is built from a GPT2Config (no download) with a character-level tokenizer
from the `tokenizers` library; every prompt is the same string, so each trace line's
context is that prompt followed by the line's own completion tokens. Checked:
- a 3-step run with gradient accumulation 2 writes run.json and step_1 … step_3.jsonl,
  each with the completions of both micro-batches;
- each step's mean entropy over the mask (TRL's mean of micro-batch means) equals the
  `entropy` TRL logs for that step, to float32 rounding (disable_dropout=True);
- entropy_after and logprob_after equal an independent recomputation: a callback copies
  the weights after every optimizer step, and a plain GPT2LMHeadModel forward with
  float64 log_softmax gives H and ln p at the same positions (and the weights did move,
  so the check can tell before from after);
- with learning rate 0, entropy_after equals entropy (dropout on: both forwards in eval mode);
- under TRL's default bf16 autocast the trace still matches TRL's entropy; trace_every and
  trace_after=False;
- the lines follow docs/trace.schema.json, and entropy-polarity-steps reads the folder.
Skipped, saying so, only when torch or trl is missing (scripts/setup.sh --test installs them).
"""

import copy
import json
import math
import os
import shutil
import sys
import tempfile
import unittest

for _k, _v in {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
               "WANDB_DISABLED": "true", "WANDB_MODE": "disabled", "TOKENIZERS_PARALLELISM": "false",
               "HF_HUB_DISABLE_TELEMETRY": "1", "CUDA_VISIBLE_DEVICES": ""}.items():
    os.environ.setdefault(_k, _v)

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))

try:
    import torch
    import trl  # noqa: F401
    from transformers import TrainerCallback
except ImportError as e:  # the whole file says it is skipped
    MISSING = str(e)
    TrainerCallback = object
else:
    MISSING = None

PROMPT = "ab"
CHARS = "abcdefgh"
TEMPERATURE = 0.9
F32 = 2e-6  # float32 rounding of TRL's entropy and of a forward with another batch shape


def tiny_model_and_tokenizer(seed=0):
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(["<pad>", "</s>", "<unk>", *CHARS])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    tok.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>",
                                        unk_token="<unk>", padding_side="left")
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(vocab), n_positions=32, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=1, eos_token_id=1, pad_token_id=0)
    return GPT2LMHeadModel(config), tokenizer


def reward_as(completions, **kwargs):
    """Rewards that differ within a group, so that advantages are not all 0."""
    return [float(c.count("a")) - 0.5 * len(c) / 8 for c in completions]


class KeepWeights(TrainerCallback):
    """Keeps a copy of the weights after each optimizer step."""

    def __init__(self):
        self.after = {}

    def on_step_end(self, args, state, control, model=None, **kwargs):
        self.after[state.global_step] = copy.deepcopy({k: v.detach().cpu() for k, v in model.state_dict().items()})


def train(out, learning_rate, steps=3, callbacks=(), trace_every=1, trace_after=True, **config):
    """A PolarityGRPOTrainer run; `config` overrides these GRPOConfig fields."""
    from datasets import Dataset
    from transformers.trainer_callback import PrinterCallback
    from trl import GRPOConfig

    from entropy_polarity.trl import PolarityGRPOTrainer

    model, tokenizer = tiny_model_and_tokenizer()
    config = {"per_device_train_batch_size": 4, "num_generations": 4, "gradient_accumulation_steps": 2,
              "max_completion_length": 8, "temperature": TEMPERATURE, "disable_dropout": True, "bf16": False,
              **config}
    args = GRPOConfig(output_dir=os.path.join(out, "trl"), report_to=[], save_strategy="no", use_cpu=True, seed=7,
                      max_steps=steps, learning_rate=learning_rate, logging_steps=1, dataloader_num_workers=0,
                      disable_tqdm=True, **config)
    trainer = PolarityGRPOTrainer(
        model=model, reward_funcs=reward_as, args=args, processing_class=tokenizer,
        train_dataset=Dataset.from_dict({"prompt": [PROMPT] * 16}), callbacks=list(callbacks),
        trace_dir=os.path.join(out, "trace"), trace_every=trace_every, trace_after=trace_after)
    trainer.remove_callback(PrinterCallback)  # keep the test's output to the test's
    trainer.train()
    return trainer, tokenizer


def read_trace(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@unittest.skipIf(MISSING, f"torch/trl not installed ({MISSING}); bash scripts/setup.sh --test installs them")
class Trainer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(1)
        cls.tmp = tempfile.mkdtemp(prefix="polarity-trl-")
        cls.weights = KeepWeights()
        cls.trainer, cls.tokenizer = train(cls.tmp, 5e-2, callbacks=[cls.weights])
        cls.steps = {n: read_trace(os.path.join(cls.tmp, "trace", f"step_{n}.jsonl")) for n in (1, 2, 3)}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_run_json_and_one_file_per_step(self):
        names = sorted(os.listdir(os.path.join(self.tmp, "trace")))
        self.assertEqual(names, ["run.json", "step_1.jsonl", "step_2.jsonl", "step_3.jsonl"])
        with open(os.path.join(self.tmp, "trace", "run.json"), encoding="utf-8") as f:
            info = json.load(f)
        self.assertEqual(info["vocab_size"], len(self.tokenizer))
        self.assertEqual(info["temperature"], TEMPERATURE)
        self.assertEqual(info["learning_rate"], 5e-2)
        self.assertEqual(info["num_generations"], 4)
        self.assertEqual(info["seed"], 7)
        self.assertEqual(info["versions"]["trl"], trl.__version__)
        self.assertEqual(info["versions"]["torch"], torch.__version__)

    def test_lines_hold_both_micro_batches(self):
        for n, lines in self.steps.items():
            self.assertEqual(len(lines), 8, f"step {n}: 2 micro-batches of 4 completions")
            self.assertEqual([x["sample"] for x in lines], list(range(8)))
            for x in lines:
                self.assertEqual((x["trace"], x["version"], x["step"]), ("entropy-polarity", 1, n))
                k = len(x["token_id"])
                for field in ("logprob", "entropy", "mean_discriminator", "advantage", "mask", "text",
                              "entropy_after", "logprob_after"):
                    self.assertEqual(len(x[field]), k, f"step {n} sample {x['sample']} {field}")
                self.assertTrue(x["mask"][-1], "a line ends at its last masked-in token")
                self.assertEqual("".join(x["text"]), self.tokenizer.decode(x["token_id"]))
                self.assertEqual(len(set(x["advantage"])), 1, "GRPO: one advantage per completion")
            # Advantages are group-normalised rewards: the step's two groups of 4 (shuffled across
            # the micro-batches) sum to about 0.
            self.assertAlmostEqual(sum(x["advantage"][0] for x in lines), 0.0, places=5)

    def test_lines_follow_the_trace_schema(self):
        try:
            import jsonschema
        except ImportError:
            self.skipTest("jsonschema is not installed: the lines are not checked against docs/trace.schema.json")
        with open(os.path.join(ROOT, "docs", "trace.schema.json"), encoding="utf-8") as f:
            validator = jsonschema.Draft202012Validator(json.load(f))
        for n, lines in self.steps.items():
            for x in lines:
                self.assertEqual([e.message for e in validator.iter_errors(x)], [], f"step {n} sample {x['sample']}")

    def test_the_steps_command_reads_the_trace(self):
        """entropy-polarity-steps (DuckDB) on the trace folder, run.json included: its
        realised_dh_same is the plain mean of entropy_after - entropy over the mask."""
        try:
            import duckdb  # noqa: F401
        except ImportError:
            self.skipTest("duckdb is not installed: the steps command is not run on the trace")
        import csv
        import io
        import subprocess

        p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "run_steps.py"),
                            os.path.join(self.tmp, "trace"), "--quiet"], capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = {int(r["step"]): r for r in csv.DictReader(io.StringIO(p.stdout))}
        self.assertEqual(sorted(rows), [1, 2, 3])
        for n, lines in self.steps.items():
            dh = [b - a for x in lines for a, b, m in zip(x["entropy"], x["entropy_after"], x["mask"]) if m]
            self.assertEqual(int(rows[n]["tokens"]), len(dh))
            want = math.fsum(dh) / len(dh)
            self.assertAlmostEqual(float(rows[n]["realised_dh_same"]), want, delta=1e-12 * abs(want), msg=f"step {n}")

    def check_trls_entropy(self, trainer, steps, micro_batches):
        logged = {e["step"]: e["entropy"] for e in trainer.state.log_history if "entropy" in e}
        self.assertEqual(sorted(logged), sorted(steps))
        for n, lines in steps.items():
            means = []
            size = len(lines) // micro_batches
            for b in range(micro_batches):  # TRL logs the mean of its micro-batch means
                on = [h for x in lines[b * size:(b + 1) * size] for h, m in zip(x["entropy"], x["mask"]) if m]
                means.append(math.fsum(on) / len(on))
            self.assertAlmostEqual(sum(means) / micro_batches, logged[n], delta=F32 * logged[n], msg=f"step {n}")

    def test_mean_entropy_equals_trls_logged_entropy(self):
        self.check_trls_entropy(self.trainer, self.steps, 2)

    def test_after_equals_an_independent_forward_on_the_saved_weights(self):
        from transformers import GPT2LMHeadModel

        prompt = self.tokenizer(PROMPT)["input_ids"]
        moved = 0
        for n, lines in self.steps.items():
            model = GPT2LMHeadModel(self.trainer.model.config)
            model.load_state_dict(self.weights.after[n])
            model.eval()
            for x in lines:
                ids = torch.tensor([prompt + x["token_id"]])
                with torch.no_grad():
                    logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits[0, len(prompt) - 1:-1].double() / TEMPERATURE
                lnp = torch.log_softmax(logits, -1)
                h = -(lnp.exp() * lnp).sum(-1)
                lp = lnp.gather(-1, torch.tensor(x["token_id"])[:, None])[:, 0]
                for t in range(len(x["token_id"])):
                    what = f"step {n} sample {x['sample']} position {t}"
                    self.assertAlmostEqual(x["entropy_after"][t], h[t].item(), delta=F32 * 4, msg=what)
                    self.assertAlmostEqual(x["logprob_after"][t], lp[t].item(), delta=F32 * 4, msg=what)
                    moved += abs(x["entropy_after"][t] - x["entropy"][t]) > 100 * F32
        total = sum(len(x["token_id"]) for lines in self.steps.values() for x in lines)
        self.assertGreater(moved, total // 2, "the weights moved: after differs from before")

    def test_learning_rate_0_leaves_entropy_unchanged(self):
        """With TRL's default dropout (0.1) on: both forwards run in eval mode, and the
        modules are back in training mode after the first (TRL's loss forward, which
        follows it, still has dropout: its logged entropy is off ours by the noise)."""
        out = tempfile.mkdtemp(prefix="polarity-trl-lr0-")
        try:
            trainer, _ = train(out, 0.0, steps=2, gradient_accumulation_steps=1, disable_dropout=False)
            logged = {e["step"]: e["entropy"] for e in trainer.state.log_history if "entropy" in e}
            for n in (1, 2):
                lines = read_trace(os.path.join(out, "trace", f"step_{n}.jsonl"))
                on = [h for x in lines for h, m in zip(x["entropy"], x["mask"]) if m]
                self.assertGreater(abs(math.fsum(on) / len(on) - logged[n]), 10 * F32 * logged[n],
                                   f"step {n}: TRL's forward ran without dropout")
                self.assertEqual(len(lines), 4)
                for x in lines:
                    what = f"step {n} sample {x['sample']}"
                    for t, (a, b) in enumerate(zip(x["entropy"], x["entropy_after"])):
                        self.assertAlmostEqual(a, b, delta=1e-12 * a, msg=f"{what} position {t}")
                    for t, (a, b) in enumerate(zip(x["logprob"], x["logprob_after"])):
                        self.assertAlmostEqual(a, b, delta=1e-12, msg=f"{what} position {t}")
        finally:
            shutil.rmtree(out, ignore_errors=True)

    def test_trace_every_2_without_after_under_bf16_autocast(self):
        """TRL's default bf16 autocast (on the CPU too): the trace's forward runs under the
        same autocast as TRL's, so its mean entropy is still TRL's. trace_every=2 traces
        step 2 only; trace_after=False writes no *_after fields."""
        out = tempfile.mkdtemp(prefix="polarity-trl-bf16-")
        try:
            trainer, _ = train(out, 5e-2, steps=2, trace_every=2, trace_after=False,
                               gradient_accumulation_steps=1, bf16=True)
            self.assertEqual(sorted(os.listdir(os.path.join(out, "trace"))), ["run.json", "step_2.jsonl"])
            lines = read_trace(os.path.join(out, "trace", "step_2.jsonl"))
            self.assertFalse(any("entropy_after" in x or "logprob_after" in x for x in lines))
            logged = {e["step"]: e["entropy"] for e in trainer.state.log_history if "entropy" in e}
            on = [h for x in lines for h, m in zip(x["entropy"], x["mask"]) if m]
            self.assertAlmostEqual(math.fsum(on) / len(on), logged[2], delta=F32 * logged[2])
        finally:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
