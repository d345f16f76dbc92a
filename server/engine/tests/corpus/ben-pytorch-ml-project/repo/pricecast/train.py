import torch
from .model import VolFormer


def train(loader, epochs=10):
    m = VolFormer()
    opt = torch.optim.AdamW(m.parameters(), lr=3e-4)
    for _ in range(epochs):
        for x, y in loader:
            loss = torch.nn.functional.mse_loss(m(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return m
