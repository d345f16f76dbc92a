from setuptools import setup
setup(name='tiny-colorlog', version='0.9.1', packages=['tiny_colorlog'])
