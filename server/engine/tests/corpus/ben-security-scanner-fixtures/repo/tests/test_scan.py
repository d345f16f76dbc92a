from pkgguard.scan import scan


def test_samples_detected():
    assert scan('tests/samples')
