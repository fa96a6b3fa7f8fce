#!/usr/bin/env python3
"""What tracing costs: seconds per optimizer step of TRL's GRPOTrainer against
PolarityGRPOTrainer with trace_after=False and with trace_after=True, on the tiny
GPT-2 of tests/python/test_trl_trainer.py (CPU, offline).

    python3 bench/trace_cost.py [--steps 40] [--rounds 3] [--threads 1] [--big]

A step's time is the CPU time of this process between two successive `on_step_end` calls
(generation, loss forward and backward, optimizer, the trace's forwards and writing,
logging), the median over the steps after the first: on a machine shared with other jobs
CPU time is the steady figure (wall time swings with the load; it is printed too). The three trainers run in turn, `--rounds` times,
so the machine's load falls on all of them alike; the report gives each round's medians
and the cost over plain TRL in percent. `--big` uses a wider model and vocabulary
(n_embd 256, 4 layers, vocabulary 4,096, completions of 32 tokens).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "python"))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import test_trl_trainer as tiny  # noqa: E402  (sets the offline environment first)
import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from transformers import TrainerCallback  # noqa: E402
from transformers.trainer_callback import PrinterCallback  # noqa: E402
from trl import GRPOConfig, GRPOTrainer  # noqa: E402

from entropy_polarity.trl import PolarityGRPOTrainer  # noqa: E402


class StepClock(TrainerCallback):
    def __init__(self):
        self.ends = []

    def on_step_end(self, args, state, control, **kwargs):
        self.ends.append((time.process_time(), time.perf_counter()))


def big_model_and_tokenizer():
    """A wider GPT-2 whose vocabulary is the character tokenizer's plus unused ids."""
    from transformers import GPT2Config, GPT2LMHeadModel

    _, tokenizer = tiny.tiny_model_and_tokenizer()
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=4096, n_positions=64, n_embd=256, n_layer=4, n_head=4,
                        bos_token_id=1, eos_token_id=1, pad_token_id=0)
    return GPT2LMHeadModel(config), tokenizer


def one_run(kind, steps, big, out):
    model, tokenizer = (big_model_and_tokenizer if big else tiny.tiny_model_and_tokenizer)()
    args = GRPOConfig(
        output_dir=os.path.join(out, "trl"), report_to=[], save_strategy="no", use_cpu=True, seed=7,
        per_device_train_batch_size=4, num_generations=4, gradient_accumulation_steps=2,
        max_completion_length=32 if big else 8, max_steps=steps, learning_rate=1e-2, logging_steps=1,
        temperature=tiny.TEMPERATURE, disable_dropout=True, bf16=False, disable_tqdm=True)
    clock = StepClock()
    common = dict(model=model, reward_funcs=tiny.reward_as, args=args, processing_class=tokenizer,
                  train_dataset=Dataset.from_dict({"prompt": [tiny.PROMPT] * (8 * steps)}), callbacks=[clock])
    if kind == "trl":
        trainer = GRPOTrainer(**common)
    else:
        trainer = PolarityGRPOTrainer(**common, trace_dir=os.path.join(out, kind), trace_after=kind == "after")
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    return [statistics.median(b[i] - a[i] for a, b in zip(clock.ends[1:], clock.ends[2:])) for i in (0, 1)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--big", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    kinds = ("trl", "before", "after")
    rows = []
    with tempfile.TemporaryDirectory(prefix="trace-cost-") as out:
        for r in range(a.rounds):
            both = {k: one_run(k, a.steps, a.big, out) for k in kinds}
            t = {k: v[0] for k, v in both.items()}
            rows.append(t)
            print("round %d, CPU: TRL %.4f s/step; trace_after=False %.4f (+%.0f%%); trace_after=True %.4f (+%.0f%%)"
                  "  [wall: %.4f, %.4f, %.4f]"
                  % (r + 1, t["trl"], t["before"], 100 * (t["before"] / t["trl"] - 1),
                     t["after"], 100 * (t["after"] / t["trl"] - 1), *(both[k][1] for k in kinds)), flush=True)
    med = {k: statistics.median(row[k] for row in rows) for k in kinds}
    print("median of rounds, CPU: TRL %.4f s/step; trace_after=False +%.0f%%; trace_after=True +%.0f%%"
          % (med["trl"], 100 * (med["before"] / med["trl"] - 1), 100 * (med["after"] / med["trl"] - 1)))


if __name__ == "__main__":
    main()
