import os

import requests

TOKEN = os.environ['TELEGRAM_TOKEN']
API = f'https://api.telegram.org/bot{TOKEN}'


def price(coin):
    r = requests.get('https://api.coingecko.com/api/v3/simple/price', params={'ids': coin, 'vs_currencies': 'usd'}, timeout=10)
    return r.json().get(coin, {}).get('usd')


def loop():
    offset = 0
    while True:
        updates = requests.get(f'{API}/getUpdates', params={'offset': offset, 'timeout': 30}, timeout=40).json()['result']
        for u in updates:
            offset = u['update_id'] + 1
            text = u.get('message', {}).get('text', '')
            if text.startswith('/price'):
                coin = (text.split() + ['bitcoin'])[1]
                requests.post(f'{API}/sendMessage', data={'chat_id': u['message']['chat']['id'], 'text': f'{coin}: ${price(coin)}'})


if __name__ == '__main__':
    loop()
