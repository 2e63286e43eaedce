"""Merge several robust-evaluation reports into one report folder.

Each input is a report folder (with ``results.json``, as ``tools/robust_test.py`` writes it) or
a ``results.json`` file. Run names must be unique across the inputs. The merged folder gets
``results.json``, ``report.md``, the plots and the runs' overlay images.

Example:
    python tools/analysis_tools/merge_robust_reports.py \\
        work_dirs/robust/part_wbbox work_dirs/robust/resnet50/results.json \\
        -o work_dirs/robust/combined
"""
import argparse
import sys
from typing import List, Optional

from partmm.evaluation.report import merge_reports


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Merge robust-evaluation reports (folders or results.json files) into one')
    parser.add_argument('inputs', nargs='+', help='report folders or results.json files')
    parser.add_argument('-o', '--out-dir', required=True, help='folder of the merged report')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        written = merge_reports(args.inputs, args.out_dir)
    except (FileNotFoundError, ValueError) as error:
        print(f'merge_robust_reports: {error}', file=sys.stderr)
        return 1
    for name, path in written.items():
        print(f'{name}: {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
