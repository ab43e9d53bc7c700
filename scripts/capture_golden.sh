#!/usr/bin/env bash
# Regenerates the golden DHCP packet captures in tests/testdata/golden/.
#
# Sets up throw-away network namespaces joined by veth pairs, runs dnsmasq
# (the reference server) in the server namespace with reservations and
# netboot options, captures with tshark on the server-side veth, and runs the
# real clients (dhclient, udhcpc, dhcpcd, a PXE-shaped dhclient, and dhclient
# through dhcrelay) in the client namespace. Each DHCP packet is written as
# <client>_<nn>_<msgtype>.bin (the UDP payload, byte for byte) plus the
# tshark JSON dissection of that frame as <client>_<nn>_<msgtype>.json.
#
# Usage (as root): [ONLY="nak inform ..."] scripts/capture_golden.sh [OUTPUT_DIR]
# ONLY limits the run to the named capture sets (file prefixes); the others
# are left as they are.
# Traffic stays inside the namespaces this script creates (10.77.0.0/24 and
# 10.78.0.0/24); everything is removed on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/tests/testdata/golden}
mkdir -p "$out"

sfx=$(printf '%04x' $((RANDOM % 65536)))
sns=gold-s-$sfx   # server namespace
cns=gold-c-$sfx   # client namespace
rns=gold-r-$sfx   # relay namespace
sif=gvs$sfx       # server side of server<->client (or server<->relay) veth
cif=gvc$sfx       # client side
rsif=gvrs$sfx     # relay side facing the server
rcif=gvrc$sfx     # relay side facing the client
ccif=gvcc$sfx     # client side facing the relay
sifr=gvsr$sfx     # server side facing the relay
work=$(mktemp -d /tmp/capture_golden.XXXXXX)
pids=()

cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  for ns in "$sns" "$cns" "$rns"; do
    # Anything still running inside (dhcpcd privsep helpers) goes first.
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  rm -f "/var/lib/dhcpcd/$cif.lease" "/var/lib/dhcpcd/$cif.lease6"
  rm -rf "$work"
}
trap cleanup EXIT

log() { echo "--- [${SECONDS}s] $*" >&2; }

# ---- namespaces --------------------------------------------------------
# client ns: $cif  <-> $sif  (server ns, 10.77.0.1/24)          direct
#            $ccif <-> $rcif (relay ns, 10.78.0.1/24)
#                      $rsif (relay ns, 10.77.1.2/24) <-> $sifr (server ns,
#                      10.77.1.1/24)                            relayed
veth() { # NS_A IF_A NS_B IF_B
  ip link add "$2" type veth peer name "$4"
  ip link set "$2" netns "$1"
  ip link set "$4" netns "$3"
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
}

make_topology() {
  for ns in "$sns" "$cns" "$rns"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  veth "$sns" "$sif" "$cns" "$cif"
  veth "$rns" "$rcif" "$cns" "$ccif"
  veth "$rns" "$rsif" "$sns" "$sifr"
  ip -n "$sns" addr add 10.77.0.1/24 dev "$sif"
  ip -n "$sns" addr add 10.77.1.1/24 dev "$sifr"
  ip -n "$sns" route add 10.78.0.0/24 via 10.77.1.2
  ip -n "$rns" addr add 10.78.0.1/24 dev "$rcif"
  ip -n "$rns" addr add 10.77.1.2/24 dev "$rsif"
  ip netns exec "$rns" sysctl -qw net.ipv4.ip_forward=1
}

# ---- the reference server ---------------------------------------------
start_dnsmasq() {
  ip netns exec "$sns" dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
    --user=root --group=root --pid-file= --bind-interfaces --interface="$sif" --interface="$sifr" \
    --no-ping --log-dhcp --dhcp-leasefile="$work/dnsmasq.leases" \
    --dhcp-authoritative \
    --dhcp-range=set:direct,10.77.0.0,static,255.255.255.0,1h \
    --dhcp-range=set:relayed,10.78.0.0,static,255.255.255.0,1h \
    --dhcp-host=02:00:00:77:00:11,10.77.0.11,golden-dhclient,1h \
    --dhcp-host=02:00:00:77:00:12,10.77.0.12,golden-udhcpc,1h \
    --dhcp-host=02:00:00:77:00:13,10.77.0.13,golden-dhcpcd,1h \
    --dhcp-host=02:00:00:77:00:14,10.77.0.14,golden-pxe,1h \
    --dhcp-host=02:00:00:77:00:15,10.78.0.15,golden-relayed,1h \
    --dhcp-host=02:00:00:77:00:16,10.78.0.16,golden-relayed82,1h \
    --dhcp-host=02:00:00:77:00:17,10.77.0.17,golden-nak,1h \
    --dhcp-host=02:00:00:77:00:18,10.77.0.18,golden-inform,1h \
    --dhcp-host=02:00:00:77:00:19,10.77.0.19,golden-decline,1h \
    --dhcp-option=tag:direct,option:router,10.77.0.1 \
    --dhcp-option=tag:relayed,option:router,10.78.0.1 \
    --dhcp-option=option:dns-server,10.77.0.53,10.77.0.54 \
    --dhcp-option=option:domain-name,example.test \
    --dhcp-option=option:domain-search,example.test,lab.example.test \
    --dhcp-option=option:ntp-server,10.77.0.123 \
    --dhcp-boot=pxelinux.0,bootsrv,10.77.0.1 \
    --dhcp-vendorclass=set:pxe,PXEClient \
    --pxe-prompt="Booting golden",0 \
    --pxe-service=x86-64_EFI,"Golden EFI boot",bootx64.efi \
    --pxe-service=BC_EFI,"Golden EFI BC boot",bootx64.efi \
    >"$work/dnsmasq.log" 2>&1 &
  pids+=($!)
  sleep 0.5
}

# ---- capture -----------------------------------------------------------
capture_pid=
start_capture() { # IFACE PCAP
  # dumpcap (tshark's capture engine) starts much faster than tshark.
  ip netns exec "$sns" dumpcap -q -P -i "$1" -f "udp port 67 or udp port 68" \
    -w "$2" >"$work/dumpcap.log" 2>&1 &
  capture_pid=$!
  pids+=("$capture_pid")
  for _ in $(seq 200); do
    grep -q "Capturing on" "$work/dumpcap.log" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "dumpcap did not start capturing" >&2
  cat "$work/dumpcap.log" >&2
  return 1
}

stop_capture() {
  sleep 1
  kill -INT "$capture_pid" 2>/dev/null || true
  wait "$capture_pid" 2>/dev/null || true
}

msg_name() {
  case "$1" in
  1) echo discover ;; 2) echo offer ;; 3) echo request ;; 4) echo decline ;;
  5) echo ack ;; 6) echo nak ;; 7) echo release ;; 8) echo inform ;;
  *) echo "type$1" ;;
  esac
}

split_capture() { # PCAP PREFIX
  local pcap=$1 prefix=$2 n=0 all="$work/$2.all.json"
  rm -f "$out/${prefix}"_[0-9][0-9]_*.bin "$out/${prefix}"_[0-9][0-9]_*.json
  # One dissection of the whole capture; each frame's element is the same
  # as `tshark -r PCAP -T json --no-duplicate-keys -Y frame.number==N`.
  tshark -r "$pcap" -T json --no-duplicate-keys 2>/dev/null >"$all"
  while IFS=$'\t' read -r frame type payload; do
    [ -n "$type" ] || continue
    n=$((n + 1))
    local name
    name=$(printf '%s_%02d_%s' "$prefix" "$n" "$(msg_name "$type")")
    echo -n "$payload" | xxd -r -p >"$out/$name.bin"
    jq --argjson f "$frame" \
      '[.[] | select(._source.layers.frame["frame.number"] == ($f | tostring))]' \
      "$all" >"$out/$name.json"
    log "$name ($(stat -c %s "$out/$name.bin") bytes)"
  done < <(tshark -r "$pcap" -T fields -e frame.number -e dhcp.option.dhcp \
    -e udp.payload 2>/dev/null)
  [ "$n" -gt 0 ] || { echo "no DHCP packets captured for $prefix" >&2; return 1; }
}

# Hook for dhclient and udhcpc: configure the leased address (inside the
# namespace only) so the client can unicast its RELEASE afterwards.
cat >"$work/hook.sh" <<'HOOK'
#!/bin/sh
r=${reason:-$1}
case "$r" in
BOUND|REBOOT|RENEW|REBIND|bound|renew)
  ip=${new_ip_address:-$ip}
  gw=${new_routers:-$router}
  ip addr replace "$ip/24" dev "$interface"
  [ -n "$gw" ] && ip route replace default via "${gw%% *}" dev "$interface"
  ;;
esac
exit 0
HOOK
chmod +x "$work/hook.sh"

run_dhclient() { # PREFIX MAC [CONF] [CLIENT_IF] [CAPTURE_IF]
  local prefix=$1 mac=$2 conf=${3:-/dev/null} cif=${4:-$cif} capif=${5:-$sif}
  ip -n "$cns" link set "$cif" address "$mac"
  start_capture "$capif" "$work/$prefix.pcap"
  timeout -k 2 30 ip netns exec "$cns" dhclient -1 -4 -cf "$conf" \
    -sf "$work/hook.sh" -lf "$work/$prefix.lease" -pf "$work/$prefix.pid" \
    "$cif" 2>>"$work/clients.log"
  sleep 0.5
  timeout -k 2 30 ip netns exec "$cns" dhclient -4 -r -cf "$conf" \
    -sf "$work/hook.sh" -lf "$work/$prefix.lease" -pf "$work/$prefix.pid" \
    "$cif" 2>>"$work/clients.log"
  stop_capture
  ip -n "$cns" addr flush dev "$cif"
  split_capture "$work/$prefix.pcap" "$prefix"
}

run_udhcpc() { # PREFIX MAC
  local prefix=$1 mac=$2
  ip -n "$cns" link set "$cif" address "$mac"
  start_capture "$sif" "$work/$prefix.pcap"
  # Not -q: udhcpc only unicasts its RELEASE (-R) when stopped while BOUND.
  ip netns exec "$cns" udhcpc -i "$cif" -f -n -R -t 3 -T 2 \
    -s "$work/hook.sh" -x hostname:golden-udhcpc >>"$work/clients.log" 2>&1 &
  local upid=$!
  pids+=("$upid")
  wait_for_address "$cif"
  kill -TERM "$upid"
  wait "$upid" 2>/dev/null || true
  stop_capture
  ip -n "$cns" addr flush dev "$cif"
  split_capture "$work/$prefix.pcap" "$prefix"
}

wait_for_address() { # IFACE
  for _ in $(seq 100); do
    ip -n "$cns" -4 addr show dev "$1" | grep -q inet && break
    sleep 0.1
  done
  sleep 0.5
}

run_dhcpcd() { # PREFIX MAC
  local prefix=$1 mac=$2
  ip -n "$cns" link set "$cif" address "$mac"
  cat >"$work/dhcpcd.conf" <<CONF
option domain_name_servers, domain_name, domain_search, host_name, ntp_servers
option classless_static_routes, interface_mtu
require dhcp_server_identifier
noipv4ll
noarp
release
CONF
  start_capture "$sif" "$work/$prefix.pcap"
  # -B: stay in the foreground; "release" sends a RELEASE when stopped.
  ip netns exec "$cns" dhcpcd -f "$work/dhcpcd.conf" -c /bin/true -4 -B \
    -t 20 "$cif" >>"$work/clients.log" 2>&1 &
  local dpid=$!
  pids+=("$dpid")
  wait_for_address "$cif"
  kill -TERM "$dpid"
  wait "$dpid" 2>/dev/null || true
  stop_capture
  ip -n "$cns" addr flush dev "$cif"
  split_capture "$work/$prefix.pcap" "$prefix"
}

run_inform() { # PREFIX MAC ADDRESS/CIDR
  local prefix=$1 mac=$2 addr=$3
  ip -n "$cns" link set "$cif" address "$mac"
  start_capture "$sif" "$work/$prefix.pcap"
  ip netns exec "$cns" dhcpcd -f /dev/null -c /bin/true -4 -B -s "$addr" \
    "$cif" >>"$work/clients.log" 2>&1 &
  local dpid=$!
  pids+=("$dpid")
  wait_for_address "$cif"
  sleep 2
  kill -TERM "$dpid"
  wait "$dpid" 2>/dev/null || true
  stop_capture
  ip -n "$cns" addr flush dev "$cif"
  split_capture "$work/$prefix.pcap" "$prefix"
}

run_decline() { # PREFIX MAC IP
  local prefix=$1 mac=$2 taken=$3
  ip -n "$cns" link set "$cif" address "$mac"
  # Someone else already answers ARP for the reserved address.
  ip -n "$sns" addr add "$taken/32" dev "$sif"
  printf 'noipv4ll\nrequire dhcp_server_identifier\n' >"$work/decline.conf"
  : >"$work/decline.log"
  start_capture "$sif" "$work/$prefix.pcap"
  # -J: broadcast replies, or the server would deliver its unicast OFFER to
  # its own copy of the address.
  ip netns exec "$cns" dhcpcd -d -J -f "$work/decline.conf" -c /bin/true -4 -B \
    -t 30 "$cif" >"$work/decline.log" 2>&1 &
  local dpid=$!
  pids+=("$dpid")
  for _ in $(seq 150); do
    grep -q "sending DECLINE" "$work/decline.log" && break
    sleep 0.1
  done
  sleep 0.5
  kill -TERM "$dpid"
  wait "$dpid" 2>/dev/null || true
  cat "$work/decline.log" >>"$work/clients.log"
  stop_capture
  ip -n "$sns" addr del "$taken/32" dev "$sif"
  ip -n "$cns" addr flush dev "$cif"
  split_capture "$work/$prefix.pcap" "$prefix"
}

# Capture set NAME is made when ONLY is unset or lists it.
want() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }

# ---- go ----------------------------------------------------------------
log "namespace suffix $sfx"
make_topology
start_dnsmasq
ip netns exec "$rns" dhcrelay -4 -d -pf "$work/dhcrelay.pid" -id "$rcif" \
  -iu "$rsif" 10.77.1.1 >"$work/dhcrelay.log" 2>&1 &
relay_pid=$!
pids+=("$relay_pid")

! want dhclient || run_dhclient dhclient 02:00:00:77:00:11
! want udhcpc || run_udhcpc udhcpc 02:00:00:77:00:12
! want dhcpcd || run_dhcpcd dhcpcd 02:00:00:77:00:13

cat >"$work/pxe.conf" <<'CONF'
option pxe-system-type code 93 = unsigned integer 16;
option pxe-interface-id code 94 = string;
option pxe-client-id code 97 = string;
send vendor-class-identifier "PXEClient:Arch:00007:UNDI:003016";
send pxe-system-type 7;
send pxe-interface-id 01:03:10;
send pxe-client-id 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00;
request subnet-mask, routers, domain-name-servers, domain-name, host-name,
  vendor-encapsulated-options, tftp-server-name, bootfile-name;
CONF
! want pxe || run_dhclient pxe 02:00:00:77:00:14 "$work/pxe.conf"

# INIT-REBOOT for an address that is not the client's: REQUEST, NAK, then a
# fresh DISCOVER/OFFER/REQUEST/ACK and a RELEASE.
cat >"$work/nak.lease" <<LEASE
lease {
  interface "$cif";
  fixed-address 10.77.0.99;
  option subnet-mask 255.255.255.0;
  option dhcp-server-identifier 10.77.0.1;
  option dhcp-lease-time 3600;
  renew 4 2037/01/01 00:00:00;
  rebind 4 2037/01/01 00:00:00;
  expire 4 2037/01/01 00:00:00;
}
LEASE
! want nak || run_dhclient nak 02:00:00:77:00:17

# DHCPINFORM from a client that already has 10.77.0.18 (dhcpcd --inform).
! want inform || run_inform inform 02:00:00:77:00:18 10.77.0.18/24

# dhcpcd's ARP probe finds the offered address in use and DECLINEs it.
! want decline || run_decline decline 02:00:00:77:00:19 10.77.0.19

# Captured on the server side of the relay: giaddr set, hops 1.
! want relayed || run_dhclient relayed 02:00:00:77:00:15 /dev/null "$ccif" "$sifr"

# The same through dhcrelay -a: option 82 with the circuit ID (the relay's
# client-side interface name).
if want relayed82; then
  kill "$relay_pid"
  wait "$relay_pid" 2>/dev/null || true
  ip netns exec "$rns" dhcrelay -4 -d -a -pf "$work/dhcrelay.pid" -id "$rcif" \
    -iu "$rsif" 10.77.1.1 >"$work/dhcrelay82.log" 2>&1 &
  pids+=($!)
  sleep 0.5
  run_dhclient relayed82 02:00:00:77:00:16 /dev/null "$ccif" "$sifr"
fi

if [ -n "${KEEP_LOGS:-}" ]; then cp "$work"/*.log "$KEEP_LOGS"/; fi
log "done: $(ls "$out" | grep -c '\.bin$') packets in $out"
