#!/usr/bin/env bash
# Checks everything under deploy/ without a Docker engine or a cluster:
#   nginx -t            on the nginx configurations (the compose one with its host names mapped to loopback);
#   systemd-analyze verify   on the units, in a scratch root that has the rw-server they start;
#   yamllint            on every YAML file (deploy/.yamllint.yaml);
#   kubernetes-validate --strict   on the Kubernetes manifests (its schemas are offline).
# Needs nginx, systemd-analyze, yamllint and kubernetes-validate on PATH (Scripts/test.sh installs the last two
# into its virtual environment). Exits non-zero, naming the file, on the first problem.
set -euo pipefail
deploy=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "== nginx -t"
mkdir -p "$scratch/nginx"
nginx -q -t -p "$scratch/nginx" -c "$deploy/nginx/rewardweighting.conf"
mkdir -p "$scratch/compose"
sed -E 's/server rw-[0-9]+:/server 127.0.0.1:/; s/listen ([0-9]+)/listen 127.0.0.1:\1/' \
    "$deploy/compose/nginx.conf" >"$scratch/compose/nginx.conf"
cp "$deploy"/nginx/*.inc "$scratch/compose/"
nginx -q -t -p "$scratch/compose" -c "$scratch/compose/nginx.conf"

echo "== systemd-analyze verify"
root="$scratch/root"
mkdir -p "$root/usr/local/bin" "$root/usr/bin" "$root/etc/systemd/system" "$root/usr/lib/systemd"
cp -r /lib/systemd/system "$root/usr/lib/systemd/"
printf '#!/bin/sh\n' >"$root/usr/local/bin/rw-server"
chmod +x "$root/usr/local/bin/rw-server"
# ExecReload's kill, as any system has it.
printf '#!/bin/sh\n' >"$root/usr/bin/kill"
chmod +x "$root/usr/bin/kill"
cp "$deploy"/systemd/*.service "$root/etc/systemd/system/"
units=()
for unit in "$deploy"/systemd/*.service; do
    name=$(basename "$unit")
    [[ "$name" == *@.service ]] && name=${name/@.service/@1.service}
    units+=("$root/etc/systemd/system/$name")
done
# verify reports problems as messages but exits 0 for most of them: any output is a failure.
output=$(systemd-analyze verify --man=no --root="$root" "${units[@]}" 2>&1 || true)
if [[ -n "$output" ]]; then
    echo "$output" >&2
    exit 1
fi

echo "== yamllint"
yamllint -s -c "$deploy/.yamllint.yaml" "$deploy"

echo "== kubernetes-validate"
kubernetes-validate --strict --quiet "$deploy"/kubernetes/*.yaml

echo "deploy/: all checks passed"
