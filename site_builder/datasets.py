"""Seeded toy data sets: every generator returns (X, T) as float64 arrays, deterministic
for a given seed. Two-class sets have one target column (0 or 1)."""
from __future__ import annotations

import numpy as np


def _logic(table):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array(table, dtype=np.float64).reshape(4, 1)


def xor(n=4, noise=0.0, seed=0):
    return _jitter(*_logic([0, 1, 1, 0]), n, noise, seed)


def and_(n=4, noise=0.0, seed=0):
    return _jitter(*_logic([0, 0, 0, 1]), n, noise, seed)


def or_(n=4, noise=0.0, seed=0):
    return _jitter(*_logic([0, 1, 1, 1]), n, noise, seed)


def _jitter(X, T, n, noise, seed):
    """The four corners repeated to n points (n = 4: exactly the truth table), plus noise."""
    rng = np.random.default_rng(seed)
    idx = np.arange(n) % 4
    X = X[idx] + (rng.normal(0.0, noise, size=(n, 2)) if noise else 0.0)
    return X, T[idx]


def circles(n=100, noise=0.05, seed=0):
    rng = np.random.default_rng(seed)
    half = n // 2
    angle = rng.uniform(0, 2 * np.pi, size=n)
    radius = np.where(np.arange(n) < half, 0.35, 1.0)
    X = np.c_[radius * np.cos(angle), radius * np.sin(angle)] + rng.normal(0, noise, size=(n, 2))
    return X, (np.arange(n) < half).astype(np.float64)[:, None]


def moons(n=100, noise=0.1, seed=0):
    rng = np.random.default_rng(seed)
    half = n // 2
    a = np.linspace(0, np.pi, half)
    b = np.linspace(0, np.pi, n - half)
    X = np.r_[np.c_[np.cos(a), np.sin(a)], np.c_[1 - np.cos(b), 0.5 - np.sin(b)]]
    X = X + rng.normal(0, noise, size=X.shape)
    return X, np.r_[np.zeros(half), np.ones(n - half)][:, None]


def spirals(n=100, noise=0.05, seed=0):
    rng = np.random.default_rng(seed)
    half = n // 2
    t = np.sqrt(np.linspace(0.05, 1, half)) * 3 * np.pi
    arm = np.c_[t * np.cos(t), t * np.sin(t)] / (3 * np.pi)
    X = np.r_[arm, -arm[: n - half]] + rng.normal(0, noise, size=(n, 2))
    return X, np.r_[np.zeros(half), np.ones(n - half)][:, None]


def blobs(n=100, noise=0.3, seed=0, centers=((-1.0, -1.0), (1.0, 1.0))):
    rng = np.random.default_rng(seed)
    k = len(centers)
    label = np.arange(n) % k
    X = np.asarray(centers, dtype=np.float64)[label] + rng.normal(0, noise, size=(n, 2))
    T = label[:, None].astype(np.float64) if k == 2 else np.eye(k)[label]
    return X, T


GENERATORS = {"xor": xor, "and": and_, "or": or_, "circles": circles, "moons": moons,
              "spirals": spirals, "blobs": blobs}
