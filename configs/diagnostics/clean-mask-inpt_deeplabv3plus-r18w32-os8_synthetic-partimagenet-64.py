# Clean-mask diagnostic on the synthetic PartImageNet (the original's clean): the mask part model
# with image channels whose head, under evaluation and attack, reads the part masks of the clean
# image; attacks reach the class only through the image channels. Evaluate a trained
# part-mask-inpt checkpoint with it (tools/robust_test.py CONFIG work_dirs/part-mask-inpt.../
# best.pth); not for (adversarial) training.
_base_ = [
    '../part_mask/part-mask-inpt_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py'  # noqa: E501
]
model = dict(type='CleanMaskPartClassifier')
