"""What crosses from a worker to the trusted side: plain data and tensors, nothing else.

The worker encodes every answer as tagged tuples of numbers, strings and dense tensors and
writes it with `torch.save`; the trusted side reads it with `torch.load(weights_only=True)`,
which refuses anything that could run code, then checks every tag and that every tensor
holds just its own bytes. A worker that sends anything else sends an unreadable answer, never
code to run, nor a view that claims more memory than the reply carried.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import torch

MAX_DEPTH = 8
MAX_ITEMS = 64
MAX_TEXT = 2000
MAX_NAME = 100  # a foreign value's type name
MAX_REPR = 200  # a foreign value's repr


class Unreadable(ValueError):
    """The worker's answer is not the data this module writes."""


@dataclass(frozen=True)
class Foreign:
    """A value of a type the wire does not carry; shown by its type and repr."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return self.text


def _plain(value: Any) -> bool:
    return type(value) in (torch.Tensor, torch.nn.Parameter) and value.layout == torch.strided


def _dense(tensor: torch.Tensor) -> bool:
    """What `encode` sends: a contiguous tensor that owns exactly its elements' bytes. A view
    (an expanded tensor, stride 0, say) could claim terabytes over a few bytes of storage, and
    the first grader to compute on it would make them."""
    return (
        _plain(tensor)
        and not tensor.is_meta
        and tensor.is_contiguous()
        and tensor.storage_offset() == 0
        and tensor.untyped_storage().nbytes() == tensor.numel() * tensor.element_size()
    )


# the worker's side --------------------------------------------------------------------------


def encode(value: Any, produced: Any = None, depth: int = 0) -> tuple:
    """`value` as tagged tuples; `produced(tensor)` says whether a compiled graph made it."""
    if value is None:
        return ("none",)
    if type(value) in (bool, int, float, str):
        return (type(value).__name__, value if type(value) is not str else value[:MAX_TEXT])
    if type(value) in (tuple, list) and depth < MAX_DEPTH and len(value) <= MAX_ITEMS:
        items = [encode(item, produced, depth + 1) for item in value]
        return (type(value).__name__, items)
    if isinstance(value, torch.Tensor) and _plain(value) and not value.is_meta:
        made = bool(produced(value)) if produced else False
        data = value.detach().clone().contiguous()
        return ("tensor", data, value.requires_grad, type(value) is torch.nn.Parameter, made)
    try:
        text = repr(value)[:MAX_REPR]
    except BaseException:
        text = f"<{type(value).__name__}>"
    return ("foreign", type(value).__name__[:MAX_NAME], text)


def dumps(reply: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    torch.save(reply, buffer)
    return buffer.getvalue()


# the trusted side ---------------------------------------------------------------------------


def loads(data: bytes) -> dict[str, Any]:
    try:
        reply = torch.load(io.BytesIO(data), weights_only=True, map_location=None)
    except Exception as error:
        raise Unreadable(f"not plain data ({type(error).__name__})") from None
    if not isinstance(reply, dict):
        raise Unreadable("not a reply")
    return reply


@dataclass
class Decoded:
    value: Any
    produced: list[torch.Tensor]  # the tensors that came out of a compiled graph


def decode(node: Any) -> Decoded:
    produced: list[torch.Tensor] = []
    return Decoded(_decode(node, produced, 0), produced)


def _decode(node: Any, produced: list[torch.Tensor], depth: int) -> Any:
    if not isinstance(node, tuple) or not node or depth > MAX_DEPTH:
        raise Unreadable("malformed value")
    tag, *fields = node
    if tag == "none" and not fields:
        return None
    if tag in ("bool", "int", "float", "str") and len(fields) == 1:
        (value,) = fields
        if type(value).__name__ != tag:
            raise Unreadable(f"a {tag} that is not one")
        if tag == "str" and len(value) > MAX_TEXT:  # the worker cuts them: it was tampered with
            raise Unreadable("a longer string than a worker sends")
        return value
    if tag in ("tuple", "list") and len(fields) == 1 and isinstance(fields[0], list):
        if len(fields[0]) > MAX_ITEMS:
            raise Unreadable("more items than a worker sends")
        items = [_decode(item, produced, depth + 1) for item in fields[0]]
        return tuple(items) if tag == "tuple" else items
    if tag == "tensor" and len(fields) == 4:
        data, requires_grad, parameter, made = fields
        if type(data) is not torch.Tensor or not all(
            type(flag) is bool for flag in (requires_grad, parameter, made)
        ):
            raise Unreadable("malformed tensor")
        if not _dense(data):
            raise Unreadable("a tensor that is not a dense copy")
        tensor = torch.nn.Parameter(data, requires_grad) if parameter else data
        if requires_grad and not parameter:
            tensor.requires_grad_()
        if made:
            produced.append(tensor)
        return tensor
    if tag == "foreign" and len(fields) == 2 and all(type(f) is str for f in fields):
        type_name, text = fields
        if len(type_name) > MAX_NAME or len(text) > MAX_REPR:
            raise Unreadable("a longer description than a worker sends")
        kind = type(type_name if type_name.isidentifier() else "object", (Foreign,), {})
        return kind(type_name, text)
    raise Unreadable(f"unknown tag {tag!r}")
