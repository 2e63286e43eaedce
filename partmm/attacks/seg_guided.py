"""Seg-guided attack: pull the predicted part map toward another class's part map."""
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from partmm.registry import ATTACKS
from partmm.structures import DEFAULT_IGNORE_INDEX, PartDataSample, batch_ignore_index

from .base_attack import IterativeAttack, sample_seeds
from .utils import BestIterate, require_part_model

GUIDES = ('random', 'most_confusing')
# A one-hot part map times this is a "certain" part-logit map for the part head.
ONE_HOT_SCALE = 1000.0
# Mixed into the per-sample seeds so that the guide draw and the random start of the same
# sample and restart come from different streams.
GUIDE_STREAM = 0x9E3779B9
# Part maps scored by the part head at once (one-hot maps are P times larger than the map).
HEAD_CHUNK = 8


def guide_seg_loss(seg_logits: Tensor, guide_maps: Tensor,
                   ignore_index: int = DEFAULT_IGNORE_INDEX) -> Tensor:
    """Per-sample pixel cross-entropy [B] of part logits [B, P, H, W] to maps [B, H, W].

    Averaged over each sample's labelled pixels (``ignore_index`` excluded), so a guide with
    a small labelled area weighs as much as a large one.
    """
    pixels = F.cross_entropy(seg_logits, guide_maps, ignore_index=ignore_index,
                             reduction='none')
    labelled = (guide_maps != ignore_index).flatten(1).sum(dim=1).clamp_min(1)
    return pixels.flatten(1).sum(dim=1) / labelled


def head_log_probs(model: nn.Module, part_maps: Tensor,
                   ignore_index: int = DEFAULT_IGNORE_INDEX) -> Tensor:
    """Log-probabilities [N, C] of ``model.part_head`` on part maps [N, H, W] given as logits.

    Each map becomes one-hot x ``ONE_HOT_SCALE`` (unlabelled pixels count as background), the
    part logits of a segmenter that is certain of that map. The head runs in eval mode (its
    modes are restored after): BatchNorm statistics of a chunk of candidate maps would make
    a map's score depend on the others, and fail for a chunk of one.
    """
    head = model.part_head
    modes = {module: module.training for module in head.modules()}
    head.eval()
    scores = []
    try:
        with torch.no_grad():
            for chunk in part_maps.split(HEAD_CHUNK):
                chunk = torch.where(chunk == ignore_index, torch.zeros_like(chunk), chunk)
                one_hot = F.one_hot(chunk, model.num_part_labels).permute(0, 3, 1, 2).float()
                scores.append(head(one_hot * ONE_HOT_SCALE).log_softmax(dim=1))
    finally:
        for module, training in modes.items():
            module.training = training
    return torch.cat(scores)


@ATTACKS.register_module()
class SegGuidedAttack(IterativeAttack):
    """Targeted PGD toward a guide: another class's part map and that class.

    Each step descends ``c * CE_seg(part logits, guide map) + (1 - c) * CE(class logits,
    guide class)`` (per-sample seg CE averaged over the guide's labelled pixels) and projects
    onto the eps-ball. With ``two_stage`` each restart first runs ``steps`` steps of the pure
    seg CE (``c = 1``) and then ``steps`` steps of the combined loss starting from where stage 1
    ended (the original code restarted stage 2 from the clean image). Per sample the attack
    returns the most damaging iterate seen over all steps, stages and restarts: one that
    fools the class prediction (true label) if any, else the one with the highest class CE
    w.r.t. the true label.

    Guides (:meth:`select_guides`), taken from the batch's ground-truth part maps:

    - ``'random'``: the part map of a random sample of another class with labelled parts,
      drawn again for every restart; the guide class is that sample's label.
    - ``'most_confusing'``: of those candidates, the map on which the part head (fed the
      one-hot map x 1000 as part logits) gives the highest log-probability to a class other
      than the sample's; the guide class is that class. The same guide for every restart.

    When the batch holds no labelled sample of another class, the guide is built from the
    sample's own map (both selections): every labelled foreground pixel is relabelled to one
    part p in 1..P-1, and of these P - 1 maps the part head's most confusing one (as above)
    is the guide. This needs no class-to-part table; a sample without labelled foreground in
    such a batch is an error.

    Batching: random starts and 'random' draws are seeded per sample (``seed``), but the
    guides come from the batch, so a sample's result depends on the batch it is in, except
    when its guide comes from its own map. Only part models (part logits and ``part_head``)
    can be attacked; anything else is a ValueError.

    Args:
        eps (float): Radius of the threat model in [0, 1] pixel units.
        steps (int): Gradient steps per restart (per stage with ``two_stage``).
        step_size (float): Step length (Linf: per pixel; L2: of the whole perturbation).
        norm (str): 'Linf' or 'L2'. Defaults to 'Linf'.
        restarts (int): Independent runs. Defaults to 1.
        random_start (bool): Start from a random point of the ball. Defaults to True.
        guide (str): 'random' or 'most_confusing'. Defaults to 'random'.
        seg_loss_weight (float, optional): c; the model's ``seg_loss_weight`` if None.
        two_stage (bool): Pure seg CE first, then the combined loss. Defaults to False.
        bn_mode (str): 'eval', 'train' or 'keep'. Defaults to 'eval'.
        seed (int, optional): Seeds random starts and 'random' guide draws per sample.
    """

    def __init__(self,
                 eps: float,
                 steps: int,
                 step_size: float,
                 norm: str = 'Linf',
                 restarts: int = 1,
                 random_start: bool = True,
                 guide: str = 'random',
                 seg_loss_weight: Optional[float] = None,
                 two_stage: bool = False,
                 bn_mode: str = 'eval',
                 seed: Optional[int] = None) -> None:
        super().__init__(eps=eps, steps=steps, step_size=step_size, norm=norm,
                         restarts=restarts, random_start=random_start, bn_mode=bn_mode,
                         seed=seed)
        if guide not in GUIDES:
            raise ValueError(f'guide must be one of {GUIDES}, got "{guide}"')
        if seg_loss_weight is not None and not 0.0 <= seg_loss_weight <= 1.0:
            raise ValueError(f'seg_loss_weight must be in [0, 1], got {seg_loss_weight}')
        self.guide = guide
        self.seg_loss_weight = seg_loss_weight
        self.two_stage = two_stage

    def select_guides(self,
                      model: nn.Module,
                      data_samples: List[PartDataSample],
                      device: torch.device,
                      restart: int = 0) -> Tuple[Tensor, Tensor]:
        """Guide part maps, long [B, H, W] (the samples' ``ignore_index`` where unlabelled),
        and guide classes, long [B].

        ``restart`` enters the per-sample seeds of 'random' draws. Part maps must have the
        images' size (they are stacked as the batch's targets).
        """
        require_part_model(model, self)
        labels = model.stack_labels(data_samples).to(device)
        part_maps = model.stack_part_maps(data_samples).squeeze(1).long().to(device)
        ignore_index = batch_ignore_index(data_samples)
        labelled = (part_maps != ignore_index).flatten(1).any(dim=1)
        scores = head_log_probs(model, part_maps, ignore_index) \
            if self.guide == 'most_confusing' else None
        keys = None if self.seed is None else sample_seeds(data_samples, len(labels), self.seed,
                                                           restart)
        guide_maps = torch.empty_like(part_maps)
        guide_classes = torch.empty_like(labels)
        for index in range(len(labels)):
            candidates = ((labels != labels[index]) & labelled).nonzero().flatten()
            if not len(candidates):
                guide_maps[index], guide_classes[index] = self._own_map_guide(
                    model, part_maps[index], int(labels[index]), index, ignore_index)
                continue
            if self.guide == 'random':
                generator = None if keys is None else torch.Generator().manual_seed(
                    keys[index] ^ GUIDE_STREAM)
                pick = candidates[int(torch.randint(len(candidates), (1, ),
                                                    generator=generator))]
                guide_classes[index] = labels[pick]
            else:
                pick, guide_classes[index] = self._most_confusing(
                    scores[candidates], int(labels[index]))
                pick = candidates[pick]
            guide_maps[index] = part_maps[pick]
        return guide_maps, guide_classes

    @staticmethod
    def _most_confusing(scores: Tensor, label: int) -> Tuple[int, int]:
        """(candidate row, class) of the highest wrong-class entry of ``scores`` [N, C]."""
        scores = scores.clone()
        scores[:, label] = -float('inf')
        flat = int(scores.flatten().argmax())
        return flat // scores.shape[1], flat % scores.shape[1]

    def _own_map_guide(self, model: nn.Module, part_map: Tensor, label: int,
                       index: int, ignore_index: int) -> Tuple[Tensor, int]:
        """Fallback guide from the sample's own map [H, W]: its foreground as one part."""
        foreground = (part_map != ignore_index) & (part_map > 0)
        if not foreground.any():
            raise ValueError(
                f'{type(self).__name__}: sample {index} has no labelled foreground and the '
                'batch has no labelled sample of another class to take a guide from')
        parts = torch.arange(1, model.num_part_labels, device=part_map.device)
        candidates = part_map.expand(len(parts), -1, -1).clone()
        candidates[:, foreground] = parts.view(-1, 1)
        pick, guide_class = self._most_confusing(
            head_log_probs(model, candidates, ignore_index), label)
        return candidates[pick], guide_class

    def guide_losses(self, class_logits: Tensor, seg_logits: Tensor, guide_maps: Tensor,
                     guide_classes: Tensor, seg_loss_weight: float,
                     ignore_index: int = DEFAULT_IGNORE_INDEX) -> Tensor:
        """Per-sample loss to minimise [B]: c CE_seg(to guide map) + (1 - c) CE(to class)."""
        class_term = F.cross_entropy(class_logits, guide_classes, reduction='none')
        seg_term = guide_seg_loss(seg_logits, guide_maps, ignore_index)
        return seg_loss_weight * seg_term + (1 - seg_loss_weight) * class_term

    def perturb(self, model: nn.Module, images: Tensor,
                data_samples: List[PartDataSample]) -> Tensor:
        require_part_model(model, self)
        labels = model.stack_labels(data_samples).to(images.device)
        c = model.seg_loss_weight if self.seg_loss_weight is None else self.seg_loss_weight
        ignore_index = batch_ignore_index(data_samples)
        best = BestIterate(images, labels)
        for restart in range(self.restarts):
            guides = self.select_guides(model, data_samples, images.device, restart)
            adversarial = self.start_point(images, data_samples, restart)
            if self.two_stage:
                # Stage 2 starts from stage 1's end point; its first step scores that point.
                adversarial = self._descend(model, images, adversarial, guides, 1.0, best,
                                            ignore_index, score_last=self.steps == 0)
            self._descend(model, images, adversarial, guides, c, best, ignore_index,
                          score_last=True)
        return best.best

    def _descend(self, model: nn.Module, images: Tensor, adversarial: Tensor,
                 guides: Tuple[Tensor, Tensor], seg_loss_weight: float, best: BestIterate,
                 ignore_index: int, score_last: bool) -> Tensor:
        """``steps`` projected descent steps on the guide loss; every iterate goes to ``best``."""
        for _ in range(self.steps):
            adversarial.requires_grad_(True)
            class_logits, seg_logits = model.extract_logits(adversarial)
            losses = self.guide_losses(class_logits, seg_logits, *guides, seg_loss_weight,
                                      ignore_index)
            gradient, = torch.autograd.grad(losses.sum(), adversarial)
            best.update(adversarial, class_logits)
            adversarial = self.project(
                adversarial.detach() - self.ascent_step(gradient, self.step_size), images)
        if score_last:
            with torch.no_grad():
                best.update(adversarial, model.extract_logits(adversarial)[0])
        return adversarial
