"""One scenario's training split over workers (scenarios.member_batches, run_part,
merge_parts): the parts, trained apart and put together, are exactly the cache file one
run writes, byte for byte."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from site_builder import scenarios

REPO = Path(__file__).resolve().parents[2]


def cache_file(folder: Path, s) -> bytes:
    (path,) = folder.glob(f"{s.name}-*.json")
    assert path.name == f"{s.name}-{s.key}.json"
    return path.read_bytes()


def test_deep_gradients_split_over_two_workers_merges_into_the_file_one_run_writes(tmp_path):
    s = scenarios.parse(REPO / "content" / "scenarios" / "deep-gradients.yaml")
    batches = scenarios.member_batches(s)
    # The engine's batches: one per depth, its sigmoid and ReLU networks at both scales.
    assert [len(b) for b in batches] == [4] * 9
    assert sorted(i for b in batches for i in b) == list(range(36))
    for b in batches:
        assert len({s.members[i].net.sizes for i in b}) == 1
    scenarios.run_many([s], tmp_path / "one")
    # Two workers: the deeper depths to one (listed backwards), the rest to the other; what
    # comes back has been through pickle, as from a process pool.
    parts = []
    for indices in ([i for b in batches[5:] for i in b][::-1], [i for b in batches[:5] for i in b]):
        parts.append((indices, pickle.loads(pickle.dumps(scenarios.run_part(s, indices)))))
    merged = scenarios.merge_parts(s, parts, tmp_path / "split")
    assert [tr.axes for tr in merged] == [{**m.axes, "eta": m.eta, "seed": m.seed} for m in s.members]
    assert cache_file(tmp_path / "split", s) == cache_file(tmp_path / "one", s)


def test_parts_must_name_every_member_once(tmp_path):
    s = scenarios.parse(REPO / "content" / "scenarios" / "xor-learning-rates.yaml")
    n = len(s.members)
    first = scenarios.run_part(s, range(0, n, 2))
    with pytest.raises(ValueError, match="no part trained member"):
        scenarios.merge_parts(s, [(range(0, n, 2), first)], tmp_path)
    with pytest.raises(ValueError, match="in two parts"):
        scenarios.merge_parts(s, [(range(0, n, 2), first), (range(0, n, 2), first)], tmp_path)
    with pytest.raises(ValueError, match="distinct members"):
        scenarios.run_part(s, [0, 0])
    with pytest.raises(ValueError, match="distinct members"):
        scenarios.run_part(s, [n])
    assert not list(tmp_path.glob("*.json"))  # nothing stored from a bad merge
    rest = scenarios.run_part(s, range(1, n, 2))
    scenarios.merge_parts(s, [(range(1, n, 2), rest), (range(0, n, 2), first)], tmp_path / "a")
    scenarios.run_many([s], tmp_path / "b")
    assert cache_file(tmp_path / "a", s) == cache_file(tmp_path / "b", s)
