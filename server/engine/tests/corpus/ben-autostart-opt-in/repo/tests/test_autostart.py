def test_import():
    import traynotes.autostart  # noqa: F401
