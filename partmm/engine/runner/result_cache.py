"""Finished results on disk, each under the key of everything that produced it."""
import io
import json
import os.path as osp
import shutil
import zlib
from typing import Any, Optional

import torch
from mmengine.logging import MMLogger

from partmm.utils.compat import write_atomically


class ResultCache:
    """Results of a long evaluation kept on disk, so that a re-run reuses them.

    An entry is the file ``<root>/<folder>/<key>.pt``: zlib-compressed ``torch.save`` bytes of
    ``dict(key=key, settings=settings, data=data)``, where ``key`` is a digest of everything
    the result depends on (:func:`partmm.engine.runner.digests.digest`), ``settings`` a JSON
    record of them for whoever reads the cache, and ``data`` the result: tensors, numbers,
    strings, None, and lists and dicts of them (it loads with ``weights_only=True``).
    Entries are written atomically (a temporary file renamed over the entry), so a kill leaves
    no partial entry; an entry that does not load, or holds another key, is reported with a
    warning and treated as missing, i.e. computed again and rewritten.

    Args:
        root (str): Folder of the cache.
        resume (bool): Read entries. When False every entry counts as missing (and is
            rewritten when computed). Defaults to True.
    """

    def __init__(self, root: str, resume: bool = True) -> None:
        self.root = root
        self.resume = resume

    def path(self, folder: str, key: str) -> str:
        """The file of the entry ``key`` in ``folder`` (a relative path, e.g. ``'test/clean'``)."""
        return osp.join(self.root, folder, f'{key}.pt')

    def load(self, folder: str, key: str) -> Optional[Any]:
        """The data of the entry, or None if it is missing or unusable (or resume is off)."""
        path = self.path(folder, key)
        if not self.resume or not osp.isfile(path):
            return None
        try:
            with open(path, 'rb') as f:
                entry = torch.load(io.BytesIO(zlib.decompress(f.read())), weights_only=True)
            if entry['key'] != key:
                raise ValueError(f'it holds the entry {entry["key"]}')
            return entry['data']
        except Exception as error:  # a damaged file fails in many ways: zlib, zip, pickle
            MMLogger.get_current_instance().warning(
                f'[robust] cache entry {path} is unusable ({type(error).__name__}: {error}); '
                'computing it again')
            return None

    def save(self, folder: str, key: str, data: Any, settings: dict) -> None:
        """Write the entry ``key`` of ``folder`` (replacing any older one, atomically)."""
        buffer = io.BytesIO()
        torch.save(dict(key=key, settings=json.dumps(settings, default=str), data=data), buffer)
        write_atomically(zlib.compress(buffer.getvalue()), self.path(folder, key))

    def clear(self) -> None:
        """Delete every entry (the whole folder)."""
        shutil.rmtree(self.root, ignore_errors=True)
