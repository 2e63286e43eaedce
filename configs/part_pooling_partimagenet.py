# Published entry point, kept where users were told it is: the Downsampled part model on
# PartImageNet with the papers' clean recipe, the config it inherits. It trains into that
# config's work dir, where the family's adversarial configs load its best checkpoint from.
_base_ = [
    './part_pooling/part-pooling-4_smp-deeplabv3plus-r50-os16_1xb32-sgd-50e_partimagenet-224.py'
]
work_dir = 'work_dirs/part-pooling-4_smp-deeplabv3plus-r50-os16_1xb32-sgd-50e_partimagenet-224'
