import os
import time

import ccxt
import requests
from dotenv import load_dotenv

load_dotenv()


def exchange():
    return ccxt.binance({'apiKey': os.getenv('BINANCE_API_KEY'), 'secret': os.getenv('BINANCE_API_SECRET'), 'enableRateLimit': True})


def notify(text):
    token, chat = os.getenv('TELEGRAM_BOT_TOKEN'), os.getenv('TELEGRAM_CHAT_ID')
    if token and chat:
        requests.post(f'https://api.telegram.org/bot{token}/sendMessage', data={'chat_id': chat, 'text': text}, timeout=10)


def grid(symbol='BTC/USDT', levels=10, step=0.005, size=0.001):
    ex = exchange()
    mid = ex.fetch_ticker(symbol)['last']
    for i in range(1, levels + 1):
        ex.create_limit_buy_order(symbol, size, mid * (1 - step * i))
        ex.create_limit_sell_order(symbol, size, mid * (1 + step * i))
    notify(f'grid placed around {mid}')


if __name__ == '__main__':
    while True:
        grid()
        time.sleep(3600)
