def test_import():
    import shipit.deploy  # noqa: F401
