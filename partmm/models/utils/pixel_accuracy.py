"""Pixel accuracy of part logits, the ``decode.acc_seg`` that part models log every step."""
from torch import Tensor


def pixel_accuracy(seg_logits: Tensor, labels: Tensor, ignore_index: int) -> Tensor:
    """Percentage of the labelled pixels whose highest part logit is their label.

    Args:
        seg_logits (Tensor): Part logits [B, P, H, W]; not differentiated through.
        labels (Tensor): Part labels [B, H, W], ``ignore_index`` where unlabelled.
        ignore_index (int): Label of unlabelled pixels.

    Returns:
        Tensor: Scalar float in [0, 100]; 0 when no pixel is labelled.
    """
    # max(dim=1).indices is argmax (both give the first maximal index) at a third of its cost
    # on CPU, where argmax over a non-innermost dimension is not vectorised: 48 vs 15 ms for
    # [32, 41, 64, 64] on one thread, 8% of a training step of the synthetic default.
    predictions = seg_logits.detach().max(dim=1).indices
    labelled = labels != ignore_index
    hits = (predictions == labels) & labelled
    # A masked count instead of indexing by the mask: no copy, and no host sync on a GPU.
    return hits.sum() / labelled.sum().clamp(min=1) * 100
