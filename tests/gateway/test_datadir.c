/* Unit tests of gateway/datadir.c: cluster id format, persistence, locking,
 * several log dirs (one cluster id in all, conflicts, duplicates). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "datadir.h"

static void test_cluster_id_format(void **state) {
    (void)state;
    char a[32], b[32];
    assert_int_equal(kgw_cluster_id_generate(a), 0);
    assert_int_equal(kgw_cluster_id_generate(b), 0);
    assert_int_equal(strlen(a), 22);
    assert_string_not_equal(a, b);
    for (const char *p = a; *p; p++)
        assert_non_null(
            strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
}

static void test_persist_and_reuse(void **state) {
    (void)state;
    char root[] = "/tmp/kgw-test-datadir-XXXXXX";
    assert_non_null(mkdtemp(root));
    char dir[256];
    snprintf(dir, sizeof dir, "%s/a/b", root);
    char err[512] = "";
    kgw_datadir_t d1, d2;
    assert_int_equal(kgw_datadir_open(&d1, dir, 1, err, sizeof err), 0);
    char first[32];
    memcpy(first, d1.cluster_id, sizeof first);
    assert_int_equal(strlen(first), 22);

    /* a second opener is refused while the first holds the lock */
    assert_int_equal(kgw_datadir_open(&d2, dir, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "in use"));
    kgw_datadir_close(&d1);

    assert_int_equal(kgw_datadir_open(&d2, dir, 1, err, sizeof err), 0);
    assert_string_equal(d2.cluster_id, first);
    kgw_datadir_close(&d2);

    /* a different node.id than the stored one is an error */
    assert_int_equal(kgw_datadir_open(&d2, dir, 7, err, sizeof err), -1);
    assert_non_null(strstr(err, "node.id"));

    char path[512];
    snprintf(path, sizeof path, "%s/meta.properties", dir);
    FILE *f = fopen(path, "w");
    fputs("cluster.id=short\n", f);
    fclose(f);
    assert_int_equal(kgw_datadir_open(&d2, dir, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "cluster.id"));

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

static void read_cluster_id(const char *dir, char out[64]) {
    char path[512], line[256];
    snprintf(path, sizeof path, "%s/meta.properties", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("expected %s to exist", path);
    out[0] = '\0';
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "cluster.id=", 11) == 0)
            snprintf(out, 64, "%.*s", (int)strcspn(line + 11, "\n"), line + 11);
    fclose(f);
}

static void test_several_dirs(void **state) {
    (void)state;
    char root[] = "/tmp/kgw-test-datadir-XXXXXX";
    assert_non_null(mkdtemp(root));
    char a[256], b[256], c[256], list[1024];
    snprintf(a, sizeof a, "%s/a", root);
    snprintf(b, sizeof b, "%s/b", root);
    snprintf(c, sizeof c, "%s/c", root);
    snprintf(list, sizeof list, "%s, %s", a, b);
    char err[1024] = "";
    kgw_datadir_t d, other;
    if (kgw_datadir_open(&d, list, 1, err, sizeof err) != 0)
        fail_msg("open %s: expected 0, got -1 (%s)", list, err);
    assert_int_equal(d.dirs.n, 2);
    char ida[64], idb[64];
    read_cluster_id(a, ida);
    read_cluster_id(b, idb);
    if (strcmp(ida, d.cluster_id) != 0 || strcmp(idb, d.cluster_id) != 0)
        fail_msg("cluster.id: expected %s in both dirs, got %s in a and %s in b", d.cluster_id, ida,
                 idb);

    /* every dir is locked, not only the first */
    assert_int_equal(kgw_datadir_open(&other, b, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "in use"));
    kgw_datadir_close(&d);

    /* a dir added to the list gets the cluster's id */
    snprintf(list, sizeof list, "%s,%s,%s", c, a, b);
    if (kgw_datadir_open(&d, list, 1, err, sizeof err) != 0)
        fail_msg("open %s: expected 0, got -1 (%s)", list, err);
    char idc[64];
    read_cluster_id(c, idc);
    if (strcmp(idc, ida) != 0 || strcmp(d.cluster_id, ida) != 0)
        fail_msg("added dir: expected cluster.id %s, got %s (reported %s)", ida, idc, d.cluster_id);
    kgw_datadir_close(&d);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

static void test_dirs_disagree(void **state) {
    (void)state;
    char root[] = "/tmp/kgw-test-datadir-XXXXXX";
    assert_non_null(mkdtemp(root));
    char a[256], b[256], list[1024];
    snprintf(a, sizeof a, "%s/a", root);
    snprintf(b, sizeof b, "%s/b", root);
    char err[1024] = "";
    kgw_datadir_t d;
    /* two dirs made by separate clusters */
    assert_int_equal(kgw_datadir_open(&d, a, 1, err, sizeof err), 0);
    kgw_datadir_close(&d);
    assert_int_equal(kgw_datadir_open(&d, b, 1, err, sizeof err), 0);
    kgw_datadir_close(&d);
    snprintf(list, sizeof list, "%s,%s", a, b);
    int rc = kgw_datadir_open(&d, list, 1, err, sizeof err);
    if (rc != -1 || !strstr(err, "cluster.id") || !strstr(err, b))
        fail_msg("open %s: expected -1 with a cluster.id error naming %s, got %d (%s)", list, b, rc,
                 err);

    /* node.id stored in the second dir differs */
    snprintf(list, sizeof list, "%s/b/meta.properties", root);
    FILE *f = fopen(list, "w");
    fputs("version=1\ncluster.id=AAAAAAAAAAAAAAAAAAAAAA\nnode.id=5\n", f);
    fclose(f);
    snprintf(list, sizeof list, "%s,%s", a, b);
    rc = kgw_datadir_open(&d, list, 1, err, sizeof err);
    if (rc != -1 || !strstr(err, "node.id") || !strstr(err, b))
        fail_msg("open %s: expected -1 with a node.id error naming %s, got %d (%s)", list, b, rc,
                 err);

    /* one dir listed twice, also through another spelling; an empty entry */
    const char *dup[] = {"%s/a,%s/a", "%s/a,%s/b/../a/", "%s/a,,%s/b", "%s/a,%s/b,"};
    for (int i = 0; i < 4; i++) {
        snprintf(list, sizeof list, dup[i], root, root);
        rc = kgw_datadir_open(&d, list, 1, err, sizeof err);
        if (rc != -1 || !strstr(err, "log.dirs"))
            fail_msg("open %s: expected -1 with a log.dirs error, got %d (%s)", list, rc, err);
    }

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_id_format),
        cmocka_unit_test(test_persist_and_reuse),
        cmocka_unit_test(test_several_dirs),
        cmocka_unit_test(test_dirs_disagree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
