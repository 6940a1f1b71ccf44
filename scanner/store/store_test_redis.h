/* store_test_redis.h - a real redis-server for tests: started on a free
 * loopback port with a password and no persistence, in its own folder, and
 * stopped (or killed and restarted on the same port). Tests only. */
#ifndef VIGIE_STORE_TEST_REDIS_H
#define VIGIE_STORE_TEST_REDIS_H

#include <glib.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
	GPid pid;
	int port;
	char *dir;
	char *password;
} test_redis;

/* test_redis_free_port - a loopback port nobody listens on now */
static inline int test_redis_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* test_redis_cli - one command through redis-cli; its output (caller g_free) */
static inline char *test_redis_cli(const test_redis *r, const char *command)
{
	char *cmd = g_strdup_printf("redis-cli --no-auth-warning -h 127.0.0.1 -p %d -a %s %s", r->port,
				    r->password, command);
	char *out = NULL;
	g_spawn_command_line_sync(cmd, &out, NULL, NULL, NULL);
	g_free(cmd);
	return out ? out : g_strdup("");
}

/* test_redis_child - the server dies with the test, even when it aborts */
static inline void test_redis_child(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* test_redis_restart - start the server on r's port; waits until it answers */
static inline void test_redis_restart(test_redis *r)
{
	char *port = g_strdup_printf("%d", r->port);
	const char *argv[] = { "redis-server", "--port", port, "--bind", "127.0.0.1",
			       "--requirepass", r->password, "--save", "", "--appendonly", "no",
			       "--dir", r->dir, "--daemonize", "no", "--loglevel", "warning", NULL };
	GError *err = NULL;
	g_assert_true(g_spawn_async(NULL, (char **)argv, NULL,
				    G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
				    test_redis_child, NULL, &r->pid, &err));
	g_assert_no_error(err);
	g_free(port);
	for (int i = 0; i < 100; i++) {
		char *pong = test_redis_cli(r, "PING");
		bool up = g_str_has_prefix(pong, "PONG");
		g_free(pong);
		if (up)
			return;
		g_usleep(50 * 1000);
	}
	g_error("redis-server on port %d did not answer", r->port);
}

static inline void test_redis_start(test_redis *r, const char *tmpdir, const char *password)
{
	r->port = test_redis_free_port();
	r->dir = g_strdup_printf("%s/redis-%d", tmpdir, r->port);
	r->password = g_strdup(password);
	g_mkdir_with_parents(r->dir, 0700);
	test_redis_restart(r);
}

/* test_redis_kill - SIGKILL, reaped */
static inline void test_redis_kill(test_redis *r)
{
	if (!r->pid)
		return;
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	g_spawn_close_pid(r->pid);
	r->pid = 0;
}

static inline void test_redis_stop(test_redis *r)
{
	test_redis_kill(r);
	g_free(r->dir);
	g_free(r->password);
}

#endif
