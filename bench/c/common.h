/* Shared by the benchmark's C programs: settings from the environment, a clock, RSS. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A required environment variable (the DINERO_* settings the sandbox writes, BENCH_*). */
__attribute__((unused)) static const char *need_env(const char *name) {
    const char *value = getenv(name);
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "error: environment variable %s is not set\n", name);
        exit(2);
    }
    return value;
}

__attribute__((unused)) static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A field of /proc/self/status in kB (VmRSS, VmHWM), or -1. */
__attribute__((unused)) static long proc_status_kb(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t n = strlen(field);
    if (f == NULL) return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            kb = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

__attribute__((unused)) static long parse_count(const char *text) {
    char *end = NULL;
    long n = strtol(text, &end, 10);
    if (end == text || *end != '\0' || n < 0) {
        fprintf(stderr, "error: not a count: %s\n", text);
        exit(2);
    }
    return n;
}

#endif
