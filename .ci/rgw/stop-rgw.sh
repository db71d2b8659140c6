#!/usr/bin/env bash
# stop-rgw.sh WORKDIR [--keep]
# Stops the radosgw, OSD and mon that start-rgw.sh started in WORKDIR (by their pid files only),
# then removes WORKDIR (unless --keep, e.g. to read the logs). Safe to run twice or on a missing dir.
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: $0 WORKDIR [--keep]" >&2; exit 2; }
case "$1" in /*) W=$1 ;; *) W=$PWD/$1 ;; esac
W=${W%/}
[ -n "$W" ] && [ "$W" != / ] || { echo "stop-rgw: refusing WORKDIR '/'" >&2; exit 2; }
[ -d "$W" ] || exit 0

# Nothing is kept (memstore): SIGKILL at once. SIGTERM would make the OSD write its whole memstore to
# WORKDIR and the gateways wait for their requests. With --keep (a failed start, logs wanted) SIGTERM
# first, so that the daemons flush their logs.
SIG=KILL
[ "${2:-}" = --keep ] && SIG=TERM
# Running = exists and is not a zombie (an orphaned daemon is reaped by PID 1, which in some
# containers never reaps).
running() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ -n "$st" ] && [ "$st" != Z ]; }
pids=()
for f in rgw rgw-sts osd.0 mon.a; do   # gateway first, mon last
  p=$(cat "$W/run/$f.pid" 2>/dev/null) || continue
  [[ "$p" =~ ^[0-9]+$ ]] || continue
  # Only signal a process that really is one of ours (a pid may have been reused since).
  if [ -r "/proc/$p/cmdline" ] && tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "$W/ceph.conf"; then
    kill "-$SIG" "$p" 2>/dev/null && pids+=("$p")
  fi
done
# Up to 2 s for a clean exit after SIGTERM, then SIGKILL.
for _ in $(seq 10); do
  left=()
  for p in "${pids[@]}"; do running "$p" && left+=("$p"); done
  [ ${#left[@]} -eq 0 ] && break
  sleep 0.2
done
for p in "${left[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null; done
for p in "${left[@]:-}"; do [ -n "$p" ] && for _ in $(seq 50); do running "$p" || break; sleep 0.1; done; done

if [ "${2:-}" != --keep ]; then
  rm -rf -- "$W"
fi
exit 0
