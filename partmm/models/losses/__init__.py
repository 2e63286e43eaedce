from .boxinst_part_loss import BoxInstPartLoss, lab_color_similarity

__all__ = ['BoxInstPartLoss', 'lab_color_similarity']
