/*
 * sbx-probe: run inside a sandbox, reports what it can see, one "key=value" per line.
 * Static, so it runs from any image. Arguments are host paths whose visibility it reports
 * as "path:<p>=present|absent|unreadable|error:ENAME": "absent" only when lstat says ENOENT,
 * "unreadable" when it says EACCES (a path may exist behind a directory this user cannot
 * search, e.g. a 0700 /root), so a test never mistakes "hidden from me" for "not there".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static void print_file_line(const char *key, const char *path)
{
    char buf[4096] = "";
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    /* cmdline is NUL-separated: show it space-separated. */
    for (size_t i = 0; i + 1 < sizeof buf && (buf[i] != '\0' || buf[i + 1] != '\0'); i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[strcspn(buf, "\n")] = '\0';
    printf("%s=%s\n", key, buf);
}

static void print_pids(void)
{
    DIR *d = opendir("/proc");
    int count = 0;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        if (isdigit((unsigned char)e->d_name[0]))
            count++;
    if (d != NULL)
        closedir(d);
    printf("pids=%d\n", count);
}

static void print_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    printf("fds=");
    struct dirent *e;
    int first = 1;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
            continue;
        printf("%s%s", first ? "" : ",", e->d_name);
        first = 0;
    }
    if (d != NULL)
        closedir(d);
    printf("\n");
}

static void print_netifs(void)
{
    FILE *f = fopen("/proc/net/dev", "r");
    char line[512];
    int n = 0;
    printf("netifs=");
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');
        if (colon == NULL)
            continue;
        *colon = '\0';
        char *name = line;
        while (*name == ' ')
            name++;
        printf("%s%s", n++ ? "," : "", name);
    }
    if (f != NULL)
        fclose(f);
    printf("\n");
}

static void print_status_fields(void)
{
    static const char *wanted[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp" };
    FILE *f = fopen("/proc/self/status", "r");
    char line[512];
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
            size_t len = strlen(wanted[i]);
            if (strncmp(line, wanted[i], len) == 0 && line[len] == ':') {
                char *v = line + len + 1;
                while (*v == ' ' || *v == '\t')
                    v++;
                v[strcspn(v, "\n")] = '\0';
                printf("%s=%s\n", wanted[i], v);
            }
        }
    if (f != NULL)
        fclose(f);
}

static void print_env(void)
{
    printf("env=");
    for (char **e = environ; *e != NULL; e++) {
        size_t len = strcspn(*e, "=");
        printf("%s%.*s", e == environ ? "" : ",", (int)len, *e);
    }
    printf("\n");
}

static void print_path(const char *path)
{
    struct stat st;
    printf("path:%s=", path);
    if (lstat(path, &st) == 0)
        printf("present\n");
    else if (errno == ENOENT)
        printf("absent\n");
    else if (errno == EACCES)
        printf("unreadable\n");
    else
        printf("error:%s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
}

int main(int argc, char **argv)
{
    char host[256] = "", cwd[4096] = "";
    gethostname(host, sizeof host);
    if (getcwd(cwd, sizeof cwd) == NULL)
        strcpy(cwd, "?");
    printf("pid=%d\nppid=%d\nuid=%d\ngid=%d\nhostname=%s\ncwd=%s\n", getpid(), getppid(), getuid(), getgid(), host, cwd);
    print_file_line("pid1", "/proc/1/cmdline");
    print_pids();
    print_fds();
    print_netifs();
    print_status_fields();
    print_env();
    printf("no_new_privs_prctl=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    for (int i = 1; i < argc; i++)
        print_path(argv[i]);
    return 0;
}
