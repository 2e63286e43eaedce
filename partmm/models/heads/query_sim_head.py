"""The query ``sim`` head of paper (b): class scores from a query segmenter's part queries."""
from typing import Optional, Sequence, Tuple

import torch.nn as nn
from torch import Tensor

from partmm.registry import MODELS

from .base_part_head import BasePartHead
from .pixel_count_part_head import part_to_class_matrix

AGGREGATIONS = ('max', 'topk')


@MODELS.register_module()
class QuerySimHead(BasePartHead):
    """Class logits [B, C] from the per-query part scores of a Mask2Former-style segmenter.

    Paper (b)'s ``sim`` model (``max`` / ``topK`` query aggregation, ``learn_mask``), on the
    queries of :class:`QueryPartClassifier`'s ``Mask2FormerHead``. Per query q of the last
    decoder layer:

    - ``p_q = softmax(z_q)[:P]``: part probabilities [P] from the query's class logits
      ``z_q`` [P + 1] (the last entry, no-object, takes its share of the softmax and is then
      dropped);
    - ``s_q = p_q A`` [C], A [P, C] the part-to-class matrix: ``A[p, c] = 1`` where
      ``part_to_class[p] == c`` (:func:`part_to_class_matrix`; background rows, -1, are zero:
      as in the original ``sim``, background is evidence of no class, so the head always
      drops it and ``drop_background=False`` is refused);
    - with ``mask_weighted``, ``s_q`` times the query's mask mass ``mean(sigmoid(m_q))`` over
      its mask pixels (queries that cover nothing count little).

    The class evidence ``e_c`` is ``max_q s_qc`` (``'max'``) or the mean of the ``topk``
    largest ``s_qc`` over queries (``'topk'``). Class logits are ``log(max(e_c, eps))`` with
    ``log_scores`` (softmax of them is then the normalised evidence; the floor also keeps
    the log defined where a learnt A has made evidence negative), else ``e_c`` itself (in
    [0, 1] for the fixed A).

    With ``learnable`` A (``matrix``) is a parameter initialised as above (``learn_mask``),
    else a buffer.

    It reads the query outputs (``inputs``: ``query_class_logits`` [B, Q, P + 1] and
    ``query_mask_logits`` [B, Q, h, w], the last decoder layer's), which only
    :class:`QueryPartClassifier` provides.

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, segmentation labels including background.
        part_to_class (Sequence[int]): Class index of each of the P part labels, -1 for
            background (the dataset metainfo's ``part_to_class``).
        aggregation (str): ``'max'`` or ``'topk'``. Defaults to ``'max'``.
        topk (int): k of ``'topk'``, at most the number of queries. Defaults to 3.
        learnable (bool): Train A. Defaults to False.
        mask_weighted (bool): Weight each query by its mask mass. Defaults to False.
        log_scores (bool): Return ``log(max(evidence, eps))``. Defaults to True.
        eps (float): Floor of the evidence under the log. Defaults to 1e-6.
        drop_background (bool): Must be True (background parts give no class evidence).
        init_cfg (dict, optional): mmengine initialisation config.
    """

    inputs: Tuple[str, ...] = ('query_class_logits', 'query_mask_logits')

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 part_to_class: Sequence[int],
                 aggregation: str = 'max',
                 topk: int = 3,
                 learnable: bool = False,
                 mask_weighted: bool = False,
                 log_scores: bool = True,
                 eps: float = 1e-6,
                 drop_background: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(num_classes, num_part_labels, drop_background=drop_background,
                         init_cfg=init_cfg)
        if aggregation not in AGGREGATIONS:
            raise ValueError(f'aggregation must be one of {AGGREGATIONS}, got "{aggregation}"')
        if not drop_background:
            raise ValueError('QuerySimHead has no background class to keep: background parts '
                             'give no class evidence; leave drop_background=True')
        if len(part_to_class) != num_part_labels:
            raise ValueError(f'part_to_class has {len(part_to_class)} entries; '
                             f'num_part_labels is {num_part_labels}')
        if topk < 1:
            raise ValueError(f'topk must be >= 1, got {topk}')
        self.aggregation = aggregation
        self.topk = topk
        self.mask_weighted = mask_weighted
        self.log_scores = log_scores
        self.eps = eps
        # The list, as the pixel-count head keeps it, for DatasetMetaCheckHook.
        self.part_to_class = list(part_to_class)
        matrix = part_to_class_matrix(part_to_class, num_classes, with_background=False)
        if learnable:
            self.matrix = nn.Parameter(matrix)
        else:
            self.register_buffer('matrix', matrix)

    def query_scores(self, query_class_logits: Tensor, query_mask_logits: Tensor) -> Tensor:
        """Per-query class evidence ``s`` [B, Q, C] from class logits [B, Q, P + 1] and mask
        logits [B, Q, h, w]."""
        if query_class_logits.dim() != 3 or query_class_logits.shape[2] != \
                self.num_part_labels + 1:
            raise ValueError(f'{type(self).__name__} expects query class logits [B, Q, '
                             f'{self.num_part_labels + 1}] (P parts + no-object), got '
                             f'{tuple(query_class_logits.shape)}')
        part_probs = query_class_logits.softmax(dim=-1)[..., :-1]
        scores = part_probs @ self.matrix
        if self.mask_weighted:
            scores = scores * query_mask_logits.sigmoid().flatten(2).mean(dim=2, keepdim=True)
        return scores

    def forward(self, query_class_logits: Tensor, query_mask_logits: Tensor) -> Tensor:
        """Class logits [B, C] from the last decoder layer's query class logits [B, Q, P + 1]
        and mask logits [B, Q, h, w]."""
        scores = self.query_scores(query_class_logits, query_mask_logits)
        if self.aggregation == 'max':
            evidence = scores.max(dim=1).values
        else:
            if self.topk > scores.shape[1]:
                raise ValueError(f'topk = {self.topk} exceeds the {scores.shape[1]} queries')
            evidence = scores.topk(self.topk, dim=1).values.mean(dim=1)
        return evidence.clamp_min(self.eps).log() if self.log_scores else evidence
