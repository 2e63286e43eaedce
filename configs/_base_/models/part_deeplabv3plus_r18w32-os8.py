# CPU-sized part model for the synthetic default: DeepLabV3+ on a half-width ResNet-18 (32 base
# channels) at output stride 8, a narrow decoder, then a tiny part head. From scratch on 64 px
# images this learns the parts about 3x faster per step than a full-width ResNet-18 at OS16
# (foreground recall 36% vs 13% after 80 steps) at less cost per step.
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='PartClassifier',
    num_classes=11,
    num_part_labels=41,
    seg_loss_weight=0.5,
    segmentor=dict(
        type='EncoderDecoder',
        backbone=dict(
            type='ResNet',
            depth=18,
            stem_channels=32,
            base_channels=32,
            num_stages=4,
            out_indices=(0, 1, 2, 3),
            strides=(1, 2, 1, 1),
            dilations=(1, 1, 2, 4),
            norm_cfg=norm_cfg,
            norm_eval=False,
            style='pytorch',
            contract_dilation=True),
        decode_head=dict(
            type='DepthwiseSeparableASPPHead',
            in_channels=256,
            in_index=3,
            channels=64,
            dilations=(1, 2, 4),
            c1_in_channels=32,
            c1_channels=16,
            dropout_ratio=0.1,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0))),
    part_head=dict(type='BoundingBoxPartHead', normalize_coords=True))
