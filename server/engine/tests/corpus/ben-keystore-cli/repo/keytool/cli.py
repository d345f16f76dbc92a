import getpass
import glob
import json
import os

from eth_account import Account

DEFAULT = os.path.expanduser('~/.ethereum/keystore/UTC--*')


def list_keys(pattern=DEFAULT):
    return [json.load(open(p))['address'] for p in glob.glob(pattern)]


def reencrypt(path):
    data = json.load(open(path))
    key = Account.decrypt(data, getpass.getpass('old password: '))
    new = Account.encrypt(key, getpass.getpass('new password: '))
    with open(path, 'w') as f:
        json.dump(new, f)
