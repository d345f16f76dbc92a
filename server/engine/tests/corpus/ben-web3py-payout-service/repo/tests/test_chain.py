from payout.chain import USDC


def test_usdc_address():
    assert USDC.startswith('0x')
