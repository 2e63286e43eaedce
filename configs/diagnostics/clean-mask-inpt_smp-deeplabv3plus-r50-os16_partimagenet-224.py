# Clean-mask diagnostic on PartImageNet (the original's clean): evaluate a trained
# part-mask-inpt checkpoint with the head reading the clean images' part masks.
_base_ = [
    '../part_mask/part-mask-inpt_smp-deeplabv3plus-r50-os16_1xb32-sgd-50e_partimagenet-224.py'
]
model = dict(type='CleanMaskPartClassifier')
