from .wallets import run
run()
