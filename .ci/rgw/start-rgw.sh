#!/usr/bin/env bash
# start-rgw.sh WORKDIR PORT [STS_PORT]
#
# Starts a throw-away single-node Ceph cluster (1 mon, 1 memstore OSD, no mgr) and one radosgw
# (beast frontend) listening on 127.0.0.1:PORT, everything under WORKDIR, then creates S3 users and
# prints one JSON document on stdout:
#   {"endpoint":"http://127.0.0.1:PORT","stsEndpoint":null|"http://127.0.0.1:STS_PORT","region":"us-east-1",
#    "workDir":...,"pids":{...},
#    "users":{"admin":{"uid":..,"arn":..,"accessKeyId":..,"secretAccessKey":..},"reader":{...},...}}
# (also written to WORKDIR/rgw.json). Everything else goes to stderr.
#
# Needs Debian's packages: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common
#
# With STS_PORT, a second radosgw on the same cluster (same buckets, users, roles) listens on
# 127.0.0.1:STS_PORT with `rgw s3 auth use sts = true`: it accepts AssumeRole's temporary credentials
# (x-amz-security-token). The gateway on PORT keeps it off, because with it on RGW answers a wrong
# secret with 403 AccessDenied instead of SignatureDoesNotMatch, and an unknown key with AccessDenied
# instead of InvalidAccessKeyId. Both gateways serve the STS (AssumeRole) and IAM APIs.
#
# Environment (all optional):
#   RGW_USERS         extra least-privilege users (no caps), default "reader writer outsider"
#   RGW_TENANT        put every user in this RGW tenant (e.g. 123456789012, so ARNs look like AWS's
#                     arn:aws:iam::123456789012:user/NAME); default: no tenant (arn:aws:iam:::user/NAME)
#   RGW_REGION        zonegroup api_name = the region clients sign with / LocationConstraint, default us-east-1
#   RGW_STS_KEY       16 characters, the key RGW encrypts session tokens with; default a fixed test key
#   RGW_DNS_NAME      e.g. localhost: RGW then also takes virtual-host requests (Host: BUCKET.localhost);
#                     clients must resolve BUCKET.localhost to 127.0.0.1 themselves. Default: path-style only
#   RGW_MEMSTORE_BYTES  memstore capacity (RAM used only as data is written), default 4 GiB
#   RGW_MON_PORT      mon port (msgr2), default: a free port picked at start
#   RGW_TIMEOUT       seconds to wait for each step, default 60
#   RGW_OWNER_PID     if set, a watchdog stops the instance (stop-rgw.sh) once that process is gone,
#                     e.g. the test runner's pid, so that a crashed or interrupted run leaks no daemons
#   RGW_DEBUG=1       trace
#
# Idempotent: if WORKDIR already holds a running instance on PORT, its JSON is printed again; a
# stale WORKDIR (dead daemons) is stopped and wiped first. Stop with stop-rgw.sh WORKDIR.
set -euo pipefail
[ "${RGW_DEBUG:-0}" = 1 ] && set -x

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "start-rgw: ERROR: $*" >&2; exit 1; }
SPAWNED=0
# A failed start leaves no daemon behind (the work dir and its logs stay until stop-rgw.sh or the next start).
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ "$SPAWNED" = 1 ]; then
    echo "start-rgw: stopping the daemons of the failed start; logs kept in $W/log" >&2
    "$SCRIPT_DIR/stop-rgw.sh" "$W" --keep >&2 || true
  fi
}
trap on_exit EXIT
log() { echo "start-rgw: $*" >&2; }

[ $# -eq 2 ] || [ $# -eq 3 ] || die "usage: $0 WORKDIR PORT [STS_PORT]"
PORT=$2
STS_PORT=${3:-}
for p in "$PORT" ${STS_PORT:+"$STS_PORT"}; do
  [[ "$p" =~ ^[0-9]+$ ]] && [ "$p" -ge 1 ] && [ "$p" -le 65535 ] || die "ports must be numbers 1-65535, got '$p'"
done
[ "$PORT" != "$STS_PORT" ] || die "PORT and STS_PORT must differ"
for p in "$PORT" ${STS_PORT:+"$STS_PORT"}; do
  # The OSD binds its own ports in ms_bind_port_min..max (6800-7300) before RGW starts.
  [ "$p" -lt 6800 ] || [ "$p" -gt 7300 ] || die "port $p is in 6800-7300, where the OSD binds its ports: choose another"
done
case "$1" in
  /*) W=$1 ;;
  *) W=$PWD/$1 ;;
esac
W=${W%/}
[ -n "$W" ] && [ "$W" != / ] || die "refusing WORKDIR '/'"

# Debian's python3 (python3-rados comes with ceph-common), not whatever python3 is first on PATH.
PY=/usr/bin/python3
"$PY" -c 'import rados' 2>/dev/null || die "$PY cannot import rados: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common"
for bin in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool setsid timeout; do
  command -v "$bin" >/dev/null 2>&1 || die "'$bin' not found: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common"
done

TIMEOUT=${RGW_TIMEOUT:-60}
REGION=${RGW_REGION:-us-east-1}
USERS=${RGW_USERS-reader writer outsider}
TENANT=${RGW_TENANT:-}
STS_KEY=${RGW_STS_KEY:-siggate-sts-key1}   # rgw_sts_key must be exactly 16 characters
MEMSTORE_BYTES=${RGW_MEMSTORE_BYTES:-4294967296}
T0=$(date +%s.%N)

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
# RGW answers an anonymous GET / with 200 ListAllMyBucketsResult once it is serving.
# (no proxy: an http_proxy in the environment must not catch 127.0.0.1)
http_ok() { "$PY" -c 'import sys, urllib.request as u; u.build_opener(u.ProxyHandler({})).open(sys.argv[1], timeout=2)' "$1" 2>/dev/null; }
port_in_use() {
  "$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError: sys.exit(0)
sys.exit(1)
EOF
}

# --- idempotency -----------------------------------------------------------------------------------
if [ -f "$W/rgw.json" ] && alive "$W/run/mon.a.pid" && alive "$W/run/osd.0.pid" && alive "$W/run/rgw.pid" \
   && [ "$(cat "$W/port" 2>/dev/null)" = "$PORT $STS_PORT" ] && http_ok "http://127.0.0.1:$PORT/" \
   && { [ -z "$STS_PORT" ] || { alive "$W/run/rgw-sts.pid" && http_ok "http://127.0.0.1:$STS_PORT/"; }; }; then
  log "already running in $W"
  cat "$W/rgw.json"
  exit 0
fi
if [ -e "$W" ]; then
  log "$W exists without a healthy instance on port(s) $PORT $STS_PORT: stopping it and starting afresh"
  "$SCRIPT_DIR/stop-rgw.sh" "$W" >&2 || true
fi

# RGW's ports must be free (a clear message rather than a radosgw that dies with EADDRINUSE).
for p in "$PORT" ${STS_PORT:+"$STS_PORT"}; do
  port_in_use "$p" && die "127.0.0.1:$p is already in use"
done

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
MON_PORT=${RGW_MON_PORT:-$(free_port)}

mkdir -p "$W"/{run,log,mon,osd/ceph-0,tmp}
echo "$PORT $STS_PORT" >"$W/port"
FSID=$("$PY" -c 'import uuid; print(uuid.uuid4())')
CONF=$W/ceph.conf

cat >"$CONF" <<EOF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_PORT]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false

auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
ms client mode = crc
ms mon client mode = crc
ms cluster mode = crc
ms service mode = crc
ms mon service mode = crc
ms mon cluster mode = crc

run dir = $W/run
admin socket = $W/run/\$name.asok
pid file = $W/run/\$name.pid
log file = $W/log/\$name.log
log to stderr = false
err to stderr = true
keyring = $W/keyring
crash dir = $W/tmp/crash
exporter sock dir = $W/run
lockdep = false

osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0

[mon]
mon data = $W/mon/ceph-\$id
mon cluster log file = $W/log/cluster.log
mon data avail warn = 1
mon data avail crit = 0
# A throw-away single mon: commit map changes at once instead of batching them for 1 s each
# (each pool creation and the OSD boot are several map changes).
paxos propose interval = 0.01
paxos min wait = 0.001
mon warn on insecure global id reclaim = false
mon warn on insecure global id reclaim allowed = false

[osd]
osd data = $W/osd/ceph-\$id
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
osd max object name len = 460
osd max object namespace len = 64
osd op num shards = 1
osd op num threads per shard = 2

[client]
rgw frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw thread pool size = 64
rgw dns name = ${RGW_DNS_NAME:-}
rgw enable usage log = false
rgw data path = $W/tmp/rgw
rgw sts key = $STS_KEY
rgw s3 auth use sts = false

# The STS gateway (only started with STS_PORT): accepts temporary credentials.
[client.rgw.sts]
rgw frontends = beast endpoint=127.0.0.1:${STS_PORT:-0} tcp_nodelay=1
rgw s3 auth use sts = true
EOF
[ ${#STS_KEY} -eq 16 ] || die "RGW_STS_KEY must be 16 characters"

C=(-c "$CONF")
# auth = none: the keyring only has to exist for the tools that insist on reading one.
ceph-authtool --create-keyring "$W/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null

deadline() { echo $(( $(date +%s) + TIMEOUT )); }
wait_for() { # description pidfile-to-check(or "") command...
  local what=$1 pidfile=$2; shift 2
  local end; end=$(deadline)
  until "$@" >/dev/null 2>&1; do
    if [ -n "$pidfile" ] && ! alive "$pidfile"; then
      local name; name=$(basename "$pidfile" .pid)
      case $name in rgw) name=client.rgw ;; rgw-sts) name=client.rgw.sts ;; esac
      dump_log "$name"
      die "$what: the daemon died (logs in $W/log)"
    fi
    [ "$(date +%s)" -lt "$end" ] || die "$what: timed out after ${TIMEOUT}s (logs in $W/log)"
    sleep 0.2
  done
}
dump_log() { # daemon name (mon.a, osd.0, client.rgw, client.rgw.sts)
  local out=${1#client.}; out=${out/rgw.sts/rgw-sts}
  echo "start-rgw: last lines of $W/log/$1.log:" >&2; tail -n 15 "$W/log/$1.log" >&2 2>/dev/null || true
  echo "start-rgw: its stderr ($W/log/$out.stdout):" >&2; tail -n 10 "$W/log/$out.stdout" >&2 2>/dev/null || true
}
elapsed() { "$PY" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}s')" "$T0" "$(date +%s.%N)"; }

# Daemons run in the foreground (-f) in their own session, so they outlive this script but not stop-rgw.sh.
spawn() { # pidfile logname cmd...
  local pidfile=$1 out=$2; shift 2
  SPAWNED=1
  setsid "$@" -f >"$W/log/$out.stdout" 2>&1 </dev/null &
  echo $! >"$pidfile"
  disown $!
}

# A small client of the mon through librados (Debian's python3-rados): one process per phase instead
# of a 0.7 s `ceph` CLI call per command.
cat >"$W/tmp/cluster.py" <<'PYEOF'
import json, os, sys, time, rados
conf, timeout, phase, *args = sys.argv[1:]
deadline = time.time() + float(timeout)
def alive(pidfile):
    try:
        os.kill(int(open(pidfile).read()), 0); return True
    except Exception:
        return False
def check(pidfile, what):
    if not alive(pidfile): sys.exit(f"{what}: the daemon died")
    if time.time() > deadline: sys.exit(f"{what}: timed out after {timeout}s")
w = os.path.dirname(conf)
while True:  # the mon may not listen yet
    check(f"{w}/run/mon.a.pid", "connecting to the mon")
    try:
        c = rados.Rados(conffile=conf, name="client.admin"); c.connect(timeout=2); break
    except rados.Error:
        time.sleep(0.1)
def cmd(**kw):
    ret, out, err = c.mon_command(json.dumps(kw), b"", timeout=int(timeout))
    if ret != 0: sys.exit(f"mon command {kw} failed: {ret} {err}")
    return out
if phase == "osd-new":
    osd_uuid, *pools = args
    print(json.loads(cmd(prefix="osd new", uuid=osd_uuid, format="json"))["osdid"])
    # All of RGW's pools up front (RGW would otherwise create them one by one on first use).
    for pool in pools:
        cmd(prefix="osd pool create", pool=pool, pg_num=8, pgp_num=8)
        cmd(prefix="osd pool application enable", pool=pool, app="rgw")
elif phase == "osd-up":
    while not any(o["up"] and o["in"] for o in json.loads(cmd(prefix="osd dump", format="json"))["osds"]):
        check(f"{w}/run/osd.0.pid", "waiting for osd.0 to be up")
        time.sleep(0.1)
c.shutdown()
PYEOF
cluster() { "$PY" "$W/tmp/cluster.py" "$CONF" "$TIMEOUT" "$@"; }
POOLS=(.rgw.root default.rgw.log default.rgw.control default.rgw.meta
       default.rgw.buckets.index default.rgw.buckets.data default.rgw.buckets.non-ec)

# --- mon -------------------------------------------------------------------------------------------
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$W/tmp/monmap" >/dev/null
ceph-mon "${C[@]}" --mkfs -i a --monmap "$W/tmp/monmap" --keyring "$W/keyring" 2>"$W/log/mon-mkfs.log" \
  || { cat "$W/log/mon-mkfs.log" >&2; die "ceph-mon --mkfs failed"; }
spawn "$W/run/mon.a.pid" mon.a ceph-mon "${C[@]}" -i a

# --- osd (memstore) + pools ------------------------------------------------------------------------
OSD_UUID=$("$PY" -c 'import uuid; print(uuid.uuid4())')
OSD_ID=$(cluster osd-new "$OSD_UUID" "${POOLS[@]}") || { dump_log mon.a; die "mon not usable (logs in $W/log)"; }
[ "$OSD_ID" = 0 ] || die "expected osd id 0, got '$OSD_ID'"
log "mon up on 127.0.0.1:$MON_PORT, pools created ($(elapsed))"
ceph-osd "${C[@]}" -i 0 --mkfs --osd-uuid "$OSD_UUID" >"$W/log/osd-mkfs.log" 2>&1 \
  || { cat "$W/log/osd-mkfs.log" >&2; die "ceph-osd --mkfs failed"; }
spawn "$W/run/osd.0.pid" osd.0 ceph-osd "${C[@]}" -i 0
cluster osd-up || { dump_log osd.0; die "osd.0 did not come up (logs in $W/log)"; }
log "osd.0 up ($(elapsed))"

# --- zone/zonegroup: the zonegroup's api_name is the region (LocationConstraint) RGW accepts --------
RA=(radosgw-admin "${C[@]}" -n client.admin)
# Any radosgw-admin command that opens the store (not "zonegroup get") creates the default realm-less
# zone + zonegroup.
timeout "$TIMEOUT" "${RA[@]}" user list >/dev/null 2>"$W/log/radosgw-admin.log" \
  || { tail -20 "$W/log/radosgw-admin.log" >&2; die "radosgw-admin could not create the default zone"; }
# One index shard per bucket (default 11) makes bucket creation cheaper.
timeout "$TIMEOUT" "${RA[@]}" zonegroup modify --rgw-zonegroup=default --api-name="$REGION" --bucket-index-max-shards=1 >/dev/null 2>>"$W/log/radosgw-admin.log" \
  || { tail -20 "$W/log/radosgw-admin.log" >&2; die "radosgw-admin zonegroup modify failed"; }
log "zonegroup default, api_name $REGION ($(elapsed))"

# --- radosgw ---------------------------------------------------------------------------------------
spawn "$W/run/rgw.pid" rgw radosgw "${C[@]}" -n client.rgw
[ -n "$STS_PORT" ] && spawn "$W/run/rgw-sts.pid" rgw-sts radosgw "${C[@]}" -n client.rgw.sts
wait_for "radosgw on 127.0.0.1:$PORT" "$W/run/rgw.pid" http_ok "http://127.0.0.1:$PORT/"
log "radosgw serving on 127.0.0.1:$PORT ($(elapsed))"
if [ -n "$STS_PORT" ]; then
  wait_for "radosgw (STS auth) on 127.0.0.1:$STS_PORT" "$W/run/rgw-sts.pid" http_ok "http://127.0.0.1:$STS_PORT/"
  log "radosgw with STS auth serving on 127.0.0.1:$STS_PORT ($(elapsed))"
fi

# --- users -----------------------------------------------------------------------------------------
TENANT_ARG=()
[ -n "$TENANT" ] && TENANT_ARG=(--tenant "$TENANT")
mkuser() { # uid caps(or "")
  local uid=$1 caps=$2 out
  out=$(timeout "$TIMEOUT" "${RA[@]}" user create --uid "$uid" "${TENANT_ARG[@]}" --display-name "$uid" 2>>"$W/log/radosgw-admin.log") \
    || { tail -20 "$W/log/radosgw-admin.log" >&2; die "radosgw-admin user create $uid failed"; }
  if [ -n "$caps" ]; then
    out=$(timeout "$TIMEOUT" "${RA[@]}" caps add --uid "$uid" "${TENANT_ARG[@]}" --caps "$caps" 2>>"$W/log/radosgw-admin.log") \
      || die "radosgw-admin caps add $uid failed"
  fi
  echo "$out" >"$W/tmp/user-$uid.json"
}
# The admin/owner: owns the test buckets; admin-API and IAM-API caps (roles, user policies).
mkuser admin "users=*;buckets=*;metadata=*;usage=*;zone=*;roles=*;user-policy=*;oidc-provider=*"
for u in $USERS; do mkuser "$u" ""; done

"$PY" - "$W" "$PORT" "${STS_PORT:-}" "$REGION" "$TENANT" admin $USERS >"$W/rgw.json" <<'EOF'
import json, os, sys
w, port, sts_port, region, tenant, *uids = sys.argv[1:]
users = {}
for uid in uids:
    d = json.load(open(f"{w}/tmp/user-{uid}.json"))
    k = d["keys"][0]
    users[uid] = {
        "uid": f"{tenant}${uid}" if tenant else uid,
        "arn": f"arn:aws:iam::{tenant}:user/{uid}",
        "accessKeyId": k["access_key"],
        "secretAccessKey": k["secret_key"],
    }
pids = {n: int(open(f"{w}/run/{f}.pid").read()) for n, f in [("mon", "mon.a"), ("osd", "osd.0"), ("rgw", "rgw"), ("rgwSts", "rgw-sts")]
        if os.path.exists(f"{w}/run/{f}.pid")}
print(json.dumps({
    "endpoint": f"http://127.0.0.1:{port}",
    "region": region,
    "stsEndpoint": f"http://127.0.0.1:{sts_port}" if sts_port else None,
    "tenant": tenant or None,
    "forcePathStyle": True,
    "workDir": w,
    "pids": pids,
    "users": users,
}, indent=2))
EOF
if [ -n "${RGW_OWNER_PID:-}" ]; then
  # Exits by itself once WORKDIR is gone (stop-rgw.sh removes it).
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$2/run" ]; do sleep 1; done; [ -d "$2/run" ] && "$3/stop-rgw.sh" "$2"' \
    rgw-watchdog "$RGW_OWNER_PID" "$W" "$SCRIPT_DIR" >/dev/null 2>&1 </dev/null &
  disown $!
fi
log "ready in $(elapsed)"
cat "$W/rgw.json"
