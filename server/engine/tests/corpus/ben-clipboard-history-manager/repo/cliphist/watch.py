import re
import time

import pyperclip

LABELS = [(re.compile(r'^0x[a-fA-F0-9]{40}$'), 'ETH address'), (re.compile(r'^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,59}$'), 'BTC address')]


def label(text):
    for rx, name in LABELS:
        if rx.match(text):
            return name
    return None


def watch(history, interval=0.5):
    last = None
    while True:
        text = pyperclip.paste()
        if text != last:
            history.append((time.time(), text, label(text)))
            last = text
        time.sleep(interval)


def restore(entry):
    # The user picked an old entry from the history window.
    pyperclip.copy(entry[1])
