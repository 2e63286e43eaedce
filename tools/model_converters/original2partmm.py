"""Convert a checkpoint of the original part-model code (e.g. the authors' released weights)
into a partmm checkpoint for a config.

Example::

    python tools/model_converters/original2partmm.py checkpoint_best.pt \\
        configs/part_wbbox_partimagenet.py work_dirs/released/part-wbbox_normal.pth

The config's model must be the same network: the smp DeepLabV3+ configs for the part models
(with ``original_features=True`` for the Bounding-Box head, as those configs have), the timm
ResNet-50 for the baseline. Any key that maps nowhere, any weight of the model the file does
not hold and any shape that differs is an error; the converted weights are loaded into the
model strictly before the file is written. The output records the source file and its SHA-256.
"""
import argparse
import io
import os.path as osp

import torch

from partmm.datasets.output_guard import file_digest
from partmm.models.original_checkpoint import (
    convert_original_state_dict,
    load_original_checkpoint,
    original_model_kind,
)
from partmm.registry import MODELS
from partmm.utils import load_config, register_all_modules
from partmm.utils.compat import write_atomically


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='checkpoint of the original code (checkpoint_best.pt)')
    parser.add_argument('config', help='partmm config of the same model')
    parser.add_argument('dst', help='partmm checkpoint to write')
    return parser.parse_args()


def convert(src: str, config: str, dst: str) -> dict:
    """Write the partmm checkpoint of ``src`` for ``config`` to ``dst``; return its meta."""
    if not osp.isfile(src):
        raise FileNotFoundError(f'checkpoint {src} does not exist')
    register_all_modules()
    cfg = load_config(config)
    model = MODELS.build(cfg.model)
    state, extras = load_original_checkpoint(src)
    converted = convert_original_state_dict(state, model.state_dict())
    model.load_state_dict(converted, strict=True)
    meta = dict(converted_from=osp.abspath(src), source_sha256=file_digest(src),
                source_model=original_model_kind(state), config=config)
    for key in ('epoch', 'best_acc1'):
        if key in extras:
            value = extras[key]
            meta[f'source_{key}'] = value.item() if isinstance(value, torch.Tensor) else value
    buffer = io.BytesIO()
    torch.save(dict(state_dict=converted, meta=meta), buffer)
    write_atomically(buffer.getvalue(), dst)
    return meta


def main() -> None:
    args = parse_args()
    meta = convert(args.src, args.config, args.dst)
    print(f'{args.dst}: {meta["source_model"]} model from {args.src} '
          f'(sha256 {meta["source_sha256"][:12]}...)')


if __name__ == '__main__':
    main()
