from web3 import Web3


def transfers(w3: Web3, block):
    return [tx for tx in w3.eth.get_block(block, full_transactions=True).transactions if tx['value'] > 0]
