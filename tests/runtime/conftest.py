"""Fixtures shared by the repository-level runtime tests."""

import pytest


@pytest.fixture
def jane(repository):
    """Jane's profile, written through the repository (handler tests make theirs over the API)."""
    return repository.create_user(user_id="U-JANE", email="jane.doe@example.com", name="Jane")
