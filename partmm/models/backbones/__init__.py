from .smp_encoder import SMPEncoder

__all__ = ['SMPEncoder']
