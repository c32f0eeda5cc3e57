/* kgw-codec: the generated Kafka codec on the command line. Lists the APIs,
 * decodes wire bytes to JSON and encodes JSON back to wire bytes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kafka/api.h"

enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1,
    EXIT_USAGE = 2,
};

static const char usage_text[] =
    "usage: kgw-codec apis\n"
    "       kgw-codec schemas\n"
    "       kgw-codec decode|encode --api KEY --kind request|response --version V [--header]\n"
    "       kgw-codec decode|encode --schema NAME --version V\n"
    "       kgw-codec --help\n";

static const char help_text[] =
    "\n"
    "Commands:\n"
    "  apis      print a JSON array describing every API: apiKey, name, minVersion,\n"
    "            maxVersion, firstFlexibleVersion (-1 when no version is flexible)\n"
    "  schemas   print a JSON array of every message schema (requests, responses,\n"
    "            headers, data schemas) with its kind and version range\n"
    "  decode    read one message in wire format on stdin, print it as JSON\n"
    "  encode    read the JSON that decode prints on stdin, write the wire bytes\n"
    "\n"
    "Options of decode and encode:\n"
    "  --api KEY            API key, as a number or a name (\"Produce\")\n"
    "  --kind KIND          request or response\n"
    "  --schema NAME        any schema by name instead of --api/--kind, e.g.\n"
    "                       ConsumerProtocolAssignment or RequestHeader\n"
    "  --version V          message version\n"
    "  --header             the bytes start with the request or response header of\n"
    "                       the version the API uses at V (no 4-byte size prefix);\n"
    "                       the JSON is then {\"header\": {...}, \"body\": {...}}\n"
    "  --pretty             indent the JSON output\n"
    "\n"
    "The input must hold exactly one message: trailing bytes are an error.\n"
    "Errors are printed on stderr as \"offset N: field.path: reason\".\n"
    "\n"
    "Exit status: 0 success, 1 decode or encode failure, 2 bad usage.\n";

typedef struct options {
    const char *command;
    const char *api;
    const char *kind;
    const char *schema;
    const char *version;
    bool header;
    bool pretty;
} options_t;

/* What --api/--kind/--schema/--version resolved to. */
typedef struct target {
    const kafka_msg_vtable_t *body;
    int16_t version;
    const kafka_msg_vtable_t *header; /* NULL without --header */
    int16_t header_version;
} target_t;

#if defined(__GNUC__)
#define PRINTF_LIKE __attribute__((format(printf, 1, 2)))
#else
#define PRINTF_LIKE
#endif

static void vmessage(const char *fmt, va_list ap) {
    fputs("kgw-codec: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static int usage_error(const char *fmt, ...) PRINTF_LIKE;
static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

static int failure(const char *fmt, ...) PRINTF_LIKE;
static int failure(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    return EXIT_FAIL;
}

static void print_err(const kafka_err_t *err) {
    char buf[KAFKA_ERR_PATH_MAX + 128];
    kafka_err_format(err, buf, sizeof buf);
    fprintf(stderr, "%s\n", buf);
}

static bool parse_int(const char *s, long min, long max, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static int parse_options(int argc, char **argv, options_t *o) {
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            fputs(help_text, stdout);
            exit(EXIT_OK);
        } else if (strcmp(a, "--header") == 0) {
            o->header = true;
        } else if (strcmp(a, "--pretty") == 0) {
            o->pretty = true;
        } else if (strcmp(a, "--api") == 0) {
            slot = &o->api;
        } else if (strcmp(a, "--kind") == 0) {
            slot = &o->kind;
        } else if (strcmp(a, "--schema") == 0) {
            slot = &o->schema;
        } else if (strcmp(a, "--version") == 0) {
            slot = &o->version;
        } else if (a[0] == '-') {
            return usage_error("unknown option %s", a);
        } else if (o->command == NULL) {
            o->command = a;
        } else {
            return usage_error("unexpected argument %s", a);
        }
        if (slot != NULL) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            *slot = argv[++i];
        }
    }
    if (o->command == NULL)
        return usage_error("missing command");
    return EXIT_OK;
}

static const kafka_api_desc_t *find_api(const char *s) {
    long key;
    if (parse_int(s, INT16_MIN, INT16_MAX, &key))
        return kafka_api_get((int16_t)key);
    for (int k = 0; k < KAFKA_API_KEY_COUNT; k++)
        if (kafka_apis[k].request != NULL && strcmp(kafka_apis[k].name, s) == 0)
            return &kafka_apis[k];
    return NULL;
}

static int resolve_target(const options_t *o, target_t *t) {
    long version;

    memset(t, 0, sizeof *t);
    if (o->version == NULL)
        return usage_error("%s needs --version", o->command);
    if (!parse_int(o->version, INT16_MIN, INT16_MAX, &version))
        return usage_error("bad --version %s", o->version);
    t->version = (int16_t)version;

    if (o->schema != NULL) {
        if (o->api != NULL || o->kind != NULL || o->header)
            return usage_error("--schema excludes --api, --kind and --header");
        t->body = kafka_message_by_name(o->schema);
        if (t->body == NULL)
            return failure("unknown schema %s (see: kgw-codec schemas)", o->schema);
    } else {
        if (o->api == NULL || o->kind == NULL)
            return usage_error("%s needs --api and --kind, or --schema", o->command);
        bool request = strcmp(o->kind, "request") == 0;
        if (!request && strcmp(o->kind, "response") != 0)
            return usage_error("--kind must be request or response, not %s", o->kind);
        const kafka_api_desc_t *api = find_api(o->api);
        if (api == NULL || api->request == NULL)
            return failure("unknown api key %s (see: kgw-codec apis)", o->api);
        t->body = request ? api->request : api->response;
        if (o->header) {
            const char *hname = request ? "RequestHeader" : "ResponseHeader";
            t->header = kafka_message_by_name(hname);
            if (t->header == NULL)
                return failure("no %s schema in this build", hname);
            t->header_version = request ? kafka_request_header_version(api->api_key, t->version)
                                        : kafka_response_header_version(api->api_key, t->version);
        }
    }

    if (t->version < t->body->min_version || t->version > t->body->max_version) {
        return failure("%s has versions %d to %d, not %d", t->body->name, t->body->min_version,
                       t->body->max_version, t->version);
    }
    return EXIT_OK;
}

static uint8_t *read_stdin(size_t *len) {
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);

    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, stdin);
        if (n < cap)
            break;
        cap *= 2;
        uint8_t *grown = realloc(buf, cap);
        if (grown == NULL)
            free(buf);
        buf = grown;
    }
    if (buf != NULL && ferror(stdin)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static int print_json(json_t *j, bool pretty) {
    size_t flags = (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_ENCODE_ANY;
    if (json_dumpf(j, stdout, flags) != 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
        return failure("cannot write the output");
    return EXIT_OK;
}

static json_t *api_entry(const kafka_api_desc_t *api) {
    return json_pack("{s:i, s:s, s:i, s:i, s:i}", "apiKey", (int)api->api_key, "name", api->name,
                     "minVersion", (int)api->min_version, "maxVersion", (int)api->max_version,
                     "firstFlexibleVersion", (int)api->first_flexible);
}

static int cmd_apis(const options_t *o) {
    json_t *arr = json_array();

    for (int k = 0; k < KAFKA_API_KEY_COUNT && arr != NULL; k++) {
        if (kafka_apis[k].request == NULL)
            continue;
        if (json_array_append_new(arr, api_entry(&kafka_apis[k])) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (arr == NULL)
        return failure("out of memory");
    int rc = print_json(arr, o->pretty);
    json_decref(arr);
    return rc;
}

static int cmd_schemas(const options_t *o) {
    static const char *const kinds[] = {"request", "response", "header", "data"};
    json_t *arr = json_array();

    for (size_t i = 0; i < kafka_message_count && arr != NULL; i++) {
        const kafka_message_entry_t *e = &kafka_messages[i];
        json_t *obj = json_pack(
            "{s:s, s:s, s:i, s:i, s:i, s:i}", "name", e->vtable->name, "kind", kinds[e->kind],
            "apiKey", (int)e->api_key, "minVersion", (int)e->vtable->min_version, "maxVersion",
            (int)e->vtable->max_version, "firstFlexibleVersion", (int)e->vtable->first_flexible);
        if (json_array_append_new(arr, obj) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (arr == NULL)
        return failure("out of memory");
    int rc = print_json(arr, o->pretty);
    json_decref(arr);
    return rc;
}

static int decode_one(kafka_reader_t *r, const kafka_msg_vtable_t *vt, int16_t version,
                      kafka_arena_t *arena, const char *path, json_t **out) {
    kafka_err_t *err = r->err;
    void *m = calloc(1, vt->struct_size);

    *out = NULL;
    if (m == NULL)
        return failure("out of memory");
    if (vt->decode(r, version, arena, m) < 0 || vt->to_json(m, version, out, err) < 0) {
        if (path != NULL)
            kafka_err_push(err, path, -1);
        print_err(err);
        free(m);
        return EXIT_FAIL;
    }
    free(m);
    return EXIT_OK;
}

static int cmd_decode(const options_t *o, const target_t *t) {
    size_t len;
    uint8_t *buf = read_stdin(&len);
    if (buf == NULL)
        return failure("cannot read stdin");

    kafka_arena_t arena;
    kafka_err_t err;
    json_t *header = NULL, *body = NULL, *out = NULL;
    int rc;

    kafka_arena_init(&arena, 0);
    kafka_err_clear(&err);
    kafka_reader_t r = kafka_reader_make(buf, len, &err);
    if (t->header != NULL &&
        (rc = decode_one(&r, t->header, t->header_version, &arena, "header", &header)) != 0)
        goto out;
    if ((rc = decode_one(&r, t->body, t->version, &arena, NULL, &body)) != 0)
        goto out;
    if (r.pos != len) {
        char reason[96];
        snprintf(reason, sizeof reason, "%zu trailing bytes after the message", len - r.pos);
        fprintf(stderr, "offset %zu: (message): %s\n", r.pos, reason);
        rc = EXIT_FAIL;
        goto out;
    }

    if (header != NULL) {
        out = json_pack("{s:O, s:O}", "header", header, "body", body);
        if (out == NULL) {
            rc = failure("out of memory");
            goto out;
        }
    } else {
        out = json_incref(body);
    }
    rc = print_json(out, o->pretty);

out:
    json_decref(out);
    json_decref(header);
    json_decref(body);
    kafka_arena_destroy(&arena);
    free(buf);
    return rc;
}

/* from_json then size; *m is left for the encode pass. */
static int prepare_one(const json_t *j, const kafka_msg_vtable_t *vt, int16_t version,
                       kafka_arena_t *arena, const char *path, void **m, size_t *size) {
    kafka_err_t err;

    kafka_err_clear(&err);
    *m = calloc(1, vt->struct_size);
    if (*m == NULL)
        return failure("out of memory");
    if (vt->from_json(j, version, arena, *m, &err) < 0 || vt->size(*m, version, size, &err) < 0) {
        if (path != NULL)
            kafka_err_push(&err, path, -1);
        print_err(&err);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int encode_one(const void *m, const kafka_msg_vtable_t *vt, int16_t version,
                      kafka_writer_t *w, const char *path) {
    kafka_err_t err;

    kafka_err_clear(&err);
    w->err = &err;
    if (vt->encode(m, version, w) < 0) {
        if (path != NULL)
            kafka_err_push(&err, path, -1);
        print_err(&err);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int cmd_encode(const options_t *o, const target_t *t) {
    (void)o;
    size_t len;
    uint8_t *text = read_stdin(&len);
    if (text == NULL)
        return failure("cannot read stdin");

    json_error_t jerr;
    json_t *root =
        json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    free(text);
    if (root == NULL) {
        return failure("stdin line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    }

    kafka_arena_t arena;
    void *header = NULL, *body = NULL;
    size_t hsize = 0, bsize = 0;
    uint8_t *out = NULL;
    const json_t *jheader = NULL, *jbody = root;
    int rc;

    kafka_arena_init(&arena, 0);
    if (t->header != NULL) {
        jheader = json_object_get(root, "header");
        jbody = json_object_get(root, "body");
        if (!json_is_object(root) || jheader == NULL || jbody == NULL) {
            rc = failure("with --header the JSON must be {\"header\": ..., \"body\": ...}");
            goto out;
        }
        if ((rc = prepare_one(jheader, t->header, t->header_version, &arena, "header", &header,
                              &hsize)) != 0)
            goto out;
    }
    if ((rc = prepare_one(jbody, t->body, t->version, &arena, NULL, &body, &bsize)) != 0)
        goto out;

    size_t total = hsize + bsize;
    out = malloc(total ? total : 1);
    if (out == NULL) {
        rc = failure("out of memory");
        goto out;
    }
    kafka_writer_t w = kafka_writer_make(out, total);
    if (header != NULL && (rc = encode_one(header, t->header, t->header_version, &w, "header")))
        goto out;
    if ((rc = encode_one(body, t->body, t->version, &w, NULL)) != 0)
        goto out;
    if (w.pos != total) {
        rc = failure("internal error: encoded length differs from the computed size");
        goto out;
    }
    if (fwrite(out, 1, total, stdout) != total || fflush(stdout) != 0)
        rc = failure("cannot write the output");

out:
    free(out);
    free(header);
    free(body);
    kafka_arena_destroy(&arena);
    json_decref(root);
    return rc;
}

int main(int argc, char **argv) {
    options_t o;
    target_t t;
    int rc = parse_options(argc, argv, &o);
    if (rc != EXIT_OK)
        return rc;

    bool codec = strcmp(o.command, "decode") == 0 || strcmp(o.command, "encode") == 0;
    if (!codec && (o.api || o.kind || o.schema || o.version || o.header))
        return usage_error("%s takes no --api, --kind, --schema, --version or --header", o.command);
    if (strcmp(o.command, "apis") == 0)
        return cmd_apis(&o);
    if (strcmp(o.command, "schemas") == 0)
        return cmd_schemas(&o);
    if (!codec)
        return usage_error("unknown command %s", o.command);
    if ((rc = resolve_target(&o, &t)) != EXIT_OK)
        return rc;
    return o.command[0] == 'd' ? cmd_decode(&o, &t) : cmd_encode(&o, &t);
}
