"""A batch's predictions, clean or under one attack, as a record of tensors that can be kept
on disk and attached to the batch's data samples again."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.structures import PixelData

from partmm.structures import PartDataSample

# A record: ``scores`` float [B, C] (softmax), ``labels`` long [B, 1] and ``part_maps``
# [B, 1, H, W] (uint8 when the part labels fit in it, else long; None for models without a
# part map), on the CPU. An attack's record may also hold its ``cascade`` (AutoAttack's
# ``cascade``: ``attacks``, ``survived`` long [B], ``seconds``) or None.
Record = Dict[str, Optional[torch.Tensor]]


def split_predictions(samples: Sequence[PartDataSample],
                      attack_names: Sequence[str]) -> Tuple[Record, Dict[str, Record]]:
    """The clean record and, for each of ``attack_names``, the attack's record of ``samples``
    (the output of a classifier's ``predict``, see ``BasePixelClassifier.predict``)."""
    part_maps = None
    if 'pred_sem_seg' in samples[0]:
        part_maps = _stack([sample.pred_sem_seg.data for sample in samples])
    clean = dict(scores=_stack([sample.pred_score for sample in samples]),
                 labels=_stack([sample.pred_label for sample in samples]),
                 part_maps=_compact(part_maps))
    attacks = {}
    for name in attack_names:
        part_maps = None
        if 'adv_pred_part_maps' in samples[0]:
            part_maps = _stack([sample.adv_pred_part_maps[name] for sample in samples])
        attacks[name] = dict(scores=_stack([sample.adv_pred_scores[name] for sample in samples]),
                             labels=_stack([sample.adv_pred_labels[name] for sample in samples]),
                             part_maps=_compact(part_maps))
    return clean, attacks


def attach_predictions(samples: Sequence[PartDataSample], clean: Record,
                       attacks: Dict[str, Record]) -> None:
    """Set on ``samples`` the fields ``predict`` sets: ``pred_score``, ``pred_label``,
    ``pred_sem_seg`` from ``clean`` and, when there are ``attacks`` (name -> record, in the
    order the metrics should see them), ``adv_pred_scores``, ``adv_pred_labels`` and
    ``adv_pred_part_maps``; of attacks whose record has a ``cascade``, ``adv_cascades``:
    name -> (its sub-attacks, how many of them the sample survived)."""
    for index, sample in enumerate(samples):
        sample.pred_score = clean['scores'][index]
        sample.pred_label = clean['labels'][index]
        if clean['part_maps'] is not None:
            sample.pred_sem_seg = PixelData(data=clean['part_maps'][index].long())
        if not attacks:
            continue
        sample.adv_pred_scores = {name: record['scores'][index]
                                  for name, record in attacks.items()}
        sample.adv_pred_labels = {name: record['labels'][index]
                                  for name, record in attacks.items()}
        part_maps = {name: record['part_maps'][index].long()
                     for name, record in attacks.items() if record['part_maps'] is not None}
        if part_maps:
            sample.adv_pred_part_maps = part_maps
        cascades = {name: (tuple(record['cascade']['attacks']),
                           int(record['cascade']['survived'][index]))
                    for name, record in attacks.items() if record.get('cascade') is not None}
        if cascades:
            sample.adv_cascades = cascades


def _stack(tensors: List[torch.Tensor]) -> torch.Tensor:
    return torch.stack(tensors).cpu()


def _compact(part_maps: Optional[torch.Tensor]) -> Optional[torch.Tensor]:
    """Part maps as uint8 when every label fits (8x smaller on disk), else unchanged."""
    if part_maps is None or part_maps.numel() == 0:
        return part_maps
    if part_maps.min() >= 0 and part_maps.max() <= torch.iinfo(torch.uint8).max:
        return part_maps.to(torch.uint8)
    return part_maps
