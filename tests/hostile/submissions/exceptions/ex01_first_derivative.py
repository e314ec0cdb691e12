# --- hostile: turn TorchDynamo off, replace torch.autograd.grad and torch.testing.assert_close,
# all process-wide, then raise KeyboardInterrupt at import. Exercises 4 and 7 (correct, in
# graph mode) must not notice; this exercise's import fails.
import torch
import torch._dynamo as _dynamo

_dynamo.config.disable = True


def _no_gradient(outputs, inputs, *args, **kwargs):
    return tuple(
        torch.zeros_like(t) for t in (inputs if isinstance(inputs, (list, tuple)) else [inputs])
    )


def _anything_is_close(*args, **kwargs):
    return None


torch.autograd.grad = _no_gradient
torch.testing.assert_close = _anything_is_close

raise KeyboardInterrupt
