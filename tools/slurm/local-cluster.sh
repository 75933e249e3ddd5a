#!/usr/bin/env bash
# A throwaway single-node SLURM cluster on this machine, for testing the scripts in tools/slurm/.
#   tools/slurm/local-cluster.sh start   installs slurm-wlm and munge if missing, writes a
#                                        private slurm.conf, starts munged, slurmctld, slurmd
#                                        and waits until the node is idle
#   tools/slurm/local-cluster.sh stop    stops the daemons that `start` started
#   tools/slurm/local-cluster.sh env     prints the `export SLURM_CONF=...` line for clients
# Everything lives under $MCVIDEO_SLURM_DIR (default /tmp/mcvideo-slurm): config, its own munge
# key and socket, state, spool, logs, pid files. /etc/slurm and any system munged are left alone.
# All traffic is over loopback: the controller and the node are both addressed as 127.0.0.1.
# Needs root (slurmd starts jobs as their users; apt-get installs).
# Ports: $MCVIDEO_SLURM_PORT (controller, default 6817) and the next one (slurmd).
set -euo pipefail

DIR=${MCVIDEO_SLURM_DIR:-/tmp/mcvideo-slurm}
PORT=${MCVIDEO_SLURM_PORT:-6817}
CONF=$DIR/slurm.conf
NODE=$(hostname -s)

log() { echo "local-cluster: $*" >&2; }

install_packages() {
  local missing=()
  command -v slurmctld >/dev/null || missing+=(slurmctld)
  command -v slurmd >/dev/null || missing+=(slurmd)
  command -v sbatch >/dev/null || missing+=(slurm-client)
  command -v munged >/dev/null || missing+=(munge)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing slurm-wlm and munge (missing: ${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
}

# The hardware line as slurmd itself sees it (CPUs, sockets, cores, threads, memory), so that
# the node registers without being drained for a mismatch, wherever this runs.
node_line() {
  local hw
  hw=$(slurmd -C | head -n 1)
  case $hw in
    NodeName=*) ;;
    *) log "slurmd -C gave no hardware line: $hw"; exit 1 ;;
  esac
  echo "$hw" | sed -E "s/^NodeName=[^ ]+/NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$NODE/"
}

write_conf() {
  mkdir -p "$DIR"/{state,spool,log,munge}
  chmod 0755 "$DIR/munge"
  cat >"$CONF" <<EOF
# Written by tools/slurm/local-cluster.sh: one node, loopback only, no accounting.
ClusterName=mcvideo-local
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket.2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
# No cgroups: works in containers and sandboxes where the cgroup tree is not ours to change.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# A job whose dependency can never be met (e.g. the merge after a failed shard) is cancelled
# instead of pending forever; finished jobs stay visible to scontrol for an hour (no sacct).
DependencyParameters=kill_invalid_depend
MinJobAge=3600
SlurmctldTimeout=30
SlurmdTimeout=60
$(node_line) State=UNKNOWN
PartitionName=local Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
  local key=$DIR/munge/munge.key
  if [ ! -s "$key" ]; then
    dd if=/dev/urandom of="$key" bs=1 count=1024 status=none
    chmod 0400 "$key"
  fi
  if [ -S "$DIR/munge/munge.socket.2" ] && munge -S "$DIR/munge/munge.socket.2" -n </dev/null >/dev/null 2>&1; then
    return 0
  fi
  munged --force --socket="$DIR/munge/munge.socket.2" --key-file="$key" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/log/munged.log" \
    --seed-file="$DIR/munge/munged.seed"
  for _ in $(seq 50); do
    munge -S "$DIR/munge/munge.socket.2" -n </dev/null >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  log "munged did not come up; see $DIR/log/munged.log"
  exit 1
}

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  install_packages
  if pid_alive "$DIR/slurmctld.pid" && pid_alive "$DIR/slurmd.pid"; then
    log "already running (SLURM_CONF=$CONF)"
  else
    write_conf
    start_munge
    export SLURM_CONF=$CONF
    # -c: start clean, whatever state an earlier run of this throwaway cluster left.
    pid_alive "$DIR/slurmctld.pid" || slurmctld -c -f "$CONF"
    pid_alive "$DIR/slurmd.pid" || slurmd -f "$CONF" -N "$NODE"
  fi
  export SLURM_CONF=$CONF
  local state=""
  for _ in $(seq 60); do
    state=$(sinfo -h -n "$NODE" -o '%t' 2>/dev/null || true)
    if [ "$state" = idle ]; then
      log "node $NODE is idle (SLURM_CONF=$CONF)"
      return 0
    fi
    sleep 1
  done
  log "node $NODE not idle after 60 s (state '${state:-none}'); logs in $DIR/log"
  tail -n 20 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" >&2 || true
  exit 1
}

stop_pidfile() {
  local name=$1 file=$2 pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "stopped $name ($pid)"
  fi
  rm -f "$file"
}

stop() {
  stop_pidfile slurmd "$DIR/slurmd.pid"
  stop_pidfile slurmctld "$DIR/slurmctld.pid"
  stop_pidfile munged "$DIR/munge/munged.pid"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *)
    sed -n '2,12p' "$0" >&2
    exit 2
    ;;
esac
