/* vigied_seccomp.c - the system calls vigied may make once it serves
 *
 * vigied_seccomp_install loads a seccomp filter (libseccomp) on every
 * thread of the process (TSYNC; threads made later inherit it), after the
 * sockets are bound and privileges dropped and before any mail or request
 * is read ([daemon] seccomp = yes, the default). The whole process is
 * filtered, not only the threads that parse: in one process every thread
 * shares memory with the parsers, so a narrower filter would protect
 * nothing.
 *
 * The allow-list is what the milter, the webhook (TLS, forwarding with
 * libcurl), the admin listener, the quarantine (write, fsync, rename,
 * link, unlink) and a reload (libclamav, Vectorscan and PCRE2 JIT loading
 * rules: open, mmap, mprotect) were seen to call under strace in the
 * integration suites, plus their near kin (the *at and 64 forms).
 *
 * Anything else is refused with EPERM and logged (SIGSYS trap: the handler
 * writes one line to stderr, for the first VIGIED_SECCOMP_LOG_MAX ones, and
 * makes the call return -EPERM), so a library that probes a rare call gets
 * an error it can handle and the message follows its fail mode: nothing is
 * lost for a call missing from the list. What only an attacker wants kills
 * the process at once: running a program (execve, execveat), reading or
 * writing another process (ptrace, process_vm_*), changing ids, namespaces,
 * mounts, kernel modules, keys, BPF. clone is allowed for threads only
 * (fork is refused); clone3, whose flags a filter cannot read, answers
 * ENOSYS so that the C library falls back to clone.
 *
 * The sanitizer builds allow ptrace and a forking clone: LeakSanitizer's
 * check at exit clones a tracer (not a thread) that ptrace-attaches to
 * every thread, with every signal blocked, so a trapped ptrace killed the
 * tracer and left the process spinning (the kernel's audit log, with
 * SCMP_ACT_LOG as the default, showed ptrace as the only call missing).
 * So the sanitizer runs of the test suite serve under this filter too.
 * Both stay refused in a normal build (ptrace kills).
 *
 * SECURITY: trusts nothing from outside; this is the net under the parsers.
 */
#include "vigied.h"

#include <errno.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define VIGIED_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VIGIED_SANITIZER 1
#endif
#endif

#define VIGIED_SECCOMP_LOG_MAX 64

/* what vigied calls while it serves and reloads */
static const char *const allowed[] = {
	/* files */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "open", "openat",
	"close", "close_range", "lseek", "stat", "fstat", "lstat", "newfstatat", "statx", "statfs",
	"fstatfs", "access", "faccessat", "faccessat2", "readlink", "readlinkat", "getdents",
	"getdents64", "mkdir", "mkdirat", "rename", "renameat", "renameat2", "link", "linkat", "unlink",
	"unlinkat", "rmdir", "fsync", "fdatasync", "msync", "sync_file_range", "ftruncate", "fallocate", "chmod", "fchmod", "fchmodat",
	"fcntl", "flock",
	"dup", "dup2", "dup3", "pipe", "pipe2", "umask", "getcwd", "chdir", "fchdir", "utimensat",
	"fadvise64", "copy_file_range", "sendfile", "memfd_create", "eventfd", "eventfd2", "name_to_handle_at",
	/* memory */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mlock", "munlock", "mincore",
	/* threads, time, signals */
	"futex", "futex_waitv", "set_robust_list", "get_robust_list", "rseq", "set_tid_address", "gettid",
	"getpid", "getppid", "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam",
	"sched_getscheduler", "getpriority", "setpriority", "nanosleep", "clock_nanosleep",
	"clock_gettime", "clock_getres", "gettimeofday", "time", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "rt_sigtimedwait", "rt_sigpending", "rt_sigsuspend", "sigaltstack", "tgkill",
	"tkill", "kill", "exit", "exit_group", "restart_syscall", "prlimit64", "getrlimit", "getrusage",
	"times", "sysinfo", "uname", "getrandom", "prctl", "arch_prctl", "membarrier",
	"getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups", "getpgrp",
	"getsid", "wait4", "waitid",
	/* polling */
	"poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "timerfd_create", "timerfd_settime",
	"timerfd_gettime",
	/* sockets: the listeners, libcurl, syslog, name lookups (socket
	 * itself: by family, below) */
	"socketpair", "connect", "accept", "accept4", "bind", "listen", "shutdown",
	"getsockname", "getpeername", "getsockopt", "setsockopt", "sendto", "recvfrom", "sendmsg",
	"recvmsg", "sendmmsg", "recvmmsg",
};

#ifdef VIGIED_SANITIZER
/* LeakSanitizer's tracer at exit, in the sanitizer builds only */
static const char *const allowed_sanitizer[] = { "ptrace" };
#endif

/* what only an attacker wants: the process dies */
static const char *const fatal[] = {
	"execve", "execveat", "process_vm_readv", "process_vm_writev", "kexec_load", "kexec_file_load",
	"init_module", "finit_module", "delete_module", "mount", "umount2", "pivot_root", "chroot",
	"setns", "unshare", "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
	"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "setfsuid",
	"setfsgid", "capset", "personality", "open_by_handle_at", "iopl", "ioperm", "reboot", "swapon",
	"swapoff", "settimeofday", "clock_settime", "adjtimex", "acct", "quotactl", "fanotify_init",
#ifndef VIGIED_SANITIZER
	"ptrace",
#endif
};

static volatile sig_atomic_t seccomp_logged;
static bool seccomp_json; /* the refusal line as a JSON object ([daemon] log_format) */

/* seccomp_utoa - decimal of n into buf (async-signal-safe); its length */
static size_t seccomp_utoa(char *buf, unsigned n)
{
	char tmp[16];
	size_t k = 0, len = 0;
	do
		tmp[k++] = (char)('0' + n % 10);
	while ((n /= 10) && k < sizeof tmp);
	while (k)
		buf[len++] = tmp[--k];
	return len;
}

/* seccomp_sigsys - a refused call: log it (a few), make it return -EPERM */
static void seccomp_sigsys(int sig, siginfo_t *info, void *uctx)
{
	(void)sig;
	int saved = errno;
	if (seccomp_logged < VIGIED_SECCOMP_LOG_MAX) {
		seccomp_logged++;
		char line[160];
		const char *head = seccomp_json ? "{\"level\":\"warning\",\"message\":\"seccomp: system call "
						: "vigied: warning: seccomp: system call ";
		const char *tail = seccomp_json ? " refused (EPERM): not in the allow-list\"}\n"
						: " refused (EPERM): not in the allow-list\n";
		size_t n = strlen(head);
		memcpy(line, head, n);
		n += seccomp_utoa(line + n, (unsigned)info->si_syscall);
		memcpy(line + n, tail, strlen(tail));
		n += strlen(tail);
		ssize_t w = write(2, line, n);
		(void)w;
	}
	ucontext_t *uc = uctx;
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#elif defined(__aarch64__)
	uc->uc_mcontext.regs[0] = (unsigned long long)-EPERM;
#else
	(void)uc;
#endif
	errno = saved;
}

/* seccomp_add - one rule per name; names this architecture lacks are skipped */
static bool seccomp_add(scmp_filter_ctx ctx, uint32_t action, const char *const *names, size_t n,
			GError **err)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		int rc = seccomp_rule_add(ctx, action, nr, 0);
		if (rc != 0) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "seccomp: rule for %s: %s", names[i],
				    g_strerror(-rc));
			return false;
		}
	}
	return true;
}

bool vigied_seccomp_install(bool json_lines, GError **err)
{
	seccomp_json = json_lines;
#if defined(__x86_64__) || defined(__aarch64__)
	uint32_t def = SCMP_ACT_TRAP;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = seccomp_sigsys;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "seccomp: SIGSYS handler: %s", g_strerror(errno));
		return false;
	}
#else
	uint32_t def = SCMP_ACT_ERRNO(EPERM);
#endif
	scmp_filter_ctx ctx = seccomp_init(def);
	if (!ctx) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "seccomp: cannot make a filter");
		return false;
	}
	bool ok = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) == 0 &&
		  seccomp_add(ctx, SCMP_ACT_ALLOW, allowed, G_N_ELEMENTS(allowed), err) &&
		  seccomp_add(ctx, SCMP_ACT_KILL_PROCESS, fatal, G_N_ELEMENTS(fatal), err);
#ifdef VIGIED_SANITIZER
	ok = ok && seccomp_add(ctx, SCMP_ACT_ALLOW, allowed_sanitizer, G_N_ELEMENTS(allowed_sanitizer), err);
#endif
	/* ioctl: only asking how much is readable, non-blocking, close-on-exec
	 * and "is this a terminal" (never TIOCSTI into one) */
	static const unsigned long ioctls[] = { FIONREAD, FIONBIO, FIOCLEX, FIONCLEX, TCGETS, TIOCGWINSZ };
	for (size_t i = 0; ok && i < G_N_ELEMENTS(ioctls); i++)
		ok = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, ioctls[i])) == 0;
	/* sockets of the families vigied speaks: unix, IPv4, IPv6, and netlink
	 * (the C library's name lookups ask it for the host's addresses) */
	static const int families[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK };
	for (size_t i = 0; ok && i < G_N_ELEMENTS(families); i++)
		ok = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i])) == 0;
	if (ok) {
		/* threads only: a clone without CLONE_THREAD is a fork */
		int nr = seccomp_syscall_resolve_name("clone");
#ifdef VIGIED_SANITIZER
		ok = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) == 0;
#else
		ok = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)) == 0;
#endif
		int nr3 = seccomp_syscall_resolve_name("clone3");
		if (ok && nr3 != __NR_SCMP_ERROR)
			ok = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr3, 0) == 0;
		if (!ok && err && !*err)
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "seccomp: rules for clone");
	}
	int rc = ok ? seccomp_load(ctx) : 0;
	seccomp_release(ctx);
	if (ok && rc != 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "seccomp: loading the filter: %s", g_strerror(-rc));
		return false;
	}
	if (!ok && err && !*err)
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "seccomp: building the filter");
	return ok;
}
