/* Unit tests of gateway/datadir.c: cluster id format, persistence, locking. */
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_id_format),
        cmocka_unit_test(test_persist_and_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
