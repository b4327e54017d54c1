"""meetbit.Attempt is a value: immutable, compared and hashed by its fields, copied and pickled whole.

It was a frozen dataclass; it is a plain class now (start-up cost), and these hold what a
service may rely on: on_retry callbacks keep attempts in sets, logs print them, tests
compare them, processes pickle the errors that carry them.
"""

from __future__ import annotations

import copy
import pickle

import meetbit
import pytest

pytestmark = pytest.mark.behaviour


def attempt(**changes: object) -> meetbit.Attempt:
    fields: dict[str, object] = {
        "number": 1, "status_code": 429, "error": None, "wait": 1.5, "wait_source": "retry-after",
    }  # fmt: skip
    return meetbit.Attempt(**{**fields, **changes})  # type: ignore[arg-type]


def test_equal_fields_are_equal_and_hash_alike() -> None:
    assert attempt() == meetbit.Attempt(1, 429, None, 1.5, "retry-after")
    assert len({attempt(), attempt()}) == 1
    for changed in ({"number": 2}, {"status_code": None}, {"error": "x"}, {"wait": 0.0}):
        assert attempt(**changed) != attempt()
    assert attempt() != (1, 429, None, 1.5, "retry-after")
    # Hashed by its fields, not to one value for all: a set of many stays fast.
    assert len({hash(attempt(number=n)) for n in range(10)}) == 10


def test_it_cannot_be_changed() -> None:
    made = attempt()
    with pytest.raises(AttributeError, match="cannot assign to field 'wait': an Attempt is immu"):
        made.wait = 0.0  # type: ignore[misc]
    with pytest.raises(AttributeError, match="cannot delete field 'number': an Attempt is immu"):
        del made.number  # type: ignore[misc]
    with pytest.raises(AttributeError):
        made.other = 1  # type: ignore[attr-defined]
    assert made.wait == 1.5


def test_repr_names_every_field() -> None:
    assert repr(attempt()) == (
        "Attempt(number=1, status_code=429, error=None, wait=1.5, wait_source='retry-after')"
    )


def test_copies_and_pickles_are_equal() -> None:
    made = attempt(error="ConnectError: refused", status_code=None)
    assert copy.copy(made) == copy.deepcopy(made) == pickle.loads(pickle.dumps(made)) == made
    error = meetbit.NetworkError("ConnectError: refused", attempts=[made])
    assert pickle.loads(pickle.dumps(error)).attempts == (made,)


def test_match_takes_the_fields_in_order() -> None:
    match attempt():
        case meetbit.Attempt(number, status, _, wait, source):
            assert (number, status, wait, source) == (1, 429, 1.5, "retry-after")
        case _:
            pytest.fail("no match")
