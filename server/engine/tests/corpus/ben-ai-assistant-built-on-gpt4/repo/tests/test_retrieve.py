from helper.retrieve import retrieve


def test_rank():
    assert retrieve('alpha beta', ['alpha beta', 'gamma'])[0] == 'alpha beta'
