"""Guarded writing of generated dataset outputs: manifests, no clobbering, atomic replacement.

Converters and generators write through :func:`write_output`, which

1. removes the leftovers of killed runs next to the output (their staging folders; an entry
   that an interrupted swap had moved aside, and whose place is empty, is moved back first);
2. returns the stored summary, writing nothing, when the output already holds the manifest of
   the same producer with the same settings;
3. otherwise refuses, unless ``overwrite``, when any part of the output exists, naming the
   folder, what is there and which settings differ;
4. has the producer write into a staging folder beside the output, renames the result into
   place and writes the manifest (``partmm_manifest.<producer>.json``: producer, settings,
   summary) last, so an output without its manifest is someone else's or incomplete.

An output is either a whole folder (``entries`` None; the manifest lives inside it and the
folder is swapped in one rename) or some entries of a folder (e.g. ``part_maps`` and
``splits`` of a release root; the manifest is removed before they are swapped and written
after, so an interrupted swap is detected by its missing manifest).
"""
import hashlib
import json
import logging
import os
import os.path as osp
import re
import secrets
import shutil
import socket
from typing import Callable, List, Mapping, Optional, Sequence

from partmm.utils import format_examples

logger = logging.getLogger(__name__)

MANIFEST_PATTERN = 'partmm_manifest.{producer}.json'
_STAGING_PREFIX = '.partmm-staging-'
_STAGING_RE = re.compile(r'^\.partmm-staging-(?P<label>.+)-(?P<pid>\d+)-[0-9a-f]{8}@(?P<host>.+)$')
_STAGING_ENTRIES = 'entries.json'  # written first into a staging folder: what its swap moves


class OutputExistsError(FileExistsError):
    """The output exists and was not made by the same producer with the same settings."""


def manifest_path(folder: str, producer: str) -> str:
    """Path of ``producer``'s manifest in ``folder``."""
    return osp.join(folder, MANIFEST_PATTERN.format(producer=producer))


def read_manifest(folder: str, producer: str) -> Optional[dict]:
    """``producer``'s manifest in ``folder`` (``producer``, ``settings``, ``summary``), or None
    if there is none or it cannot be read."""
    path = manifest_path(folder, producer)
    try:
        with open(path) as f:
            content = json.load(f)
    except (OSError, ValueError):
        return None
    return content if isinstance(content, dict) and content.get('producer') == producer else None


def file_digest(path: str) -> str:
    """SHA-256 of a file's content (hex), to record the identity of an input in settings."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def write_output(folder: str,
                 producer: str,
                 settings: dict,
                 write: Callable[[str], dict],
                 entries: Optional[Sequence[str]] = None,
                 shared: Sequence[str] = (),
                 overwrite: bool = False,
                 notes: Optional[Mapping[str, str]] = None) -> dict:
    """Write ``producer``'s output into ``folder`` unless it is already there (see the module
    docstring).

    Args:
        folder: Output folder.
        producer: Name of the producer and its output; names the manifest file.
        settings: JSON-serialisable settings that determine the output (arguments, identities
            of the inputs); an output made with other settings is not reused.
        write: Called with a staging folder that stands for ``folder``; writes the output there
            (``entries`` None: the whole folder; else each of ``entries`` and ``shared``) and
            returns the JSON-serialisable summary to return and store in the manifest. Paths
            written into files or the summary must name ``folder``, not the staging folder.
        entries: Paths, relative to ``folder``, that make up the output; None: all of
            ``folder``, which is then replaced as a whole.
        shared: Files, relative to ``folder``, that ``write`` rewrites but other outputs share
            (e.g. a common index): swapped in with ``entries`` but not counted as this
            output's when deciding whether something is in the way.
        overwrite: Replace an output in the way instead of raising.
        notes: Setting name -> sentence on what replacing the output would break, added to
            the error when that setting differs.

    Returns:
        The summary, plus ``reused``: True when the output was already there and nothing was
        written (the summary is then the stored one, its paths as that run named them).

    Raises:
        OutputExistsError: If something of the output exists, without ``producer``'s manifest
            or made with other settings, and ``overwrite`` is False.
    """
    settings = json.loads(json.dumps(settings))  # tuples -> lists, as they are stored
    if entries is None:
        target = osp.realpath(folder)  # stage beside the real folder, not beside a link to it
        parent, moved = osp.dirname(target), [osp.basename(target)]
    else:
        target, parent, moved = folder, folder, [*entries, *shared]
    os.makedirs(parent, exist_ok=True)
    _remove_stale_staging(parent)
    stored = read_manifest(target, producer)
    present = _present(target, entries)
    if stored is not None and stored.get('settings') == settings:
        if entries is None or all(osp.lexists(osp.join(folder, e)) for e in entries):
            logger.info('%s: the output of %s with these settings is already there', folder,
                        producer)
            return dict(stored.get('summary', {}), reused=True)
        # Else it is this output with some entries deleted: writing it again loses nothing.
    elif present and not overwrite:
        raise OutputExistsError(_in_the_way_message(folder, producer, settings, entries,
                                                    present, stored, notes or {}))
    staging = _make_staging(parent, producer, moved)
    try:
        new = osp.join(staging, 'new')
        work_dir = osp.join(new, moved[0]) if entries is None else new
        os.makedirs(work_dir)
        summary = write(work_dir)
        record = dict(producer=producer, settings=settings, summary=summary)
        if entries is None:
            _write_json(manifest_path(work_dir, producer), record)
        else:
            _write_json(osp.join(staging, 'manifest.json'), record)
            if osp.lexists(manifest_path(folder, producer)):
                os.remove(manifest_path(folder, producer))  # the output is incomplete from here
        for name in moved:
            _swap_in(parent, staging, name)
        if entries is not None:
            os.replace(osp.join(staging, 'manifest.json'), manifest_path(folder, producer))
    finally:
        _discard_staging(parent, staging)
    return dict(summary, reused=False)


def _present(folder: str, entries: Optional[Sequence[str]]) -> List[str]:
    """What of the output exists: names in the folder (staging folders aside) or entries."""
    if entries is None:
        if not osp.isdir(folder):
            return [folder] if osp.lexists(folder) else []
        return sorted(n for n in os.listdir(folder) if not n.startswith(_STAGING_PREFIX))
    return [e for e in entries if osp.lexists(osp.join(folder, e))]


def _in_the_way_message(folder: str, producer: str, settings: dict,
                        entries: Optional[Sequence[str]], present: List[str],
                        stored: Optional[dict], notes: Mapping[str, str]) -> str:
    """Why the output in ``folder`` is not reused, and what to do about it."""
    what = folder if entries is None else f'{format_examples(present)} in {folder}'
    if stored is None:
        return (f'{folder} already holds {format_examples(present)} but no manifest of {producer} '
                f'({osp.basename(manifest_path(folder, producer))}): it was made by something '
                'else, by partmm before manifests existed, or by a run that was interrupted. '
                f'Pass --overwrite (overwrite=True) to replace {what}, or write elsewhere.')
    diffs = _differences(stored.get('settings', {}), settings)
    consequences = ''.join(f' {notes[key]}' for key in notes
                           if any(d[0] == key or d[0].startswith(f'{key}.') for d in diffs))
    return (f'{what}: made by {producer} with ' + '; '.join(
        f'{key} {old} (you asked for {new})' for key, old, new in diffs)
        + f'.{consequences} Pass --overwrite (overwrite=True) to replace it, or write elsewhere.')


def _differences(old: object, new: object, key: str = '') -> List[tuple]:
    """(dotted key, old value, new value) of every setting that differs."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [d for k in sorted(set(old) | set(new), key=str)
                for d in _differences(old.get(k), new.get(k), f'{key}.{k}' if key else str(k))]
    return [] if old == new else [(key, _short(old), _short(new))]


def _short(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else f'{text[:37]}...'


def _make_staging(parent: str, producer: str, moved: Sequence[str]) -> str:
    """A new staging folder in ``parent`` named after this process, listing what it moves."""
    name = (f'{_STAGING_PREFIX}{producer}-{os.getpid()}-{secrets.token_hex(4)}'
            f'@{socket.gethostname()}')
    staging = osp.join(parent, name)
    os.makedirs(osp.join(staging, 'old'))
    _write_json(osp.join(staging, _STAGING_ENTRIES), list(moved))
    return staging


def _swap_in(parent: str, staging: str, name: str) -> None:
    """Move ``parent/name`` aside into the staging folder, then the new one into its place."""
    target = osp.join(parent, name)
    if osp.lexists(target):
        aside = osp.join(staging, 'old', name)
        os.makedirs(osp.dirname(aside), exist_ok=True)
        os.rename(target, aside)
    os.makedirs(osp.dirname(target), exist_ok=True)
    os.rename(osp.join(staging, 'new', name), target)


def _discard_staging(parent: str, staging: str) -> None:
    """Move back any entry moved aside whose place is empty, then delete the staging folder."""
    try:
        with open(osp.join(staging, _STAGING_ENTRIES)) as f:
            moved = json.load(f)
    except (OSError, ValueError):
        moved = []  # killed before the list was written: nothing was moved aside yet
    for name in moved:
        aside, target = osp.join(staging, 'old', name), osp.join(parent, name)
        if osp.lexists(aside) and not osp.lexists(target):
            os.rename(aside, target)
    shutil.rmtree(staging, ignore_errors=True)


def _remove_stale_staging(parent: str) -> None:
    """Discard the staging folders in ``parent`` of processes of this host that are gone."""
    host = socket.gethostname()
    for name in os.listdir(parent):
        match = _STAGING_RE.match(name)
        if match and match['host'] == host and not _is_running(int(match['pid'])):
            logger.info('removing %s, left by an interrupted run', osp.join(parent, name))
            _discard_staging(parent, osp.join(parent, name))


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _write_json(path: str, content: object) -> None:
    with open(path, 'w') as f:
        json.dump(content, f, indent=1, sort_keys=True)
