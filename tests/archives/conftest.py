import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Every archives test stores documents in its own temporary folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    return settings.PRIVATE_MEDIA_ROOT


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []
