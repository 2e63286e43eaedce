from .pixel_data_preprocessor import PixelDataPreProcessor

__all__ = ['PixelDataPreProcessor']
