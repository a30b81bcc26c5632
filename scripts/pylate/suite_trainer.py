"""sentence-transformers' trainer, with the step's gradient the mean over its whole batch.

With gradient accumulation, transformers (5.3) divides each micro-batch's loss by the number
of micro-batches and accelerate's `backward` (1.15) divides it again, so the gradient is the
batch mean divided by that number. Adam barely notices a constant factor, but clipping at a
norm of 1.0 does, and the run leaves the suite's trajectory (seen on the tiny KD phase: the
gradient norm was half the suite's from the first step, the loss differed from the third).
This trainer multiplies the loss by accelerate's divisor, so the gradient is the suite's;
the logged loss is then that many times the batch's, which `loss_factor` lets the record undo.
"""

from __future__ import annotations

from accelerate.utils import DistributedType
from sentence_transformers import SentenceTransformerTrainer


class SuiteTrainer(SentenceTransformerTrainer):
    @property
    def loss_factor(self) -> int:
        """What each loss is multiplied by: the division accelerate's backward applies."""
        if self.accelerator.distributed_type == DistributedType.DEEPSPEED:
            return 1  # DeepSpeed's own backward scales instead, and transformers allows for it
        return self.accelerator.gradient_accumulation_steps

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        result = super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        if return_outputs:
            loss, outputs = result
            return loss * self.loss_factor, outputs
        return result * self.loss_factor
