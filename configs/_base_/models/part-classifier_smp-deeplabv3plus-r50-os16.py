# Part model of the paper with the original's segmenter, exactly: segmentation_models_pytorch's
# DeepLabV3Plus (ResNet-50 encoder at output stride 16, decoder 256 channels, atrous rates
# 12/24/36, x4 upsampling) as SMPEncoder + SMPDeepLabV3PlusHead inside an mmseg EncoderDecoder.
# The encoder starts from torchvision's ImageNet ResNet-50 (IMAGENET1K_V1, what smp's
# 'imagenet' weights are), loaded strictly when training starts; offline, point
# model.segmentor.backbone.init_cfg.checkpoint at a local copy, or put resnet50-0676ba61.pth
# under $TORCH_HOME/hub/checkpoints/. BatchNorm becomes SyncBatchNorm across GPUs, as in the
# original (sync_bn; plain BN on CPU). The part head (model.part_head) is the leaf config's.
model = dict(
    type='PartClassifier',
    num_classes=11,
    num_part_labels=41,
    seg_loss_weight=0.5,
    segmentor=dict(
        type='EncoderDecoder',
        backbone=dict(
            type='SMPEncoder',
            name='resnet50',
            output_stride=16,
            init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
        decode_head=dict(
            type='SMPDeepLabV3PlusHead',
            encoder_channels=(3, 64, 256, 512, 1024, 2048),
            decoder_channels=256,
            atrous_rates=(12, 24, 36),
            output_stride=16,
            upsampling=4,
            loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0))))
sync_bn = 'torch'
# Class accuracy and the part segmentation's mIoU (the part map of every image is read).
val_evaluator = [dict(type='ClassAccuracy'), dict(type='PartIoUMetric')]
test_evaluator = val_evaluator
