# Clean training, the papers' first stage: the loss on clean images only (for part models the
# class loss plus c times the part loss), the best checkpoint by clean top-1 (the default
# hooks' rule). The schedule is a separate base.
_base_ = ['../default_runtime.py']
