/* Group administration: DescribeGroups, ListGroups, DeleteGroups. */
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "kafka/error_codes.h"
#include "persist.h"

static void view_of(const kgw_group_t *g, kgw_group_view_t *v, kgw_member_view_t *members) {
    bool stable = g->state == KGW_GROUP_STABLE;
    v->group_id = g->group_id;
    v->state = kgw_group_state_name(g->state);
    v->protocol_type = g->protocol_type ? g->protocol_type : "";
    v->protocol_name = stable && g->protocol_name ? g->protocol_name : "";
    v->generation = g->generation;
    v->members = members;
    v->nmembers = members != NULL ? g->nmembers : 0;
    for (int32_t i = 0; members != NULL && i < g->nmembers; i++) {
        const kgw_member_t *m = g->members[i];
        const kgw_protocol_t *p = stable ? kgw_member_protocol(m, g->protocol_name) : NULL;
        members[i] = (kgw_member_view_t){
            .member_id = m->member_id,
            .instance_id = m->instance_id,
            .client_id = m->client_id,
            .client_host = m->client_host,
            .metadata = p ? p->metadata : NULL,
            .metadata_len = p ? p->metadata_len : 0,
            .assignment = stable ? m->assignment : NULL,
            .assignment_len = stable ? m->assignment_len : 0,
        };
    }
}

void kgw_coord_describe(kgw_coord_t *c, const char *group_id,
                        void (*fn)(void *arg, const kgw_group_view_t *g), void *arg) {
    kgw_group_t *g = kgw_group_find(c, group_id);
    if (g == NULL) {
        kgw_group_view_t v = {group_id, "Dead", "", "", -1, NULL, 0};
        fn(arg, &v);
        return;
    }
    kgw_member_view_t *members =
        calloc((size_t)(g->nmembers > 0 ? g->nmembers : 1), sizeof *members);
    kgw_group_view_t v;
    view_of(g, &v, members);
    fn(arg, &v);
    free(members);
}

static int cmp_groups(const void *a, const void *b) {
    return strcmp((*(kgw_group_t *const *)a)->group_id, (*(kgw_group_t *const *)b)->group_id);
}

void kgw_coord_list(kgw_coord_t *c, void (*fn)(void *arg, const kgw_group_view_t *g), void *arg) {
    kgw_group_t **all = malloc((c->ngroups > 0 ? c->ngroups : 1) * sizeof *all);
    if (all == NULL)
        return;
    size_t n = 0;
    for (size_t b = 0; b < c->nbuckets; b++)
        for (kgw_group_t *g = c->buckets[b]; g != NULL; g = g->next)
            if (g->state != KGW_GROUP_DEAD)
                all[n++] = g;
    qsort(all, n, sizeof *all, cmp_groups);
    for (size_t i = 0; i < n; i++) {
        kgw_group_view_t v;
        view_of(all[i], &v, NULL);
        fn(arg, &v);
    }
    free(all);
}

int16_t kgw_coord_delete_group(kgw_coord_t *c, const char *group_id) {
    if (c->shut)
        return KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    if (group_id == NULL || group_id[0] == '\0')
        return KAFKA_ERROR_INVALID_GROUP_ID;
    kgw_group_t *g = kgw_group_find(c, group_id);
    if (g == NULL || g->state == KGW_GROUP_DEAD)
        return KAFKA_ERROR_GROUP_ID_NOT_FOUND;
    if (g->state != KGW_GROUP_EMPTY)
        return KAFKA_ERROR_NON_EMPTY_GROUP;
    if (c->persist != NULL) {
        size_t n = g->offsets.count, k = 0;
        kgw_offset_t **all = malloc((n > 0 ? n : 1) * sizeof *all);
        bool *tomb = malloc((n > 0 ? n : 1) * sizeof *tomb);
        if (all == NULL || tomb == NULL) {
            free(all);
            free(tomb);
            return KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
        }
        for (size_t b = 0; b < g->offsets.nbuckets; b++)
            for (kgw_offset_t *o = g->offsets.buckets[b]; o != NULL; o = o->next) {
                tomb[k] = true;
                all[k++] = o;
            }
        if (k > 0)
            kgw_persist_offsets(c->persist, g->group_id, all, tomb, (int32_t)k, NULL, NULL);
        kgw_persist_group_tombstone(c->persist, g->group_id);
        free(all);
        free(tomb);
    }
    g->state = KGW_GROUP_DEAD;
    kgw_group_remove(c, g);
    return KAFKA_ERROR_NONE;
}
