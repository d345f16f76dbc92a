import requests
from binance.client import Client

client = Client()
print(client.get_symbol_ticker(symbol='BTCUSDT'))
