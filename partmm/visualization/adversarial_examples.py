"""Clean vs adversarial predictions of a few test images, drawn for the robustness report."""
import os
import os.path as osp
from typing import List

import torch
from mmengine.dataset import pseudo_collate

from partmm.structures import DEFAULT_IGNORE_INDEX
from partmm.utils import spread_over_classes, unwrap_model


def collect_attack_examples(runner, attack, attack_name: str, num_examples: int) -> List[dict]:
    """Attack ``num_examples`` test images spread over the classes
    (:func:`partmm.utils.spread_over_classes`; the first few could all be of one class); return
    what the overlays draw.

    Args:
        runner: A runner whose ``test_dataloader`` and ``model`` are built.
        attack: A partmm attack (``attack(model, images, data_samples)``).
        attack_name: Its name, for the titles.
        num_examples: How many images.

    Returns:
        One dict per image: ``image`` and ``adv_image`` [3, H, W] in [0, 1], ``gt_part_map``,
        ``part_map`` and ``adv_part_map`` [H, W] (part models; else no such keys),
        ``label``, ``pred_label``, ``adv_pred_label`` and ``attack``.
    """
    model = unwrap_model(runner.model)
    dataset = runner.test_dataloader.dataset
    items = [dataset[index] for index in spread_over_classes(dataset, num_examples)]
    if not items:
        return []
    model.eval()
    data = model.data_preprocessor(pseudo_collate(items), False)
    images, samples = data['inputs'], data['data_samples']
    adversarial = attack(model, images, samples)
    with torch.no_grad(), model.batch_context(images, samples):
        clean_logits, clean_parts = model.extract_logits(images)
        adv_logits, adv_parts = model.extract_logits(adversarial)
    examples = []
    for index, sample in enumerate(samples):
        example = dict(image=images[index].cpu(), adv_image=adversarial[index].cpu(),
                       label=int(sample.gt_label[0]),
                       pred_label=int(clean_logits[index].argmax()),
                       adv_pred_label=int(adv_logits[index].argmax()), attack=attack_name)
        if clean_parts is not None:
            example.update(gt_part_map=sample.gt_sem_seg.data[0].cpu(),
                           part_map=clean_parts[index].argmax(dim=0).cpu(),
                           adv_part_map=adv_parts[index].argmax(dim=0).cpu())
        examples.append(example)
    return examples


def draw_attack_examples(runner, attack, attack_name: str, num_examples: int,
                         out_path: str) -> bool:
    """Draw :func:`collect_attack_examples` to ``out_path`` (PNG) for part models: images
    beside their part maps, in the dataset's part palette (``part_palette``) if it has one,
    else :func:`partmm.visualization.part_palette`, as :class:`PartVisualizer` does.

    Returns:
        Whether a picture was written (models without part maps get none).
    """
    from partmm.evaluation.report.overlays import draw_adversarial_overlays

    examples = collect_attack_examples(runner, attack, attack_name, num_examples)
    if not examples or 'part_map' not in examples[0]:
        return False
    meta = runner.test_dataloader.dataset.metainfo
    os.makedirs(osp.dirname(osp.abspath(out_path)), exist_ok=True)
    draw_adversarial_overlays(examples, class_names=meta['classes'],
                              part_names=meta['part_names'],
                              palette=meta.get('part_palette'), out_path=out_path,
                              title=f'clean vs {attack_name}',
                              ignore_index=meta.get('ignore_index', DEFAULT_IGNORE_INDEX))
    return True
