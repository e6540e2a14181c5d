"""Several trainings at once (engine.train_many, scenarios.run_many, build._batches): those of
one shape are one batched computation, each member on its own data, and every Trace is
bitwise the one its training gives alone; a training that cannot run is refused before
anything trains, and a scenario that fails in a batch says its own problem."""
from __future__ import annotations

import importlib
import json

import numpy as np
import pytest

from site_builder import build, engine, scenarios
from site_builder.engine import Dataset, InitSpec, Member, NetSpec, RecordSpec, TrainConfig, train_many, train_members
from site_builder.errors import ContentError

TRAIN = importlib.import_module("site_builder.engine.train")
NET = NetSpec((2, 4, 1), ("tanh", "sigmoid"), "binary_cross_entropy", "mean")


def moons(seed, n=20):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, :1] * X[:, 1:] > 0).astype(float)


def job(seed, **kw):
    X, T = moons(seed)
    args = dict(X=X, T=T, eta=0.5 + seed, steps=120, init=InitSpec(seed=seed),
                record=RecordSpec(every_until=30, then_every=7, detail_steps=(0, 50), detail_samples=(1, 3)),
                input_labels=("x", f"y{seed}"))
    args.update(kw)
    cfg = TrainConfig(**args)
    return NET, cfg, [Member(cfg.eta, seed), Member(cfg.eta * 3, seed + 100)]


def same(a, b, where):
    va, vb = dict(vars(a)), dict(vars(b))
    assert va.keys() == vb.keys()
    for k in va:
        x, y = va[k], vb[k]
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), (where, k)
        elif isinstance(x, dict):
            assert json.dumps(x, default=lambda v: v.tobytes().hex()) == json.dumps(y, default=lambda v: v.tobytes().hex()), (where, k)
        elif isinstance(x, list):
            assert [np.asarray(v).tobytes() for v in x] == [np.asarray(v).tobytes() for v in y], (where, k)
        else:
            assert x == y or (x != x and y != y), (where, k)


@pytest.mark.parametrize("extra", [
    {},
    {"stop_loss_below": 0.45},
    {"batch_size": 6, "shuffle_seed": 3, "optimizer": "momentum"},
    {"frozen": frozenset({"b1"}), "stop_all_correct": True},
], ids=["plain", "stop-loss", "mini-batch-momentum", "frozen-all-correct"])
def test_each_training_is_bitwise_what_it_gives_alone(extra, monkeypatch):
    jobs = [job(seed, **extra) for seed in range(5)]
    calls = []
    real = TRAIN._train_group
    monkeypatch.setattr(TRAIN, "_train_group", lambda net, cfg, X, T, members: calls.append((X.ndim, len(members))) or real(net, cfg, X, T, members))
    together = train_many(jobs)
    assert calls == [(3, 10)]  # one batch: ten members, each on its own data
    monkeypatch.setattr(TRAIN, "_train_group", real)
    for k, (net, cfg, members) in enumerate(jobs):
        alone = train_members(net, cfg, members)
        assert len(together[k]) == len(alone) == 2
        for i, (a, b) in enumerate(zip(together[k], alone)):
            same(a, b, (k, i))
            assert a.input_labels == ["x", f"y{k}"] and a.X.tobytes() == cfg.X.tobytes()


def test_trainings_of_other_shapes_train_in_their_own_batches(monkeypatch):
    X, T = moons(9, n=12)
    other = TrainConfig(X=X, T=T, eta=1.0, steps=120, init=InitSpec(seed=1),
                        record=RecordSpec(every_until=30, then_every=7, detail_steps=(0, 50), detail_samples=(1, 3)))
    longer = job(2, steps=121)
    jobs = [job(0), (NET, other, [Member(1.0, 1)]), job(1), longer]
    calls = []
    real = TRAIN._train_group
    monkeypatch.setattr(TRAIN, "_train_group", lambda net, cfg, X, T, members: calls.append(len(members)) or real(net, cfg, X, T, members))
    together = train_many(jobs)
    assert sorted(calls) == [1, 2, 4]  # fewer samples, more steps: each its own batch
    monkeypatch.setattr(TRAIN, "_train_group", real)
    for (net, cfg, members), got in zip(jobs, together):
        for a, b in zip(got, train_members(net, cfg, members)):
            same(a, b, cfg.steps)


def test_a_training_that_cannot_run_stops_all_before_any_trains(monkeypatch):
    monkeypatch.setattr(TRAIN, "_train_group", lambda *a: pytest.fail("trained"))
    bad = job(1)
    bad = (bad[0], bad[1], [Member(float("nan"), 1)])
    with pytest.raises(ValueError, match="learning rate must be a finite number"):
        train_many([job(0), bad])
    with pytest.raises(ValueError, match="detail samples"):
        train_many([job(0), job(1, record=RecordSpec(detail_samples=(99,)))])


SCENARIO = """\
network: {{sizes: [2, 3, 1], activations: [tanh, sigmoid], loss: binary_cross_entropy}}
data: {{generator: moons, n: 16, noise: 0.1, seed: {i}}}
init: {{seed: {i}}}
train: {{learning_rate: 0.5, epochs: 60}}
record: {{every_until: 20, then_every: 5}}
"""


def scenario_set(tmp_path, n):
    folder = tmp_path / "content" / "scenarios"
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"s{i}.yaml").write_text(SCENARIO.format(i=i))
    return scenarios.load_scenarios(tmp_path / "content")


def test_run_many_caches_each_scenario_as_run_does(tmp_path):
    found = scenario_set(tmp_path, 4)
    batch = [found[f"s{i}"] for i in range(4)]
    got = scenarios.run_many(batch, tmp_path / "many")
    for s, runs in zip(batch, got):
        alone = scenarios.run(s, tmp_path / "alone")
        same(runs[0], alone[0], s.name)
        assert (tmp_path / "many" / f"{s.name}-{s.key}.json").read_bytes() == (tmp_path / "alone" / f"{s.name}-{s.key}.json").read_bytes()
    # From the cache the second time: nothing trains.
    again = scenarios.run_many(batch, tmp_path / "many")
    assert [r[0].loss.tobytes() for r in again] == [r[0].loss.tobytes() for r in got]


def test_run_many_gives_a_failing_scenario_its_own_error(tmp_path, monkeypatch):
    found = scenario_set(tmp_path, 3)
    real = engine.train_members

    def refuse_s1(net, cfg, members):
        if cfg.init.seed == 1:
            raise ValueError("s1 cannot train")
        return real(net, cfg, members)

    monkeypatch.setattr(engine, "train_many", lambda jobs: (_ for _ in ()).throw(ValueError("one of them")))
    monkeypatch.setattr(engine, "train_members", refuse_s1)
    got = scenarios.run_many([found["s0"], found["s1"], found["s2"]], tmp_path / "cache")
    assert isinstance(got[1], ContentError) and "s1 cannot train" in got[1].message and str(got[1].path).endswith("s1.yaml")
    assert got[0][0].loss.tobytes() == real(found["s0"].net, found["s0"].config, found["s0"].members)[0].loss.tobytes()
    assert isinstance(got[2], list)


def test_batches_split_a_family_over_the_workers(tmp_path):
    found = scenario_set(tmp_path, 5)
    odd = SCENARIO.format(i=9).replace("epochs: 60", "epochs: 61")
    (tmp_path / "content" / "scenarios" / "z.yaml").write_text(odd)
    found = scenarios.load_scenarios(tmp_path / "content")
    tasks = build._batches([s for _, s in sorted(found.items())], 2)
    assert [[s.name for s in t] for t in tasks] == [["s0", "s1", "s2"], ["s3", "s4"], ["z"]]
    assert [[s.name for s in t] for t in build._batches([found["s0"], found["s1"]], 1)] == [["s0", "s1"]]


def test_batches_of_several_trainings_stay_within_their_limits(monkeypatch):
    """A batch takes trainings (or a sweep's data sets) only while its activations and records
    stay within GROUP_LIVE and GROUP_RECORDED; one training's own members always train
    together, whatever its size."""
    jobs = [job(seed) for seed in range(5)]
    want = train_many(jobs)
    calls = []
    real = TRAIN._train_group
    monkeypatch.setattr(TRAIN, "_train_group", lambda net, cfg, X, T, members: calls.append(len(members)) or real(net, cfg, X, T, members))
    one = 2 * (20 + 0) * 5  # a job's two members x 20 samples x 5 units
    monkeypatch.setattr(TRAIN, "GROUP_LIVE", 2 * one)
    got = train_many(jobs)
    assert calls == [4, 4, 2]  # two jobs a batch
    monkeypatch.setattr(TRAIN, "GROUP_LIVE", 1)
    calls.clear()
    train_many(jobs)
    assert calls == [2] * 5  # each job alone, never split
    for a, b in zip(want, got):
        for x, y in zip(a, b):
            same(x, y, "limits")


@pytest.mark.parametrize("extra", [
    {},
    {"batch_size": 5, "shuffle_seed": 1, "optimizer": "momentum", "stop_loss_below": 0.3},
    {"frozen": frozenset({"b2"}), "stop_all_correct": True},
], ids=["plain", "mini-batch-momentum-stop", "frozen-all-correct"])
def test_networks_that_differ_only_in_hidden_activations_train_side_by_side(extra, monkeypatch):
    """A sweep over hidden activations (and the lessons' sigmoid-or-ReLU depth studies) is
    one batch per shape, each activation on its run of members; every member is bitwise the
    member trained alone, in its own batch of one activation."""
    X, T = moons(4, n=16)
    base = NetSpec((2, 5, 3, 1), ("tanh", "tanh", "sigmoid"), "binary_cross_entropy", "mean")
    cfg = TrainConfig(X=X, T=T, eta=0.5, steps=90, init=InitSpec(seed=2),
                      record=RecordSpec(every_until=12, then_every=5, detail_steps=(0, 40), detail_samples=(0, 2)),
                      **extra)
    members = engine.sweep_members(base, cfg, {"activation": ["sigmoid", "relu", "tanh", "leaky_relu", "linear"],
                                               "eta": [0.1, 2.0], "seed": [0, 1]})
    calls = []
    real = TRAIN._train_group
    monkeypatch.setattr(TRAIN, "_train_group", lambda net, cfg, X, T, ms: calls.append(len(ms)) or real(net, cfg, X, T, ms))
    together = train_members(base, cfg, members)
    assert calls == [20]
    monkeypatch.setattr(TRAIN, "_train_group", real)
    assert {tr.net.activations[0] for tr in together} == {"sigmoid", "relu", "tanh", "leaky_relu", "linear"}
    for i, (m, got) in enumerate(zip(members, together)):
        assert got.net == m.net
        same(got, train_members(base, cfg, [m])[0], i)


def test_mixed_activations_from_several_trainings_are_put_in_runs():
    """Trainings of one shape but other hidden activations, interleaved in a batch and each on
    its own data, come back in their places, each bitwise as trained alone."""
    jobs = []
    for seed, act in enumerate(["relu", "sigmoid", "relu", "tanh", "sigmoid"]):
        net, cfg, members = job(seed)
        jobs.append((NetSpec((2, 4, 1), (act, "sigmoid"), "binary_cross_entropy", "mean"), cfg, members))
    together = train_many(jobs)
    for k, (net, cfg, members) in enumerate(jobs):
        for i, (a, b) in enumerate(zip(together[k], train_members(net, cfg, members))):
            assert a.net == net
            same(a, b, (k, i))
