"""The wire carries what a worker's `encode` makes; it refuses what a tampered worker sends."""

import pytest
import torch

from autodiff_kata.engine import wire


def round_trip(reply: dict) -> dict:
    return wire.loads(wire.dumps(reply))


@pytest.mark.parametrize(
    "value",
    [
        torch.arange(6.0).reshape(2, 3).t(),  # not contiguous: encode copies it
        torch.zeros(()).expand(3, 4),  # stride 0: encode makes it dense
        torch.arange(10.0)[3:7],  # an offset into a larger storage
        torch.empty(0, 3),
        torch.nn.Parameter(torch.ones(2)),
    ],
)
def test_what_encode_makes_comes_back_equal(value):
    decoded = wire.decode(round_trip({"value": wire.encode(value)})["value"]).value
    torch.testing.assert_close(decoded, value.detach())
    assert decoded.untyped_storage().nbytes() == decoded.numel() * decoded.element_size()


@pytest.mark.parametrize(
    "view",
    [
        torch.zeros(1).expand(10**9),  # 4 GB once a grader computes on it
        torch.arange(10.0)[3:7],
        torch.arange(6.0).reshape(2, 3).t(),
    ],
)
def test_a_view_sent_in_place_of_a_copy_is_unreadable(view):
    forged = round_trip({"value": ("tensor", view, False, False, False)})["value"]
    with pytest.raises(wire.Unreadable, match="not a dense copy"):
        wire.decode(forged)
