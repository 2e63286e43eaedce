# The CPU-sized schedule with DINO's gradient-norm clipping at 0.1 (set losses of a detector
# trained from scratch spike without it).
_base_ = ['./adamw-cosine-12e_cpu.py']
optim_wrapper = dict(clip_grad=dict(max_norm=0.1, norm_type=2))
