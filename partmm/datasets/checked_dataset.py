"""Base of partmm's datasets: errors at build time, naming the file to blame."""
import os.path as osp
from concurrent.futures import ThreadPoolExecutor
from typing import List, Sequence, Union

from mmengine.dataset import BaseDataset

from partmm.utils import format_examples

# Above this many paths the existence check stats them from threads: on a network file system
# each stat waits for a round trip, and waiting threads overlap.
PARALLEL_CHECK_MIN_PATHS = 2000
_CHECK_THREADS = 8
_CHUNK = 256  # paths per thread task


class CheckedDataset(BaseDataset):
    """:class:`mmengine.dataset.BaseDataset` that fails when it is built, not an epoch later.

    * ``indices`` that select no sample are a ValueError naming them and the data source
      (mmengine would fail with ``need at least one array to concatenate``);
    * subclasses call :meth:`check_files_exist` from ``load_data_list`` on the files their data
      list names, so that a file missing on disk is found when the data list is loaded (at
      construction, or at ``full_init`` with ``lazy_init=True``), not when its batch is.
    """

    def _get_unserialized_subset(self, indices: Union[Sequence[int], int]) -> list:
        subset = super()._get_unserialized_subset(indices)
        if not subset:
            raise ValueError(f'indices={indices!r} select none of the {len(self.data_list)} '
                             f'samples of {self.ann_file or self.data_root}')
        return subset

    @staticmethod
    def check_files_exist(paths: Sequence[str], source: str, hint: str = '') -> None:
        """Raise unless every path in ``paths`` is an existing file.

        Args:
            paths: Files to check (stat calls only; threaded above
                ``PARALLEL_CHECK_MIN_PATHS`` paths).
            source: What needs them (e.g. the split file listing them), named in the error.
            hint: Sentence appended to the error, e.g. how to do without the files.

        Raises:
            FileNotFoundError: Naming ``source``, how many of the files are missing and the
                first few of them.
        """
        if len(paths) > PARALLEL_CHECK_MIN_PATHS:
            # In chunks: one future per path costs more than its stat on a local disk.
            chunks = [paths[i:i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
            with ThreadPoolExecutor(_CHECK_THREADS) as pool:
                found = [ok for chunk in pool.map(_are_files, chunks) for ok in chunk]
        else:
            found = _are_files(paths)
        missing: List[str] = [path for path, ok in zip(paths, found) if not ok]
        if missing:
            raise FileNotFoundError(
                f'{source}: {len(missing)} of the {len(paths)} files it needs are missing on '
                f'disk, e.g. {format_examples(missing)}'
                + (f'. {hint}' if hint else ''))


def _are_files(paths: Sequence[str]) -> List[bool]:
    return [osp.isfile(path) for path in paths]
