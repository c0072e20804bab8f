/* ct-rest-store.h — the REST server's data: an in-memory collection of tasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CT_TYPE_REST_STORE (ct_rest_store_get_type ())

G_DECLARE_FINAL_TYPE (CtRestStore, ct_rest_store, CT, REST_STORE, GObject)

/* The one collection's name, as in /api/tasks */
#define CT_REST_STORE_COLLECTION "tasks"
/* Paging: the default and the largest `limit` */
#define CT_REST_STORE_DEFAULT_LIMIT 50
#define CT_REST_STORE_MAX_LIMIT 1000

/**
 * CtRestStoreError:
 * @CT_REST_STORE_ERROR_NOT_FOUND: no item has that id (HTTP 404)
 * @CT_REST_STORE_ERROR_INVALID: the body is not a valid task: a field is
 *   missing, of the wrong type or out of range, or the body is not an
 *   object; the message names the field (HTTP 422)
 * @CT_REST_STORE_ERROR_FILE: the data file cannot be read, written or
 *   understood
 */
typedef enum
{
  CT_REST_STORE_ERROR_NOT_FOUND,
  CT_REST_STORE_ERROR_INVALID,
  CT_REST_STORE_ERROR_FILE,
} CtRestStoreError;

#define CT_REST_STORE_ERROR (ct_rest_store_error_quark ())
GQuark       ct_rest_store_error_quark   (void);

CtRestStore *ct_rest_store_new           (void);

void         ct_rest_store_reset         (CtRestStore  *self);
guint        ct_rest_store_get_n_items   (CtRestStore  *self);
gint64       ct_rest_store_get_next_id   (CtRestStore  *self);

GBytes      *ct_rest_store_lookup        (CtRestStore  *self,
                                          gint64        id,
                                          const char  **etag);
GBytes      *ct_rest_store_list          (CtRestStore  *self,
                                          const char   *query,
                                          guint         offset,
                                          guint         limit,
                                          char        **etag);

gint64       ct_rest_store_create        (CtRestStore  *self,
                                          JsonNode     *body,
                                          GError      **error);
gboolean     ct_rest_store_replace       (CtRestStore  *self,
                                          gint64        id,
                                          JsonNode     *body,
                                          GError      **error);
gboolean     ct_rest_store_merge         (CtRestStore  *self,
                                          gint64        id,
                                          JsonNode     *patch,
                                          GError      **error);
gboolean     ct_rest_store_delete        (CtRestStore  *self,
                                          gint64        id,
                                          GError      **error);

gboolean     ct_rest_store_load          (CtRestStore  *self,
                                          const char   *path,
                                          GError      **error);
gboolean     ct_rest_store_save          (CtRestStore  *self,
                                          const char   *path,
                                          GError      **error);

G_END_DECLS
