import ccxt
from config import API_KEY, API_SECRET
ex = ccxt.binance({'apiKey': API_KEY, 'secret': API_SECRET})
print(ex.fetch_balance()['total'])
