"""A gather with gradients that gloo (CPU tensors) can run.

PyLate's losses gather documents across processes with `torch.distributed.nn.all_gather`,
whose backward needs `all_to_all` on every backend but NCCL; gloo has none, so training on
CPUs with several processes fails. This gather computes the same thing: forward all_gather,
backward the sum over processes of each gathered part's gradient (what NCCL's reduce_scatter
gives), done with all_reduce, which gloo has.
"""

from __future__ import annotations

import torch
import torch.distributed as dist


class _GatherWithGradients(torch.autograd.Function):
    @staticmethod
    def forward(ctx, tensor: torch.Tensor):
        parts = [torch.empty_like(tensor) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, tensor.contiguous())
        return tuple(parts)

    @staticmethod
    def backward(ctx, *grads: torch.Tensor):
        summed = torch.stack([g.contiguous() for g in grads])
        dist.all_reduce(summed)
        return summed[dist.get_rank()]


def all_gather_with_gradients(tensor: torch.Tensor) -> list[torch.Tensor]:
    """`tensor` of every process, in rank order, gradients flowing back to their owners."""
    if not (dist.is_available() and dist.is_initialized()):
        return [tensor]
    if tensor.device.type == "cuda":  # NCCL: PyLate's own path
        return list(dist.nn.all_gather(tensor))
    return list(_GatherWithGradients.apply(tensor))


def install() -> None:
    """Make PyLate's contrastive losses gather with `all_gather_with_gradients`."""
    from pylate.losses import cached_contrastive, contrastive

    cached_contrastive.all_gather_with_gradients = all_gather_with_gradients
    contrastive.all_gather_with_gradients = all_gather_with_gradients
