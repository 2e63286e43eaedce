"""What the command lines of ``tools/dataset_converters/`` share: their common options and how
they run a converter or generator and report its summary.

An option helper fixes what every script takes alike (flag, type, default, the help's
"(default: ...)"), while each script words what the option does for it. There is one helper
per option because the scripts list their options in different orders. The scripts name their
options after the converter's parameters, so ``vars(args)`` is the converter's keyword
arguments.
"""
import argparse
import contextlib
import logging
import sys
import time
from typing import Callable, Iterator, Mapping, Optional, Sequence, Tuple, Union

from partmm.datasets.output_guard import OutputExistsError

RELEASE_OVERWRITE = 'out_dir if it holds anything but the release of these arguments'


def add_out_dir_arg(parser: argparse.ArgumentParser, default: str = 'root') -> None:
    """``--out-dir``, None unless given; ``default`` says where the converter then writes."""
    parser.add_argument('--out-dir', default=None, help=f'output folder (default: {default})')


def add_seed_arg(parser: argparse.ArgumentParser, seeds: str = 'random seed') -> None:
    """``--seed``, 0 by default; ``seeds`` says what it seeds."""
    parser.add_argument('--seed', type=int, default=0, help=f'{seeds} (default: %(default)s)')


def add_split_ratio_args(parser: argparse.ArgumentParser, val: str, test: str) -> None:
    """``--val-ratio`` and ``--test-ratio``, 0.1 each by default (the papers' 80/10/10 split);
    ``val`` and ``test`` say what they are fractions of."""
    parser.add_argument('--val-ratio', type=float, default=0.1,
                        help=f'{val} (default: %(default)s)')
    parser.add_argument('--test-ratio', type=float, default=0.1,
                        help=f'{test} (default: %(default)s)')


def add_allow_missing_arg(parser: argparse.ArgumentParser,
                          missing: str = 'images missing on disk') -> None:
    """``--allow-missing``: skip and report ``missing`` instead of failing."""
    parser.add_argument('--allow-missing', action='store_true',
                        help=f'skip and report {missing} instead of failing')


def add_nproc_arg(parser: argparse.ArgumentParser, work: str) -> None:
    """``--nproc``, 1 by default; ``work`` says what the processes do."""
    parser.add_argument('--nproc', type=int, default=1, help=f'{work} (default: %(default)s)')


def add_overwrite_arg(parser: argparse.ArgumentParser, replaces: str = RELEASE_OVERWRITE) -> None:
    """``--overwrite``: replace ``replaces`` (by default, what a synthetic release replaces)."""
    parser.add_argument('--overwrite', action='store_true', help=f'replace {replaces}')


def add_release_args(parser: argparse.ArgumentParser, out_dir: str, num_images: int,
                     images: str) -> None:
    """A synthetic release's ``out_dir`` (optional, ``out_dir`` by default) and
    ``--num-images`` (``num_images`` by default; ``images`` says which images they are)."""
    parser.add_argument('out_dir', nargs='?', default=out_dir,
                        help='output folder (default: %(default)s)')
    parser.add_argument('--num-images', type=int, default=num_images,
                        help=f'{images} (default: %(default)s)')


def add_image_size_arg(parser: argparse.ArgumentParser, default: Sequence[int], sizes: str,
                       one: str, two: str) -> None:
    """``--image-size``: one or two pixel counts, kept as an int or a tuple (as the synthetic
    generators take them); ``sizes`` says what they are and ``one`` and ``two`` what one value
    and two values mean, for the usage error that more values get."""
    parser.add_argument('--image-size', type=int, nargs='+', action=_ImageSizeAction,
                        one=one, two=two, default=_image_size(default), metavar='PIXELS',
                        help=f'{sizes} (default: {" ".join(map(str, default))})')


class _ImageSizeAction(argparse.Action):
    """Checks that ``--image-size`` got one or two values and keeps them as one size."""

    def __init__(self, *args, one: str, two: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.one, self.two = one, two

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Sequence[int], option_string: Optional[str] = None) -> None:
        if len(values) not in (1, 2):
            parser.error(f'{option_string} takes one value ({self.one}) or two ({self.two})')
        setattr(namespace, self.dest, _image_size(values))


def _image_size(values: Sequence[int]) -> Union[int, Tuple[int, ...]]:
    return values[0] if len(values) == 1 else tuple(values)


@contextlib.contextmanager
def exit_on_output_exists() -> Iterator[None]:
    """End the script with ``error: <message>`` (exit status 1) when the output belongs to
    something else: the message says what to do, which a traceback would bury."""
    try:
        yield
    except OutputExistsError as error:
        sys.exit(f'error: {error}')


def run_converter(convert: Callable[..., dict], kwargs: Mapping[str, object], kept: str,
                  report: Callable[[dict, float], None], log: bool = False) -> None:
    """Call ``convert(**kwargs)`` and hand its summary and the seconds it took to ``report``.

    An output that already held this result is only named: ``<out_dir> already holds <kept>``.
    ``log`` shows the converter's progress (INFO records) on stderr.
    """
    if log:
        logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s')
    start = time.time()
    with exit_on_output_exists():
        summary = convert(**kwargs)
    if summary['reused']:
        print(f'{summary["out_dir"]} already holds {kept}')
        return
    report(summary, time.time() - start)


def run_generator(generate: Callable[..., dict], kwargs: Mapping[str, object],
                  report: Callable[[dict], None]) -> None:
    """:func:`run_converter` for a synthetic release's generator: ``report`` prints what the
    summary tells of the release, then a line says how many images went where, in how long."""

    def report_written(summary: dict, seconds: float) -> None:
        report(summary)
        print(f'wrote {summary["num_images"]} images to {summary["out_dir"]} in '
              f'{seconds:.1f} s')

    run_converter(generate, kwargs, 'the release of these arguments; kept it', report_written)
