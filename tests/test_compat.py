"""partmm.utils.compat: the fixes of the pinned OpenMMLab stack."""
import torch
from mmseg.models.losses import CrossEntropyLoss

import partmm  # noqa: F401  (applies the fixes)


def test_class_weighted_part_loss_takes_ignored_pixels():
    weights = [1.0, 2.0, 3.0]
    generator = torch.Generator().manual_seed(0)
    scores = torch.randn(2, 3, 8, 8, generator=generator)
    labels = torch.randint(0, 3, (2, 8, 8), generator=generator)
    # Without ignored pixels, the weighted mean of upstream: sum of weighted losses over the
    # sum of the labels' weights.
    pixel_losses = torch.nn.functional.cross_entropy(scores, labels, reduction='none')
    label_weights = torch.tensor(weights)[labels]
    expected = (pixel_losses * label_weights).sum() / label_weights.sum()
    for avg_non_ignore in (False, True):
        loss = CrossEntropyLoss(class_weight=weights, avg_non_ignore=avg_non_ignore)
        torch.testing.assert_close(loss(scores, labels, ignore_index=255), expected)
    # Ignored pixels (mmseg 1.2.2 raised IndexError) add no loss and count 0 in the mean with
    # avg_non_ignore, 1 without.
    labels[0, :4] = 255
    kept = labels != 255
    weighted = (pixel_losses * label_weights)[kept].sum()
    label_weights = torch.tensor(weights)[labels.clamp(max=2)]
    loss = CrossEntropyLoss(class_weight=weights, avg_non_ignore=True)
    torch.testing.assert_close(loss(scores, labels, ignore_index=255),
                               weighted / label_weights[kept].sum())
    loss = CrossEntropyLoss(class_weight=weights)
    torch.testing.assert_close(loss(scores, labels, ignore_index=255),
                               weighted / (label_weights[kept].sum() + (~kept).sum()))
