import os
from dotenv import load_dotenv
from solders.keypair import Keypair
from utils.license import check_license

load_dotenv()


def main():
    check_license()
    kp = Keypair.from_base58_string(os.getenv('PRIVATE_KEY'))
    print('wallet', kp.pubkey())


if __name__ == '__main__':
    main()
