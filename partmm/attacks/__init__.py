from .autoattack import AutoAttack
from .base_attack import BaseAttack, attack_context
from .hop_skip_jump import HopSkipJumpAttack
from .logits_module import LogitsOnly
from .masked_pgd import MaskedPGDAttack
from .pgd import PGDAttack
from .seg_guided import SegGuidedAttack
from .seg_inverse import SegInverseAttack
from .square import SquareAttack
from .trades import TRADESAttack, kl_to_clean

__all__ = [
    'AutoAttack', 'BaseAttack', 'HopSkipJumpAttack', 'LogitsOnly', 'MaskedPGDAttack', 'PGDAttack',
    'SegGuidedAttack', 'SegInverseAttack', 'SquareAttack', 'TRADESAttack', 'attack_context',
    'kl_to_clean'
]
