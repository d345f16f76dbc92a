import torch
from pricecast.model import VolFormer


def test_shape():
    assert VolFormer()(torch.zeros(2, 8, 5)).shape == (2, 1)
