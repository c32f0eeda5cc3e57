/* DescribeGroups (v0-5). Member metadata and assignments are shown for a
 * Stable group only, as Kafka does; an unknown group is "Dead". */
#include "groups/glue.h"
#include "kafka/error_codes.h"
#include "kafka/msg/describe_groups_request.h"
#include "kafka/msg/describe_groups_response.h"

/* READ, DELETE and DESCRIBE (AclOperation codes 3, 6, 8): with no ACLs,
 * every client may do everything a group allows. */
#define GROUP_AUTHORIZED_OPS ((1 << 3) | (1 << 6) | (1 << 8))

typedef struct fill {
    kgw_request_t *req;
    kafka_describe_groups_response_described_group_t *out;
    bool oom;
} fill_t;

static void on_group(void *arg, const kgw_group_view_t *g) {
    fill_t *f = arg;
    kgw_request_t *req = f->req;
    f->out->group_state = kgw_groups_str(req, g->state);
    f->out->protocol_type = kgw_groups_str(req, g->protocol_type);
    f->out->protocol_data = kgw_groups_str(req, g->protocol_name);
    kafka_describe_groups_response_described_group_member_t *ms =
        kgw_groups_array(req, (size_t)g->nmembers, sizeof *ms);
    if (g->nmembers > 0 && ms == NULL) {
        f->oom = true;
        return;
    }
    for (int32_t i = 0; i < g->nmembers; i++) {
        const kgw_member_view_t *m = &g->members[i];
        kafka_describe_groups_response_described_group_member_init(&ms[i]);
        ms[i].member_id = kgw_groups_str(req, m->member_id);
        ms[i].group_instance_id = kgw_groups_str(req, m->instance_id);
        ms[i].client_id = kgw_groups_str(req, m->client_id);
        ms[i].client_host = kgw_groups_str(req, m->client_host);
        ms[i].member_metadata = kgw_groups_bytes(req, m->metadata, m->metadata_len);
        ms[i].member_assignment = kgw_groups_bytes(req, m->assignment, m->assignment_len);
    }
    f->out->members.items = ms;
    f->out->members.count = g->nmembers;
}

void kgw_handle_describe_groups(kgw_request_t *req) {
    const kafka_describe_groups_request_t *rq = req->body;
    kafka_describe_groups_response_t *rs = kgw_request_response(req);
    if (rs == NULL) {
        kgw_request_respond(req);
        return;
    }
    kgw_coord_t *c = kgw_groups_coord(req);
    int32_t n = rq->groups.count > 0 ? rq->groups.count : 0;
    kafka_describe_groups_response_described_group_t *gs =
        kgw_groups_array(req, (size_t)n, sizeof *gs);
    if (n > 0 && gs == NULL) {
        kgw_request_fail_connection(req, "request arena exhausted");
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        kafka_describe_groups_response_described_group_init(&gs[i]);
        gs[i].group_id = rq->groups.items[i];
        gs[i].protocol_type = (kafka_str_t){"", 0};
        gs[i].protocol_data = (kafka_str_t){"", 0};
        gs[i].group_state = (kafka_str_t){"", 0};
        if (c == NULL) {
            gs[i].error_code = KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
            continue;
        }
        const char *g = kgw_groups_cstr(req, rq->groups.items[i]);
        fill_t f = {req, &gs[i], false};
        kgw_coord_describe(c, g != NULL ? g : "", on_group, &f);
        if (f.oom) {
            kgw_request_fail_connection(req, "request arena exhausted");
            return;
        }
        if (req->api_version >= 3 && rq->include_authorized_operations)
            gs[i].authorized_operations = GROUP_AUTHORIZED_OPS;
    }
    rs->groups.items = gs;
    rs->groups.count = n;
    kgw_request_respond(req);
}
