import chart_widget


def test_version():
    assert chart_widget.__version__
