from cliphist.watch import label


def test_eth():
    assert label('0x' + 'a' * 40) == 'ETH address'
