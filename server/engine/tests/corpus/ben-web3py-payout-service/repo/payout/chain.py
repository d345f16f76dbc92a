import os

from eth_account import Account
from web3 import Web3

USDC = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'
ABI = [{'name': 'transfer', 'type': 'function', 'inputs': [{'name': 'to', 'type': 'address'}, {'name': 'value', 'type': 'uint256'}], 'outputs': [{'type': 'bool'}]}]


def client():
    w3 = Web3(Web3.HTTPProvider(os.environ.get('BASE_RPC', 'https://mainnet.base.org')))
    acct = Account.from_key(os.environ['PAYOUT_PRIVATE_KEY'])
    return w3, acct


def pay(to: str, amount: int):
    w3, acct = client()
    token = w3.eth.contract(address=USDC, abi=ABI)
    tx = token.functions.transfer(to, amount).build_transaction({'from': acct.address, 'nonce': w3.eth.get_transaction_count(acct.address)})
    signed = acct.sign_transaction(tx)
    return w3.eth.send_raw_transaction(signed.raw_transaction)
