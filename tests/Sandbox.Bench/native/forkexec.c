/* The floor: fork + execve(/bin/true) + waitpid, timed in C so that no .NET Process
 * machinery (pipes, SIGCHLD handling, thread pool wake-ups) is counted against it.
 *
 * usage: forkexec N SLEEP_MS [WARMUP]
 * Runs WARMUP (default 20) untimed iterations, then N timed ones with SLEEP_MS between them,
 * and prints one line per timed iteration: its wall time in nanoseconds. Exit 0 only if every
 * child exited 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Returns 0 when /bin/true ran and exited 0, -1 otherwise (reason on stderr). */
static int run_true(void)
{
    char *argv[] = { "/bin/true", NULL };
    pid_t pid = fork();
    if (pid == -1) {
        perror("fork");
        return -1;
    }
    if (pid == 0) {
        execve(argv[0], argv, environ);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) == -1) {
        if (errno != EINTR) {
            perror("waitpid");
            return -1;
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "forkexec: /bin/true ended with status 0x%x\n", status);
        return -1;
    }
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s N SLEEP_MS [WARMUP]\n", argv[0]);
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    long pause = strtol(argv[2], NULL, 10);
    long warmup = argc == 4 ? strtol(argv[3], NULL, 10) : 20;
    if (n <= 0 || pause < 0 || warmup < 0) {
        fprintf(stderr, "forkexec: N must be > 0, SLEEP_MS and WARMUP >= 0\n");
        return 2;
    }

    for (long i = 0; i < warmup; i++)
        if (run_true() == -1)
            return 1;

    /* Times are kept in memory and printed at the end so stdout writes stay out of the loop. */
    long long *times = calloc((size_t)n, sizeof *times);
    if (times == NULL) {
        perror("calloc");
        return 1;
    }
    for (long i = 0; i < n; i++) {
        if (pause > 0)
            sleep_ms(pause);
        long long start = now_ns();
        if (run_true() == -1)
            return 1;
        times[i] = now_ns() - start;
    }
    for (long i = 0; i < n; i++)
        printf("%lld\n", times[i]);
    free(times);
    return 0;
}
