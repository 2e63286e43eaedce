"""Writing a converter's split list: the annotation file MMEngine's ``BaseDataset`` reads."""
import json
import os
import os.path as osp
from typing import List


def write_split_list(work_dir: str, out_dir: str, relative_path: str, metainfo: dict,
                     data_list: List[dict]) -> str:
    """Write ``{'metainfo': metainfo, 'data_list': data_list}`` as JSON at ``relative_path``
    under ``work_dir`` (the converter's staging folder, folders created as needed).

    Returns:
        Its path under ``out_dir``, where the staging folder is moved when the conversion
        completes.
    """
    os.makedirs(osp.dirname(osp.join(work_dir, relative_path)), exist_ok=True)
    with open(osp.join(work_dir, relative_path), 'w') as f:
        json.dump(dict(metainfo=metainfo, data_list=data_list), f)
    return osp.join(out_dir, relative_path)
