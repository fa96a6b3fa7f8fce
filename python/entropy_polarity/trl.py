"""TRL's GRPOTrainer, writing an entropy-polarity trace of every traced optimizer step.

    from entropy_polarity.trl import PolarityGRPOTrainer

    trainer = PolarityGRPOTrainer(model=..., reward_funcs=..., args=GRPOConfig(...),
                                  train_dataset=..., trace_dir="runs/mine")
    trainer.train()      # runs/mine/run.json, runs/mine/step_1.jsonl, step_2.jsonl, ...

`PolarityGRPOTrainer` takes GRPOTrainer's arguments (TRL 1.16) plus

- `trace_dir`: where the trace goes (created if missing);
- `trace_every=1`: trace the optimizer steps whose number n (TRL's `state.global_step`
  after the step, 1-based as in `log_history`) is a multiple of this;
- `trace_after=True`: also evaluate every traced position again right after the
  optimizer step (`entropy_after`, `logprob_after`).

For a traced step n it writes `trace_dir/step_<n>.jsonl` (docs/trace-format.md, version 1):
one line per completion of every micro-batch of that step (gradient accumulation
included), with `step` = n, `sample` (0, 1, ... in the order the micro-batches ran),
`token_id`, `logprob`, `entropy`, `mean_discriminator`, `advantage` (per token), `mask`
(the completion mask TRL's loss uses) and `text`, and with `trace_after` also
`entropy_after` and `logprob_after`. A line stops at its last masked-in token (the
padding after it is left out).

How. TRL 1.16 never holds the logits: its fused LM head returns only log-probabilities and
entropies. So each traced micro-batch gets one extra forward of its own, with no grad,
in eval mode (dropout off; the modules that were training are put back after), under the same
autocast, on the same prompt + completion and attention mask as TRL's loss forward, and
the writer (`trace_columns`) turns the completion positions' logits into the columns at
TRL's temperature, in float64, a few positions at a time. Right after the optimizer step
(a `TrainerCallback.on_step_end`) the same forward runs again for `entropy_after` and
`logprob_after`. With learning rate 0 the weights do not move and both forwards give the
same numbers. With `GRPOConfig(disable_dropout=True)` the mean `entropy` over a step's
mask equals the `entropy` TRL logs for that step (its mean of micro-batch means) to
float32 rounding; with dropout on (TRL's default), TRL's own figure comes from a
train-mode forward and differs by the dropout noise.

Memory: one forward's logits ([micro-batch, completion length, V] in the model's dtype,
only the completion positions: 400 MB for 8 x 256 tokens at V = 49152 in float32) plus the
writer's three float64 arrays of chunk x V (about 100 MB: the chunk is 2**22 // V
positions). Cost: README.md, "What tracing costs" (bench/trace_cost.py).

Text models only (no pixel inputs). With several processes each one writes its own
`step_<n>.rank_<r>.jsonl`, samples numbered rank, rank + world size, ...; `run.json` comes
from the main process.
"""

import contextlib
import json
import os

try:
    import torch
    import trl
    from transformers import TrainerCallback
    from trl import GRPOTrainer
except ImportError as e:  # say which extra brings them
    raise ImportError(f"entropy_polarity.trl needs torch and TRL: pip install 'entropy-polarity[trl]' ({e})") from e

from . import __version__
from .writer import trace_columns, trace_line

__all__ = ["PolarityGRPOTrainer"]


@contextlib.contextmanager
def eval_mode(model):
    """Every module in eval mode (dropout off); those that were training are put back after."""
    training = [m for m in model.modules() if m.training]
    for m in training:
        m.training = False
    try:
        yield
    finally:
        for m in training:
            m.training = True


class _AfterOptimizerStep(TrainerCallback):
    """on_step_end runs after the optimizer step, the scheduler and zero_grad, with
    state.global_step already counting that step."""

    def __init__(self, trainer):
        self.trainer = trainer

    def on_step_end(self, args, state, control, **kwargs):
        self.trainer._finish_traced_step(state.global_step)


class PolarityGRPOTrainer(GRPOTrainer):
    """GRPOTrainer plus `trace_dir`, `trace_every=1`, `trace_after=True` (module docstring)."""

    def __init__(self, *args, trace_dir, trace_every=1, trace_after=True, **kwargs):
        if int(trace_every) < 1:
            raise ValueError(f"PolarityGRPOTrainer: trace_every must be a positive integer, not {trace_every!r}")
        super().__init__(*args, **kwargs)
        self.trace_dir = os.fspath(trace_dir)
        self.trace_every = int(trace_every)
        self.trace_after = bool(trace_after)
        self._trace_pending = []  # the current optimizer step's traced micro-batches
        os.makedirs(self.trace_dir, exist_ok=True)
        self.add_callback(_AfterOptimizerStep(self))
        if self.accelerator.is_main_process:
            with open(os.path.join(self.trace_dir, "run.json"), "w", encoding="utf-8") as f:
                json.dump(self._run_info(), f, indent=1)
                f.write("\n")

    def _run_info(self):
        model = self.accelerator.unwrap_model(self.model)
        config = model.config.get_text_config() if hasattr(model.config, "get_text_config") else model.config
        tok = getattr(self.processing_class, "tokenizer", self.processing_class)
        a = self.args
        return {
            "trace": "entropy-polarity", "version": 1,
            "trainer": "entropy_polarity.trl.PolarityGRPOTrainer",
            "model": getattr(model.config, "_name_or_path", None) or type(model).__name__,
            "model_type": getattr(config, "model_type", None),
            "parameters": sum(p.numel() for p in model.parameters()),
            "vocab_size": getattr(config, "vocab_size", None),
            "tokenizer": getattr(tok, "name_or_path", None),
            "temperature": self.temperature,
            "learning_rate": a.learning_rate,
            "num_generations": self.num_generations,
            "seed": a.seed,
            "per_device_train_batch_size": a.per_device_train_batch_size,
            "gradient_accumulation_steps": a.gradient_accumulation_steps,
            "steps_per_generation": a.steps_per_generation,
            "num_iterations": self.num_iterations,
            "max_completion_length": a.max_completion_length,
            "loss_type": a.loss_type,
            "beta": a.beta,
            "epsilon": [self.epsilon_low, self.epsilon_high],
            "scale_rewards": a.scale_rewards,
            "disable_dropout": a.disable_dropout,
            "mixed_precision": self.accelerator.mixed_precision,
            "optimizer": str(a.optim),
            "weight_decay": a.weight_decay,
            "max_grad_norm": a.max_grad_norm,
            "world_size": self.accelerator.num_processes,
            "trace_every": self.trace_every,
            "trace_after": self.trace_after,
            "versions": {"entropy_polarity": __version__, "trl": trl.__version__, "torch": torch.__version__,
                         "transformers": _version("transformers"), "accelerate": _version("accelerate")},
        }

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        # Only training micro-batches (TRL's own test: the model's mode), of a step that is traced.
        if self.model.training and (self.state.global_step + 1) % self.trace_every == 0:
            self._trace_before(model, inputs)
        return super().compute_loss(model, inputs, return_outputs=return_outputs,
                                    num_items_in_batch=num_items_in_batch)

    def _completion_logits(self, model, batch):
        """Logits [B, K, V] at the K completion positions: eval mode, no grad, TRL's autocast."""
        length, k = batch["input_ids"].size(1), batch["completion_ids"].size(1)
        # The positions that predict the completion tokens, as indices: the logits come out
        # contiguous, so the writer reads them without a copy.
        keep = torch.arange(length - k - 1, length - 1, device=batch["input_ids"].device)
        with torch.no_grad(), eval_mode(model), self.accelerator.autocast():
            out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                        use_cache=False, logits_to_keep=keep)
        return out.logits

    def _columns(self, logits, ids, adv, lengths):
        """The writer's columns for every position of a micro-batch at once (one call, its
        chunks bounded by V), split into one dict per sample, each cut to its length (the
        padding past it is computed and dropped)."""
        b, k, v = logits.shape
        flat = trace_columns(logits.reshape(b * k, v), ids.reshape(-1).tolist(), adv.reshape(-1).tolist(),
                             temperature=self.temperature, chunk=max(1, (1 << 22) // v))
        return [{c: col[i * k:i * k + n] for c, col in flat.items()} for i, n in enumerate(lengths)]

    def _trace_before(self, model, inputs):
        if any(k in inputs for k in ("pixel_values", "image_grid_thw", "token_type_ids", "mm_token_type_ids")):
            raise NotImplementedError("PolarityGRPOTrainer traces text-only models (no pixel or token-type inputs)")
        completion_ids, completion_mask = inputs["completion_ids"], inputs["completion_mask"]
        batch = {"input_ids": torch.cat([inputs["prompt_ids"], completion_ids], dim=1),
                 "attention_mask": torch.cat([inputs["prompt_mask"], completion_mask], dim=1),
                 "completion_ids": completion_ids}
        mask = completion_mask if "tool_mask" not in inputs else completion_mask * inputs["tool_mask"]
        # A line stops at its last masked-in token (all of it when nothing is masked in).
        on = mask.bool()
        last = torch.where(on.any(1), on.size(1) - on.flip(1).int().argmax(1), on.size(1)).tolist()
        adv = inputs["advantages"]
        adv = (adv[:, None] if adv.dim() == 1 else adv).expand_as(completion_ids).float()
        cols = self._columns(self._completion_logits(model, batch), completion_ids, adv, last)
        tok = getattr(self.processing_class, "tokenizer", self.processing_class)
        samples = [{"columns": c, "mask": on[i, :n].tolist(),
                    "text": tok.batch_decode([[t] for t in c["token_id"]])} for i, (n, c) in enumerate(zip(last, cols))]
        self._trace_pending.append({"model": model, "batch": batch, "samples": samples, "lengths": last})

    def _finish_traced_step(self, step):
        pending, self._trace_pending = self._trace_pending, []
        if not pending or step % self.trace_every != 0:
            return
        if self.trace_after:
            for mb in pending:
                ids = mb["batch"]["completion_ids"]
                logits = self._completion_logits(mb["model"], mb["batch"])
                after = self._columns(logits, ids, torch.zeros(ids.shape), mb["lengths"])
                for s, a in zip(mb["samples"], after):
                    s["columns"]["entropy_after"] = a["entropy"]
                    s["columns"]["logprob_after"] = a["logprob"]
        rank, world = self.accelerator.process_index, self.accelerator.num_processes
        name = f"step_{step}.jsonl" if world == 1 else f"step_{step}.rank_{rank}.jsonl"
        path = os.path.join(self.trace_dir, name)
        with open(path + ".part", "w", encoding="utf-8") as f:
            j = 0
            for mb in pending:
                for s in mb["samples"]:
                    f.write(trace_line(step, rank + world * j, s["columns"], mask=s["mask"], text=s["text"]) + "\n")
                    j += 1
        os.replace(path + ".part", path)  # a reader never sees half a step


def _version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # not installed or no metadata: the field says so
        return None
