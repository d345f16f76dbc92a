#!/bin/sh
set -eu
mkdir -p site
cp docs/*.md site/
