"""The bench's training step and encoding in PyTorch, for a side-by-side figure.

The same steps as bench/train_step.ts and bench/encode_step.ts, on the same shapes: a
transformers ModernBertModel configured as lib/models/suite_encoder.ts configures the suite's
encoders, or a BertModel (architecture "bert", all-MiniLM-L6-v2's; dropout off, as the suite
trains without it), a bias-free ColBERT projection with L2 normalisation, in-batch MaxSim, cross-entropy
at temperature 0.02 and one AdamW update; encoding is 64 documents a call without gradients.
Timed as the TypeScript side times: a warm-up, then the best of one more and up to 5 in all
that fit the budget (20 s a step, 10 s a call). bench/torch_bench.ts runs it, one process per shape, with
the Python that COLBERT_TORCH_PYTHON names: PyTorch is no dependency of the suite
(scripts/reference/requirements.txt pins the version its fixtures were made with).

    python bench/torch_step.py '<a TrainStepShape as JSON, optionally with "parts">'

prints one JSON line: {"attention", "threads", "train": {...}, "encode": {...},
"peakResidentBytes"}; "parts" (default ["train", "encode"]) says which of the two to time.
"""

import json
import resource
import sys
import time

import torch
import torch.nn.functional as F
from transformers import BertConfig, BertModel, ModernBertConfig, ModernBertModel

ENCODE_BATCH = 64


def encoder(transformer: dict, architecture: str):
    """A randomly initialised encoder as bench/train_step.ts's benchEncoder builds it."""
    torch.manual_seed(1)
    sizes = dict(
        vocab_size=transformer["vocabSize"],
        hidden_size=transformer["hidden"],
        num_hidden_layers=transformer["layers"],
        num_attention_heads=transformer["heads"],
        intermediate_size=transformer["intermediate"],
        max_position_embeddings=transformer["maxLength"],
    )
    if architecture == "bert":
        config = BertConfig(**sizes, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
        return BertModel(config, add_pooling_layer=False)
    # The suite's ModernBERT (lib/models/suite_encoder.ts), bert-base-uncased's special ids.
    config = ModernBertConfig(
        **sizes,
        global_attn_every_n_layers=3,
        local_attention=128,
        tie_word_embeddings=False,
        pad_token_id=0,
        cls_token_id=101,
        sep_token_id=102,
        bos_token_id=101,
        eos_token_id=102,
    )
    return ModernBertModel(config)


def random_batch(count: int, length: int, vocab: int, seed: int):
    """Token ids and mask as bench/train_step.ts's randomBatch makes them (same generator)."""
    ids = torch.zeros(count, length, dtype=torch.long)
    mask = torch.zeros(count, length, dtype=torch.long)
    state = seed

    def step() -> int:
        nonlocal state
        state = (state * 1103515245 + 12345) % 2147483648
        return state

    for row in range(count):
        kept = max(2, length - step() % -(-length // 3))
        for t in range(kept):
            ids[row, t] = 5 + step() % (vocab - 5)
            mask[row, t] = 1
    return ids, mask


def colbert(model, projection, ids, mask):
    hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
    return F.normalize(projection(hidden), dim=-1)


def best_time(run, budget: float, most: int = 5) -> float:
    """A warm-up, then the best of one more run and up to `most` in all that fit in `budget`
    seconds (the warm-up is never the figure, as in bench/train_step.ts)."""
    start = time.perf_counter()
    run()
    best = time.perf_counter() - start
    spent, timed = 0.0, 0
    while timed < most and (timed == 0 or spent + best <= budget):
        start = time.perf_counter()
        run()
        seconds = time.perf_counter() - start
        best = seconds if timed == 0 else min(best, seconds)
        spent += seconds
        timed += 1
    return best


def forward_flops_per_token(transformer: dict, length: int, architecture: str) -> float:
    """encoder.ts's encoderFlopsPerToken: a GeGLU has 3 hidden x intermediate weights, BERT 2."""
    hidden, intermediate = transformer["hidden"], transformer["intermediate"]
    dense = 4 * hidden * hidden + (2 if architecture == "bert" else 3) * hidden * intermediate
    return transformer["layers"] * 2 * (dense + 2 * length * hidden)


def measure(shape: dict) -> dict:
    transformer, architecture = shape["transformer"], shape["architecture"]
    model = encoder(transformer, architecture)
    projection = torch.nn.Linear(transformer["hidden"], shape["colbertDim"], bias=False)
    parameters = [*model.parameters(), *projection.parameters()]
    optimizer = torch.optim.AdamW(parameters, lr=1e-4, weight_decay=0.0)
    vocab, batch = transformer["vocabSize"], shape["batch"]
    q_ids, q_mask = random_batch(batch, shape["queryLength"], vocab, 1)
    d_ids, d_mask = random_batch(batch, shape["documentLength"], vocab, 2)

    def train_step():
        q = colbert(model, projection, q_ids, q_mask)
        d = colbert(model, projection, d_ids, d_mask) * d_mask.unsqueeze(-1)
        # scores[i, j]: query i's tokens (all counted, as queries are) against document j
        scores = torch.einsum("iqd,jtd->ijqt", q, d).amax(dim=-1).sum(dim=-1)
        loss = F.cross_entropy(scores / 0.02, torch.arange(batch))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    e_ids, e_mask = random_batch(ENCODE_BATCH, shape["encodeLength"], vocab, 3)

    def encode():
        with torch.no_grad():
            colbert(model, projection, e_ids, e_mask)

    parts = shape.get("parts", ["train", "encode"])
    step = best_time(train_step, 20) if "train" in parts else None
    call = best_time(encode, 10) if "encode" in parts else None
    step_tokens = batch * (shape["queryLength"] + shape["documentLength"])
    step_flops = 3 * batch * sum(
        length * forward_flops_per_token(transformer, length, architecture)
        for length in (shape["queryLength"], shape["documentLength"])
    )
    call_tokens = ENCODE_BATCH * shape["encodeLength"]
    call_flops = call_tokens * forward_flops_per_token(
        transformer, shape["encodeLength"], architecture
    )
    result = {"attention": model.config._attn_implementation, "threads": torch.get_num_threads()}
    if step is not None:
        result["train"] = {
            "tokensPerSecond": step_tokens / step,
            "secondsPerStep": step,
            "gflops": step_flops / step / 1e9,
        }
    if call is not None:
        result["encode"] = {
            "tokensPerSecond": call_tokens / call,
            "secondsPerCall": call,
            "gflops": call_flops / call / 1e9,
        }
    return result


if __name__ == "__main__":
    result = measure(json.loads(sys.argv[1]))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(json.dumps({**result, "peakResidentBytes": peak}))
