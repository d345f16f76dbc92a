import re
from pathlib import Path

import yaml


def load_rules(root=Path(__file__).parent.parent / 'rules'):
    return [yaml.safe_load(p.read_text()) for p in root.glob('*.yml')]


def scan(path):
    hits = []
    for rule in load_rules():
        rx = re.compile(rule['regex'])
        for f in Path(path).rglob('*'):
            if f.is_file() and rx.search(f.read_text(errors='ignore')):
                hits.append((rule['id'], str(f)))
    return hits
