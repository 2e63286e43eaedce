from .base_attack import BaseAttack, attack_context
from .pgd import PGDAttack
from .trades import TRADESAttack, kl_to_clean

__all__ = ['BaseAttack', 'PGDAttack', 'TRADESAttack', 'attack_context', 'kl_to_clean']
