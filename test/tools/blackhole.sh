#!/bin/sh
# blackhole.sh --- a path through a router that can be cut silently.
#
#   sh test/tools/blackhole.sh setup       in a new network namespace
#                                          (unshare -n): prints "R S"
#   sh test/tools/blackhole.sh cut R       the router drops everything
#
# setup makes two more namespaces, held by processes R (the router) and
# S (the server's: run a server there with nsenter -t S -n), linked
# by veth pairs: this namespace is 10.1.0.2, the router 10.1.0.1 and
# 10.2.0.1, the server 10.2.0.2.  cut gives the router blackhole
# routes to both ends: packets vanish, with no RST, FIN or ICMP, and
# every link stays up.  Killing R and S removes their namespaces.
set -eu
case $1 in
setup)
    ip link set lo up
    self=$(readlink /proc/self/ns/net)
    unshare -n sleep 600 </dev/null >/dev/null 2>&1 &
    r=$!
    unshare -n sleep 600 </dev/null >/dev/null 2>&1 &
    s=$!
    for pid in $r $s; do
        n=0
        while [ "$(readlink /proc/$pid/ns/net)" = "$self" ]; do
            n=$((n + 1))
            [ $n -lt 200 ] || { echo "no namespace for $pid" >&2; exit 1; }
            sleep 0.05
        done
    done
    ip link add c0 type veth peer name r0
    ip link set r0 netns "$r"
    ip addr add 10.1.0.2/24 dev c0
    ip link set c0 up
    ip route add default via 10.1.0.1
    nsenter -t "$r" -n sh -c '
        ip link set lo up
        ip addr add 10.1.0.1/24 dev r0 && ip link set r0 up
        ip link add r1 type veth peer name s0
        ip addr add 10.2.0.1/24 dev r1 && ip link set r1 up
        echo 1 >/proc/sys/net/ipv4/ip_forward'
    nsenter -t "$r" -n ip link set s0 netns "$s"
    nsenter -t "$s" -n sh -c '
        ip link set lo up
        ip addr add 10.2.0.2/24 dev s0 && ip link set s0 up
        ip route add default via 10.2.0.1'
    echo "$r $s"
    ;;
cut)
    nsenter -t "$2" -n sh -c '
        ip route add blackhole 10.2.0.2/32
        ip route add blackhole 10.1.0.2/32'
    ;;
*)
    echo "usage: $0 setup | cut ROUTER" >&2
    exit 2
    ;;
esac
