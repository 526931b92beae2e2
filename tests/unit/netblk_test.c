/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netblk_test.c - the option side of the network protocols
 * (block-protocols/iscsi-opts.c, iscsi.c, curl.c; qemu-6.2 manual "-iscsi"
 * and "Device URL Syntax"): -iscsi parsing and per-target selection, the
 * default initiator name (with -uuid / -name), header digests, CHAP with
 * password-secret, iscsi:// URL splitting with libiscsi's parser (and
 * LIBISCSI_CHAP_*), and the curl keys with QEMU's error messages and a
 * password-free URL for messages.  Nothing here connects to a server; the
 * integration tests (test_iscsi.py, test_http.py) do.
 */
#include "emu/osdep.h"

#include "block-protocols/netblk.h"
#include "emu/cli/keyval.h"
#include "emu/util/err.h"
#include "emu/vm/config.h"
#include "emu/vm/secret.h"
#include "tests/unit/test.h"

static char msg[512];

static void keep_err(struct err *e)
{
    snprintf(msg, sizeof(msg), "%s", e ? e->msg : "");
    err_free(e);
}

static int params(const char *target, const char *node_opts,
                  struct iscsi_params *p)
{
    struct kvlist *kv = NULL;
    struct err *e = NULL;
    if (node_opts) {
        kv = kvlist_new();
        kvlist_parse(kv, node_opts, NULL, &e);
    }
    int r = iscsi_params_get(target, kv, p, &e);
    keep_err(e);
    kvlist_free(kv);
    return r;
}

static int add_iscsi(const char *arg)
{
    struct err *e = NULL;
    int r = opt_iscsi(arg, &e);
    keep_err(e);
    return r;
}

TEST(iscsi_defaults_and_initiator_name)
{
    struct iscsi_params p;
    iscsi_opts_reset();
    EXPECT_EQ(params("iqn.t:1", NULL, &p), 0);
    EXPECT_STR(p.initiator_name, "iqn.2008-11.org.linux-kvm");
    EXPECT_EQ(p.header_digest, NB_DIGEST_NONE_CRC32C);
    EXPECT_EQ(p.timeout, 0);
    EXPECT(!p.user && !p.password);
    iscsi_params_free(&p);

    cfg.name = "vm7";
    EXPECT_EQ(params("iqn.t:1", NULL, &p), 0);
    EXPECT_STR(p.initiator_name, "iqn.2008-11.org.linux-kvm:vm7");
    iscsi_params_free(&p);
    EXPECT_EQ(config_uuid_parse("12345678-9abc-def0-1234-56789abcdef0",
                                cfg.uuid), 0);
    cfg.uuid_set = true;    /* -uuid wins over -name */
    EXPECT_EQ(params("iqn.t:1", NULL, &p), 0);
    EXPECT_STR(p.initiator_name,
               "iqn.2008-11.org.linux-kvm:12345678-9abc-def0-1234-56789abcdef0");
    iscsi_params_free(&p);
    cfg.uuid_set = false;
    cfg.name = NULL;
}

TEST(iscsi_option_per_target)
{
    struct iscsi_params p;
    iscsi_opts_reset();
    EXPECT_EQ(add_iscsi("initiator-name=iqn.a:first,header-digest=crc32c"), 0);
    EXPECT_EQ(add_iscsi("id=iqn.t:2,initiator-name=iqn.a:second,timeout=7,"
                        "header-digest=NONE"), 0);
    EXPECT_EQ(params("iqn.t:2", NULL, &p), 0);
    EXPECT_STR(p.initiator_name, "iqn.a:second");
    EXPECT_EQ(p.timeout, 7);
    EXPECT_EQ(p.header_digest, NB_DIGEST_NONE);
    iscsi_params_free(&p);
    /* Another target: the first -iscsi. */
    EXPECT_EQ(params("iqn.t:other", NULL, &p), 0);
    EXPECT_STR(p.initiator_name, "iqn.a:first");
    EXPECT_EQ(p.header_digest, NB_DIGEST_CRC32C);
    iscsi_params_free(&p);
    /* The node's own keys win. */
    EXPECT_EQ(params("iqn.t:2", "initiator-name=iqn.node:x,timeout=3", &p), 0);
    EXPECT_STR(p.initiator_name, "iqn.node:x");
    EXPECT_EQ(p.timeout, 3);
    iscsi_params_free(&p);

    EXPECT_EQ(add_iscsi("bogus=1"), -1);
    EXPECT_STR(msg, "Invalid parameter 'bogus'");
    iscsi_opts_reset();
    EXPECT_EQ(add_iscsi("header-digest=md5"), 0);
    EXPECT_EQ(params("iqn.t:2", NULL, &p), -1);
    EXPECT_STR(msg, "Invalid header-digest setting : md5");
    iscsi_opts_reset();
    EXPECT_EQ(add_iscsi("timeout=-1"), 0);
    EXPECT_EQ(params("iqn.t:2", NULL, &p), -1);
    iscsi_opts_reset();
}

TEST(iscsi_chap_settings)
{
    struct iscsi_params p;
    struct err *e = NULL;
    iscsi_opts_reset();
    EXPECT_EQ(add_iscsi("user=bob,password=pw1"), 0);
    EXPECT_EQ(params("iqn.t:1", NULL, &p), 0);
    EXPECT_STR(p.user, "bob");
    EXPECT_STR(p.password, "pw1");
    iscsi_params_free(&p);
    iscsi_opts_reset();

    struct kvlist *kv = kvlist_new();
    kvlist_parse(kv, "secret,id=netblk-pw,data=from-secret", "qom-type", &e);
    EXPECT_EQ(secret_add(kv, &e), 0);
    kvlist_free(kv);
    err_free(e);
    EXPECT_EQ(add_iscsi("user=bob,password-secret=netblk-pw"), 0);
    EXPECT_EQ(params("iqn.t:1", NULL, &p), 0);
    EXPECT_STR(p.password, "from-secret");
    iscsi_params_free(&p);
    iscsi_opts_reset();

    EXPECT_EQ(add_iscsi("user=bob"), 0);
    EXPECT_EQ(params("iqn.t:1", NULL, &p), -1);
    EXPECT_STR(msg, "CHAP username specified but no password was given");
    iscsi_opts_reset();
    EXPECT_EQ(add_iscsi("user=bob,password-secret=missing"), 0);
    EXPECT_EQ(params("iqn.t:1", NULL, &p), -1);
    EXPECT(strstr(msg, "missing") != NULL);
    iscsi_opts_reset();
    EXPECT_EQ(add_iscsi("user=bob,password=a,password-secret=netblk-pw"), 0);
    EXPECT_EQ(params("iqn.t:1", NULL, &p), -1);
    iscsi_opts_reset();
}

#ifdef CONFIG_ISCSI
TEST(iscsi_url_split)
{
    struct iscsi_addr a;
    struct err *e = NULL;
    unsetenv("LIBISCSI_CHAP_USERNAME");
    unsetenv("LIBISCSI_CHAP_PASSWORD");
    EXPECT_EQ(iscsi_addr_parse("iscsi://192.0.2.1/iqn.2001-04.com.example/1",
                               &a, &e), 0);
    EXPECT_STR(a.portal, "192.0.2.1");
    EXPECT_STR(a.target, "iqn.2001-04.com.example");
    EXPECT_EQ(a.lun, 1);
    EXPECT(!a.user);
    iscsi_addr_free(&a);
    EXPECT_EQ(iscsi_addr_parse("iscsi://user%password@192.0.2.1:3261/"
                               "iqn.2001-04.com.example%3Adisk/2", &a, &e), 0);
    EXPECT_STR(a.portal, "192.0.2.1:3261");
    EXPECT_STR(a.target, "iqn.2001-04.com.example:disk");
    EXPECT_STR(a.user, "user");
    EXPECT_STR(a.password, "password");
    EXPECT_EQ(a.lun, 2);
    iscsi_addr_free(&a);
    setenv("LIBISCSI_CHAP_USERNAME", "envuser", 1);
    setenv("LIBISCSI_CHAP_PASSWORD", "envpw", 1);
    EXPECT_EQ(iscsi_addr_parse("iscsi://h/iqn.x:y/0", &a, &e), 0);
    EXPECT_STR(a.user, "envuser");
    EXPECT_STR(a.password, "envpw");
    iscsi_addr_free(&a);
    unsetenv("LIBISCSI_CHAP_USERNAME");
    unsetenv("LIBISCSI_CHAP_PASSWORD");
    EXPECT_EQ(iscsi_addr_parse("iscsi://h/iqn.x:y", &a, &e), -1);
    keep_err(e);
    e = NULL;
    EXPECT(strstr(msg, "Failed to parse URL") != NULL);
    EXPECT_EQ(iscsi_addr_parse("iscsi://s//-2", &a, &e), -1);
    keep_err(e);
    e = NULL;
    EXPECT_EQ(iscsi_addr_parse("http://h/iqn.x:y/1", &a, &e), -1);
    keep_err(e);
}
#endif

#ifdef CONFIG_CURL
static int curl_parse(const char *driver, const char *opts,
                      struct curl_opts *o)
{
    struct kvlist *kv = kvlist_new();
    struct err *e = NULL;
    kvlist_parse(kv, opts, "url", &e);
    int r = curl_opts_parse(driver, kv, o, &e);
    keep_err(e);
    kvlist_free(kv);
    return r;
}

TEST(curl_options)
{
    struct curl_opts o;
    EXPECT_EQ(curl_parse("http", "url=http://u:pw@host:8080/a/b.img?x=1", &o),
              0);
    EXPECT_EQ(o.readahead, 256 * 1024);
    EXPECT(o.sslverify);
    EXPECT_EQ(o.timeout, 5);
    EXPECT_STR(o.scheme, "http");
    EXPECT_STR(o.url, "http://u:pw@host:8080/a/b.img?x=1");
    EXPECT(strstr(o.url_safe, "pw") == NULL);
    EXPECT(strstr(o.url_safe, "u@host:8080/a/b.img?x=1") != NULL);
    curl_opts_free(&o);

    EXPECT_EQ(curl_parse("https", "url=https://h/x,readahead=64k,"
                         "sslverify=off,timeout=10,cookie=a=1; b=2", &o), 0);
    EXPECT_EQ(o.readahead, 65536);
    EXPECT(!o.sslverify);
    EXPECT_EQ(o.timeout, 10);
    EXPECT_STR(o.cookie, "a=1; b=2");
    curl_opts_free(&o);
    /* filename= (the URL as a pseudo-filename) works as url=. */
    struct kvlist *kv = kvlist_new();
    struct err *e = NULL;
    kv_set(kv, "filename", "ftp://h/pub/x.iso");
    EXPECT_EQ(curl_opts_parse("ftp", kv, &o, &e), 0);
    EXPECT_STR(o.scheme, "ftp");
    curl_opts_free(&o);
    kvlist_free(kv);

    EXPECT_EQ(curl_parse("http", "url=http://h/x,readahead=1000", &o), -1);
    EXPECT_STR(msg, "HTTP_READAHEAD_SIZE 1000 is not a multiple of 512");
    EXPECT_EQ(curl_parse("http", "url=http://h/x,timeout=10001", &o), -1);
    EXPECT_STR(msg, "timeout parameter is too large or negative");
    EXPECT_EQ(curl_parse("http", "readahead=64k", &o), -1);
    EXPECT_STR(msg, "curl block driver requires an 'url' option");
    EXPECT_EQ(curl_parse("http", "url=https://h/x", &o), -1);
    EXPECT(strstr(msg, "cannot open") != NULL);
    EXPECT_EQ(curl_parse("http", "url=gopher://h/x", &o), -1);
    EXPECT_EQ(curl_parse("http", "url=http://h/x,sslverify=maybe", &o), -1);
    EXPECT_EQ(curl_parse("http", "url=http://h/x,username=u,"
                         "password-secret=nosuch", &o), -1);
    EXPECT(strstr(msg, "nosuch") != NULL);
}
#endif

TEST_MAIN()
