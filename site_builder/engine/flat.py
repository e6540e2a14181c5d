"""All parameters of a network in one flat vector, and names of single weights.

The order is W1, b1, W2, b2, ... with each array in C order, so W1[i, j] of a layer with
`units_0` inputs sits at offset i * units_0 + j. A leading member axis is allowed everywhere:
theta of shape (members, P) holds one network per row.

A single parameter is named like the lessons write it: "W1[0,1]" (layer 1, receiving unit 0,
sending unit 1), "b2[0]" (layer 2, unit 0).
"""
from __future__ import annotations

import re
from math import prod

import numpy as np

from site_builder.engine.nn import NetSpec


class FlatParams:
    """Where each parameter lives in one flat vector: W1, b1, W2, b2, ... in order."""

    def __init__(self, net: NetSpec):
        self.shapes = net.param_shapes()
        self.slices, offset = {}, 0
        for name, shape in self.shapes.items():
            self.slices[name] = slice(offset, offset + prod(shape))
            offset += prod(shape)
        self.size = offset

    def pack(self, params: dict[str, np.ndarray]) -> np.ndarray:
        return np.concatenate([np.ravel(params[name]) for name in self.shapes])

    def views(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """(..., P) -> {name: (..., *shape)}, views that write through to `flat`."""
        out = {}
        for name, shape in self.shapes.items():
            v = flat[..., self.slices[name]].reshape(flat.shape[:-1] + shape)
            assert np.may_share_memory(v, flat), name  # reshape of a contiguous run is a view
            out[name] = v
        return out

    def unpack(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """(..., P) -> {name: (..., *shape)}, contiguous copies."""
        return {name: v.copy() for name, v in self.views(flat).items()}

    def free(self, frozen) -> np.ndarray:
        """(P,) bool: True where the parameter may be updated."""
        free = np.ones(self.size, dtype=bool)
        for name in frozen:
            if name in self.slices:
                free[self.slices[name]] = False
        return free

    def offset(self, ref: str) -> int:
        """Position in the flat vector of a single parameter named like "W1[0,1]"."""
        name, index = weight_index(ref, self.shapes)
        return self.slices[name].start + int(np.ravel_multi_index(index, self.shapes[name]))


WEIGHT_REF = re.compile(r"^\s*([Wb])(\d+)\s*\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]\s*$")


def weight_index(ref: str, shapes: dict | NetSpec) -> tuple[str, tuple[int, ...]]:
    """("W1", (0, 1)) for "W1[0,1]"; a ValueError an author can act on when the network has
    no such parameter."""
    if isinstance(shapes, NetSpec):
        shapes = shapes.param_shapes()
    m = WEIGHT_REF.match(str(ref))
    if not m:
        raise ValueError(f"'{ref}' is not a single weight or bias; write e.g. W1[0,1] or b2[0]")
    kind, layer, i, j = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
    name = f"{kind}{layer}"
    if name not in shapes:
        raise ValueError(f"'{ref}': this network has no {name} (it has {', '.join(shapes)})")
    shape = shapes[name]
    index = (i,) if j is None else (i, int(j))
    if len(index) != len(shape):
        example = f"{name}[0,0]" if len(shape) == 2 else f"{name}[0]"
        raise ValueError(f"'{ref}': {name} has {len(shape)} index(es), e.g. {example}")
    if any(k >= s for k, s in zip(index, shape)):
        raise ValueError(f"'{ref}' is outside {name}, whose shape is {list(shape)} (indices count from 0)")
    return name, index
