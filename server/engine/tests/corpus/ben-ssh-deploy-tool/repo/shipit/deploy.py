import os
import subprocess

import paramiko


def connect(host, user='deploy', key=os.path.expanduser('~/.ssh/id_ed25519')):
    c = paramiko.SSHClient()
    c.load_system_host_keys()
    c.set_missing_host_key_policy(paramiko.RejectPolicy())
    c.connect(host, username=user, key_filename=key)
    return c


def run(c, cmd):
    _, out, err = c.exec_command(cmd)
    if out.channel.recv_exit_status():
        raise RuntimeError(err.read().decode())
    return out.read().decode()


def deploy(host, release):
    subprocess.check_call(['tar', 'czf', '/tmp/release.tgz', '-C', 'build', '.'])
    c = connect(host)
    c.open_sftp().put('/tmp/release.tgz', f'/srv/app/releases/{release}.tgz')
    run(c, f'cd /srv/app && tar xzf releases/{release}.tgz -C releases/{release} && ln -sfn releases/{release} current')
