# Bounding-Box part model on PACO trained from part boxes only (BoxInst loss; the pixels of
# objects without part annotations get no background term); the papers' recipe otherwise.
_base_ = ['../part_wbbox/part-wbbox_smp-deeplabv3plus-r50-os16_1xb32-sgd-50e_paco-224.py']
model = dict(part_loss=dict(type='BoxInstPartLoss', warmup_iters=1000))
