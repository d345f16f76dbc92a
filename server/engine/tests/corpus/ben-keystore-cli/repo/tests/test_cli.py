from keytool.cli import list_keys


def test_empty(tmp_path):
    assert list_keys(str(tmp_path / 'UTC--*')) == []
