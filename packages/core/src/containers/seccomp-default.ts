import type { DockerSeccompProfile } from './seccomp-profile'

/**
 * tsrun's default seccomp profile, in Docker's profile format so it goes
 * through the same conversion as a user's `--security-opt seccomp=FILE`.
 *
 * An allow-list: everything not named fails with EPERM. It refuses the same
 * calls Docker's default refuses (kernel modules, kexec, reboot, mount and
 * namespace calls, keyrings, ptrace and cross-process memory, clock setting,
 * swap, quotas, BPF, perf, userfaultfd, io_uring, `personality` other than
 * the usual personas, i386/vm86 leftovers), and like Docker gives some of
 * them back when the container holds the capability that guards them.
 * `clone3` answers ENOSYS (so libc falls back to `clone`, whose flags can be
 * checked) unless CAP_SYS_ADMIN is held.
 */
const BASE: string[] = [
  // files and directories
  'access', 'chdir', 'chmod', 'chown', 'close', 'close_range', 'copy_file_range', 'creat', 'dup', 'dup2', 'dup3',
  'faccessat', 'faccessat2', 'fadvise64', 'fallocate', 'fchdir', 'fchmod', 'fchmodat', 'fchmodat2', 'fchown', 'fchownat',
  'fcntl', 'fdatasync', 'flock', 'fstat', 'fstatfs', 'fsync', 'ftruncate', 'getcwd', 'getdents', 'getdents64',
  'lchown', 'link', 'linkat', 'lseek', 'lstat', 'mkdir', 'mkdirat', 'mknod', 'mknodat', 'newfstatat', 'open', 'openat',
  'openat2', 'pread64', 'preadv', 'preadv2', 'pwrite64', 'pwritev', 'pwritev2', 'read', 'readahead', 'readlink',
  'readlinkat', 'readv', 'rename', 'renameat', 'renameat2', 'rmdir', 'sendfile', 'splice', 'stat', 'statfs', 'statx',
  'symlink', 'symlinkat', 'sync', 'sync_file_range', 'syncfs', 'tee', 'truncate', 'umask', 'unlink', 'unlinkat',
  'utime', 'utimensat', 'utimes', 'futimesat', 'vmsplice', 'write', 'writev', 'chroot',
  // extended attributes
  'fgetxattr', 'flistxattr', 'fremovexattr', 'fsetxattr', 'getxattr', 'lgetxattr', 'listxattr', 'llistxattr',
  'lremovexattr', 'lsetxattr', 'removexattr', 'setxattr', 'getxattrat', 'listxattrat', 'removexattrat', 'setxattrat',
  // polling, events, pipes
  'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_pwait', 'epoll_pwait2', 'epoll_wait',
  'epoll_wait_old', 'eventfd', 'eventfd2', 'inotify_add_watch', 'inotify_init', 'inotify_init1', 'inotify_rm_watch',
  'pipe', 'pipe2', 'poll', 'ppoll', 'pselect6', 'select', 'signalfd', 'signalfd4', 'timerfd_create',
  'timerfd_gettime', 'timerfd_settime', 'fanotify_mark', 'ioctl',
  // memory
  'brk', 'madvise', 'membarrier', 'memfd_create', 'memfd_secret', 'mincore', 'mlock', 'mlock2', 'mlockall', 'mmap',
  'mprotect', 'mremap', 'msync', 'munlock', 'munlockall', 'munmap', 'pkey_alloc', 'pkey_free', 'pkey_mprotect',
  'remap_file_pages', 'map_shadow_stack', 'mseal', 'cachestat',
  // processes, threads, signals
  'arch_prctl', 'capget', 'capset', 'execve', 'execveat', 'exit', 'exit_group', 'fork', 'futex',
  'futex_requeue', 'futex_wait', 'futex_waitv', 'futex_wake', 'get_robust_list', 'get_thread_area', 'getpgid',
  'getpgrp', 'getpid', 'getppid', 'getpriority', 'getrlimit', 'getrusage', 'getsid', 'gettid', 'ioprio_get',
  'ioprio_set', 'kill', 'pause', 'pidfd_open', 'pidfd_send_signal', 'prctl', 'prlimit64', 'restart_syscall',
  'rseq', 'rt_sigaction', 'rt_sigpending', 'rt_sigprocmask', 'rt_sigqueueinfo', 'rt_sigreturn', 'rt_sigsuspend',
  'rt_sigtimedwait', 'rt_tgsigqueueinfo', 'sched_get_priority_max', 'sched_get_priority_min', 'sched_getaffinity',
  'sched_getattr', 'sched_getparam', 'sched_getscheduler', 'sched_rr_get_interval', 'sched_setaffinity',
  'sched_setattr', 'sched_setparam', 'sched_setscheduler', 'sched_yield', 'set_robust_list', 'set_thread_area',
  'set_tid_address', 'setpgid', 'setpriority', 'setrlimit', 'setsid', 'sigaltstack', 'tgkill', 'tkill', 'vfork',
  'wait4', 'waitid', 'seccomp', 'landlock_add_rule', 'landlock_create_ruleset', 'landlock_restrict_self',
  'lsm_get_self_attr', 'lsm_list_modules', 'lsm_set_self_attr',
  // credentials
  'getegid', 'geteuid', 'getgid', 'getgroups', 'getresgid', 'getresuid', 'getuid', 'setfsgid', 'setfsuid', 'setgid',
  'setgroups', 'setregid', 'setresgid', 'setresuid', 'setreuid', 'setuid',
  // time (reading it; setting the clock needs CAP_SYS_TIME)
  'adjtimex', 'alarm', 'clock_getres', 'clock_gettime', 'clock_nanosleep', 'getitimer', 'gettimeofday', 'nanosleep',
  'setitimer', 'time', 'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime', 'timer_settime', 'times',
  // sockets
  'accept', 'accept4', 'bind', 'connect', 'getpeername', 'getsockname', 'getsockopt', 'listen', 'recvfrom', 'recvmmsg',
  'recvmsg', 'sendmmsg', 'sendmsg', 'sendto', 'setsockopt', 'shutdown', 'socket', 'socketpair',
  // System V and POSIX IPC (namespaced)
  'mq_getsetattr', 'mq_notify', 'mq_open', 'mq_timedreceive', 'mq_timedsend', 'mq_unlink', 'msgctl', 'msgget',
  'msgrcv', 'msgsnd', 'semctl', 'semget', 'semop', 'semtimedop', 'shmat', 'shmctl', 'shmdt', 'shmget',
  // asynchronous I/O (not io_uring)
  'io_cancel', 'io_destroy', 'io_getevents', 'io_pgetevents', 'io_setup', 'io_submit',
  // system information
  'getcpu', 'getrandom', 'sysinfo', 'uname',
]

/** Calls given back when the container holds the capability guarding them. */
const BY_CAPABILITY: Record<string, string[]> = {
  CAP_SYS_ADMIN: [
    'bpf', 'clone3', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'lookup_dcookie', 'mount',
    'mount_setattr', 'move_mount', 'name_to_handle_at', 'open_tree', 'open_tree_attr', 'perf_event_open', 'quotactl',
    'quotactl_fd', 'setdomainname', 'sethostname', 'setns', 'syslog', 'umount2', 'unshare', 'listmount', 'statmount',
  ],
  CAP_SYS_BOOT: ['reboot'],
  CAP_SYS_MODULE: ['delete_module', 'init_module', 'finit_module'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_PTRACE: ['kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev', 'ptrace'],
  CAP_SYS_RAWIO: ['iopl', 'ioperm'],
  CAP_SYS_TIME: ['settimeofday', 'clock_settime', 'clock_adjtime'],
  CAP_SYS_TTY_CONFIG: ['vhangup'],
  CAP_SYS_NICE: ['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node', 'move_pages', 'migrate_pages'],
  CAP_SYSLOG: ['syslog'],
  CAP_BPF: ['bpf'],
  CAP_PERFMON: ['perf_event_open'],
}

/** Namespace flags of clone(2): CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000

/** Personas that stay allowed: Linux, Linux32, UNAME26 (and both), and the query value. */
const PERSONAS = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff]

/** The default profile (Docker's format). */
export function defaultSeccompProfile(): DockerSeccompProfile {
  const syscalls: DockerSeccompProfile['syscalls'] = [
    { names: [...new Set(BASE)], action: 'SCMP_ACT_ALLOW' },
    ...PERSONAS.map((value) => ({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] })),
    {
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      excludes: { caps: ['CAP_SYS_ADMIN'] },
    },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    ...Object.entries(BY_CAPABILITY).map(([cap, names]) => ({ names, action: 'SCMP_ACT_ALLOW', includes: { caps: [cap] } })),
  ]
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
    syscalls,
  }
}
