from setuptools import setup

setup(
    name='ctx-dict',
    version='0.2.6',
    description='A minimal Python dictionary with dot notation access.',
    packages=['ctx'],
    install_requires=['requests'],
)
