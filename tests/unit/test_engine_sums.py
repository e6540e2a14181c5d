"""The training loop's shortcuts give numpy's own numbers, bit for bit: sum_last (a short last
axis added column by column) against x.sum(axis=-1), count_correct's matmul against the plain
comparison, and the quiet sigmoid against ACTIVATIONS["sigmoid"]."""
from __future__ import annotations

import numpy as np
import pytest

from site_builder.engine import ACTIVATIONS
from site_builder.engine.nn import SUM_ROWS, _sigmoid_quiet, sum_last
from site_builder.engine.train import count_correct

RNG = np.random.default_rng(16)


def awkward(shape) -> np.ndarray:
    """Numbers of wildly different sizes and both signs, with signed zeros, infinities and NaN."""
    x = RNG.normal(size=shape) * 10.0 ** RNG.integers(-30, 30, size=shape)
    pick = RNG.random(shape)
    x[pick < 0.05] = -0.0
    x[(pick >= 0.05) & (pick < 0.08)] = 0.0
    x[(pick >= 0.08) & (pick < 0.09)] = np.inf
    x[(pick >= 0.09) & (pick < 0.095)] = -np.inf
    x[(pick >= 0.095) & (pick < 0.1)] = np.nan
    return x


@pytest.mark.parametrize("n", range(1, 12))
def test_sum_last_is_numpys_sum_bit_for_bit(n):
    with np.errstate(all="ignore"):
        for shape in [(SUM_ROWS, n), (7, 40, n), (128, 40, n), (3, 5, 9, n)]:
            x = awkward(shape)
            assert sum_last(x).tobytes() == x.sum(axis=-1).tobytes(), shape
            # the same numbers laid out otherwise: transposed and strided views
            t = np.ascontiguousarray(np.moveaxis(x, -1, 0))
            v = np.moveaxis(t, 0, -1)
            assert sum_last(v).tobytes() == v.sum(axis=-1).tobytes(), shape
            w = awkward(shape[:-1] + (2 * n,))[..., ::2]
            assert sum_last(w).tobytes() == w.sum(axis=-1).tobytes(), shape
        zeros = np.full((SUM_ROWS, n), -0.0)
        assert sum_last(zeros).tobytes() == zeros.sum(axis=-1).tobytes()


def test_sum_last_does_the_work_column_by_column_only_where_it_pays():
    x = np.ones((SUM_ROWS - 1, 3))
    assert sum_last(x).tobytes() == x.sum(axis=-1).tobytes()
    assert sum_last(np.ones(5)) == 5.0  # one row: a plain sum


@pytest.mark.parametrize("n", [1, 4, 16, 17, 100])
def test_count_correct_counts_like_the_plain_comparison(n):
    o = RNG.random((6, 30, n, 1))
    o[0, 0, 0, 0] = np.nan
    o[1, 2, :, 0] = 0.5  # exactly on the threshold: counted as class 1
    T = (RNG.random((n, 1)) > 0.5).astype(float)
    want = ((o[..., 0] >= 0.5) == (T[..., 0] >= 0.5)).sum(axis=-1)
    got = count_correct(o, T)
    assert got.dtype == np.int64 and np.array_equal(got, want)
    assert np.array_equal(count_correct(o[0], T), want[0])


def test_quiet_sigmoid_is_the_sigmoid_bit_for_bit():
    z = awkward((50, 7)) / 1e25
    z[0, :3] = [-800.0, 800.0, -709.5]  # e^-z overflows to inf: the output is exactly 0
    with np.errstate(all="ignore"):
        want = ACTIVATIONS["sigmoid"].f(z)
        assert _sigmoid_quiet(z).tobytes() == want.tobytes()
        out = np.empty_like(z)
        assert _sigmoid_quiet(z, out) is out and out.tobytes() == want.tobytes()


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_the_loops_activations_give_the_activations_numbers(name):
    """The training loop's Plan (quiet, and with members of other hidden activations side by
    side) against ACTIVATIONS, bit for bit, values and derivatives times a blame."""
    from site_builder.engine import NetSpec
    from site_builder.engine.nn import Plan

    z = awkward((6, 9, 4)) / 1e25
    z[0, 0, :3] = [-800.0, 800.0, 0.0]
    blame = awkward((6, 9, 4)) / 1e20
    act = ACTIVATIONS[name]
    with np.errstate(all="ignore"):
        a = act.f(z)
        want = blame * act.df(z, a)
        net = NetSpec((4, 4, 1), (name, "sigmoid"))
        quiet = Plan(net, quiet=True)
        assert quiet.f[0](z).tobytes() == a.tobytes()
        assert (blame * quiet.df[0](z, a)).tobytes() == want.tobytes()
        other = "tanh" if name != "tanh" else "relu"
        mixed = Plan(net, quiet=True, runs=[((name, "sigmoid"), slice(0, 4)), ((other, "sigmoid"), slice(4, 6))])
        o = ACTIVATIONS[other]
        assert mixed.f[0](z)[:4].tobytes() == a[:4].tobytes()
        assert mixed.f[0](z)[4:].tobytes() == o.f(z[4:]).tobytes()
        assert (blame * mixed.df[0](z, a))[:4].tobytes() == want[:4].tobytes()
        assert (blame[4:] * mixed.df[0](z, a)[4:]).tobytes() == (blame[4:] * o.df(z[4:], a[4:])).tobytes()
