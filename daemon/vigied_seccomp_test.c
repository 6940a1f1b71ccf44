/* vigied_seccomp_test.c - the filter vigied installs, tried in child
 * processes: each case installs vigied_seccomp_install's filter, makes one
 * kind of call, and is judged by how the child ends (killed by SIGSYS, or
 * the call's result and errno) and, for a refused call, by the line it
 * logged. Prints TAP.
 */
#include "vigied.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZER 1
#endif
#endif
#ifndef SANITIZER
#define SANITIZER 0
#endif

/* each try returns 0 when the call behaved as expected (and was not killed) */
static int refused(long rc, int want_errno)
{
	return rc == -1 && errno == want_errno ? 0 : 1;
}

static int try_execve(void)
{
	char *argv[] = { "/bin/true", NULL };
	execve("/bin/true", argv, environ);
	return 1;
}
static int try_ptrace(void)
{
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : 1; /* sanitizer builds allow it */
}
static int try_setuid(void)
{
	syscall(SYS_setuid, 0);
	return 1;
}
static int try_fork(void)
{
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	return refused(p, EPERM);
}
static int try_unlisted(void)
{
	return refused(syscall(SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), EPERM);
}
static int try_tiocsti(void)
{
	char c = 'x';
	return refused(ioctl(0, TIOCSTI, &c), EPERM);
}
static int try_packet_socket(void)
{
	return refused(socket(AF_PACKET, SOCK_RAW, 0), EPERM);
}
static int try_clone3(void)
{
	return refused(syscall(SYS_clone3, NULL, 0), ENOSYS);
}
static void *thread_main(void *arg)
{
	return arg;
}
static int try_allowed(void)
{
	/* what a scan and a reload do: threads, files, sockets, JIT memory */
	pthread_t t;
	void *out = NULL;
	if (pthread_create(&t, NULL, thread_main, (void *)1) != 0 || pthread_join(t, &out) != 0 || out != (void *)1)
		return 1;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	char buf[64];
	if (fd < 0 || read(fd, buf, sizeof buf) <= 0 || close(fd) != 0)
		return 1;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || close(s) != 0)
		return 1;
	int u = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u < 0 || close(u) != 0)
		return 1;
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || mprotect(m, 4096, PROT_READ | PROT_EXEC) != 0 || munmap(m, 4096) != 0)
		return 1;
	int n = 0;
	return ioctl(0, FIONREAD, &n) == 0 || errno == ENOTTY || errno == EINVAL || errno == ESPIPE ? 0 : 1;
}

typedef struct {
	const char *name;
	int (*try)(void);
	bool killed;      /* SIGSYS ends the child */
	const char *logs; /* a line the child must write to stderr, or NULL */
	const char *skip; /* why not in this build, or NULL */
} seccomp_case;

int main(void)
{
	static char syslog_nr[64];
	snprintf(syslog_nr, sizeof syslog_nr, "seccomp: system call %d refused (EPERM)", SYS_syslog);
	const char *lsan = SANITIZER ? "the sanitizer build allows it (LeakSanitizer)" : NULL;
	const char *plain = SANITIZER ? NULL : "a normal build kills it";
	const seccomp_case cases[] = {
		{ "execve kills the process", try_execve, true, NULL, NULL },
		{ "ptrace kills the process", try_ptrace, true, NULL, lsan },
		{ "sanitizer build: ptrace is allowed (LeakSanitizer's tracer at exit)", try_ptrace, false, NULL, plain },
		{ "setuid kills the process", try_setuid, true, NULL, NULL },
		{ "fork (clone without CLONE_THREAD) is refused with EPERM", try_fork, false, "refused (EPERM)", lsan },
		{ "a call outside the list (syslog) gets EPERM and is logged by number", try_unlisted, false, syslog_nr,
		  NULL },
		{ "ioctl TIOCSTI is refused with EPERM", try_tiocsti, false, "refused (EPERM)", NULL },
		{ "a packet socket is refused with EPERM", try_packet_socket, false, "refused (EPERM)", NULL },
		{ "clone3 answers ENOSYS (the C library falls back to clone)", try_clone3, false, NULL, NULL },
		{ "threads, files, inet and unix sockets, JIT memory, FIONREAD are allowed", try_allowed, false, NULL,
		  NULL },
	};
	int bad = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const seccomp_case *c = &cases[i];
		if (c->skip) {
			printf("ok %zu - %s # SKIP %s\n", i + 1, c->name, c->skip);
			continue;
		}
		int pipefd[2];
		if (pipe(pipefd) != 0)
			return 1;
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			close(pipefd[0]);
			dup2(pipefd[1], 2);
			GError *err = NULL;
			if (!vigied_seccomp_install(false, &err)) {
				fprintf(stderr, "install: %s\n", err->message);
				_exit(3);
			}
			_exit(c->try());
		}
		close(pipefd[1]);
		char log[4096];
		size_t len = 0;
		ssize_t r;
		while (len < sizeof log - 1 && (r = read(pipefd[0], log + len, sizeof log - 1 - len)) > 0)
			len += (size_t)r;
		log[len] = '\0';
		close(pipefd[0]);
		int st = 0;
		waitpid(pid, &st, 0);
		bool killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
		bool pass = c->killed ? killed : (WIFEXITED(st) && WEXITSTATUS(st) == 0);
		if (pass && c->logs)
			pass = strstr(log, c->logs) != NULL;
		if (pass && !c->logs && !c->killed)
			pass = !strstr(log, "refused"); /* allowed: nothing logged */
		printf("%s %zu - %s\n", pass ? "ok" : "not ok", i + 1, c->name);
		if (!pass) {
			printf("# status %#x (signal %d, exit %d); stderr: %s\n", st, WIFSIGNALED(st) ? WTERMSIG(st) : 0,
			       WIFEXITED(st) ? WEXITSTATUS(st) : -1, log);
			bad++;
		}
	}
	printf("1..%zu\n", G_N_ELEMENTS(cases));
	return bad ? 1 : 0;
}
