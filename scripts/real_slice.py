#!/usr/bin/env python3
"""A real full-logit slice: one completion of SmolLM2-135M-Instruct with every
one of its 49,152 logits per position, the sampled token ids and the GRPO
advantage of the completion, for the "Your logits" panel.

    python3 scripts/real_slice.py [--seed 3]

Writes www/examples/smollm2/slice.safetensors (`logits` BF16 rows x 49152,
`tokens` I64, `advantages` F32, one per row) and www/examples/smollm2/tokenizer.json
(the model's tokenizer, so the ids decode). The model and the task are
scripts/real_run.py's: G = 8 completions of one arithmetic prompt are sampled at
temperature 1, rewarded, and their advantages are TRL's default
(r - mean) / (std + 1e-4) over the group; the first completion with a nonzero
advantage is kept (the seed picks the prompt and the samples). The logits are
the model's float32 logits rounded to bfloat16 (what a trainer would dump).
"""

import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import real_run  # noqa: E402  (the model and the task)

OUT = os.path.join(real_run.ROOT, "www", "examples", "smollm2")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--group", type=int, default=8)
    ap.add_argument("--max-completion", type=int, default=16)
    args = ap.parse_args(argv)

    import torch
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    path = real_run.checkpoint()
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.float32).eval()

    question, answer = real_run.problems(args.seed, 1)[0]
    prompt = tok(question, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        out = model.generate(prompt.repeat(args.group, 1), attention_mask=torch.ones_like(
                             prompt.repeat(args.group, 1)), do_sample=True, temperature=1.0,
                             top_k=0, top_p=1.0, max_new_tokens=args.max_completion,
                             pad_token_id=tok.pad_token_id or tok.eos_token_id)
    comp = out[:, prompt.shape[1]:]
    texts = [tok.decode(c, skip_special_tokens=True) for c in comp]
    r = torch.tensor(real_run.correct(texts, [answer] * args.group))
    adv = (r - r.mean()) / (r.std() + 1e-4)
    pick = int(torch.nonzero(adv != 0)[0]) if (adv != 0).any() else 0

    ids = comp[pick]
    eos = (ids == tok.eos_token_id).nonzero()
    if len(eos):
        ids = ids[: int(eos[0]) + 1]  # up to and with the end-of-turn token
    full = torch.cat([prompt[0], ids])[None]
    with torch.no_grad():
        logits = model(full).logits[0, prompt.shape[1] - 1: -1]  # the rows that sampled ids
    assert logits.shape == (len(ids), model.config.vocab_size), logits.shape
    os.makedirs(OUT, exist_ok=True)
    save_file({"logits": logits.to(torch.bfloat16).contiguous(), "tokens": ids.to(torch.int64),
               "advantages": torch.full((len(ids),), float(adv[pick]), dtype=torch.float32)},
              os.path.join(OUT, "slice.safetensors"),
              metadata={"format": "pt", "model": real_run.MODEL_NAME, "prompt": question,
                        "completion": tok.decode(ids), "reward": str(float(r[pick])),
                        "group_rewards": ",".join(str(float(x)) for x in r), "seed": str(args.seed)})
    shutil.copy(os.path.join(path, "tokenizer.json"), os.path.join(OUT, "tokenizer.json"))
    print(f"{question!r} -> {tok.decode(ids)!r}: reward {float(r[pick])}, advantage "
          f"{float(adv[pick]):+.4f}, {len(ids)} rows x {logits.shape[1]}; group rewards {r.tolist()}")


if __name__ == "__main__":
    main()
