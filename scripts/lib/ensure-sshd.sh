#!/usr/bin/env bash
# Makes sure an sshd of our own answers on 127.0.0.1 (for the remote-engine tests: an engine
# reached over ssh://): installs Debian's openssh-server from apt when missing, and in
# $SWE_GYM_SSHD_DIR writes a throwaway host key, a throwaway client key pair, its authorized_keys,
# a known_hosts line and an sshd_config on a dedicated port, then starts that sshd when nothing
# answers there. The system's sshd configuration is not touched.
# Prints the folder (port, id_ed25519, known_hosts, sshd.pid in it). Stop with:
#   kill "$(cat "$SWE_GYM_SSHD_DIR/sshd.pid")"
set -euo pipefail
dir="${SWE_GYM_SSHD_DIR:-/run/swe-gym-sshd}"
port="${SWE_GYM_SSHD_PORT:-22622}"
if [ ! -x /usr/sbin/sshd ] || ! command -v ssh-keygen >/dev/null 2>&1 || ! command -v ssh-keyscan >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "openssh-server is not installed and this script can only install it as root with apt-get." >&2
    exit 1
  fi
  echo "[setup] installing openssh-server from apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # policy-rc.d-less containers may try to start the system sshd: that is not ours, so it may fail.
  apt-get install -y -qq --no-install-recommends openssh-server openssh-client >/dev/null
fi
answers() { timeout 5 ssh -q -F /dev/null -p "$port" -i "$dir/id_ed25519" -o BatchMode=yes -o UserKnownHostsFile="$dir/known_hosts" -o StrictHostKeyChecking=yes root@127.0.0.1 true </dev/null 2>/dev/null; }
mkdir -p "$dir" /run/sshd
chmod 700 "$dir"
if [ -f "$dir/sshd.pid" ] && kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null && answers; then echo "$dir"; exit 0; fi
[ -f "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C swe-gym-test-host -f "$dir/ssh_host_ed25519_key"
[ -f "$dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C swe-gym-test-client -f "$dir/id_ed25519"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" >"$dir/known_hosts"
echo "$port" >"$dir/port"
cat >"$dir/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxStartups 100:30:200
MaxSessions 100
AllowTcpForwarding no
X11Forwarding no
# The engine's client runs \`docker system dial-stdio\` here: the same CLI and dockerd socket as the host.
SetEnv PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EOF
echo "[setup] starting sshd on 127.0.0.1:$port" >&2
/usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
for _ in $(seq 1 40); do
  answers && break
  sleep 0.25
done
answers || { echo "sshd did not answer on 127.0.0.1:$port within 10 s; see $dir/sshd.log" >&2; exit 1; }
echo "$dir"
