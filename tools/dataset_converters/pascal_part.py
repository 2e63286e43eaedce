"""Convert PASCAL-Part (VOC2010 images + PASCAL-Part .mat annotations) into part maps and the
papers' split lists.

Reads ``<root>/JPEGImages/<id>.jpg`` and ``<root>/Annotations_Part/<id>.mat`` (unpack
PASCAL-Part's ``trainval.tar.gz`` into ``VOCdevkit/VOC2010``); writes
``<out_dir>/part_maps/<id>.png`` and ``<out_dir>/splits/paper/{train,val,test}.json``
(MMEngine BaseDataset format), as read by ``partmm.datasets.PascalPartDataset``. Each image is
labelled with the class of its largest object; images whose largest object is not an
aeroplane, bird, car, cat or dog are dropped. Part maps and splits of other settings (e.g.
another --seed, which would move test images into training) or of another release are an
error unless --overwrite; those of the same settings and release are kept as they are.

Example:
    python tools/dataset_converters/pascal_part.py data/VOCdevkit/VOC2010 --nproc 8
"""
import argparse
import logging
import sys
import time

from partmm.datasets.converters.pascal_part import convert_pascal_part
from partmm.datasets.output_guard import OutputExistsError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert PASCAL-Part (JPEGImages/<id>.jpg + Annotations_Part/<id>.mat) '
        'into part maps and the paper split lists')
    parser.add_argument('root', help='folder holding JPEGImages/ and Annotations_Part/')
    parser.add_argument('--out-dir', default=None, help='output folder (default: root)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the per-class split (default: %(default)s)')
    parser.add_argument('--val-ratio', type=float, default=0.1,
                        help='val fraction per class (default: %(default)s)')
    parser.add_argument('--test-ratio', type=float, default=0.1,
                        help='test fraction per class (default: %(default)s)')
    parser.add_argument('--min-area', type=float, default=0.0,
                        help='drop images whose largest object covers less than this fraction '
                        'of the image (default: %(default)s)')
    parser.add_argument('--allow-missing', action='store_true',
                        help='skip and report images missing on disk instead of failing')
    parser.add_argument('--nproc', type=int, default=1,
                        help='processes reading annotations and writing part maps '
                        '(default: %(default)s)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace part maps and splits made with other settings, from '
                        'another release or by something else')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s')
    start = time.time()
    try:
        summary = convert_pascal_part(
            args.root, out_dir=args.out_dir, seed=args.seed, val_ratio=args.val_ratio,
            test_ratio=args.test_ratio, min_area=args.min_area,
            allow_missing=args.allow_missing, nproc=args.nproc, overwrite=args.overwrite)
    except OutputExistsError as error:
        sys.exit(f'error: {error}')
    if summary['reused']:
        print(f'{summary["out_dir"]} already holds the part maps and splits of this release '
              'and these settings; kept them')
        return
    for split, count in summary['splits']['paper'].items():
        print(f'paper/{split}: {count} images -> {summary["split_files"]["paper"][split]}')
    for class_name, counts in summary['classes'].items():
        print(f'{class_name}: ' + ', '.join(f'{split} {n}' for split, n in counts.items()))
    skipped = summary['skipped']
    other = skipped['other_class']
    print(f'converted {summary["num_images"]} of {summary["num_annotations"]} annotated images '
          f'into {summary["out_dir"]} in {time.time() - start:.1f} s; skipped '
          f'{sum(other.values())} whose largest object is of another class ('
          + ', '.join(f'{c} {n}' for c, n in other.items()) + f'), '
          f'{len(skipped["too_small"])} under --min-area, {len(skipped["no_objects"])} '
          f'without objects and {len(skipped["missing_images"])} missing on disk')


if __name__ == '__main__':
    main()
