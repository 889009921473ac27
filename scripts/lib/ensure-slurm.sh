#!/usr/bin/env bash
# Makes sure a single-node Slurm cluster answers here (for the Slurm executor's tests): installs
# Debian's slurm-wlm pieces and munge from apt when missing, writes a one-node config under
# $SWE_GYM_SLURM_DIR, and starts munged, slurmctld and slurmd when `sinfo` does not answer.
# Prints the config path (export SLURM_CONF=<it> for sbatch/squeue). Stop with:
#   kill $(cat "$SWE_GYM_SLURM_DIR"/*.pid)
set -euo pipefail
dir="${SWE_GYM_SLURM_DIR:-/run/swe-gym-slurm}"
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Slurm is not installed and this script can only install it as root with apt-get." >&2
    exit 1
  fi
  echo "[setup] installing slurmctld, slurmd, slurm-client and munge from apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi
answers() { timeout 10 sinfo -h >/dev/null 2>&1; }
mkdir -p "$dir/state" "$dir/spool" "$dir/log"
if answers && [ -f "$dir/slurmd.pid" ]; then echo "$conf"; exit 0; fi
# munge: one key per machine (the package makes it; make one when it did not).
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge /etc/munge/munge.key 2>/dev/null || true
chmod 0400 /etc/munge/munge.key
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
if ! timeout 5 munge -n </dev/null 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1; then
  echo "[setup] starting munged" >&2
  runuser -u munge -- /usr/sbin/munged --force
  for _ in $(seq 1 20); do timeout 5 munge -n </dev/null 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1 && break; sleep 0.5; done
fi
host="$(hostname -s)"
cpus="$(nproc)"
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
cat >"$conf" <<CONF
ClusterName=swegym
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MinJobAge=3600
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
if ! answers; then
  echo "[setup] starting slurmctld" >&2
  slurmctld -i
fi
if [ ! -f "$dir/slurmd.pid" ] || ! kill -0 "$(cat "$dir/slurmd.pid")" 2>/dev/null; then
  echo "[setup] starting slurmd" >&2
  slurmd
fi
for _ in $(seq 1 60); do
  state="$(timeout 10 sinfo -h -o %T 2>/dev/null | head -1 || true)"
  case "$state" in idle*|mix*|alloc*) break ;; esac
  sleep 0.5
done
case "$state" in idle*|mix*|alloc*) ;; *)
  echo "Slurm did not come up (node state: ${state:-none}); see $dir/log" >&2
  exit 1 ;;
esac
echo "$conf"
