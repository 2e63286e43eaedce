from .smp_deeplabv3plus_head import SMPDeepLabV3PlusHead

__all__ = ['SMPDeepLabV3PlusHead']
