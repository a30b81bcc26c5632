"""The suite's batches, in the suite's order, for sentence-transformers' trainer.

`deno task export` writes the training rows in the order the suite trains on them, with a
`batch` column naming each row's optimiser step (for the unsupervised phase every batch comes
from one source, which no PyLate or sentence-transformers sampler provides). This sampler
yields them unchanged, split for data parallelism: each step's batch is cut into
`processes x accumulation` consecutive slices, in the order accelerate deals them out
(slice i goes to process i % processes), so the processes together train on the step's
whole batch, and micro-batch m of the suite is slices m * processes ... m * processes + P - 1.
"""

from __future__ import annotations

from sentence_transformers.sampler import DefaultBatchSampler


class PlannedBatchSampler(DefaultBatchSampler):
    """Yields the exported batches, each as `processes x accumulation` per-device slices.

    `plan` is the `batch` column (one step index per row, rows of a step consecutive);
    `sources`, when given, is the `source` column, and every step must hold one source.
    """

    def __init__(
        self,
        dataset,
        batch_size: int,
        drop_last: bool,
        *,
        plan: list[int],
        processes: int,
        accumulation: int,
        sources: list[str] | None = None,
        valid_label_columns=None,
        generator=None,
        seed: int = 0,
    ) -> None:
        super().__init__(
            dataset,
            batch_size=batch_size,
            drop_last=drop_last,
            valid_label_columns=valid_label_columns,
            generator=generator,
            seed=seed,
        )
        self.steps = steps_of(plan, sources)
        slices = processes * accumulation
        for step, rows in enumerate(self.steps):
            if len(rows) != batch_size * slices:
                raise ValueError(
                    f"step {step} has {len(rows)} rows; {processes} processes x {accumulation} "
                    f"micro-batches of {batch_size} need {batch_size * slices}"
                )

    def __iter__(self):
        for rows in self.steps:
            for begin in range(0, len(rows), self.batch_size):
                yield rows[begin : begin + self.batch_size]

    def __len__(self) -> int:
        return sum(len(rows) // self.batch_size for rows in self.steps)


def steps_of(plan: list[int], sources: list[str] | None) -> list[list[int]]:
    """Row indices of each step, checking that steps are 0, 1, 2... and consecutive."""
    steps: list[list[int]] = []
    for row, step in enumerate(plan):
        if step == len(steps):
            steps.append([])
        elif step != len(steps) - 1:
            raise ValueError(f"row {row}: batch {step} out of order (rows must go step by step)")
        steps[-1].append(row)
    if sources is not None:
        for step, rows in enumerate(steps):
            names = {sources[row] for row in rows}
            if len(names) != 1:
                raise ValueError(f"step {step} mixes sources {sorted(names)}; one per batch expected")
    return steps
