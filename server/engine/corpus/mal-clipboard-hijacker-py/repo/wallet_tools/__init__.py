from .clip import start
