import torch
from torch import nn


class VolFormer(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.inp = nn.Linear(5, d)
        self.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(d, heads, batch_first=True), layers)
        self.out = nn.Linear(d, 1)

    def forward(self, x):
        return self.out(self.enc(self.inp(x))[:, -1])
