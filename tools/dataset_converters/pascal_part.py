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

from partmm.datasets.converters import cli
from partmm.datasets.converters.pascal_part import convert_pascal_part


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert PASCAL-Part (JPEGImages/<id>.jpg + Annotations_Part/<id>.mat) '
        'into part maps and the paper split lists')
    parser.add_argument('root', help='folder holding JPEGImages/ and Annotations_Part/')
    cli.add_out_dir_arg(parser)
    cli.add_seed_arg(parser, 'seed of the per-class split')
    cli.add_split_ratio_args(parser, 'val fraction per class', 'test fraction per class')
    parser.add_argument('--min-area', type=float, default=0.0,
                        help='drop images whose largest object covers less than this fraction '
                        'of the image (default: %(default)s)')
    cli.add_allow_missing_arg(parser)
    cli.add_nproc_arg(parser, 'processes reading annotations and writing part maps')
    cli.add_overwrite_arg(parser, 'part maps and splits made with other settings, from another '
                          'release or by something else')
    return parser.parse_args()


def print_summary(summary: dict, seconds: float) -> None:
    """Print the images of each split and class and what was skipped."""
    for split, count in summary['splits']['paper'].items():
        print(f'paper/{split}: {count} images -> {summary["split_files"]["paper"][split]}')
    for class_name, counts in summary['classes'].items():
        print(f'{class_name}: ' + ', '.join(f'{split} {n}' for split, n in counts.items()))
    skipped = summary['skipped']
    other = skipped['other_class']
    print(f'converted {summary["num_images"]} of {summary["num_annotations"]} annotated images '
          f'into {summary["out_dir"]} in {seconds:.1f} s; skipped '
          f'{sum(other.values())} whose largest object is of another class ('
          + ', '.join(f'{c} {n}' for c, n in other.items()) + f'), '
          f'{len(skipped["too_small"])} under --min-area, {len(skipped["no_objects"])} '
          f'without objects and {len(skipped["missing_images"])} missing on disk')


def main() -> None:
    args = parse_args()
    cli.run_converter(convert_pascal_part, vars(args), log=True, report=print_summary,
                      kept='the part maps and splits of this release and these settings; kept them')


if __name__ == '__main__':
    main()
