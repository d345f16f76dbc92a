import os
import sys
from pathlib import Path

APP = 'TrayNotes'


def enable():
    exe = sys.executable
    if sys.platform == 'win32':
        import winreg
        key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r'Software\Microsoft\Windows\CurrentVersion\Run', 0, winreg.KEY_SET_VALUE)
        winreg.SetValueEx(key, APP, 0, winreg.REG_SZ, f'"{exe}" -m traynotes')
        winreg.CloseKey(key)
    elif sys.platform == 'darwin':
        plist = Path.home() / 'Library/LaunchAgents/org.traynotes.plist'
        plist.write_text(f'<plist><dict><key>Label</key><string>org.traynotes</string><key>ProgramArguments</key><array><string>{exe}</string><string>-m</string><string>traynotes</string></array><key>RunAtLoad</key><true/></dict></plist>')
    else:
        desktop = Path.home() / '.config/autostart/traynotes.desktop'
        desktop.parent.mkdir(parents=True, exist_ok=True)
        desktop.write_text(f'[Desktop Entry]\nType=Application\nName={APP}\nExec={exe} -m traynotes\n')


def disable():
    if sys.platform == 'win32':
        import winreg
        key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r'Software\Microsoft\Windows\CurrentVersion\Run', 0, winreg.KEY_SET_VALUE)
        winreg.DeleteValue(key, APP)
    else:
        for p in [Path.home() / 'Library/LaunchAgents/org.traynotes.plist', Path.home() / '.config/autostart/traynotes.desktop']:
            if p.exists():
                os.remove(p)
