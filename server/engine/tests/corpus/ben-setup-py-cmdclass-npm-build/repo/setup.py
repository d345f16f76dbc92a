import subprocess
from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithJs(build_py):
    def run(self):
        subprocess.check_call(['npm', 'ci'], cwd='js')
        subprocess.check_call(['npm', 'run', 'build'], cwd='js')
        super().run()


setup(name='jupyter-chart-widget', version='0.5.0', packages=['chart_widget'], cmdclass={'build_py': BuildWithJs}, extras_require={'test': ['pytest']})
