#!/bin/sh
while true; do uptime >> /tmp/agent.log; sleep 60; done
