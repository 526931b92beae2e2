/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ssh.c - the "ssh" protocol: a file on an SSH server over SFTP through
 * libssh (qemu-6.2 manual "Device URL Syntax", -blockdev driver=ssh):
 *   ssh://[user@]host[:port]/path[?host_key_check=no|yes|md5:H|sha1:H|sha256:H]
 *   driver=ssh,server.host=,server.port=,path=,user=,
 *       host-key-check.mode=none|hash|known_hosts,host-key-check.type=,
 *       host-key-check.hash=
 * The URL is split with libcurl's URL API.  The server's key is checked
 * against known_hosts (default) or a fingerprint; authentication is
 * public key through the ssh-agent and the user's default identities,
 * as QEMU does.  I/O is synchronous in the block worker thread (see
 * doc/netblk.md); flush is the fsync@openssh.com extension when offered.
 */
#include "emu/osdep.h"

#include <curl/curl.h>
#include <ctype.h>
#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <pwd.h>

#include "block-protocols/block.h"
#include "block-protocols/netblk.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

/* OpenSSH takes SFTP packets up to 256 KiB; 64 KiB data is what its
 * client uses. */
#define SFTP_CHUNK (64 * 1024)

struct ssh_state {
    ssh_session session;
    sftp_session sftp;
    sftp_file file;
    uint64_t size;
    bool can_fsync;
    char *where;
};

/* ssh://... into the -blockdev keys. */
static int split_url(struct kvlist *kv, const char *url, struct err **errp)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL, *user = NULL, *path = NULL,
         *query = NULL, *pw = NULL, *scheme = NULL;
    int r = -1;
    if (!u || curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME)
        != CURLUE_OK) {
        err_setf(errp, "ssh: invalid URL '%s'", url);
        goto out;
    }
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u, CURLUPART_HOST, &host, 0);
    curl_url_get(u, CURLUPART_PORT, &port, 0);
    curl_url_get(u, CURLUPART_USER, &user, CURLU_URLDECODE);
    curl_url_get(u, CURLUPART_PASSWORD, &pw, 0);
    curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE);
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    if (!scheme || strcmp(scheme, "ssh")) {
        err_setf(errp, "URI scheme must be 'ssh'");
        goto out;
    }
    if (!host || !*host) {
        err_setf(errp, "No hostname was specified");
        goto out;
    }
    if (pw) {
        err_setf(errp, "ssh: passwords in the URL are not supported "
                 "(use the ssh-agent)");
        goto out;
    }
    if (!path || !*path || !strcmp(path, "/")) {
        err_setf(errp, "ssh: no path in the URL");
        goto out;
    }
    kv_set(kv, "server.host", host);
    if (port) {
        kv_set(kv, "server.port", port);
    }
    if (user) {
        kv_set(kv, "user", user);
    }
    kv_set(kv, "path", path);
    if (query) {
        if (strncmp(query, "host_key_check=", 15) || strchr(query, '&')) {
            err_setf(errp, "ssh: the only URL option is host_key_check=");
            goto out;
        }
        kv_set(kv, "host_key_check", query + 15);
    }
    r = 0;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(user);
    curl_free(pw);
    curl_free(path);
    curl_free(query);
    curl_url_cleanup(u);
    return r;
}

/* Hex fingerprints compare without colons and case. */
static bool same_hash(const char *hex, const unsigned char *h, size_t len)
{
    size_t i = 0;
    for (const char *p = hex; *p; p++) {
        if (*p == ':') {
            continue;
        }
        if (i >= len * 2) {
            return false;
        }
        static const char digits[] = "0123456789abcdef";
        unsigned v = i % 2 ? h[i / 2] & 0xf : h[i / 2] >> 4;
        if (tolower((unsigned char)*p) != digits[v]) {
            return false;
        }
        i++;
    }
    return i == len * 2;
}

static int check_host_key(struct ssh_state *s, const char *mode,
                          const char *type, const char *hash,
                          struct err **errp)
{
    if (!strcmp(mode, "none")) {
        return 0;
    }
    if (!strcmp(mode, "known_hosts")) {
        switch (ssh_session_is_known_server(s->session)) {
        case SSH_KNOWN_HOSTS_OK:
            return 0;
        case SSH_KNOWN_HOSTS_CHANGED:
            err_setf(errp, "host key does not match the one in known_hosts");
            return -1;
        case SSH_KNOWN_HOSTS_OTHER:
            err_setf(errp, "host key for this server not found, another "
                     "type exists");
            return -1;
        case SSH_KNOWN_HOSTS_UNKNOWN:
            err_setf(errp, "no host key was found in known_hosts");
            return -1;
        case SSH_KNOWN_HOSTS_NOT_FOUND:
            err_setf(errp, "known_hosts file not found");
            return -1;
        default:
            err_setf(errp, "error while checking the host: %s",
                     ssh_get_error(s->session));
            return -1;
        }
    }
    enum ssh_publickey_hash_type t;
    if (!strcmp(type, "md5")) {
        t = SSH_PUBLICKEY_HASH_MD5;
    } else if (!strcmp(type, "sha1")) {
        t = SSH_PUBLICKEY_HASH_SHA1;
    } else if (!strcmp(type, "sha256")) {
        t = SSH_PUBLICKEY_HASH_SHA256;
    } else {
        err_setf(errp, "Parameter 'host-key-check.type' does not accept "
                 "value '%s'", type);
        return -1;
    }
    ssh_key key = NULL;
    unsigned char *h = NULL;
    size_t hlen = 0;
    if (ssh_get_server_publickey(s->session, &key) != SSH_OK ||
        ssh_get_publickey_hash(key, t, &h, &hlen) != 0) {
        err_setf(errp, "failed to read the remote host key: %s",
                 ssh_get_error(s->session));
        ssh_key_free(key);
        return -1;
    }
    bool ok = hash && same_hash(hash, h, hlen);
    ssh_clean_pubkey_hash(&h);
    ssh_key_free(key);
    if (!ok) {
        err_setf(errp, "remote host key does not match host_key_check '%s'",
                 hash ? hash : "");
        return -1;
    }
    return 0;
}

static int ssh_open(struct bdrv *bs, struct kvlist *kv, int flags,
                    struct err **errp)
{
    const char *fn = kv_str(kv, "filename", NULL);
    if (fn && split_url(kv, fn, errp) < 0) {
        return -1;
    }
    const char *host = kv_str(kv, "server.host", kv_str(kv, "host", NULL));
    const char *port = kv_str(kv, "server.port", kv_str(kv, "port", "22"));
    const char *path = kv_str(kv, "path", NULL);
    const char *user = kv_str(kv, "user", NULL);
    const char *mode = kv_str(kv, "host-key-check.mode", "known_hosts");
    const char *type = kv_str(kv, "host-key-check.type", "md5");
    const char *hash = kv_str(kv, "host-key-check.hash", NULL);
    const char *legacy = kv_str(kv, "host_key_check", NULL);
    if (!host || !path) {
        err_setf(errp, "Parameter '%s' is required",
                 host ? "path" : "server.host");
        return -1;
    }
    if (legacy) {
        const char *c = strchr(legacy, ':');
        if (!strcmp(legacy, "no")) {
            mode = "none";
        } else if (!strcmp(legacy, "yes")) {
            mode = "known_hosts";
        } else if (c) {
            static char tbuf[8];
            snprintf(tbuf, sizeof(tbuf), "%.*s", (int)MIN(c - legacy, 7),
                     legacy);
            mode = "hash";
            type = tbuf;
            hash = c + 1;
        } else {
            err_setf(errp, "unknown host_key_check setting (%s)", legacy);
            return -1;
        }
    }
    if (strcmp(mode, "none") && strcmp(mode, "hash") &&
        strcmp(mode, "known_hosts")) {
        err_setf(errp, "Parameter 'host-key-check.mode' does not accept "
                 "value '%s'", mode);
        return -1;
    }
    char *uname = NULL;
    if (!user) {
        struct passwd *pw = getpwuid(getuid());
        uname = xstrdup(pw ? pw->pw_name : "root");
        user = uname;
    }
    uint64_t portn;
    if (parse_uint64(port, 10, &portn) < 0 || !portn || portn > 65535) {
        err_setf(errp, "ssh: invalid port '%s'", port);
        free(uname);
        return -1;
    }
    struct ssh_state *s = xzalloc(sizeof(*s));
    s->where = xasprintf("ssh://%s@%s:%s%s", user, host, port, path);
    s->session = ssh_new();
    unsigned int pn = (unsigned int)portn;
    long to = 30;
    int nodelay = 1;
    if (!s->session ||
        ssh_options_set(s->session, SSH_OPTIONS_HOST, host) ||
        ssh_options_set(s->session, SSH_OPTIONS_PORT, &pn) ||
        ssh_options_set(s->session, SSH_OPTIONS_USER, user) ||
        ssh_options_set(s->session, SSH_OPTIONS_TIMEOUT, &to) ||
        /* One request at a time: Nagle would hold each for an ACK. */
        ssh_options_set(s->session, SSH_OPTIONS_NODELAY, &nodelay)) {
        err_setf(errp, "ssh: cannot set up the session");
        goto fail;
    }
    free(uname);
    uname = NULL;
    if (ssh_connect(s->session) != SSH_OK) {
        err_setf(errp, "failed to connect to %s: %s", s->where,
                 ssh_get_error(s->session));
        goto fail;
    }
    if (check_host_key(s, mode, type, hash, errp) < 0) {
        err_prepend(errp, "%s: ", s->where);
        goto fail;
    }
    int a = ssh_userauth_none(s->session, NULL);
    if (a != SSH_AUTH_SUCCESS) {
        a = ssh_userauth_publickey_auto(s->session, NULL, NULL);
    }
    if (a != SSH_AUTH_SUCCESS) {
        err_setf(errp, "failed to authenticate using publickey "
                 "authentication and the identities held by your ssh-agent "
                 "(%s)", s->where);
        goto fail;
    }
    s->sftp = sftp_new(s->session);
    if (!s->sftp || sftp_init(s->sftp) != SSH_OK) {
        err_setf(errp, "failed to initialize sftp handle: %s",
                 ssh_get_error(s->session));
        goto fail;
    }
    s->file = sftp_open(s->sftp, path, (flags & BDRV_O_RDWR) ? O_RDWR
                                                              : O_RDONLY, 0);
    if (!s->file) {
        err_setf(errp, "failed to open remote file '%s': %s (sftp error "
                 "%d)", path, ssh_get_error(s->session),
                 sftp_get_error(s->sftp));
        goto fail;
    }
    sftp_attributes at = sftp_fstat(s->file);
    if (!at) {
        err_setf(errp, "failed to read file attributes of '%s'", path);
        goto fail;
    }
    s->size = at->size;
    sftp_attributes_free(at);
    s->can_fsync = sftp_extension_supported(s->sftp, "fsync@openssh.com",
                                            "1");
    bs->opaque = s;
    bs->filename = xstrdup(s->where);
    return 0;

fail:
    free(uname);
    if (s->file) {
        sftp_close(s->file);
    }
    if (s->sftp) {
        sftp_free(s->sftp);
    }
    if (s->session) {
        ssh_disconnect(s->session);
        ssh_free(s->session);
    }
    free(s->where);
    free(s);
    return -1;
}

static int ssh_pread(struct bdrv *bs, uint64_t off, void *buf, size_t len)
{
    struct ssh_state *s = bs->opaque;
    uint8_t *p = buf;
    if (sftp_seek64(s->file, off) < 0) {
        return -EIO;
    }
    while (len) {
        ssize_t n = sftp_read(s->file, p, MIN(len, (size_t)SFTP_CHUNK));
        if (n < 0) {
            return -EIO;
        }
        if (n == 0) {
            memset(p, 0, len);      /* past the end: zeroes, like a file */
            return 0;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int ssh_pwrite(struct bdrv *bs, uint64_t off, const void *buf,
                      size_t len)
{
    struct ssh_state *s = bs->opaque;
    const uint8_t *p = buf;
    if (sftp_seek64(s->file, off) < 0) {
        return -EIO;
    }
    while (len) {
        ssize_t n = sftp_write(s->file, p, MIN(len, (size_t)SFTP_CHUNK));
        if (n <= 0) {
            return -EIO;
        }
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    if (off > s->size) {
        s->size = off;
    }
    return 0;
}

static int ssh_flush(struct bdrv *bs)
{
    struct ssh_state *s = bs->opaque;
    if (!s->can_fsync || bs->read_only) {
        return 0;       /* QEMU too only warns when the server cannot */
    }
    return sftp_fsync(s->file) < 0 ? -EIO : 0;
}

static int64_t ssh_getlength(struct bdrv *bs)
{
    struct ssh_state *s = bs->opaque;
    return (int64_t)s->size;
}

static void ssh_close_node(struct bdrv *bs)
{
    struct ssh_state *s = bs->opaque;
    sftp_close(s->file);
    sftp_free(s->sftp);
    ssh_disconnect(s->session);
    ssh_free(s->session);
    free(s->where);
    free(s);
}

static const char *const ssh_schemes[] = { "ssh", NULL };

const struct bdrv_ops bdrv_ssh_ops = {
    .name = "ssh",
    .is_protocol = true,
    .schemes = ssh_schemes,
    .open = ssh_open,
    .close = ssh_close_node,
    .pread = ssh_pread,
    .pwrite = ssh_pwrite,
    .flush = ssh_flush,
    .getlength = ssh_getlength,
};
