/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp_test.c - the QMP session and dispatcher (emu/monitor/qmp.c), the
 * JSON framing and writer, the human monitor commands and the line editor,
 * driven without a chardev.  Expected texts are QEMU 6.2's.
 */
#include "emu/osdep.h"
#include <json-c/json.h>

#include "emu/monitor/event.h"
#include "emu/monitor/hmp.h"
#include "emu/monitor/json-writer.h"
#include "emu/monitor/qmp.h"
#include "emu/monitor/readline.h"
#include "emu/util/cutils.h"
#include "emu/vm/runstate.h"
#include "tests/unit/test.h"

static struct sbuf out;

static void collect(void *opaque, const char *buf, size_t len)
{
    sbuf_addn(opaque, buf, len);
}

/* A fresh session, greeted; the greeting is left in out. */
static struct qmp_session *open_session(bool pretty)
{
    free(sbuf_steal(&out));
    struct qmp_session *s = qmp_session_new(pretty, collect, &out);
    qmp_session_open(s);
    return s;
}

/* Send text, return everything the session wrote (static buffer). */
static const char *send(struct qmp_session *s, const char *text)
{
    static char *last;
    free(sbuf_steal(&out));
    qmp_session_input(s, (const uint8_t *)text, strlen(text));
    free(last);
    last = sbuf_steal(&out);
    return last;
}

static struct qmp_session *negotiated(void)
{
    struct qmp_session *s = open_session(false);
    send(s, "{\"execute\": \"qmp_capabilities\"}");
    return s;
}

TEST(greeting)
{
    struct qmp_session *s = open_session(false);
    EXPECT_STR(out.s, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, "
               "\"minor\": 2, \"major\": 6}, \"package\": \"hemu "
               HEMU_VERSION "\"}, \"capabilities\": []}}\r\n");
    qmp_session_free(s);
}

TEST(negotiation)
{
    struct qmp_session *s = open_session(false);
    EXPECT_STR(send(s, "{\"execute\": \"query-version\"}"),
               "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
               "\"Expecting capabilities negotiation with "
               "'qmp_capabilities'\"}}\r\n");
    EXPECT_STR(send(s, "{\"execute\": \"no-such\"}"),
               "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
               "\"Expecting capabilities negotiation with "
               "'qmp_capabilities'\"}}\r\n");
    EXPECT(!qmp_session_negotiated(s));
    EXPECT_STR(send(s, "{\"execute\": \"qmp_capabilities\", \"id\": 1}"),
               "{\"return\": {}, \"id\": 1}\r\n");
    EXPECT(qmp_session_negotiated(s));
    EXPECT_STR(send(s, "{\"execute\": \"qmp_capabilities\"}"),
               "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
               "\"Capabilities negotiation is already complete, command "
               "ignored\"}}\r\n");
    /* A new connection starts over. */
    qmp_session_close(s);
    qmp_session_open(s);
    EXPECT(!qmp_session_negotiated(s));
    qmp_session_free(s);
}

TEST(capability_oob_not_offered)
{
    struct qmp_session *s = open_session(false);
    EXPECT_STR(send(s, "{\"execute\": \"qmp_capabilities\", \"arguments\": "
                       "{\"enable\": [\"oob\"]}}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Capability 'oob' not available\"}}\r\n");
    EXPECT_STR(send(s, "{\"execute\": \"qmp_capabilities\", \"arguments\": "
                       "{\"enable\": [\"x\"]}}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Parameter 'enable[0]' does not accept value 'x'\"}}\r\n");
    EXPECT_STR(send(s, "{\"execute\": \"qmp_capabilities\", \"arguments\": "
                       "{\"enable\": []}}"), "{\"return\": {}}\r\n");
    qmp_session_free(s);
}

TEST(id_echo)
{
    struct qmp_session *s = negotiated();
    EXPECT_STR(send(s, "{\"id\": {\"a\": [1, \"x\", null]}, \"execute\": "
                       "\"query-kvm\"}"),
               "{\"return\": {\"enabled\": false, \"present\": false}, "
               "\"id\": {\"a\": [1, \"x\", null]}}\r\n");
    EXPECT_STR(send(s, "{'execute': 'nope', 'id': 'abc'}"),
               "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
               "\"The command nope has not been found\"}, \"id\": \"abc\"}\r\n");
    EXPECT_STR(send(s, "{\"execute\": 1, \"id\": null}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP "
               "input member 'execute' must be a string\"}, \"id\": null}\r\n");
    qmp_session_free(s);
}

TEST(malformed_input)
{
    struct qmp_session *s = negotiated();
    const char *r = send(s, "{\"execute\": }\n");
    EXPECT(strstr(r, "\"GenericError\"") && strstr(r, "JSON parse error"));
    EXPECT(!strchr(r + 1, '\n') || strchr(r, '\n') == r + strlen(r) - 1);
    EXPECT_STR(send(s, "null"), "");    /* a bare keyword waits for its end */
    EXPECT_STR(send(s, " "),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP "
               "input must be a JSON object\"}}\r\n");
    EXPECT_STR(send(s, "[1, 2]"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP "
               "input must be a JSON object\"}}\r\n");
    EXPECT_STR(send(s, "{}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP "
               "input lacks member 'execute'\"}}\r\n");
    EXPECT_STR(send(s, "{\"execute\": \"stop\", \"arguments\": []}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP "
               "input member 'arguments' must be an object\"}}\r\n");
    EXPECT_STR(send(s, "{\"execute\": \"stop\", \"foo\": 1}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP "
               "input member 'foo' is unexpected\"}}\r\n");
    EXPECT_STR(send(s, "{\"exec-oob\": \"stop\"}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP "
               "input member 'exec-oob' is unexpected\"}}\r\n");
    /* An unterminated string, then 0xFF forces the parser back. */
    r = send(s, "{\"execute\": \"query-name");
    EXPECT_STR(r, "");
    r = send(s, "\xff{\"execute\": \"query-name\"}");
    EXPECT(strstr(r, "JSON parse error") != NULL);
    EXPECT(strstr(r, "{\"return\": {}}\r\n") != NULL);
    /* Still alive. */
    EXPECT_STR(send(s, "{\"execute\": \"query-target\"}"),
               "{\"return\": {\"arch\": \"x86_64\"}}\r\n");
    qmp_session_free(s);
}

TEST(argument_checks)
{
    struct qmp_session *s = negotiated();
    EXPECT_STR(send(s, "{\"execute\": \"query-status\", \"arguments\": "
                       "{\"x\": 1}}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Parameter 'x' is unexpected\"}}\r\n");
    EXPECT_STR(send(s, "{\"execute\": \"human-monitor-command\"}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Parameter 'command-line' is missing\"}}\r\n");
    EXPECT_STR(send(s, "{\"execute\": \"human-monitor-command\", "
                       "\"arguments\": {\"command-line\": 5}}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Invalid parameter type for 'command-line', expected: "
               "string\"}}\r\n");
    EXPECT_STR(send(s, "{\"execute\": \"human-monitor-command\", "
                       "\"arguments\": {\"command-line\": \"x\", "
                       "\"cpu-index\": \"0\"}}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Invalid parameter type for 'cpu-index', expected: "
               "integer\"}}\r\n");
    EXPECT_STR(send(s, "{\"execute\": \"qmp_capabilities\", "
                       "\"arguments\": {\"enable\": \"oob\"}}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Invalid parameter type for 'enable', expected: "
               "array\"}}\r\n");
    qmp_session_free(s);
}

TEST(byte_by_byte)
{
    struct qmp_session *s = open_session(false);
    const char *req = "  {\"execute\":\n\"qmp_capabilities\", \"id\": \"}\\\"{\"}"
                      "{\"execute\": \"query-name\"}";
    free(sbuf_steal(&out));
    for (const char *p = req; *p; p++) {
        qmp_session_input(s, (const uint8_t *)p, 1);
    }
    EXPECT_STR(out.s, "{\"return\": {}, \"id\": \"}\\\"{\"}\r\n"
               "{\"return\": {}}\r\n");
    qmp_session_free(s);
}

TEST(pretty)
{
    struct qmp_session *s = open_session(true);
    EXPECT_STR(send(s, "{\"execute\": \"qmp_capabilities\"}"),
               "{\r\n    \"return\": {\r\n    }\r\n}\r\n");
    EXPECT_STR(send(s, "{\"execute\": \"query-target\", \"id\": [1, 2]}"),
               "{\r\n    \"return\": {\r\n        \"arch\": \"x86_64\"\r\n"
               "    },\r\n    \"id\": [\r\n        1,\r\n        2\r\n"
               "    ]\r\n}\r\n");
    qmp_session_free(s);
}

TEST(limits)
{
    struct qmp_session *s = negotiated();
    struct sbuf b = { 0 };

    for (int i = 0; i < 1100; i++) {
        sbuf_addn(&b, "[", 1);
    }
    for (int i = 0; i < 1100; i++) {
        sbuf_addn(&b, "]", 1);
    }
    sbuf_addf(&b, "{\"execute\": \"query-name\"}");
    EXPECT_STR(send(s, b.s),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON "
               "nesting depth limit exceeded\"}}\r\n{\"return\": {}}\r\n");
    free(sbuf_steal(&b));

    /* 17 MiB inside one string: refused once, not buffered, then fine. */
    char *chunk = xmalloc(1 << 20);
    memset(chunk, 'a', 1 << 20);
    free(sbuf_steal(&out));
    qmp_session_input(s, (const uint8_t *)"{\"execute\": \"", 13);
    for (int i = 0; i < 17; i++) {
        qmp_session_input(s, (const uint8_t *)chunk, 1 << 20);
    }
    qmp_session_input(s, (const uint8_t *)"\"}{\"execute\": \"query-name\"}",
                      27);
    EXPECT_STR(out.s, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"JSON token size limit exceeded\"}}\r\n{\"return\": {}}\r\n");
    free(chunk);
    qmp_session_free(s);
}

TEST(query_commands_lists_table)
{
    struct qmp_session *s = negotiated();
    const char *r = send(s, "{\"execute\": \"query-commands\"}");
    json_object *o = json_tokener_parse(r), *ret;
    EXPECT(json_object_object_get_ex(o, "return", &ret));
    EXPECT_EQ(json_object_array_length(ret), qmp_cmds_count);
    EXPECT(strstr(r, "{\"name\": \"human-monitor-command\"}") != NULL);
    json_object_put(o);
    qmp_session_free(s);
}

TEST(run_control_and_events)
{
    struct qmp_session *s = negotiated();
    const char *r;

    EXPECT_STR(send(s, "{\"execute\": \"query-status\"}"),
               "{\"return\": {\"running\": false, \"singlestep\": false, "
               "\"status\": \"prelaunch\"}}\r\n");
    /* stop in prelaunch: QEMU stays in prelaunch. */
    EXPECT_STR(send(s, "{\"execute\": \"stop\"}"), "{\"return\": {}}\r\n");
    EXPECT(runstate_get() == RUN_STATE_PRELAUNCH);
    r = send(s, "{\"execute\": \"cont\"}");
    EXPECT(!strncmp(r, "{\"timestamp\": {\"seconds\": ", 26));
    EXPECT(strstr(r, "\"event\": \"RESUME\"}\r\n{\"return\": {}}\r\n") != NULL);
    EXPECT(runstate_is_running());
    r = send(s, "{\"execute\": \"stop\"}");
    EXPECT(strstr(r, "\"event\": \"STOP\"}\r\n{\"return\": {}}\r\n") != NULL);
    EXPECT_STR(send(s, "{\"execute\": \"human-monitor-command\", "
                       "\"arguments\": {\"command-line\": \"info status\"}}"),
               "{\"return\": \"VM status: paused\\r\\n\"}\r\n");
    vm_stop(RUN_STATE_SHUTDOWN);
    EXPECT_STR(send(s, "{\"execute\": \"cont\"}"),
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Resetting the Virtual Machine is required\"}}\r\n");
    EXPECT_STR(send(s, "{\"execute\": \"human-monitor-command\", "
                       "\"arguments\": {\"command-line\": \"info status\"}}"),
               "{\"return\": \"VM status: paused (shutdown)\\r\\n\"}\r\n");
    /* Sessions still negotiating get no events. */
    struct qmp_session *s2 = open_session(false);
    free(sbuf_steal(&out));
    event_emit("POWERDOWN", NULL);
    EXPECT(strstr(out.s, "POWERDOWN") && !strstr(strstr(out.s, "POWERDOWN") + 1,
                                                 "POWERDOWN"));
    qmp_session_free(s2);
    qmp_session_free(s);
}

TEST(json_writer_escapes)
{
    struct sbuf b = { 0 };
    json_object *o = json_object_new_string("a\"\\\n\x01\x7f\xc3\xa9\xf0\x9f\x98\x80\xff");
    json_write(&b, o, false);
    EXPECT_STR(b.s, "\"a\\\"\\\\\\n\\u0001\\u007F\\u00E9\\uD83D\\uDE00\\uFFFD\"");
    json_object_put(o);
    free(b.s);
}

static char *hmp_run(const char *line)
{
    static char *last;
    free(last);
    last = hmp_execute_capture(line);
    return last;
}

TEST(hmp_commands)
{
    EXPECT_STR(hmp_run("info version"), "6.2.0 (hemu " HEMU_VERSION ")\r\n");
    EXPECT_STR(hmp_run("  foo bar"), "unknown command: 'foo'\r\n");
    EXPECT_STR(hmp_run("info foo"), "unknown command: 'info foo'\r\n");
    EXPECT_STR(hmp_run("info registers"), "No CPU available\r\n");
    EXPECT_STR(hmp_run("info uuid"), "00000000-0000-0000-0000-000000000000\r\n");
    EXPECT_STR(hmp_run("info name"), "");
    EXPECT_STR(hmp_run("help cont"), "cont|c  -- resume emulation\r\n");
    EXPECT_STR(hmp_run("help info version"),
               "info version  -- show the version of QEMU\r\n");
    EXPECT(strstr(hmp_run("info"), "info status  -- show the current VM "
                                   "status (running|paused)\r\n") != NULL);
    EXPECT(strstr(hmp_run("?"), "system_reset  -- reset the system\r\n"));
    EXPECT_STR(hmp_run("stop now"),
               "stop|s: extraneous characters at the end of line\r\n");
    EXPECT_STR(hmp_run(""), "");
}

static char lines[4][64];
static int nlines;

static void rl_line(void *opaque, const char *line)
{
    if (nlines < 4) {
        snprintf(lines[nlines++], sizeof(lines[0]), "%s", line);
    }
}

static void rl_feed(struct readline *rl, const char *s)
{
    for (; *s; s++) {
        readline_feed(rl, (uint8_t)*s);
    }
}

TEST(readline_editing)
{
    struct sbuf echo = { 0 };
    struct readline *rl = readline_new("(qemu) ", collect, rl_line, NULL, &echo);

    nlines = 0;
    readline_show_prompt(rl);
    rl_feed(rl, "infx\x7fo status\r\n");
    EXPECT_EQ(nlines, 1);
    EXPECT_STR(lines[0], "info status");
    EXPECT(!strncmp(echo.s, "(qemu) infx", 11));
    /* Ctrl-U kills the line; left arrow + insert edits in the middle. */
    rl_feed(rl, "garbage\x15stp\033[Do\n");
    EXPECT_STR(lines[1], "stop");
    /* Up arrow recalls the previous line, Ctrl-W kills a word. */
    rl_feed(rl, "\033[A\033[A\x17version\r");
    EXPECT_STR(lines[2], "info version");
    EXPECT_EQ(nlines, 3);
    readline_free(rl);
    free(echo.s);
}

TEST_MAIN()
