"""Wrong: the first sample's gradient, repeated for every sample."""

import torch


def per_sample_gradients(loss, w, xs):
    g = torch.func.grad(loss)(w, xs[0])
    return g.expand(len(xs), *g.shape).clone()
