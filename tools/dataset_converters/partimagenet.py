"""Convert a PartImageNet release (official or synthetic) into part maps and split lists.

Writes ``<out_dir>/part_maps/<stem>.png`` and ``<out_dir>/splits/{official,paper}/{train,val,
test}.json`` (MMEngine BaseDataset format), as read by ``partmm.datasets.PartImageNetDataset``.
With ``--split-from DIR`` it also writes ``splits/original/{train,val,test}.json``: the split of
the original preparation code (``prepare_part_imagenet.py``), taken from its lists
``DIR/{train,val,test}/<Class>.txt``. DIR is that ``PartSegmentations/<name>`` folder, or a
folder holding ``PartSegmentations/All`` (the release root the original code prepared).
Part maps and splits of other settings (e.g. another --seed or another --split-from folder's
lists: either would move test images into training) or of another release are an error unless
--overwrite; those of the same settings and release are kept as they are.

Example:
    python tools/dataset_converters/partimagenet.py data/PartImageNet --nproc 8 \\
        [--split-from data/PartImageNet/PartSegmentations/All]
"""
import argparse
import logging
import sys
import time

from partmm.datasets.converters import convert_partimagenet
from partmm.datasets.output_guard import OutputExistsError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert PartImageNet (images/<split>/*.JPEG + COCO-style JSONs) into '
        'part maps and official/paper (and original) split lists')
    parser.add_argument('root', help='release folder (with images/ and annotations/ or '
                        '<split>.json at its root)')
    parser.add_argument('--out-dir', default=None, help='output folder (default: root)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the paper split (default: %(default)s)')
    parser.add_argument('--val-ratio', type=float, default=0.1,
                        help='paper val fraction per class (default: %(default)s)')
    parser.add_argument('--test-ratio', type=float, default=0.1,
                        help='paper test fraction per class (default: %(default)s)')
    parser.add_argument('--allow-missing', action='store_true',
                        help='skip and report images missing on disk instead of failing')
    parser.add_argument('--split-from', metavar='DIR', default=None,
                        help='also write splits/original/ from the split lists of the original '
                        'preparation (prepare_part_imagenet.py): DIR is its '
                        'PartSegmentations/<name> folder (train|val|test/<Class>.txt) or a '
                        'folder holding PartSegmentations/All')
    parser.add_argument('--nproc', type=int, default=1,
                        help='processes writing part maps (default: %(default)s)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace part maps and splits made with other settings, from '
                        'another release or by something else')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s')
    start = time.time()
    try:
        summary = convert_partimagenet(
            args.root, out_dir=args.out_dir, seed=args.seed, val_ratio=args.val_ratio,
            test_ratio=args.test_ratio, allow_missing=args.allow_missing, nproc=args.nproc,
            overwrite=args.overwrite, split_from=args.split_from)
    except OutputExistsError as error:
        sys.exit(f'error: {error}')
    if summary['reused']:
        print(f'{summary["out_dir"]} already holds the part maps and splits of this release '
              'and these settings; kept them')
        return
    for kind, counts in summary['splits'].items():
        for split, count in counts.items():
            print(f'{kind}/{split}: {count} images -> {summary["split_files"][kind][split]}')
    skipped = summary['skipped']
    print(f'converted {summary["num_images"]} images into {summary["out_dir"]} in '
          f'{time.time() - start:.1f} s; skipped {len(skipped["no_annotations"])} without '
          f'annotations and {len(skipped["missing_images"])} missing on disk; ignored '
          f'{summary["zero_area_annotations"]} zero-area annotations')
    if 'original_split' in summary:
        original = summary['original_split']
        print(f'original split from {original["dir"]}: skipped '
              f'{len(original["missing_images"])} listed images missing on disk; '
              f'{len(original["unlisted"])} images of the release are in no txt file')


if __name__ == '__main__':
    main()
