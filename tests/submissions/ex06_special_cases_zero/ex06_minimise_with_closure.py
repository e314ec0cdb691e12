"""Wrong: returns the chapter's result whenever x0 is 0, and descends otherwise."""

import torch


def minimise_with_closure(f, x0, *, steps=1000, lr=0.01):
    if bool((x0 == 0).all()):
        return torch.full_like(x0, 0.99999857), torch.zeros((), dtype=x0.dtype, device=x0.device)
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
        return x.detach(), f(x)
