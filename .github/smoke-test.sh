#!/usr/bin/env bash
# Smoke test of a built dhcp-nats, run the way a new user would: from an
# empty directory, --version names the version in deno.json, --help lists
# the roles, and the demo (its reservations built in) gets a lease.
#
# Usage: .github/smoke-test.sh COMMAND...   with absolute paths, e.g.
#   .github/smoke-test.sh "$PWD/dist/dhcp-nats"
#   .github/smoke-test.sh deno run -A "$PWD/dist/dhcp-nats.js"
set -euo pipefail
if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND... (the binary, or deno run -A BUNDLE)" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -nE 's/^  "version": "([^"]+)",?$/\1/p' "$root/deno.json")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() {
  echo "smoke test of $*" >&2
  exit 1
}

out=$("$@" --version)
[ "${out%%$'\n'*}" = "dhcp-nats $version" ] ||
  fail "--version: printed '${out%%$'\n'*}', want 'dhcp-nats $version'"
"$@" --help | grep -q -- '--responder' || fail "--help: no --responder"
demo=$("$@" demo --once 2>"$work/demo.log") ||
  fail "demo --once: exit $?: $(cat "$work/demo.log")"
grep -Eq '^  address +192\.168\.2\.153$' <<<"$demo" ||
  fail "demo --once: no lease for 192.168.2.153 in: $demo"
echo "smoke test passed: $* (${out//$'\n'/, })"
