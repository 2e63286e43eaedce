# CPU-sized part model for the synthetic default: DeepLabV3+ on a ResNet-18 at output stride 16,
# a narrow decoder, then a tiny part head.
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
            num_stages=4,
            out_indices=(0, 1, 2, 3),
            strides=(1, 2, 2, 1),
            dilations=(1, 1, 1, 2),
            norm_cfg=norm_cfg,
            norm_eval=False,
            style='pytorch',
            contract_dilation=True),
        decode_head=dict(
            type='DepthwiseSeparableASPPHead',
            in_channels=512,
            in_index=3,
            channels=64,
            dilations=(1, 2, 3),
            c1_in_channels=64,
            c1_channels=16,
            dropout_ratio=0.1,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0))),
    part_head=dict(type='BoundingBoxPartHead', normalize_coords=True))
