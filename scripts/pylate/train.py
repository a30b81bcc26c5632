"""Train one phase of the ColBERT-Zero suite with PyLate, as `deno task export` laid it out.

    torchrun --nproc_per_node N [multi-node flags] train.py EXPORT_FOLDER   (what launch.sh runs)

Reads EXPORT_FOLDER/settings.json, starts from the PyLate folder it names (the model at step
0), trains on the exported rows in the suite's order (planned_batches.py) with the suite's
loss and optimiser settings, data-parallel over every process, and leaves the trained model
as a PyLate folder in EXPORT_FOLDER/model/ with `pylate_training.json` beside its files:
the settings, the loss of every step, the processes, machines and library versions.

The losses are PyLate's: CachedContrastive (GradCache) for the unsupervised phase,
Contrastive for the supervised one (both gather documents across processes, so in-batch
negatives span the whole batch as in the suite), Distillation (KL on min-max normalised
MaxSim scores) for KD.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import sys
import time
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import datasets
import pylate
import sentence_transformers
import torch
import torch.distributed as dist
import transformers
from pylate import losses, models, utils
from sentence_transformers import SentenceTransformerTrainingArguments

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gloo_gather  # noqa: E402
from planned_batches import PlannedBatchSampler  # noqa: E402
from suite_trainer import SuiteTrainer  # noqa: E402

EXPORT_FORMAT = "colbert-zero-pylate-export/1"
RECORD_FILE = "pylate_training.json"


class CountingCollator(utils.ColBERTCollator):
    """PyLate's collator, counting the token positions it feeds (the suite's `tokens`)."""

    tokens = 0

    def __call__(self, features):
        batch = super().__call__(features)
        self.tokens += sum(v.numel() for k, v in batch.items() if k.endswith("_input_ids"))
        return batch


def main(folder: Path) -> None:
    gloo_gather.install()
    settings = read_settings(folder)
    started = time.time()
    world = int(os.environ.get("WORLD_SIZE", "1"))
    output = folder / "model"
    if output.exists():
        raise SystemExit(f"{output}: already exists; remove it to train again")

    model = models.ColBERT(model_name_or_path=str(folder / settings["model"]))
    train, plan, sources = training_rows(folder, settings)
    loss = loss_of(model, settings["loss"])
    per_device = per_device_batch(settings, world)
    prompts = column_prompts(settings["prompts"], train.column_names)
    collator = CountingCollator(tokenize_fn=model.tokenize, prompts=prompts)
    args = SentenceTransformerTrainingArguments(
        output_dir=str(folder / ".trainer"),
        max_steps=settings["steps"],
        per_device_train_batch_size=per_device,
        gradient_accumulation_steps=settings["accumulation"],
        learning_rate=settings["learning_rate"],
        lr_scheduler_type=settings["lr_scheduler"],
        warmup_steps=settings["warmup_steps"],
        max_grad_norm=settings["max_grad_norm"],
        weight_decay=settings["weight_decay"],
        adam_beta1=settings["adam_beta1"],
        adam_beta2=settings["adam_beta2"],
        adam_epsilon=settings["adam_epsilon"],
        seed=settings["seed"],
        prompts=prompts or None,
        batch_sampler=partial(
            PlannedBatchSampler,
            plan=plan,
            sources=sources,
            processes=world,
            accumulation=settings["accumulation"],
        ),
        dataloader_drop_last=True,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        # Without a GPU, processes talk over gloo (PyTorch's CPU backend).
        use_cpu=not torch.cuda.is_available(),
    )
    trainer = SuiteTrainer(
        model=model, args=args, train_dataset=train, loss=loss, data_collator=collator
    )
    trainer.train()
    tokens = total_over_processes(collator.tokens)
    if trainer.is_world_process_zero():
        save(model, output, record(settings, trainer, tokens, started, world))
    shutil.rmtree(folder / ".trainer", ignore_errors=True)


def read_settings(folder: Path) -> dict:
    path = folder / "settings.json"
    try:
        settings = json.loads(path.read_text())
    except FileNotFoundError:
        raise SystemExit(f"{path}: missing (not a folder written by `deno task export`)")
    if settings.get("format") != EXPORT_FORMAT:
        raise SystemExit(f"{path}: format {settings.get('format')!r}, expected {EXPORT_FORMAT!r}")
    return settings


def training_rows(folder: Path, settings: dict):
    """The train split without its bookkeeping columns, its step plan and (unsupervised) sources."""
    files = settings["data"]
    train = datasets.load_dataset("json", data_files=str(folder / files["train"]), split="train")
    plan = list(train["batch"])
    sources = list(train["source"]) if "source" in train.column_names else None
    train = train.remove_columns([c for c in ("batch", "source") if c in train.column_names])
    if settings["loss"]["name"] == "distillation":
        load = lambda role: datasets.load_dataset(  # noqa: E731
            "json", data_files=str(folder / files[role]), split="train"
        )
        kd = utils.KDProcessing(
            queries=load("queries"),
            documents=load("documents"),
            n_ways=settings["loss"]["documents_per_query"],
        )
        train.set_transform(kd.transform)
    return train, plan, sources


def loss_of(model, loss: dict):
    if loss["name"] == "cached_contrastive":
        return losses.CachedContrastive(
            model=model,
            temperature=loss["temperature"],
            mini_batch_size=loss["mini_batch_size"],
            gather_across_devices=True,
        )
    if loss["name"] == "contrastive":
        return losses.Contrastive(
            model=model, temperature=loss["temperature"], gather_across_devices=True
        )
    if loss["name"] == "distillation":
        return losses.Distillation(model=model, normalize_scores=loss["normalize_scores"])
    raise SystemExit(f"settings.json: unknown loss {loss['name']!r}")


def per_device_batch(settings: dict, world: int) -> int:
    """The suite's batch is per optimiser step: split over processes and micro-batches."""
    slices = world * settings["accumulation"]
    if settings["batch_size"] % slices:
        raise SystemExit(
            f"settings.json: batch_size {settings['batch_size']} does not split into {world} "
            f"processes x {settings['accumulation']} micro-batches; use a process count that divides it"
        )
    return settings["batch_size"] // slices


def column_prompts(prompts: dict, columns: list[str]) -> dict:
    """The query prompt on `query`, the document prompt on every other text column."""
    if not prompts:
        return {}
    texts = [c for c in columns if "_id" not in c and c != "scores"]
    if "document_ids" in columns:  # KDProcessing adds `query` and `documents`
        texts = ["query", "documents"]
    return {c: prompts["query"] if c == "query" else prompts["document"] for c in texts}


def total_over_processes(count: int) -> int:
    if not (dist.is_available() and dist.is_initialized()):
        return count
    total = torch.tensor([count], dtype=torch.long)
    dist.all_reduce(total)
    return int(total.item())


def record(settings: dict, trainer, tokens: int, started: float, world: int) -> dict:
    # PyLate's gathering losses multiply each process's loss by the process count (so that
    # DDP's averaging yields the whole batch's gradient), and SuiteTrainer multiplies by its
    # loss_factor; the trainer logs the mean over processes. Divided back, it is the loss the
    # suite logs.
    gathered = settings["loss"]["name"] in ("cached_contrastive", "contrastive")
    scale = (world if gathered else 1) * trainer.loss_factor
    steps = [
        {
            "step": entry["step"],
            "loss": entry["loss"] / scale,
            "lr": entry.get("learning_rate"),
            "grad_norm": entry.get("grad_norm"),
        }
        for entry in trainer.state.log_history
        if "loss" in entry
    ]
    return {
        "format": "colbert-zero-pylate-training/1",
        "settings": settings,
        "steps": steps,
        "tokens": tokens,
        "wall_seconds": time.time() - started,
        "processes": world,
        "nodes": world // int(os.environ.get("LOCAL_WORLD_SIZE", str(world))),
        "device": str(trainer.args.device),
        "host": socket.gethostname(),
        "finished": datetime.now(timezone.utc).isoformat(),
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "sentence_transformers": sentence_transformers.__version__,
            "pylate": pylate.__version__,
            "datasets": datasets.__version__,
        },
    }


def save(model, output: Path, training: dict) -> None:
    """Write the PyLate folder under a temporary name, then rename it into place."""
    building = output.with_name(f".{output.name}.partial-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    model.save_pretrained(str(building))
    (building / RECORD_FILE).write_text(json.dumps(training, indent=1) + "\n")
    building.rename(output)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: torchrun [torchrun flags] train.py EXPORT_FOLDER")
    main(Path(sys.argv[1]).resolve())
