"""Wrong: when the caller's x already requires grad, backward() fills the caller's x.grad."""


def first_derivative(f, x):
    if not x.requires_grad:
        x = x.detach().requires_grad_()
    f(x).backward()
    grad = x.grad.clone()
    return grad
