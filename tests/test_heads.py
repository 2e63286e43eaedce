"""Part heads: features against values computed by hand, on square and non-square inputs."""
import math

import pytest
import torch

from partmm.models import BoundingBoxPartHead, DownsampledPartHead

BIG = 30.0  # a logit margin that makes softmax masks one-hot to float precision


def one_hot_logits(label_map: torch.Tensor, num_labels: int) -> torch.Tensor:
    """[H, W] label map -> [1, P, H, W] logits whose softmax is (almost exactly) one-hot."""
    logits = torch.zeros(num_labels, *label_map.shape)
    logits.scatter_(0, label_map[None], BIG)
    return logits[None]


def test_bbox_head_centroid_and_spread_non_square():
    # 4 x 6 image (H != W); part 1 covers rows 1..2, columns 3..5; part 2 a single pixel.
    label_map = torch.zeros(4, 6, dtype=torch.long)
    label_map[1:3, 3:6] = 1
    label_map[0, 0] = 2
    head = BoundingBoxPartHead(num_classes=3, num_part_labels=3, normalize_coords=False)
    feats = head.extract_features(one_hot_logits(label_map, 3))
    assert feats.shape == (1, 2, 5)
    score, cx, cy, sdx, sdy = feats[0, 0]
    assert cx.item() == pytest.approx(4.0, abs=1e-4)  # mean of columns 3, 4, 5
    assert cy.item() == pytest.approx(1.5, abs=1e-4)  # mean of rows 1, 2
    assert sdx.item() == pytest.approx(math.sqrt(2 / 3), abs=1e-3)
    assert sdy.item() == pytest.approx(0.5, abs=1e-3)
    # Foreground weight sigmoid(sum of part logits - background logit) is ~1 on the 7 part
    # pixels and ~0 elsewhere, so part 1's score is its logit BIG times 6 of 7 pixels.
    assert score.item() == pytest.approx(BIG * 6 / 7, rel=1e-4)
    _, cx2, cy2, sdx2, sdy2 = feats[0, 1]
    assert (cx2.item(), cy2.item()) == pytest.approx((0.0, 0.0), abs=1e-4)
    assert sdx2.item() == pytest.approx(0.0, abs=2e-3)


def test_bbox_head_normalised_coordinates():
    label_map = torch.zeros(4, 6, dtype=torch.long)
    label_map[1:3, 3:6] = 1
    head = BoundingBoxPartHead(num_classes=2, num_part_labels=2, normalize_coords=True)
    _, cx, cy, sdx, sdy = head.extract_features(one_hot_logits(label_map, 2))[0, 0]
    # Pixel centres map to (2 c + 1) / size - 1, spreads to 2 sd / size.
    assert cx.item() == pytest.approx((2 * 4.0 + 1) / 6 - 1, abs=1e-4)
    assert cy.item() == pytest.approx((2 * 1.5 + 1) / 4 - 1, abs=1e-4)
    assert sdx.item() == pytest.approx(2 * math.sqrt(2 / 3) / 6, abs=1e-3)
    assert sdy.item() == pytest.approx(2 * 0.5 / 4, abs=1e-3)


def test_bbox_head_transposed_input_swaps_axes():
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 5, 9)
    head = BoundingBoxPartHead(num_classes=2, num_part_labels=4)
    feats = head.extract_features(logits)
    feats_t = head.extract_features(logits.transpose(2, 3))
    torch.testing.assert_close(feats[..., 0], feats_t[..., 0])  # score is layout-free
    torch.testing.assert_close(feats[..., 1], feats_t[..., 2])  # cx <-> cy
    torch.testing.assert_close(feats[..., 3], feats_t[..., 4])  # sdx <-> sdy


def test_bbox_head_without_score_and_forward_shape():
    head = BoundingBoxPartHead(num_classes=11, num_part_labels=41, use_score=False)
    assert head.extract_features(torch.randn(3, 41, 8, 12)).shape == (3, 40, 4)
    assert head(torch.randn(3, 41, 8, 12)).shape == (3, 11)
    assert head.classifier[1].num_features == 160


def test_bbox_head_rejects_wrong_channel_count():
    head = BoundingBoxPartHead(num_classes=11, num_part_labels=41)
    with pytest.raises(ValueError, match='41 part channels'):
        head(torch.randn(2, 40, 8, 8))


def test_downsampled_head_pools_masks_non_square():
    # 4 x 8 image pooled to 2 x 2: each cell is 2 x 4 pixels.
    label_map = torch.zeros(4, 8, dtype=torch.long)
    label_map[0:2, 0:4] = 1  # fills the top-left cell
    label_map[2:4, 4:6] = 2  # half of the bottom-right cell
    head = DownsampledPartHead(num_classes=3, num_part_labels=3, pool_size=2)
    pooled = head.extract_features(one_hot_logits(label_map, 3))
    assert pooled.shape == (1, 3, 2, 2)
    expected_part1 = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    expected_part2 = torch.tensor([[0.0, 0.0], [0.0, 0.5]])
    torch.testing.assert_close(pooled[0, 1], expected_part1, atol=1e-5, rtol=0)
    torch.testing.assert_close(pooled[0, 2], expected_part2, atol=1e-5, rtol=0)
    torch.testing.assert_close(pooled[0].sum(0), torch.ones(2, 2))


def test_downsampled_head_layers_and_background_drop():
    head = DownsampledPartHead(num_classes=11, num_part_labels=41, pool_size=4)
    conv = head.classifier[0]
    assert (conv.in_channels, conv.out_channels, conv.kernel_size) == (41, 205, (4, 4))
    assert head(torch.randn(2, 41, 30, 17)).shape == (2, 11)  # not divisible by k
    no_bg = DownsampledPartHead(num_classes=11, num_part_labels=41, drop_background=True)
    assert no_bg.extract_features(torch.randn(2, 41, 16, 16)).shape == (2, 40, 4, 4)
    assert no_bg.classifier[0].in_channels == 40
