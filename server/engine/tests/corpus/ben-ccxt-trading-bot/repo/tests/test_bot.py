from trader import bot


def test_import():
    assert bot.grid
