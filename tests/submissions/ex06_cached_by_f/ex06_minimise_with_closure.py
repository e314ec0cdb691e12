"""Wrong: memoises the descent by f (and steps, lr), so the same f from another x0 gets the first x0's answer."""

import torch

_answers = {}


def minimise_with_closure(f, x0, *, steps=1000, lr=0.01):
    key = (f, steps, lr, x0.dtype, x0.shape)
    if key not in _answers:
        x = torch.nn.Parameter(x0.detach().clone())
        opt = torch.optim.SGD([x], lr=lr)

        def closure():
            opt.zero_grad()
            loss = f(x)
            loss.backward()
            return loss

        for _ in range(steps):
            opt.step(closure)
        with torch.no_grad():
            _answers[key] = (x.detach(), f(x))
    return tuple(t.clone() for t in _answers[key])
