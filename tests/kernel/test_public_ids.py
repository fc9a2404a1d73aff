"""Public ids (api.md): 10 ASCII letters, mixed case, drawn uniformly from the OS's CSPRNG, so
a guest order's id can serve as its access key. These tests need no database."""

import collections
import string

import pytest

from commerce import ids

pytestmark = pytest.mark.sqlite


def test_an_id_is_ten_letters_of_both_cases():
    drawn = [ids.new_public_id() for _ in range(2000)]
    assert all(len(i) == 10 and set(i) <= set(string.ascii_letters) for i in drawn)
    assert all(ids.looks_like_public_id(i) for i in drawn)
    assert len(set(drawn)) == len(drawn)


def test_every_letter_is_as_likely_as_any_other():
    # 52 000 ids are 520 000 letters, 10 000 expected of each. A letter 5 % off (500, some 5
    # standard deviations) is a bias, e.g. the 48 byte values above 4 x 52 folded onto the
    # first letters instead of dropped; the chi-square of 51 degrees of freedom stays under
    # 100 except once in ~20 000 runs.
    counts = collections.Counter()
    for _ in range(52_000):
        counts.update(ids.new_public_id())
    assert set(counts) == set(string.ascii_letters)
    assert max(abs(n - 10_000) for n in counts.values()) < 500
    chi_square = sum((n - 10_000) ** 2 / 10_000 for n in counts.values())
    assert chi_square < 100


def test_every_position_takes_every_letter():
    positions = [collections.Counter() for _ in range(10)]
    for _ in range(20_000):
        for position, letter in zip(positions, ids.new_public_id(), strict=True):
            position[letter] += 1
    # 20 000 draws of 52 letters: each about 385 times at each position.
    assert all(set(position) == set(string.ascii_letters) for position in positions)
    assert all(min(position.values()) > 250 for position in positions)
