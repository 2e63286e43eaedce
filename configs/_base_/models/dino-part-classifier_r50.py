# The original's detector-based part model: mmdet's DINO (4 scales, two-stage, box refinement,
# contrastive denoising) as the part detector on part boxes: ResNet-50 from torchvision's
# ImageNet weights with frozen BN (the original's FrozenBatchNorm2d), levels 2-4 mapped to 256
# channels plus one extra level, 6 + 6 layers, 900 queries, 100 denoising queries (label noise
# 0.5, box noise 0.4 as the original's scripts), matcher costs class 2 / L1 5 / GIoU 2 and loss
# weights focal 1 / L1 5 / GIoU 2, top 300 detections; one class per part, no background. The
# leaf config sets the class head (``model.part_head``). Offline, point
# model.detector.backbone.init_cfg.checkpoint at a local copy of the torchvision weights. GPU
# runs need an mmcv built with CUDA ops (MultiScaleDeformableAttention's kernel); on CPU it falls
# back to PyTorch.
num_part_labels = 41
num_queries = 900
embed_dims = 256
model = dict(
    type='DINOPartClassifier',
    num_classes=11,
    num_part_labels=num_part_labels,
    seg_loss_weight=0.5,
    detector=dict(
        type='mmdet.DINO',
        num_queries=num_queries,
        with_box_refine=True,
        as_two_stage=True,
        num_feature_levels=4,
        backbone=dict(
            type='mmdet.ResNet',
            depth=50,
            num_stages=4,
            out_indices=(1, 2, 3),
            frozen_stages=1,
            norm_cfg=dict(type='BN', requires_grad=False),
            norm_eval=True,
            style='pytorch',
            init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
        neck=dict(
            type='mmdet.ChannelMapper',
            in_channels=[512, 1024, 2048],
            kernel_size=1,
            out_channels=embed_dims,
            act_cfg=None,
            norm_cfg=dict(type='GN', num_groups=32),
            num_outs=4),
        encoder=dict(
            num_layers=6,
            layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=embed_dims, num_levels=4, dropout=0.0),
                ffn_cfg=dict(embed_dims=embed_dims, feedforward_channels=2048, ffn_drop=0.0))),
        decoder=dict(
            num_layers=6,
            return_intermediate=True,
            layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=embed_dims, num_heads=8, dropout=0.0),
                cross_attn_cfg=dict(embed_dims=embed_dims, num_levels=4, dropout=0.0),
                ffn_cfg=dict(embed_dims=embed_dims, feedforward_channels=2048, ffn_drop=0.0)),
            post_norm_cfg=None),
        positional_encoding=dict(
            num_feats=embed_dims // 2, normalize=True, offset=0.0, temperature=20),
        bbox_head=dict(
            type='mmdet.DINOHead',
            embed_dims=embed_dims,
            sync_cls_avg_factor=True,
            loss_cls=dict(
                type='mmdet.FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
                loss_weight=1.0),
            loss_bbox=dict(type='mmdet.L1Loss', loss_weight=5.0),
            loss_iou=dict(type='mmdet.GIoULoss', loss_weight=2.0)),
        dn_cfg=dict(
            label_noise_scale=0.5,
            box_noise_scale=0.4,
            group_cfg=dict(dynamic=True, num_groups=None, num_dn_queries=100)),
        train_cfg=dict(
            assigner=dict(
                type='mmdet.HungarianAssigner',
                match_costs=[
                    dict(type='mmdet.FocalLossCost', weight=2.0),
                    dict(type='mmdet.BBoxL1Cost', weight=5.0, box_format='xywh'),
                    dict(type='mmdet.IoUCost', iou_mode='giou', weight=2.0),
                ])),
        test_cfg=dict(max_per_img=300)))
# Class accuracy and the detector's part mAP (mmdet's COCO metric on the part boxes).
val_evaluator = [dict(type='ClassAccuracy'), dict(type='PartDetectionMetric')]
test_evaluator = val_evaluator
