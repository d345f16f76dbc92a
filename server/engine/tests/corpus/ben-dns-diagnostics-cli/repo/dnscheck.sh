#!/bin/sh
# usage: dnscheck.sh example.com
set -eu
DOMAIN=$1
for r in 1.1.1.1 8.8.8.8 9.9.9.9; do
  echo "== $r"
  nslookup -type=A "$DOMAIN" "$r" || true
  dig +short MX "$DOMAIN" @"$r" || true
done
dig +dnssec +short "$DOMAIN" | tail -1
