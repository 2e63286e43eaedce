# CPU-sized fine-tuning schedule (adversarial fine-tuning from a clean checkpoint): the AdamW of
# adamw-cosine-12e_cpu.py at lr 5e-4, cosine decay over 4 epochs without warm-up, validation
# every epoch.
_base_ = ['./adamw-cosine-12e_cpu.py']
max_epochs = 4
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=True, begin=0)]
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
