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

from partmm.datasets.converters import cli, convert_partimagenet


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert PartImageNet (images/<split>/*.JPEG + COCO-style JSONs) into '
        'part maps and official/paper (and original) split lists')
    parser.add_argument('root', help='release folder (with images/ and annotations/ or '
                        '<split>.json at its root)')
    cli.add_out_dir_arg(parser)
    cli.add_seed_arg(parser, 'seed of the paper split')
    cli.add_split_ratio_args(parser, 'paper val fraction per class',
                             'paper test fraction per class')
    cli.add_allow_missing_arg(parser)
    parser.add_argument('--split-from', metavar='DIR', default=None,
                        help='also write splits/original/ from the split lists of the original '
                        'preparation (prepare_part_imagenet.py): DIR is its '
                        'PartSegmentations/<name> folder (train|val|test/<Class>.txt) or a '
                        'folder holding PartSegmentations/All')
    cli.add_nproc_arg(parser, 'processes writing part maps')
    cli.add_overwrite_arg(parser, 'part maps and splits made with other settings, from another '
                          'release or by something else')
    return parser.parse_args()


def print_summary(summary: dict, seconds: float) -> None:
    """Print the images of each split list and what was skipped or ignored."""
    for kind, counts in summary['splits'].items():
        for split, count in counts.items():
            print(f'{kind}/{split}: {count} images -> {summary["split_files"][kind][split]}')
    skipped = summary['skipped']
    print(f'converted {summary["num_images"]} images into {summary["out_dir"]} in '
          f'{seconds:.1f} s; skipped {len(skipped["no_annotations"])} without '
          f'annotations and {len(skipped["missing_images"])} missing on disk; ignored '
          f'{summary["zero_area_annotations"]} zero-area annotations')
    if 'original_split' in summary:
        original = summary['original_split']
        print(f'original split from {original["dir"]}: skipped '
              f'{len(original["missing_images"])} listed images missing on disk; '
              f'{len(original["unlisted"])} images of the release are in no txt file')


def main() -> None:
    args = parse_args()
    cli.run_converter(convert_partimagenet, vars(args), log=True, report=print_summary,
                      kept='the part maps and splits of this release and these settings; kept them')


if __name__ == '__main__':
    main()
