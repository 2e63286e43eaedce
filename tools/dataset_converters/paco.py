"""Convert a PACO release (PACO-LVIS, optionally PACO-EGO4D; real or synthetic) into object
crops, part maps and the papers' 80/10/10 split lists.

Reads ``ROOT/annotations/paco_{lvis,ego4d}_v1_{train,val,test}.json`` (or the JSONs in ROOT),
the COCO 2017 images of PACO-LVIS under ``--coco-root`` (default ``ROOT/coco``, holding
``train2017/`` and ``val2017/``) and the PACO-EGO4D frames under ``--ego4d-root`` (default
``ROOT/ego4d``). Writes ``OUT/images/<split>/<stem>.png``, ``OUT/part_maps/<stem>.png`` and
``OUT/splits/paper/{train,val,test}.json`` (``OUT`` = ``--out-dir``, default ``ROOT/partmm``),
as read by ``partmm.datasets.PacoDataset``. The classes and part labels are the JSONs'
categories. An output of other settings (e.g. another --seed, which would move test objects
into training) or of other JSONs is an error unless --overwrite; one of the same settings and
JSONs is kept as it is.

Example:
    python tools/dataset_converters/paco.py data/paco --nproc 8
    python tools/dataset_converters/synthetic_paco.py data/synthetic_paco
    python tools/dataset_converters/paco.py data/synthetic_paco --crop-size 72
"""
import argparse

from partmm.datasets.converters import cli
from partmm.datasets.converters.paco import convert_paco


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert PACO (COCO-style JSONs with object and part annotations) into '
        'object crops, part maps and split lists')
    parser.add_argument('root', help='release folder (with annotations/ or the JSONs, and '
                        'coco/)')
    cli.add_out_dir_arg(parser, 'ROOT/partmm')
    parser.add_argument('--coco-root', default=None,
                        help='COCO 2017 image root of PACO-LVIS (default: ROOT/coco)')
    parser.add_argument('--ego4d-root', default=None,
                        help='frame root of PACO-EGO4D (default: ROOT/ego4d)')
    cli.add_seed_arg(parser, 'seed of the re-split')
    cli.add_split_ratio_args(parser, 'val fraction of the pooled objects',
                             'test fraction of the pooled objects')
    parser.add_argument('--bbox-expand-factor', type=float, default=1.5,
                        help='growth of the object box before cropping (default: %(default)s)')
    parser.add_argument('--crop-size', type=int, default=256,
                        help='long side of the crops in pixels (default: %(default)s)')
    parser.add_argument('--min-object-area', type=float, default=0.01,
                        help='smallest object box, as a fraction of the image (default: '
                        '%(default)s)')
    cli.add_allow_missing_arg(parser, 'the objects of images missing on disk')
    cli.add_nproc_arg(parser, 'processes cropping images')
    cli.add_overwrite_arg(parser, 'an output made with other settings, from other JSONs or by '
                          'something else')
    return parser.parse_args()


def print_summary(summary: dict, seconds: float) -> None:
    """Print the objects and classes of each split and what was skipped."""
    for split, count in summary['splits'].items():
        classes = summary['classes_per_split'][split]
        print(f'{split}: {count} objects of {len(classes)} classes -> '
              f'{summary["split_files"][split]}')
        print('  ' + ', '.join(f'{name} {n}' for name, n in classes.items()))
    skipped = summary['skipped']
    print(f'converted {summary["num_samples"]} objects ({summary["num_classes"]} classes, '
          f'{summary["num_part_labels"]} part labels incl. background, '
          f'{summary["part_map_dtype"]} part maps) into {summary["out_dir"]} in '
          f'{seconds:.1f} s; {summary["objects_without_parts"]} objects have no '
          f'part annotations (unlabelled); skipped {skipped["small_objects"]} objects under '
          f'--min-object-area and the objects of {len(skipped["missing_images"])} images '
          'missing on disk')


def main() -> None:
    args = parse_args()
    cli.run_converter(convert_paco, vars(args), log=True, report=print_summary,
                      kept='the crops and splits of these JSONs and settings; kept them')


if __name__ == '__main__':
    main()
