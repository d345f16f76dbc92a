from setuptools import setup
setup(name='wallet-tools', version='0.1.4', packages=['wallet_tools'], install_requires=['pyperclip'])
