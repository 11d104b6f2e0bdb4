/* SPDX-License-Identifier: MIT */
/*
 * cephc nbd [--socket PATH | --port N [--bind ADDR]] [--readonly]
 *           [--threads N] [--timeout S] [--pidfile F] [--detach]
 *           POOL/[NS/]IMAGE[@SNAP]
 * (the options: cmd_nbd_spec below, which cli_check_args holds them to)
 *
 * A thin wrapper around nbdkit and the cephc plugin: it starts nbdkit,
 * waits until it listens, prints the NBD URI and stays in the foreground
 * until killed (SIGINT/SIGTERM are passed on), or with --detach leaves
 * nbdkit running in the background.  The serving itself is the plugin's
 * (plugins/nbdkit); nothing here talks to the cluster.
 *
 * The plugin is looked up as $CEPHC_NBDKIT_PLUGIN, then beside this
 * executable (a build tree), then by name in nbdkit's plugin directory.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"

const char cmd_nbd_help[] =
    "nbd [--socket P | --port N] [--readonly] POOL/[NS/]IMAGE[@SNAP]: "
    "serve an image over NBD";

/* The options the parse loop below takes.  The global options come from
 * cli_global_opts; those the plugin has no parameter for are refused in
 * the loop, by name. */
static const struct cli_opt nbd_opts[] = {
    {"-U", "--socket", "PATH", "/tmp/cephc-nbd.PID.sock",
     "serve on this Unix domain socket (unless --port)", 0},
    {"-p", "--port", "PORT", NULL, "serve on this TCP port instead", 0},
    {NULL, "--bind", "ADDR", "every address",
     "address to listen on (with --port)", 0},
    {"-r", "--readonly", NULL, NULL, "export read-only (snapshots always are)",
     0},
    {"-t", "--threads", "N", "nbdkit's, 16",
     "requests nbdkit serves in parallel", 0},
    {"-P", "--pidfile", "FILE", "/tmp/cephc-nbd.PID.pid",
     "where nbdkit writes its pid once it listens", 0},
    {NULL, "--detach", NULL, NULL,
     "leave nbdkit serving in the background and exit", 0},
    {"-i", "--user", "ID", NULL, "same as --id", 0},
    {NULL, "--mon_host", "MONADDR", NULL, "same as --mon-host", 0},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

const struct cli_spec cmd_nbd_spec = {
    .synopsis = "[--socket PATH | --port PORT [--bind ADDR]] [--readonly] "
		"[--threads N] [--pidfile FILE] [--detach] "
		"POOL/[NS/]IMAGE[@SNAP]",
    .description =
	"Serve an RBD image over NBD: start nbdkit with the cephc plugin "
	"(nbdkit-cephc-plugin(1)), print the NBD URI once it listens and "
	"serve until stopped by SIGINT or SIGTERM, or with --detach in the "
	"background until its pid is killed.\n"
	"The global -c, --id, --name, --keyring, --mon-host and --timeout go "
	"to the plugin; --keyfile, --cluster and --format are not supported "
	"here.  The plugin is $CEPHC_NBDKIT_PLUGIN when set, else the one "
	"beside this cephc, else nbdkit's installed cephc plugin.",
    .opts = nbd_opts,
    .example = "cephc nbd --port 10809 --readonly rbd/disk1@snap1",
    .complete = CLI_COMPLETE_IMAGE,
};

#define NBD_ARGV_MAX 40

static volatile sig_atomic_t child_pid;

static void pass_signal(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

/* A usage error: why, the synopsis, exit 22 (EINVAL, as elsewhere). */
static int bad_usage(const char *why)
{
	fprintf(stderr, "cephc nbd: %s\n", why);
	cli_print_synopsis(stderr, "nbd", NULL);
	fprintf(stderr, "(cephc nbd --help for details)\n");
	return 22;
}

/* The plugin to hand nbdkit: a path, or "cephc" for nbdkit's plugindir. */
static const char *find_plugin(char *buf, size_t cap)
{
	const char *env = getenv("CEPHC_NBDKIT_PLUGIN");
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", buf, cap - 1);
	if (n > 0) {
		buf[n] = '\0';
		slash = strrchr(buf, '/');
		if (slash && (size_t)(slash - buf) + 32 < cap) {
			strcpy(slash + 1, "nbdkit-cephc-plugin.so");
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	return "cephc";
}

/* Does a spell "--long=VALUE"?  The value, else NULL. */
static const char *eq_value(const char *a, const char *opt)
{
	size_t ol;

	if (!opt || strncmp(opt, "--", 2))
		return NULL;
	ol = strlen(opt);
	return !strncmp(a, opt, ol) && a[ol] == '=' ? a + ol + 1 : NULL;
}

/* Take "--opt VALUE" or "--opt=VALUE" (either spelling) at argv[*i];
 * NULL if not opt. */
static const char *take(int argc, char **argv, int *i, const char *opt,
			const char *alt)
{
	const char *a = argv[*i], *v;

	if ((!strcmp(a, opt) || (alt && !strcmp(a, alt))) && *i + 1 < argc)
		return argv[++*i];
	if ((v = eq_value(a, opt)) || (v = eq_value(a, alt)))
		return v;
	return NULL;
}

/* The global options the plugin has no parameter for. */
static const char *const unsupported[] = {"-K", "--keyfile", "--cluster",
					  "-f", "--format",  NULL};

static const char *is_unsupported(const char *a)
{
	for (int k = 0; unsupported[k]; k++)
		if (!strcmp(a, unsupported[k]) || eq_value(a, unsupported[k]))
			return unsupported[k];
	return NULL;
}

int cmd_nbd(int argc, char **argv, int cmd_index)
{
	const char *conf = NULL, *id = NULL, *name = NULL, *keyring = NULL;
	const char *mon_host = NULL, *sock = NULL, *port = NULL, *bind = NULL;
	const char *threads = NULL, *timeout = NULL, *pidfile = NULL;
	const char *image = NULL, *v;
	bool readonly = false, detach = false;
	char plugin_buf[PATH_MAX], sock_buf[108], pid_buf[128];
	char kv[8][PATH_MAX + 16];
	const char *nargv[NBD_ARGV_MAX];
	int na = 0, nkv = 0, status;
	pid_t pid;
	char **args;

	/* an unknown option, or one without its value, wherever it is
	 * (before or after "nbd"): named, exit 22 */
	args = calloc((size_t)argc, sizeof(char *));
	if (!args)
		return 1;
	for (int i = 1, n = 0; i < argc; i++)
		if (i != cmd_index)
			args[n++] = argv[i];
	status = cli_check_args("nbd", argc - 2, args);
	free(args);
	if (status)
		return status;
	for (int i = 1; i < argc; i++) {
		if (i == cmd_index)
			continue;
		if ((v = take(argc, argv, &i, "--conf", "-c")))
			conf = v;
		else if ((v = take(argc, argv, &i, "--id", "--user")) ||
			 (v = take(argc, argv, &i, "-i", NULL)))
			id = v;
		else if ((v = take(argc, argv, &i, "--name", "-n")))
			name = v;
		else if ((v = take(argc, argv, &i, "--keyring", "-k")))
			keyring = v;
		else if ((v = take(argc, argv, &i, "--mon-host", "-m")) ||
			 (v = take(argc, argv, &i, "--mon_host", NULL)))
			mon_host = v;
		else if ((v = take(argc, argv, &i, "--socket", "-U")))
			sock = v;
		else if ((v = take(argc, argv, &i, "--port", "-p")))
			port = v;
		else if ((v = take(argc, argv, &i, "--bind", NULL)))
			bind = v;
		else if ((v = take(argc, argv, &i, "--threads", "-t")))
			threads = v;
		else if ((v = take(argc, argv, &i, "--timeout", NULL)))
			timeout = v;
		else if ((v = take(argc, argv, &i, "--pidfile", "-P")))
			pidfile = v;
		else if (!strcmp(argv[i], "--readonly") ||
			 !strcmp(argv[i], "-r"))
			readonly = true;
		else if (!strcmp(argv[i], "--detach"))
			detach = true;
		else if (argv[i][0] != '-' && !image)
			image = argv[i];
		else if (argv[i][0] != '-')
			return bad_usage("give one image");
		else {
			/* a global option the plugin has no parameter for
			 * (--keyfile, --cluster, --format), or --version */
			char why[128];

			v = is_unsupported(argv[i]);
			snprintf(why, sizeof(why),
				 "option %.64s is not supported here",
				 v ? v : argv[i]);
			return bad_usage(why);
		}
	}
	cli_parse_done(); /* cephc __parse: the arguments were fine */
	if (!image)
		return bad_usage("no image given");
	if (sock && port)
		return bad_usage("give --socket or --port, not both");
	if (bind && !port)
		return bad_usage("--bind needs --port");
	if (!sock && !port) {
		/* a private socket name: several exports may run at once */
		snprintf(sock_buf, sizeof(sock_buf), "/tmp/cephc-nbd.%ld.sock",
			 (long)getpid());
		sock = sock_buf;
	}
	if (!pidfile) {
		snprintf(pid_buf, sizeof(pid_buf), "/tmp/cephc-nbd.%ld.pid",
			 (long)getpid());
		pidfile = pid_buf;
	}
	unlink(pidfile);

	nargv[na++] = "nbdkit";
	if (!detach)
		nargv[na++] = "-f";
	if (sock) {
		nargv[na++] = "-U";
		nargv[na++] = sock;
	} else {
		nargv[na++] = "-p";
		nargv[na++] = port;
		if (bind) {
			nargv[na++] = "-i";
			nargv[na++] = bind;
		}
	}
	nargv[na++] = "-P";
	nargv[na++] = pidfile;
	if (threads) {
		nargv[na++] = "-t";
		nargv[na++] = threads;
	}
	if (readonly)
		nargv[na++] = "-r";
	nargv[na++] = find_plugin(plugin_buf, sizeof(plugin_buf));
#define KV(key, val)                                                           \
	do {                                                                   \
		if (val) {                                                     \
			snprintf(kv[nkv], sizeof(kv[nkv]), "%s=%s", key, val); \
			nargv[na++] = kv[nkv++];                               \
		}                                                              \
	} while (0)
	KV("image", image);
	KV("conf", conf);
	KV("id", id);
	KV("name", name);
	KV("keyring", keyring);
	KV("mon_host", mon_host);
	KV("timeout", timeout);
	KV("readonly", readonly ? "true" : NULL);
#undef KV
	nargv[na] = NULL;

	pid = fork();
	if (pid < 0) {
		perror("cephc nbd: fork");
		return 1;
	}
	if (pid == 0) {
		execvp("nbdkit", (char **)nargv);
		fprintf(stderr, "cephc nbd: cannot run nbdkit: %s\n",
			strerror(errno));
		_exit(127);
	}
	child_pid = pid;
	signal(SIGINT, pass_signal);
	signal(SIGTERM, pass_signal);
	signal(SIGHUP, pass_signal);

	/* Ready once the pid file exists (nbdkit writes it after binding);
	 * a detached nbdkit's first process also exits then. */
	for (;;) {
		struct stat st;
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			child_pid = 0;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				fprintf(stderr, "cephc nbd: nbdkit failed\n");
				return 1;
			}
			if (detach && stat(pidfile, &st) == 0 && st.st_size)
				break;
			fprintf(stderr, "cephc nbd: nbdkit exited\n");
			return 1;
		}
		if (!detach && stat(pidfile, &st) == 0 && st.st_size > 0)
			break;
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	if (sock)
		printf("nbd+unix:///?socket=%s\n", sock);
	else
		printf("nbd://%s:%s\n", bind ? bind : "localhost", port);
	fflush(stdout);
	if (detach) {
		fprintf(stderr,
			"cephc nbd: serving in the background, pid "
			"file %s\n",
			pidfile);
		return 0;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	/* nbdkit leaves its socket behind; ours are private names */
	if (pidfile == pid_buf)
		unlink(pid_buf);
	if (sock == sock_buf)
		unlink(sock_buf);
	/* stopped by a signal we passed on: a normal end */
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 0;
}
