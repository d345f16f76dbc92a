import csv
from pathlib import Path
from schnorr_bip340 import schnorr_sign


def test_vectors():
    with open(Path(__file__).parent / 'test-vectors.csv') as f:
        for row in csv.DictReader(f):
            if row['secret key']:
                assert len(schnorr_sign(bytes.fromhex(row['message']), bytes.fromhex(row['secret key']), bytes.fromhex(row['aux_rand']))) == 64
