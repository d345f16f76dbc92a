#!/bin/sh
scp -i deploy/id_ed25519 -r build/ deploy@app.example.com:/srv/app
