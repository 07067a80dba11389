/*
 * json_canon FILE|DIR...: prints "<name>\t<canonical line>" (json_canon.h) for
 * every file, scanning with the nesting limit $SFO_JSON_DIFF_DEPTH (default
 * 64). Used by tests/fuzz/json_diff.py to compare the scanner with Python.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_canon.h"

static void one(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *d = NULL;
    size_t n = 0, cap = 0, k;
    const char *e = getenv("SFO_JSON_DIFF_DEPTH");
    int rc;

    if (f == NULL) {
        perror(path);
        exit(2);
    }
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            d = realloc(d, cap);
            if (d == NULL) abort();
        }
        k = fread(d + n, 1, cap - n, f);
        if (k == 0) break;
        n += k;
    }
    fclose(f);
    char *line = jc_canon(d, n, e ? (size_t)strtoul(e, NULL, 10) : 64u, &rc);
    printf("%s\t%s\n", path, line);
    free(line);
    free(d);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        DIR *dir = opendir(argv[i]);
        if (dir == NULL) {
            one(argv[i]);
            continue;
        }
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            char p[4096];
            if (de->d_name[0] == '.') continue;
            snprintf(p, sizeof p, "%s/%s", argv[i], de->d_name);
            one(p);
        }
        closedir(dir);
    }
    return 0;
}
