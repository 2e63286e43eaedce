# Part model of the paper: DeepLabV3+ on ResNet-50 at output stride 16 (decoder 256 channels,
# ASPP rates 12/24/36), part logits resized to the input. The part head (``model.part_head``)
# is the leaf config's: it names the model family.
# The backbone starts from torchvision's ImageNet ResNet-50 (IMAGENET1K_V1, the encoder weights of
# the original), loaded when training starts; offline, point
# model.segmentor.backbone.init_cfg.checkpoint at a local copy, or put resnet50-0676ba61.pth
# under $TORCH_HOME/hub/checkpoints/. SyncBN across GPUs as in the original; single-process
# and CPU runs use plain BN. This is mmseg's DeepLabV3+; the original's smp network is
# part-classifier_smp-deeplabv3plus-r50-os16.py.
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    type='PartClassifier',
    num_classes=11,
    num_part_labels=41,
    seg_loss_weight=0.5,
    segmentor=dict(
        type='EncoderDecoder',
        backbone=dict(
            type='ResNet',
            depth=50,
            num_stages=4,
            out_indices=(0, 1, 2, 3),
            strides=(1, 2, 2, 1),
            dilations=(1, 1, 1, 2),
            norm_cfg=norm_cfg,
            norm_eval=False,
            style='pytorch',
            contract_dilation=True,
            init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
        decode_head=dict(
            type='DepthwiseSeparableASPPHead',
            in_channels=2048,
            in_index=3,
            channels=256,
            dilations=(1, 12, 24, 36),
            c1_in_channels=256,
            c1_channels=48,
            dropout_ratio=0.1,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0))))
# Class accuracy and the part segmentation's mIoU (the part map of every image is read).
val_evaluator = [dict(type='ClassAccuracy'), dict(type='PartIoUMetric')]
test_evaluator = val_evaluator
