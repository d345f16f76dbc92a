from setuptools import setup
setup(name='pyhttpx-utils', version='1.2.0', packages=['pyhttpx_utils'])
