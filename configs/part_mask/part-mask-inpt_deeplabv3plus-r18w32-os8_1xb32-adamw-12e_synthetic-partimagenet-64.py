# Mask part model with the image on the synthetic PartImageNet, CPU-sized (the original's
# part-mask-inpt-semi): the image and the 41 softmax part masks into a ResNet-18 (conv1 44 wide).
_base_ = ['./part-mask_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py']
model = dict(part_head=dict(with_image=True))
