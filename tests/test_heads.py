"""Part heads: features against values computed by hand, on square and non-square inputs."""
import math

import pytest
import torch
from mmengine.structures import PixelData

from partmm.models import (
    BoundingBoxPartHead,
    DecoderFeatureClassHead,
    DownsampledPartHead,
    EncoderFeatureClassHead,
    PixelCountPartHead,
)
from partmm.structures import PartDataSample

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


def test_bbox_head_conv1d_keep_background_and_layer_sizes():
    logits = torch.randn(2, 5, 8, 6)
    head = BoundingBoxPartHead(num_classes=3, num_part_labels=5, conv1d=True)
    assert head.classifier[1].num_features == 4 * 10  # K = P - 1 parts x 10 mixed channels
    assert head(logits).shape == (2, 3)
    keep = BoundingBoxPartHead(num_classes=3, num_part_labels=5, drop_background=False)
    features = keep.extract_features(logits)
    assert features.shape == (2, 5, 5)  # the background's row comes first
    dropped = BoundingBoxPartHead(num_classes=3, num_part_labels=5).extract_features(logits)
    torch.testing.assert_close(features[:, 1:, 1:], dropped[:, :, 1:])


def test_bbox_head_centroid_losses_by_hand():
    # Part 1 (class 0) fills the left column, part 2 (class 1) one pixel; P = 3, C = 2.
    label_map = torch.zeros(4, 4, dtype=torch.long)
    label_map[:, 0] = 1
    label_map[3, 3] = 2
    head = BoundingBoxPartHead(num_classes=2, num_part_labels=3, centroid_loss_weight=0.5,
                               part_to_class=[-1, 0, 1], normalize_coords=False)
    sample = PartDataSample()
    sample.gt_label = torch.tensor([0])
    sample.gt_sem_seg = PixelData(data=label_map[None])
    # Predicting the ground truth: centroids match (loss ~0); mass fractions 4/16 and 1/16 of
    # the 16 pixels taken as logits give CE = log(1 + e^(1/16 - 4/16)).
    losses = head.extra_losses(one_hot_logits(label_map, 3), [sample])
    assert losses['loss_centroid'].item() == pytest.approx(0.0, abs=1e-4)
    expected = 0.5 * math.log(1 + math.exp(1 / 16 - 4 / 16))
    assert losses['loss_mass'].item() == pytest.approx(expected, rel=1e-4)
    # Part 1 predicted one column to the right: cx off by 1, squared error 1 over 2 parts.
    shifted = label_map.clone()
    shifted[:, 0], shifted[:, 1] = 0, 1
    losses = head.extra_losses(one_hot_logits(shifted, 3), [sample])
    assert losses['loss_centroid'].item() == pytest.approx(0.5 * 1 / 2, rel=1e-3)
    # Unlabelled pixels are no ground truth: a map of only 255 has no part present.
    sample.gt_sem_seg = PixelData(data=torch.full((1, 4, 4), 255))
    assert head.extra_losses(one_hot_logits(shifted, 3), [sample])['loss_centroid'] == 0
    with pytest.raises(ValueError, match='needs part_to_class'):
        BoundingBoxPartHead(num_classes=2, num_part_labels=3, centroid_loss_weight=1.0)


def test_pixel_count_head_by_hand():
    # P = 3 (background, part of class 0, part of class 1), C = 2, a 1 x 2 image.
    logits = torch.tensor([[[[1.0, 0.0]], [[2.0, 3.0]], [[0.5, -1.0]]]])
    table = [-1, 0, 1]
    plain = PixelCountPartHead(2, 3, table)
    torch.testing.assert_close(plain(logits), torch.tensor([[2.5, -0.25]]))
    # f = sigmoid(L1 + L2 - L0): sigmoid(1.5), sigmoid(2.0), normalised over the 2 pixels.
    f = torch.sigmoid(torch.tensor([1.5, 2.0]))
    f = f / f.sum()
    class_maps = torch.tensor([[1.0, 0.0], [2.0, 3.0], [0.5, -1.0]])  # bg, class 0, class 1
    expected = (class_maps * f).sum(dim=1)[1:]
    torch.testing.assert_close(
        PixelCountPartHead(2, 3, table, aggregation='logits_mask')(logits)[0], expected)
    expected = (class_maps.softmax(dim=0) * f).sum(dim=1)[1:]
    torch.testing.assert_close(
        PixelCountPartHead(2, 3, table, aggregation='softmax_mask')(logits)[0], expected)
    # Without background: f = sigmoid(L1 + L2), softmax over the two classes only.
    f = torch.sigmoid(torch.tensor([2.5, 2.0]))
    f = f / f.sum()
    expected = (class_maps[1:].softmax(dim=0) * f).sum(dim=1)
    torch.testing.assert_close(PixelCountPartHead(2, 3, table, aggregation='softmax_mask',
                                                  drop_background=True)(logits)[0], expected)
    assert not list(plain.parameters())


def test_pixel_count_head_learnable_matrix_and_bad_tables():
    head = PixelCountPartHead(2, 3, [-1, 0, 1], learnable=True)
    head(torch.randn(2, 3, 4, 4)).sum().backward()
    assert head.matrix.grad is not None and head.matrix.shape == (3, 3)
    with pytest.raises(ValueError, match='part_to_class has 2 entries'):
        PixelCountPartHead(2, 3, [-1, 0])
    with pytest.raises(ValueError, match=r'part_to_class\[2\] = 5 is outside'):
        PixelCountPartHead(2, 3, [-1, 0, 5])
    with pytest.raises(ValueError, match='aggregation must be one of'):
        PixelCountPartHead(2, 3, [-1, 0, 1], aggregation='mean')


def test_feature_class_heads_shapes_and_size_checks():
    decoder = DecoderFeatureClassHead(num_classes=11, num_part_labels=41, feature_size=56)
    assert decoder.classifier[9].in_features == 1690  # the original's 10 x 13 x 13
    assert decoder(torch.randn(2, 256, 56, 56)).shape == (2, 11)
    with pytest.raises(ValueError, match='built for decoder maps of'):
        decoder(torch.randn(2, 256, 28, 28))
    encoder = EncoderFeatureClassHead(num_classes=11, num_part_labels=41)
    features = [torch.randn(2, 256, 56, 56), torch.randn(2, 2048, 14, 14)]
    assert encoder(features).shape == (2, 11)
    with pytest.raises(ValueError, match='expects 2048 channels'):
        encoder([torch.randn(2, 512, 8, 8)])
