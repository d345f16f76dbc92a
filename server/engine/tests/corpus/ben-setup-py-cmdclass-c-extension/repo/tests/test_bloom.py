def test_import():
    import fastbloom  # noqa: F401
