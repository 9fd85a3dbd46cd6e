from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def quick_token_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its lowest cost in these tests: the default costs half a second a token, and
    a verified hash keeps its own parameters, so what is checked is unchanged."""
    from argon2 import PasswordHasher

    from electoral import night

    monkeypatch.setattr(night, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8,
                                                                 parallelism=1))
