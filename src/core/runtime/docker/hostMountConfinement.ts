import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
/**
 * Confinement for containers that write into a host folder (a read-write bind mount). Root in
 * such a container is root on the host's file system: whatever mode bits or file types it leaves
 * in the folder, host users meet later. So it must not be able to make a setuid/setgid file, a
 * device node or a file with capabilities there, and must not regain the capabilities it lacks
 * through a new user namespace. Three layers, none relying on a later clean-up:
 * - capabilities: MKNOD (device nodes), SETFCAP (file capabilities), FSETID (a write keeps
 *   setuid bits), NET_RAW, AUDIT_WRITE and SETPCAP are dropped;
 * - no-new-privileges: nothing executed in the container gains privileges from file modes;
 * - a seccomp profile (ours, replacing Docker's default): an allowlist of the x86_64/aarch64
 *   system calls, where chmod-like calls and file-creating opens refuse S_ISUID/S_ISGID, mknod
 *   refuses character and block devices, namespaces cannot be made, and kernel-facing calls
 *   Docker's default also withholds (keys, bpf, perf, mounts, modules, clocks, io_uring...) stay
 *   refused. Calls the allowlist does not name, including ones newer than it, fail with EPERM
 *   (Docker 20.10 ignores a profile's defaultErrnoRet); the few whose callers fall back to an
 *   older call on ENOSYS get ENOSYS explicitly.
 */

export const DROPPED_CAPABILITIES = ['MKNOD', 'SETFCAP', 'FSETID', 'NET_RAW', 'AUDIT_WRITE', 'SETPCAP'];

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_IFMT = 0o170000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFREG = 0o100000;
const S_IFIFO = 0o010000;
const S_IFSOCK = 0o140000;
const O_CREAT = 0o100;
const O_TMPFILE_BIT = 0o20000000;
/** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET; unshare also takes CLONE_NEWTIME. */
const CLONE_NAMESPACES = 0x7e020000;
const CLONE_NEWTIME = 0x80;
const EPERM = 1;
const ENOSYS = 38;

/**
 * Allowed without conditions. Written from the Linux syscall tables (names a kernel or the
 * engine's libseccomp does not know are skipped by the engine). Left out on purpose: the ones
 * below with conditions, openat2 (its mode hides in a struct), clone3 (flags in a struct; libc
 * falls back to clone), io_uring (its operations bypass seccomp), and everything in DENIED.
 */
const ALLOWED = `
read write readv writev pread64 pwrite64 preadv pwritev preadv2 pwritev2 lseek close close_range
dup dup2 dup3 fcntl flock fsync fdatasync syncfs sync sync_file_range fadvise64 readahead fallocate
truncate ftruncate sendfile splice tee vmsplice copy_file_range
stat fstat lstat newfstatat statx statfs fstatfs access faccessat faccessat2 getdents getdents64
getcwd chdir fchdir rename renameat renameat2 mkdir mkdirat rmdir link linkat unlink unlinkat
symlink symlinkat readlink readlinkat chown fchown lchown fchownat umask utime utimes utimensat futimesat
setxattr lsetxattr fsetxattr getxattr lgetxattr fgetxattr listxattr llistxattr flistxattr
removexattr lremovexattr fremovexattr chroot
inotify_init inotify_init1 inotify_add_watch inotify_rm_watch fanotify_mark
poll ppoll select pselect6 epoll_create epoll_create1 epoll_ctl epoll_wait epoll_pwait epoll_pwait2
eventfd eventfd2 signalfd signalfd4 timerfd_create timerfd_settime timerfd_gettime pipe pipe2
mmap mprotect munmap brk mremap msync mincore madvise process_madvise mlock mlock2 munlock
mlockall munlockall remap_file_pages membarrier memfd_create memfd_secret pkey_mprotect pkey_alloc
pkey_free map_shadow_stack mseal cachestat
shmget shmat shmctl shmdt semget semop semctl semtimedop msgget msgsnd msgrcv msgctl
mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr
rt_sigaction rt_sigprocmask rt_sigreturn rt_sigpending rt_sigtimedwait rt_sigqueueinfo
rt_sigsuspend rt_tgsigqueueinfo sigaltstack kill tkill tgkill pause alarm getitimer setitimer
nanosleep clock_nanosleep clock_gettime clock_getres gettimeofday time times
timer_create timer_settime timer_gettime timer_getoverrun timer_delete
fork vfork execve execveat exit exit_group wait4 waitid set_tid_address set_robust_list
get_robust_list futex futex_waitv futex_wake futex_wait futex_requeue restart_syscall rseq
arch_prctl prctl set_thread_area get_thread_area modify_ldt seccomp
landlock_create_ruleset landlock_add_rule landlock_restrict_self
pidfd_open pidfd_send_signal pidfd_getfd process_mrelease ptrace process_vm_readv process_vm_writev
getpid getppid gettid getuid geteuid getgid getegid getresuid getresgid getgroups setuid setgid
setreuid setregid setresuid setresgid setfsuid setfsgid setgroups capget capset setpgid getpgid
getpgrp setsid getsid getpriority setpriority ioprio_get ioprio_set getrlimit setrlimit prlimit64
getrusage sysinfo uname getcpu getrandom
sched_yield sched_setparam sched_getparam sched_setscheduler sched_getscheduler
sched_get_priority_max sched_get_priority_min sched_rr_get_interval sched_setaffinity
sched_getaffinity sched_setattr sched_getattr
socket socketpair connect accept accept4 bind listen shutdown getsockname getpeername setsockopt
getsockopt sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg
io_setup io_destroy io_getevents io_pgetevents io_submit io_cancel ioctl
lsm_get_self_attr lsm_list_modules statmount listmount
`;

/** Refused with EPERM: host-facing or kernel-attack-surface calls (Docker's default withholds these too). */
const DENIED = `
mount umount2 pivot_root fsopen fsconfig fsmount fspick move_mount open_tree mount_setattr setns
add_key request_key keyctl bpf perf_event_open userfaultfd kcmp lookup_dcookie
init_module finit_module delete_module create_module get_kernel_syms query_module kexec_load kexec_file_load
reboot swapon swapoff acct syslog quotactl quotactl_fd sethostname setdomainname vhangup
settimeofday clock_settime clock_adjtime adjtimex iopl ioperm uselib ustat sysfs _sysctl nfsservctl
open_by_handle_at name_to_handle_at fanotify_init
mbind set_mempolicy get_mempolicy set_mempolicy_home_node migrate_pages move_pages
`;

type Op = 'SCMP_CMP_EQ' | 'SCMP_CMP_MASKED_EQ';
interface Arg {
  index: number;
  value: number;
  valueTwo?: number;
  op: Op;
}
interface Rule {
  names: string[];
  action: 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO';
  errnoRet?: number;
  args?: Arg[];
}

/** (arg & mask) === expected */
const masked = (index: number, mask: number, expected: number): Arg => ({ index, value: mask, valueTwo: expected, op: 'SCMP_CMP_MASKED_EQ' });
const allow = (names: string[], ...args: Arg[]): Rule => ({ names, action: 'SCMP_ACT_ALLOW', ...(args.length ? { args } : {}) });
const refuse = (names: string[], ...args: Arg[]): Rule => ({ names, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, ...(args.length ? { args } : {}) });
/** libc and runtimes fall back to the older call on ENOSYS (clone3 -> clone, openat2 -> openat). */
const FALL_BACK = ['clone3', 'openat2', 'io_uring_setup', 'io_uring_enter', 'io_uring_register'];
const words = (s: string) => s.split(/\s+/).filter(Boolean);

/** chmod-like calls and the mode index of each. */
const MODE_SETTERS: [string, number][] = [
  ['chmod', 1],
  ['fchmod', 1],
  ['fchmodat', 2],
  ['fchmodat2', 2],
  ['creat', 1],
];
/** open-like calls: [name, flags index, mode index]. */
const OPENERS: [string, number, number][] = [
  ['open', 1, 2],
  ['openat', 2, 3],
];
const MKNODS: [string, number][] = [
  ['mknod', 1],
  ['mknodat', 2],
];

function rules(): Rule[] {
  const out: Rule[] = [allow(words(ALLOWED)), refuse(words(DENIED)), { names: FALL_BACK, action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS }];
  for (const [name, mode] of MODE_SETTERS) {
    out.push(allow([name], masked(mode, S_ISUID | S_ISGID, 0)));
    for (const bit of [S_ISUID, S_ISGID]) out.push(refuse([name], masked(mode, bit, bit)));
  }
  for (const [name, flags, mode] of OPENERS) {
    for (const create of [O_CREAT, O_TMPFILE_BIT]) {
      for (const bit of [S_ISUID, S_ISGID]) out.push(refuse([name], masked(flags, create, create), masked(mode, bit, bit)));
    }
    out.push(allow([name], masked(flags, O_CREAT | O_TMPFILE_BIT, 0)));
    out.push(allow([name], masked(mode, S_ISUID | S_ISGID, 0)));
  }
  for (const [name, mode] of MKNODS) {
    // Regular files, FIFOs and sockets without setuid/setgid bits; never devices.
    for (const type of [0, S_IFREG, S_IFIFO, S_IFSOCK]) out.push(allow([name], masked(mode, S_IFMT | S_ISUID | S_ISGID, type)));
    for (const type of [S_IFCHR, S_IFBLK]) out.push(refuse([name], masked(mode, S_IFMT, type)));
    for (const bit of [S_ISUID, S_ISGID]) out.push(refuse([name], masked(mode, bit, bit)));
  }
  out.push(allow(['clone'], masked(0, CLONE_NAMESPACES, 0)));
  for (const flag of bitsOf(CLONE_NAMESPACES)) out.push(refuse(['clone'], masked(0, flag, flag)));
  out.push(allow(['unshare'], masked(0, CLONE_NAMESPACES | CLONE_NEWTIME, 0)));
  for (const flag of bitsOf(CLONE_NAMESPACES | CLONE_NEWTIME)) out.push(refuse(['unshare'], masked(0, flag, flag)));
  // personality: the default, a query, and the two compatibility personalities only.
  for (const p of [0x0, 0x8, 0x20000, 0x20008, 0xffffffff]) out.push(allow(['personality'], { index: 0, value: p, op: 'SCMP_CMP_EQ' }));
  return out;
}

function bitsOf(mask: number): number[] {
  const bits: number[] = [];
  for (let b = 1; b <= mask && b > 0; b *= 2) if (mask & b) bits.push(b);
  return bits;
}

/** The profile in Docker's JSON format (HostConfig.SecurityOpt `seccomp=<json>`). */
export function hostMountSeccompProfile(): string {
  return JSON.stringify({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: ENOSYS,
    // Native ABIs only: a 32-bit (int 0x80) call matches no architecture and is refused.
    archMap: [
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: [] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: [] },
    ],
    syscalls: rules(),
  });
}

/**
 * HostConfig fields for a container with a read-write host mount. Docker takes the profile inline;
 * Podman's compatible API reads `seccomp=` as a file path (inline JSON fails with "file name too
 * long"), so for Podman the profile is written once to a file named by its content. Bind mounts
 * only exist on a local engine, so the file is on the engine's host.
 */
export async function hostMountConfinement(engine: 'docker' | 'podman' = 'docker'): Promise<{ CapDrop: string[]; SecurityOpt: string[] }> {
  const profile = hostMountSeccompProfile();
  const seccomp = engine === 'podman' ? await profileFile(profile) : profile;
  return { CapDrop: DROPPED_CAPABILITIES, SecurityOpt: ['no-new-privileges:true', `seccomp=${seccomp}`] };
}

async function profileFile(profile: string): Promise<string> {
  const file = path.join(os.tmpdir(), `swe-gym-seccomp-${createHash('sha256').update(profile).digest('hex').slice(0, 16)}.json`);
  const current = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (current !== profile) {
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, profile, { mode: 0o644 });
    await fs.rename(tmp, file);
  }
  return file;
}
