# Paper (b)'s query-based part model: Mask2Former (mmseg's Mask2FormerHead; OpenMMLab has no
# MaskDINO, Mask2Former stands in for it) on ResNet-50, 100 queries, 9 decoder layers, a 6-layer
# deformable pixel decoder, class / mask / dice weights 4 / 5 / 5 and no-object weight 0.1 as in
# paper (b)'s MaskDINO configs, then a class head on the queries (``model.part_head``, the leaf
# config's: QuerySimHead). The backbone starts from torchvision's ImageNet ResNet-50 (offline,
# point model.segmentor.backbone.init_cfg.checkpoint at a local copy); its BN is frozen
# (statistics and affine), as detectron2's FrozenBN in the original. GPU runs need an mmcv
# built with CUDA ops (FORCE_CUDA=1): MultiScaleDeformableAttention takes mmcv's CUDA kernel
# for CUDA tensors; on CPU it falls back to PyTorch.
num_part_labels = 41
model = dict(
    type='QueryPartClassifier',
    num_classes=11,
    num_part_labels=num_part_labels,
    seg_loss_weight=0.5,
    segmentor=dict(
        type='EncoderDecoder',
        backbone=dict(
            type='ResNet',
            depth=50,
            num_stages=4,
            out_indices=(0, 1, 2, 3),
            style='pytorch',
            norm_cfg=dict(type='SyncBN', requires_grad=False),
            norm_eval=True,
            init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
        decode_head=dict(
            type='Mask2FormerHead',
            in_channels=[256, 512, 1024, 2048],
            strides=[4, 8, 16, 32],
            feat_channels=256,
            out_channels=256,
            num_queries=100,
            num_transformer_feat_level=3,
            align_corners=False,
            ignore_index=255,
            pixel_decoder=dict(
                type='mmdet.MSDeformAttnPixelDecoder',
                num_outs=3,
                norm_cfg=dict(type='GN', num_groups=32),
                act_cfg=dict(type='ReLU'),
                encoder=dict(
                    num_layers=6,
                    layer_cfg=dict(
                        self_attn_cfg=dict(
                            embed_dims=256, num_heads=8, num_levels=3, num_points=4,
                            im2col_step=64, dropout=0.0, batch_first=True, norm_cfg=None,
                            init_cfg=None),
                        ffn_cfg=dict(
                            embed_dims=256, feedforward_channels=1024, num_fcs=2,
                            ffn_drop=0.0, act_cfg=dict(type='ReLU', inplace=True)))),
                positional_encoding=dict(num_feats=128, normalize=True)),
            enforce_decoder_input_project=False,
            positional_encoding=dict(num_feats=128, normalize=True),
            transformer_decoder=dict(
                return_intermediate=True,
                num_layers=9,
                layer_cfg=dict(
                    self_attn_cfg=dict(
                        embed_dims=256, num_heads=8, attn_drop=0.0, proj_drop=0.0,
                        dropout_layer=None, batch_first=True),
                    cross_attn_cfg=dict(
                        embed_dims=256, num_heads=8, attn_drop=0.0, proj_drop=0.0,
                        dropout_layer=None, batch_first=True),
                    ffn_cfg=dict(
                        embed_dims=256, feedforward_channels=2048, num_fcs=2,
                        act_cfg=dict(type='ReLU', inplace=True), ffn_drop=0.0,
                        dropout_layer=None, add_identity=True))),
            loss_cls=dict(
                type='mmdet.CrossEntropyLoss', use_sigmoid=False, loss_weight=4.0,
                reduction='mean', class_weight=[1.0] * num_part_labels + [0.1]),
            loss_mask=dict(
                type='mmdet.CrossEntropyLoss', use_sigmoid=True, reduction='mean',
                loss_weight=5.0),
            loss_dice=dict(
                type='mmdet.DiceLoss', use_sigmoid=True, activate=True, reduction='mean',
                naive_dice=True, eps=1.0, loss_weight=5.0),
            train_cfg=dict(
                num_points=12544,
                oversample_ratio=3.0,
                importance_sample_ratio=0.75,
                assigner=dict(
                    type='mmdet.HungarianAssigner',
                    match_costs=[
                        dict(type='mmdet.ClassificationCost', weight=4.0),
                        dict(type='mmdet.CrossEntropyLossCost', weight=5.0, use_sigmoid=True),
                        dict(type='mmdet.DiceCost', weight=5.0, pred_act=True, eps=1.0),
                    ]),
                sampler=dict(type='mmdet.MaskPseudoSampler'))),
        train_cfg=dict(),
        test_cfg=dict(mode='whole')))
# Class accuracy and the part segmentation's mIoU (of the semantic part scores' argmax).
val_evaluator = [dict(type='ClassAccuracy'), dict(type='PartIoUMetric')]
test_evaluator = val_evaluator
