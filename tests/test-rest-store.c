/* test-rest-store.c — the REST server's data: tasks, paging, validation, the file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ct-json.h"
#include "ct-rest-store.h"

typedef struct
{
  CtRestStore *store;
  guint        changed;
} Fixture;

static void
changed_cb (CtRestStore *store,
            Fixture     *fixture)
{
  fixture->changed++;
}

static void
count_cb (CtRestStore *store,
          guint       *counter)
{
  (*counter)++;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->store = ct_rest_store_new ();
  g_signal_connect (fixture->store, "changed", G_CALLBACK (changed_cb), fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->store);
}

/* -- helpers ------------------------------------------------------------- */

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = ct_json_parse (text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static char *
bytes_to_string (GBytes *bytes)
{
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static JsonObject *
bytes_to_object (GBytes *bytes)
{
  g_autofree char *text = bytes_to_string (bytes);
  g_autoptr(JsonNode) node = parse (text);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

/* The item's JSON, or NULL */
static char *
lookup_text (CtRestStore *store,
             gint64       id)
{
  g_autoptr(GBytes) bytes = ct_rest_store_lookup (store, id, NULL);

  return bytes != NULL ? bytes_to_string (bytes) : NULL;
}

static gboolean
has_item (CtRestStore *store,
          gint64       id)
{
  g_autoptr(GBytes) bytes = ct_rest_store_lookup (store, id, NULL);

  return bytes != NULL;
}

static JsonObject *
lookup_object (CtRestStore *store,
               gint64       id)
{
  g_autoptr(GBytes) bytes = ct_rest_store_lookup (store, id, NULL);

  g_assert_nonnull (bytes);
  return bytes_to_object (bytes);
}

static char *
list_text (CtRestStore *store,
           const char  *query,
           guint        offset,
           guint        limit)
{
  g_autoptr(GBytes) bytes = ct_rest_store_list (store, query, offset, limit, NULL);

  return bytes_to_string (bytes);
}

/* Everything, to tell whether anything changed */
static char *
everything (CtRestStore *store)
{
  g_autofree char *list = list_text (store, NULL, 0, CT_REST_STORE_MAX_LIMIT);

  return g_strdup_printf ("%s next_id=%" G_GINT64_FORMAT, list, ct_rest_store_get_next_id (store));
}

static JsonObject *
list_object (CtRestStore *store,
             const char  *query,
             guint        offset,
             guint        limit)
{
  g_autoptr(GBytes) bytes = ct_rest_store_list (store, query, offset, limit, NULL);

  return bytes_to_object (bytes);
}

static char *
expected_etag (GBytes *bytes)
{
  g_autofree char *sha1 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, bytes);

  return g_strdup_printf ("\"%.16s\"", sha1);
}

static gint64
create (CtRestStore *store,
        const char  *json)
{
  g_autoptr(JsonNode) body = parse (json);
  g_autoptr(GError) error = NULL;
  gint64 id = ct_rest_store_create (store, body, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
merge (CtRestStore *store,
       gint64       id,
       const char  *json)
{
  g_autoptr(JsonNode) patch = parse (json);
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_rest_store_merge (store, id, patch, &error));
  g_assert_no_error (error);
}

typedef enum
{
  OP_CREATE,
  OP_REPLACE,
  OP_MERGE,
} Op;

/* @op on item @id (for create: ignored) with @json must fail with
 * @domain/@code and @message, and change nothing at all */
static void
assert_refused (Fixture    *fixture,
                Op          op,
                gint64      id,
                const char *json,
                GQuark      domain,
                int         code,
                const char *message)
{
  g_autoptr(JsonNode) body = parse (json);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = everything (fixture->store);
  g_autofree char *after = NULL;
  guint changed = fixture->changed;
  const char *etag_before = NULL;
  const char *etag_after = NULL;
  g_autoptr(GBytes) bytes_before = ct_rest_store_lookup (fixture->store, id, &etag_before);
  g_autoptr(GBytes) bytes_after = NULL;

  switch (op)
    {
    case OP_CREATE:
      g_assert_cmpint (ct_rest_store_create (fixture->store, body, &error), ==, -1);
      break;
    case OP_REPLACE:
      g_assert_false (ct_rest_store_replace (fixture->store, id, body, &error));
      break;
    case OP_MERGE:
      g_assert_false (ct_rest_store_merge (fixture->store, id, body, &error));
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_error (error, domain, code);
  g_assert_cmpstr (error->message, ==, message);

  after = everything (fixture->store);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (fixture->changed, ==, changed);

  /* The very same cached item: same bytes, same ETag */
  bytes_after = ct_rest_store_lookup (fixture->store, id, &etag_after);
  g_assert_true (bytes_after == bytes_before);
  g_assert_true (etag_after == etag_before);
}

static void
assert_invalid (Fixture    *fixture,
                Op          op,
                gint64      id,
                const char *json,
                const char *message)
{
  assert_refused (fixture, op, id, json, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_INVALID, message);
}

/* -- the seed ------------------------------------------------------------ */

static void
test_seed (Fixture       *fixture,
           gconstpointer  data)
{
  static const char * const members[] = { "id", "title", "notes", "done", "priority", "due", "tags" };
  guint n = ct_rest_store_get_n_items (fixture->store);
  g_autoptr(GHashTable) titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_done = 0;
  guint n_due = 0;
  guint n_priority[3] = { 0, };

  g_assert_cmpuint (n, >=, 24);
  g_assert_cmpint (ct_rest_store_get_next_id (fixture->store), ==, n + 1);

  for (gint64 id = 1; id <= n; id++)
    {
      g_autoptr(JsonObject) item = lookup_object (fixture->store, id);
      g_autoptr(GList) names = json_object_get_members (item);
      g_autoptr(JsonNode) body = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = lookup_text (fixture->store, id);
      const char *priority;
      JsonArray *tags;
      guint i = 0;

      /* Members in order */
      g_assert_cmpuint (g_list_length (names), ==, G_N_ELEMENTS (members));
      for (GList *l = names; l != NULL; l = l->next)
        g_assert_cmpstr (l->data, ==, members[i++]);

      g_assert_cmpint (json_object_get_int_member (item, "id"), ==, id);
      g_assert_cmpuint (strlen (json_object_get_string_member (item, "title")), >, 3);
      g_assert_true (g_hash_table_add (titles, g_strdup (json_object_get_string_member (item, "title"))));
      n_done += json_object_get_boolean_member (item, "done");
      priority = json_object_get_string_member (item, "priority");
      g_assert_true (g_strv_contains ((const char * const[]) { "low", "normal", "high", NULL }, priority));
      n_priority[0] += g_str_equal (priority, "low");
      n_priority[1] += g_str_equal (priority, "normal");
      n_priority[2] += g_str_equal (priority, "high");
      if (!json_object_get_null_member (item, "due"))
        {
          g_assert_true (g_str_has_prefix (json_object_get_string_member (item, "due"), "2026-"));
          n_due++;
        }
      tags = json_object_get_array_member (item, "tags");
      g_assert_cmpuint (json_array_get_length (tags), >=, 1);

      /* Every seed item passes the rules: sent back as it is, it is
       * accepted and changes nothing */
      body = parse (text);
      g_assert_true (ct_rest_store_replace (fixture->store, id, body, &error));
      g_assert_no_error (error);
    }

  g_assert_false (has_item (fixture->store, 0));
  g_assert_false (has_item (fixture->store, n + 1));
  g_assert_cmpuint (fixture->changed, ==, 0);

  /* Believable variety */
  g_assert_cmpuint (n_done, >, 3);
  g_assert_cmpuint (n_done, <, n - 3);
  g_assert_cmpuint (n_due, >, n / 2);
  g_assert_cmpuint (n_due, <, n);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (n_priority[i], >, 2);
}

/* -- lookup and ETags ---------------------------------------------------- */

static void
test_lookup (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) missing = NULL;
  g_autofree char *etag_expected = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  const char *etag = NULL;
  const char *etag_again = NULL;
  const char *etag_missing = "unset";
  gint64 id;

  bytes = ct_rest_store_lookup (fixture->store, 3, &etag);
  g_assert_nonnull (bytes);
  text = bytes_to_string (bytes);
  g_assert_true (g_str_has_prefix (text, "{\"id\":3,\"title\":\""));
  g_assert_null (strchr (text, '\n'));
  g_assert_null (strstr (text, "\": "));

  /* A strong ETag: SHA-1 of the bytes, 16 hex digits, quoted */
  etag_expected = expected_etag (bytes);
  g_assert_cmpstr (etag, ==, etag_expected);
  g_assert_cmpuint (strlen (etag), ==, 18);

  /* Cached: the same bytes and the same string */
  again = ct_rest_store_lookup (fixture->store, 3, &etag_again);
  g_assert_true (again == bytes);
  g_assert_true (etag_again == etag);

  missing = ct_rest_store_lookup (fixture->store, 12345, &etag_missing);
  g_assert_null (missing);
  g_assert_null (etag_missing);
  g_assert_false (has_item (fixture->store, -1));

  /* Exact output: member order, defaults, compact */
  id = create (fixture->store, "{\"title\": \"Buy milk\"}");
  g_clear_pointer (&text, g_free);
  text = lookup_text (fixture->store, id);
  expected = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"title\":\"Buy milk\",\"notes\":\"\","
                              "\"done\":false,\"priority\":\"normal\",\"due\":null,\"tags\":[]}", id);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_etag (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(CtRestStore) other = ct_rest_store_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *original = NULL;
  g_autofree char *changed = NULL;
  const char *etag;
  const char *other_etag;

  /* The same content gives the same ETag, in another store (or process) */
  bytes = ct_rest_store_lookup (fixture->store, 5, &etag);
  original = g_strdup (etag);
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = ct_rest_store_lookup (other, 5, &other_etag);
  g_assert_cmpstr (other_etag, ==, original);

  /* A change changes it */
  merge (fixture->store, 5, "{\"done\": true}");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = ct_rest_store_lookup (fixture->store, 5, &etag);
  g_assert_cmpstr (etag, !=, original);
  changed = g_strdup (etag);

  /* Only the changed item's */
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = ct_rest_store_lookup (fixture->store, 6, &etag);
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = ct_rest_store_lookup (other, 6, &other_etag);
  g_assert_cmpstr (etag, ==, other_etag);

  /* A patch that changes nothing keeps it */
  merge (fixture->store, 5, "{\"done\": true}");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = ct_rest_store_lookup (fixture->store, 5, &etag);
  g_assert_cmpstr (etag, ==, changed);

  /* Changed back, it is the original again */
  merge (fixture->store, 5, "{\"done\": false}");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = ct_rest_store_lookup (fixture->store, 5, &etag);
  g_assert_cmpstr (etag, ==, original);
  g_assert_cmpuint (fixture->changed, ==, 2);

  g_assert_finalize_object (g_steal_pointer (&other));
}

/* -- listing ------------------------------------------------------------- */

static void
assert_page (JsonObject *page,
             guint       total,
             guint       offset,
             guint       limit,
             gint64      first_id,
             guint       n_items)
{
  JsonArray *items = json_object_get_array_member (page, "items");

  g_assert_cmpint (json_object_get_int_member (page, "total"), ==, total);
  g_assert_cmpint (json_object_get_int_member (page, "offset"), ==, offset);
  g_assert_cmpint (json_object_get_int_member (page, "limit"), ==, limit);
  g_assert_cmpuint (json_array_get_length (items), ==, n_items);
  for (guint i = 0; i < n_items; i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      g_assert_cmpint (json_object_get_int_member (item, "id"), ==, first_id + i);
    }
}

static void
test_list_paging (Fixture       *fixture,
                  gconstpointer  data)
{
  guint n = ct_rest_store_get_n_items (fixture->store);
  g_autoptr(JsonObject) page = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *etag_again = NULL;
  g_autofree char *etag_changed = NULL;
  g_autofree char *item = NULL;

  page = list_object (fixture->store, NULL, 0, 0);
  assert_page (page, n, 0, CT_REST_STORE_DEFAULT_LIMIT, 1, MIN (n, CT_REST_STORE_DEFAULT_LIMIT));
  g_clear_pointer (&page, json_object_unref);

  page = list_object (fixture->store, "", 5, 10);
  assert_page (page, n, 5, 10, 6, 10);
  g_clear_pointer (&page, json_object_unref);

  page = list_object (fixture->store, NULL, n - 3, 10);
  assert_page (page, n, n - 3, 10, n - 2, 3);
  g_clear_pointer (&page, json_object_unref);

  page = list_object (fixture->store, NULL, n + 5, 10);
  assert_page (page, n, n + 5, 10, 0, 0);
  g_clear_pointer (&page, json_object_unref);

  page = list_object (fixture->store, NULL, G_MAXUINT, G_MAXUINT);
  assert_page (page, n, G_MAXUINT, CT_REST_STORE_MAX_LIMIT, 0, 0);
  g_clear_pointer (&page, json_object_unref);

  page = list_object (fixture->store, NULL, 0, 1);
  assert_page (page, n, 0, 1, 1, 1);
  g_clear_pointer (&page, json_object_unref);

  /* Compact, items as lookup gives them */
  text = list_text (fixture->store, NULL, 1, 1);
  item = lookup_text (fixture->store, 2);
  expected = g_strdup_printf ("{\"items\":[%s],\"total\":%u,\"offset\":1,\"limit\":1}", item, n);
  g_assert_cmpstr (text, ==, expected);

  /* The ETag is the bytes' */
  bytes = ct_rest_store_list (fixture->store, NULL, 0, 0, &etag);
  g_clear_pointer (&expected, g_free);
  expected = expected_etag (bytes);
  g_assert_cmpstr (etag, ==, expected);
  again = ct_rest_store_list (fixture->store, NULL, 0, 0, &etag_again);
  g_assert_true (g_bytes_equal (bytes, again));
  g_assert_cmpstr (etag, ==, etag_again);
  g_assert_true (ct_rest_store_delete (fixture->store, 9, NULL));
  g_clear_pointer (&again, g_bytes_unref);
  again = ct_rest_store_list (fixture->store, NULL, 0, 0, &etag_changed);
  g_assert_cmpstr (etag, !=, etag_changed);

  /* Without an ETag */
  g_clear_pointer (&again, g_bytes_unref);
  again = ct_rest_store_list (fixture->store, NULL, 0, 0, NULL);
  g_assert_nonnull (again);
}

static void
test_list_limit_clamp (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) page = NULL;
  guint n;

  for (guint i = 0; i < CT_REST_STORE_MAX_LIMIT + 100; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"title\": \"Generated task %u\"}", i);

      create (fixture->store, body);
    }
  n = ct_rest_store_get_n_items (fixture->store);
  g_assert_cmpuint (n, >, CT_REST_STORE_MAX_LIMIT + 100);

  page = list_object (fixture->store, NULL, 0, CT_REST_STORE_MAX_LIMIT * 5);
  assert_page (page, n, 0, CT_REST_STORE_MAX_LIMIT, 1, CT_REST_STORE_MAX_LIMIT);
  g_clear_pointer (&page, json_object_unref);

  page = list_object (fixture->store, NULL, 0, 0);
  assert_page (page, n, 0, CT_REST_STORE_DEFAULT_LIMIT, 1, CT_REST_STORE_DEFAULT_LIMIT);
  g_clear_pointer (&page, json_object_unref);

  page = list_object (fixture->store, NULL, n - 10, CT_REST_STORE_MAX_LIMIT);
  assert_page (page, n, n - 10, CT_REST_STORE_MAX_LIMIT, n - 9, 10);
  g_clear_pointer (&page, json_object_unref);

  page = list_object (fixture->store, "generated TASK 10", 0, CT_REST_STORE_MAX_LIMIT + 1);
  /* 10, 100 to 109, 1000 to 1099 */
  g_assert_cmpint (json_object_get_int_member (page, "total"), ==, 1 + 10 + 100);
  g_assert_cmpint (json_object_get_int_member (page, "limit"), ==, CT_REST_STORE_MAX_LIMIT);
}

/* Whether @item has @query in its title, notes or tags, ignoring case:
 * worked out here independently of the store */
static gboolean
item_has (JsonObject *item,
          const char *query)
{
  g_autofree char *folded_query = g_utf8_casefold (query, -1);
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();
  JsonArray *tags = json_object_get_array_member (item, "tags");

  g_ptr_array_add (texts, (gpointer) json_object_get_string_member (item, "title"));
  g_ptr_array_add (texts, (gpointer) json_object_get_string_member (item, "notes"));
  for (guint i = 0; i < json_array_get_length (tags); i++)
    g_ptr_array_add (texts, (gpointer) json_array_get_string_element (tags, i));

  for (guint i = 0; i < texts->len; i++)
    {
      g_autofree char *folded = g_utf8_casefold (g_ptr_array_index (texts, i), -1);

      if (strstr (folded, folded_query) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* Lists with @query and checks the result against item_has; returns the
 * ids found */
static GArray *
assert_filter (CtRestStore *store,
               const char  *query)
{
  g_autoptr(JsonObject) page = list_object (store, query, 0, CT_REST_STORE_MAX_LIMIT);
  g_autoptr(JsonObject) all = list_object (store, NULL, 0, CT_REST_STORE_MAX_LIMIT);
  JsonArray *items = json_object_get_array_member (page, "items");
  JsonArray *all_items = json_object_get_array_member (all, "items");
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint expected = 0;

  for (guint i = 0; i < json_array_get_length (all_items); i++)
    expected += item_has (json_array_get_object_element (all_items, i), query);

  g_assert_cmpint (json_object_get_int_member (page, "total"), ==, expected);
  g_assert_cmpuint (json_array_get_length (items), ==, expected);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      gint64 id = json_object_get_int_member (item, "id");

      g_assert_true (item_has (item, query));
      g_array_append_val (ids, id);
    }
  return ids;
}

static gboolean
ids_contain (GArray *ids,
             gint64  id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return TRUE;
  return FALSE;
}

static void
test_list_filter (Fixture       *fixture,
                  gconstpointer  data)
{
  guint n = ct_rest_store_get_n_items (fixture->store);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(JsonObject) page = NULL;
  gint64 strasse, ecole;

  /* Case-insensitive, in the title */
  ids = assert_filter (fixture->store, "LOGIN Redirect");
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_true (ids_contain (ids, 3));
  g_clear_pointer (&ids, g_array_unref);

  /* In the notes only */
  ids = assert_filter (fixture->store, "Bastion");
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_true (ids_contain (ids, 2));
  g_clear_pointer (&ids, g_array_unref);

  /* In the tags: item 3's title and notes do not say "frontend" */
  ids = assert_filter (fixture->store, "FrontEnd");
  g_assert_cmpuint (ids->len, >=, 3);
  g_assert_true (ids_contain (ids, 3));
  g_clear_pointer (&ids, g_array_unref);

  ids = assert_filter (fixture->store, "ops");
  g_assert_cmpuint (ids->len, >=, 5);
  g_clear_pointer (&ids, g_array_unref);

  ids = assert_filter (fixture->store, "no task says this");
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);

  /* Beyond ASCII: full case folding */
  strasse = create (fixture->store, "{\"title\": \"Straße sperren\", \"tags\": [\"Stadt\"]}");
  ecole = create (fixture->store, "{\"title\": \"Visit\", \"notes\": \"The ÉCOLE by the river\"}");
  ids = assert_filter (fixture->store, "STRASSE");
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_true (ids_contain (ids, strasse));
  g_clear_pointer (&ids, g_array_unref);
  ids = assert_filter (fixture->store, "école");
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_true (ids_contain (ids, ecole));
  g_clear_pointer (&ids, g_array_unref);

  /* Invalid UTF-8 in a query is no crash */
  ids = assert_filter (fixture->store, "zz");
  g_clear_pointer (&ids, g_array_unref);
  page = list_object (fixture->store, "\xff\xfe", 0, 0);
  g_assert_cmpint (json_object_get_int_member (page, "total"), ==, 0);
  g_clear_pointer (&page, json_object_unref);

  /* Paging counts the matches */
  ids = assert_filter (fixture->store, "e");
  g_assert_cmpuint (ids->len, >, 10);
  page = list_object (fixture->store, "E", 2, 3);
  g_assert_cmpint (json_object_get_int_member (page, "total"), ==, ids->len);
  g_assert_cmpint (json_object_get_int_member (page, "offset"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (page, "limit"), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (page, "items")), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (page, "items"), 0), "id"),
                   ==, g_array_index (ids, gint64, 2));
  g_clear_pointer (&page, json_object_unref);

  page = list_object (fixture->store, "", 0, 0);
  g_assert_cmpint (json_object_get_int_member (page, "total"), ==, n + 2);
}

/* -- create -------------------------------------------------------------- */

static void
test_create (Fixture       *fixture,
             gconstpointer  data)
{
  guint n = ct_rest_store_get_n_items (fixture->store);
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *long_title = NULL;
  g_autofree char *body = NULL;
  GString *title = g_string_new ("  ");
  gint64 id;

  id = create (fixture->store,
               "{\"tags\": [\"release\", \"späť\"], \"due\": \"2028-02-29\", \"priority\": \"high\","
               " \"done\": true, \"notes\": \"Line one\\nLine \\\"two\\\"\", \"title\": \"  Ship 2.5 \\t\"}");
  g_assert_cmpint (id, ==, n + 1);
  g_assert_cmpint (ct_rest_store_get_next_id (fixture->store), ==, n + 2);
  g_assert_cmpuint (ct_rest_store_get_n_items (fixture->store), ==, n + 1);
  g_assert_cmpuint (fixture->changed, ==, 1);

  /* In order, the title trimmed */
  text = lookup_text (fixture->store, id);
  expected = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"title\":\"Ship 2.5\","
                              "\"notes\":\"Line one\\nLine \\\"two\\\"\",\"done\":true,"
                              "\"priority\":\"high\",\"due\":\"2028-02-29\",\"tags\":[\"release\",\"späť\"]}", id);
  g_assert_cmpstr (text, ==, expected);

  /* The limits themselves are allowed: 200 characters (not bytes), 20
   * tags of 40 characters */
  for (guint i = 0; i < 200; i++)
    g_string_append (title, "é");
  g_string_append (title, "   ");
  long_title = g_string_free (title, FALSE);
  body = g_strdup_printf ("{\"title\": \"%s\", \"tags\": [%s], \"due\": null}", long_title,
                          "\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\","
                          "\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\",\"18\",\"19\","
                          "\"1234567890123456789012345678901234567890\"");
  id = create (fixture->store, body);
  g_assert_cmpint (id, ==, n + 2);
  g_assert_cmpuint (fixture->changed, ==, 2);
}

static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  static const struct
  {
    const char *body;
    const char *message;
  } cases[] = {
    { "[]", "the body must be a JSON object" },
    { "\"Buy milk\"", "the body must be a JSON object" },
    { "null", "the body must be a JSON object" },
    { "{\"title\": \"a\", \"colour\": \"red\"}", "unknown field 'colour'" },
    { "{\"Title\": \"a\"}", "unknown field 'Title'" },
    { "{\"id\": 99, \"title\": \"a\"}", "id is assigned by the server" },
    { "{\"id\": null, \"title\": \"a\"}", "id is assigned by the server" },
    { "{}", "title is required" },
    { "{\"notes\": \"no title\"}", "title is required" },
    { "{\"title\": 5}", "title: expected a string" },
    { "{\"title\": null}", "title: expected a string" },
    { "{\"title\": [\"a\"]}", "title: expected a string" },
    { "{\"title\": \"\"}", "title: expected some text, not only spaces" },
    { "{\"title\": \" \\t\\n \"}", "title: expected some text, not only spaces" },
    { "{\"title\": \"a\\ud800b\"}", "title: expected valid Unicode text" },
    { "{\"title\": \"a\", \"notes\": 1}", "notes: expected a string" },
    { "{\"title\": \"a\", \"notes\": null}", "notes: expected a string" },
    { "{\"title\": \"a\", \"done\": \"yes\"}", "done: expected true or false" },
    { "{\"title\": \"a\", \"done\": 1}", "done: expected true or false" },
    { "{\"title\": \"a\", \"done\": null}", "done: expected true or false" },
    { "{\"title\": \"a\", \"priority\": \"urgent\"}", "priority: expected one of low, normal, high" },
    { "{\"title\": \"a\", \"priority\": \"HIGH\"}", "priority: expected one of low, normal, high" },
    { "{\"title\": \"a\", \"priority\": 2}", "priority: expected one of low, normal, high" },
    { "{\"title\": \"a\", \"priority\": null}", "priority: expected one of low, normal, high" },
    { "{\"title\": \"a\", \"due\": \"2026-02-29\"}", "due: expected a date like 2026-05-31 or null" },
    { "{\"title\": \"a\", \"due\": \"2026-13-01\"}", "due: expected a date like 2026-05-31 or null" },
    { "{\"title\": \"a\", \"due\": \"2026-04-31\"}", "due: expected a date like 2026-05-31 or null" },
    { "{\"title\": \"a\", \"due\": \"2026-00-10\"}", "due: expected a date like 2026-05-31 or null" },
    { "{\"title\": \"a\", \"due\": \"0000-01-01\"}", "due: expected a date like 2026-05-31 or null" },
    { "{\"title\": \"a\", \"due\": \"2026-5-31\"}", "due: expected a date like 2026-05-31 or null" },
    { "{\"title\": \"a\", \"due\": \"31.05.2026\"}", "due: expected a date like 2026-05-31 or null" },
    { "{\"title\": \"a\", \"due\": \"2026-05-31T10:00:00Z\"}", "due: expected a date like 2026-05-31 or null" },
    { "{\"title\": \"a\", \"due\": \"+026-05-31\"}", "due: expected a date like 2026-05-31 or null" },
    { "{\"title\": \"a\", \"due\": 20260531}", "due: expected a date like 2026-05-31 or null" },
    { "{\"title\": \"a\", \"due\": \"\"}", "due: expected a date like 2026-05-31 or null" },
    { "{\"title\": \"a\", \"tags\": \"ops\"}", "tags: expected an array of strings" },
    { "{\"title\": \"a\", \"tags\": null}", "tags: expected an array of strings" },
    { "{\"title\": \"a\", \"tags\": [1]}", "tags: expected an array of strings" },
    { "{\"title\": \"a\", \"tags\": [\"ok\", null]}", "tags: expected an array of strings" },
    { "{\"title\": \"a\", \"tags\": {\"ops\": true}}", "tags: expected an array of strings" },
    { "{\"title\": \"a\", \"tags\": [\"ok\", \"\"]}", "tags: expected each tag to have 1 to 40 characters" },
    { "{\"title\": \"a\", \"tags\": [\"12345678901234567890123456789012345678901\"]}",
      "tags: expected each tag to have 1 to 40 characters" },
    { "{\"title\": \"a\", \"tags\": [\"x\\udc00y\"]}", "tags: expected valid Unicode text" },
    { "{\"title\": \"a\", \"tags\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\","
      "\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\",\"18\",\"19\",\"20\",\"21\"]}",
      "tags: expected at most 20 tags" },
  };
  GString *title = g_string_new ("{\"title\": \"");
  g_autofree char *body = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("create %s", cases[i].body);
      assert_invalid (fixture, OP_CREATE, 0, cases[i].body, cases[i].message);

      /* Replace reads a body the same way */
      if (!strstr (cases[i].body, "\"id\""))
        assert_invalid (fixture, OP_REPLACE, 4, cases[i].body, cases[i].message);
    }

  /* 201 characters */
  for (guint i = 0; i < 201; i++)
    g_string_append (title, "ü");
  g_string_append (title, "\"}");
  body = g_string_free (title, FALSE);
  assert_invalid (fixture, OP_CREATE, 0, body, "title: expected at most 200 characters");

  g_assert_cmpuint (fixture->changed, ==, 0);
}

/* -- replace, merge, delete ---------------------------------------------- */

static void
test_replace (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint n = ct_rest_store_get_n_items (fixture->store);

  /* Whatever is left out takes its default */
  body = parse ("{\"title\": \"Renew the certificate\"}");
  g_assert_true (ct_rest_store_replace (fixture->store, 2, body, &error));
  g_assert_no_error (error);
  text = lookup_text (fixture->store, 2);
  g_assert_cmpstr (text, ==,
                   "{\"id\":2,\"title\":\"Renew the certificate\",\"notes\":\"\",\"done\":false,"
                   "\"priority\":\"normal\",\"due\":null,\"tags\":[]}");
  g_assert_cmpuint (fixture->changed, ==, 1);
  g_assert_cmpuint (ct_rest_store_get_n_items (fixture->store), ==, n);
  g_assert_cmpint (ct_rest_store_get_next_id (fixture->store), ==, n + 1);

  /* The item's own id may be repeated */
  g_clear_pointer (&body, json_node_unref);
  body = parse ("{\"id\": 2, \"title\": \"Renew it\", \"due\": \"2026-12-31\", \"tags\": [\"ops\"]}");
  g_assert_true (ct_rest_store_replace (fixture->store, 2, body, &error));
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  text = lookup_text (fixture->store, 2);
  g_assert_cmpstr (text, ==,
                   "{\"id\":2,\"title\":\"Renew it\",\"notes\":\"\",\"done\":false,"
                   "\"priority\":\"normal\",\"due\":\"2026-12-31\",\"tags\":[\"ops\"]}");
  g_assert_cmpuint (fixture->changed, ==, 2);

  /* The same again changes nothing */
  g_assert_true (ct_rest_store_replace (fixture->store, 2, body, &error));
  g_assert_cmpuint (fixture->changed, ==, 2);

  /* Another item's id, or one that is not an integer */
  assert_invalid (fixture, OP_REPLACE, 2, "{\"id\": 3, \"title\": \"a\"}",
                  "id: expected 2 (an id cannot be changed)");
  assert_invalid (fixture, OP_REPLACE, 2, "{\"id\": \"2\", \"title\": \"a\"}",
                  "id: expected 2 (an id cannot be changed)");
  assert_invalid (fixture, OP_REPLACE, 2, "{\"id\": 2.0, \"title\": \"a\"}",
                  "id: expected 2 (an id cannot be changed)");
  assert_invalid (fixture, OP_REPLACE, 2, "{\"id\": null, \"title\": \"a\"}",
                  "id: expected 2 (an id cannot be changed)");

  /* No such item (checked before the body) */
  assert_refused (fixture, OP_REPLACE, 999, "{\"title\": \"a\"}",
                  CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_NOT_FOUND, "No task with id 999");
  assert_refused (fixture, OP_REPLACE, 0, "[]",
                  CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_NOT_FOUND, "No task with id 0");
}

static void
test_merge (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(JsonObject) before = lookup_object (fixture->store, 10);
  g_autoptr(JsonObject) item = NULL;
  g_autofree char *text = NULL;

  g_assert_false (json_object_get_null_member (before, "due"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (before, "tags")), >, 0);
  g_assert_cmpstr (json_object_get_string_member (before, "priority"), !=, "normal");

  /* Only what the patch names changes */
  merge (fixture->store, 10, "{\"done\": true, \"tags\": [\"bug\"]}");
  item = lookup_object (fixture->store, 10);
  g_assert_true (json_object_get_boolean_member (item, "done"));
  g_assert_cmpstr (json_object_get_string_member (item, "title"), ==,
                   json_object_get_string_member (before, "title"));
  g_assert_cmpstr (json_object_get_string_member (item, "notes"), ==,
                   json_object_get_string_member (before, "notes"));
  g_assert_cmpstr (json_object_get_string_member (item, "priority"), ==,
                   json_object_get_string_member (before, "priority"));
  g_assert_cmpstr (json_object_get_string_member (item, "due"), ==,
                   json_object_get_string_member (before, "due"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (item, "tags")), ==, 1);
  g_assert_cmpuint (fixture->changed, ==, 1);

  /* null puts back the default; the id may be repeated; the title is
   * trimmed */
  merge (fixture->store, 10,
         "{\"id\": 10, \"title\": \" Faster CSV export \", \"notes\": null, \"done\": null,"
         " \"priority\": null, \"due\": null, \"tags\": null}");
  text = lookup_text (fixture->store, 10);
  g_assert_cmpstr (text, ==,
                   "{\"id\":10,\"title\":\"Faster CSV export\",\"notes\":\"\",\"done\":false,"
                   "\"priority\":\"normal\",\"due\":null,\"tags\":[]}");
  g_assert_cmpuint (fixture->changed, ==, 2);

  /* An empty patch, or one that repeats what is there, changes nothing */
  merge (fixture->store, 10, "{}");
  merge (fixture->store, 10, "{\"due\": null, \"priority\": \"normal\"}");
  g_assert_cmpuint (fixture->changed, ==, 2);

  merge (fixture->store, 10, "{\"due\": \"2026-06-01\"}");
  g_clear_pointer (&item, json_object_unref);
  item = lookup_object (fixture->store, 10);
  g_assert_cmpstr (json_object_get_string_member (item, "due"), ==, "2026-06-01");

  /* Refused */
  assert_invalid (fixture, OP_MERGE, 10, "{\"title\": null}", "title is required");
  assert_invalid (fixture, OP_MERGE, 10, "{\"title\": \"  \"}", "title: expected some text, not only spaces");
  assert_invalid (fixture, OP_MERGE, 10, "{\"title\": 1}", "title: expected a string");
  assert_invalid (fixture, OP_MERGE, 10, "{\"id\": null}", "id: expected 10 (an id cannot be changed)");
  assert_invalid (fixture, OP_MERGE, 10, "{\"id\": 11}", "id: expected 10 (an id cannot be changed)");
  assert_invalid (fixture, OP_MERGE, 10, "{\"colour\": null}", "unknown field 'colour'");
  assert_invalid (fixture, OP_MERGE, 10, "{\"colour\": \"red\"}", "unknown field 'colour'");
  assert_invalid (fixture, OP_MERGE, 10, "[{\"title\": \"a\"}]", "the body must be a JSON object");
  assert_invalid (fixture, OP_MERGE, 10, "null", "the body must be a JSON object");
  assert_invalid (fixture, OP_MERGE, 10, "{\"done\": \"true\"}", "done: expected true or false");
  assert_invalid (fixture, OP_MERGE, 10, "{\"due\": \"tomorrow\"}", "due: expected a date like 2026-05-31 or null");
  assert_invalid (fixture, OP_MERGE, 10, "{\"tags\": [\"\"]}", "tags: expected each tag to have 1 to 40 characters");

  /* Atomic: valid members with one bad one change nothing (assert_refused
   * checks the bytes, the ETag and that no signal came) */
  assert_invalid (fixture, OP_MERGE, 10,
                  "{\"title\": \"A new title\", \"done\": true, \"notes\": \"new\", \"priority\": \"urgent\"}",
                  "priority: expected one of low, normal, high");
  assert_invalid (fixture, OP_MERGE, 10,
                  "{\"title\": \"A new title\", \"done\": true, \"tags\": [\"ok\"], \"extra\": 1}",
                  "unknown field 'extra'");
  g_clear_pointer (&item, json_object_unref);
  item = lookup_object (fixture->store, 10);
  g_assert_cmpstr (json_object_get_string_member (item, "title"), ==, "Faster CSV export");
  g_assert_false (json_object_get_boolean_member (item, "done"));

  assert_refused (fixture, OP_MERGE, 7000, "{\"done\": true}",
                  CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_NOT_FOUND, "No task with id 7000");
  g_assert_cmpuint (fixture->changed, ==, 3);
}

static void
test_delete (Fixture       *fixture,
             gconstpointer  data)
{
  guint n = ct_rest_store_get_n_items (fixture->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) page = NULL;
  JsonArray *items;
  gint64 id;

  g_assert_true (ct_rest_store_delete (fixture->store, 7, &error));
  g_assert_no_error (error);
  g_assert_false (has_item (fixture->store, 7));
  g_assert_cmpuint (ct_rest_store_get_n_items (fixture->store), ==, n - 1);
  g_assert_cmpuint (fixture->changed, ==, 1);

  g_assert_false (ct_rest_store_delete (fixture->store, 7, &error));
  g_assert_error (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "No task with id 7");
  g_clear_error (&error);
  g_assert_false (ct_rest_store_delete (fixture->store, -3, &error));
  g_assert_error (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "No task with id -3");
  g_clear_error (&error);
  g_assert_cmpuint (fixture->changed, ==, 1);

  /* The neighbours are still found, in order */
  g_assert_true (has_item (fixture->store, 6));
  g_assert_true (has_item (fixture->store, 8));
  page = list_object (fixture->store, NULL, 5, 3);
  items = json_object_get_array_member (page, "items");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 0), "id"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 1), "id"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 2), "id"), ==, 9);

  /* An id is not given out again, not even the last one */
  g_assert_true (ct_rest_store_delete (fixture->store, n, NULL));
  id = create (fixture->store, "{\"title\": \"New\"}");
  g_assert_cmpint (id, ==, n + 1);
  g_assert_true (ct_rest_store_delete (fixture->store, id, NULL));
  id = create (fixture->store, "{\"title\": \"Newer\"}");
  g_assert_cmpint (id, ==, n + 2);

  /* Everything can go */
  for (id = 1; id <= n + 2; id++)
    ct_rest_store_delete (fixture->store, id, NULL);
  g_assert_cmpuint (ct_rest_store_get_n_items (fixture->store), ==, 0);
  g_clear_pointer (&page, json_object_unref);
  page = list_object (fixture->store, NULL, 0, 0);
  assert_page (page, 0, 0, CT_REST_STORE_DEFAULT_LIMIT, 0, 0);
}

/* -- reset --------------------------------------------------------------- */

static void
test_reset (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(CtRestStore) fresh = ct_rest_store_new ();
  g_autofree char *expected = everything (fresh);
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) fresh_bytes = NULL;
  const char *etag;
  const char *fresh_etag;

  create (fixture->store, "{\"title\": \"One more\"}");
  merge (fixture->store, 1, "{\"title\": \"Changed\", \"done\": true}");
  g_assert_true (ct_rest_store_delete (fixture->store, 2, NULL));
  g_assert_true (ct_rest_store_delete (fixture->store, 3, NULL));
  text = everything (fixture->store);
  g_assert_cmpstr (text, !=, expected);
  g_assert_cmpuint (fixture->changed, ==, 4);

  ct_rest_store_reset (fixture->store);
  g_assert_cmpuint (fixture->changed, ==, 5);
  g_clear_pointer (&text, g_free);
  text = everything (fixture->store);
  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpuint (ct_rest_store_get_n_items (fixture->store), ==, ct_rest_store_get_n_items (fresh));
  g_assert_cmpint (ct_rest_store_get_next_id (fixture->store), ==, ct_rest_store_get_n_items (fresh) + 1);

  bytes = ct_rest_store_lookup (fixture->store, 1, &etag);
  fresh_bytes = ct_rest_store_lookup (fresh, 1, &fresh_etag);
  g_assert_true (g_bytes_equal (bytes, fresh_bytes));
  g_assert_cmpstr (etag, ==, fresh_etag);

  /* The next id after a reset */
  g_assert_cmpint (create (fixture->store, "{\"title\": \"After reset\"}"), ==, ct_rest_store_get_n_items (fresh) + 1);

  g_assert_finalize_object (g_steal_pointer (&fresh));
}

/* -- the file ------------------------------------------------------------ */

typedef struct
{
  char *dir;
  char *path;
} TmpFile;

static void
tmp_file_init (TmpFile *tmp)
{
  g_autoptr(GError) error = NULL;

  tmp->dir = g_dir_make_tmp ("ct-rest-store-XXXXXX", &error);
  g_assert_no_error (error);
  tmp->path = g_build_filename (tmp->dir, "tasks.json", NULL);
}

static void
tmp_file_write (TmpFile    *tmp,
                const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (tmp->path, contents, -1, &error);
  g_assert_no_error (error);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The names in the directory, sorted, joined by spaces */
static char *
tmp_file_list_dir (TmpFile *tmp)
{
  g_autoptr(GDir) dir = g_dir_open (tmp->dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  if (names->len == 0)
    return g_strdup ("");
  g_ptr_array_sort (names, compare_names);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
tmp_file_clear (TmpFile *tmp)
{
  g_autofree char *left = NULL;

  g_remove (tmp->path);
  left = tmp_file_list_dir (tmp);
  g_assert_cmpstr (left, ==, "");
  g_assert_cmpint (g_rmdir (tmp->dir), ==, 0);
  g_clear_pointer (&tmp->dir, g_free);
  g_clear_pointer (&tmp->path, g_free);
}

static void
test_save_load (Fixture       *fixture,
                gconstpointer  data)
{
  TmpFile tmp;
  g_autoptr(CtRestStore) loaded = ct_rest_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *contents_again = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *restored = NULL;
  g_autofree char *names = NULL;
  guint n = ct_rest_store_get_n_items (fixture->store);
  guint loaded_changed = 0;
  JsonObject *object;
  gint64 id;

  tmp_file_init (&tmp);
  g_signal_connect (loaded, "changed", G_CALLBACK (count_cb), &loaded_changed);

  /* Changes of every kind; the last id deleted, so next_id is not
   * max + 1 and must come from the file */
  g_assert_true (ct_rest_store_delete (fixture->store, 2, NULL));
  merge (fixture->store, 4, "{\"notes\": \"Ünïcödé, \\\"quotes\\\", a\\ttab\\nand a new line\", \"due\": null}");
  create (fixture->store, "{\"title\": \"Kept\", \"tags\": [\"a\", \"b\"], \"priority\": \"low\"}");
  id = create (fixture->store, "{\"title\": \"Deleted\"}");
  g_assert_true (ct_rest_store_delete (fixture->store, id, NULL));
  g_assert_cmpint (ct_rest_store_get_next_id (fixture->store), ==, n + 3);

  g_assert_true (ct_rest_store_save (fixture->store, tmp.path, &error));
  g_assert_no_error (error);
  /* Saving is no change */
  g_assert_cmpuint (fixture->changed, ==, 5);

  /* Only the file is left: the temporary one was renamed */
  names = tmp_file_list_dir (&tmp);
  g_assert_cmpstr (names, ==, "tasks.json");

  /* Indented, version 1 */
  g_assert_true (g_file_get_contents (tmp.path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "{\n"));
  g_assert_true (g_str_has_suffix (contents, "}\n"));
  root = parse (contents);
  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "next_id"), ==, n + 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "tasks")), ==, n);

  /* Into another store: everything back, ETags too */
  g_assert_true (ct_rest_store_load (loaded, tmp.path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (loaded_changed, ==, 1);
  saved = everything (fixture->store);
  restored = everything (loaded);
  g_assert_cmpstr (restored, ==, saved);
  for (id = 0; id <= n + 3; id++)
    {
      g_autoptr(GBytes) a = NULL;
      g_autoptr(GBytes) b = NULL;
      const char *etag_a = NULL;
      const char *etag_b = NULL;

      a = ct_rest_store_lookup (fixture->store, id, &etag_a);
      b = ct_rest_store_lookup (loaded, id, &etag_b);
      g_assert_true ((a == NULL) == (b == NULL));
      if (a != NULL)
        g_assert_true (g_bytes_equal (a, b));
      g_assert_cmpstr (etag_a, ==, etag_b);
    }
  g_assert_cmpint (create (loaded, "{\"title\": \"After load\"}"), ==, n + 3);

  /* Saving what was loaded writes the same file */
  g_assert_true (ct_rest_store_load (loaded, tmp.path, &error));
  g_assert_true (ct_rest_store_save (loaded, tmp.path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (tmp.path, &contents_again, NULL, NULL));
  g_assert_cmpstr (contents_again, ==, contents);

  /* Loading into the store itself puts back the state of the save */
  merge (fixture->store, 1, "{\"done\": true}");
  g_assert_true (ct_rest_store_load (fixture->store, tmp.path, &error));
  g_assert_no_error (error);
  g_clear_pointer (&restored, g_free);
  restored = everything (fixture->store);
  g_assert_cmpstr (restored, ==, saved);
  g_assert_cmpuint (fixture->changed, ==, 7);

  g_assert_finalize_object (g_steal_pointer (&loaded));
  tmp_file_clear (&tmp);
}

static void
test_load_order_and_defaults (Fixture       *fixture,
                              gconstpointer  data)
{
  TmpFile tmp;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) page = NULL;
  g_autofree char *text = NULL;

  tmp_file_init (&tmp);

  /* Ids out of order, fields left out, members unknown to version 1 at the
   * top level ignored */
  tmp_file_write (&tmp,
                  "{\"version\": 1, \"next_id\": 100, \"comment\": \"hand-written\", \"tasks\": ["
                  " {\"id\": 40, \"title\": \"Forty\"},"
                  " {\"id\": 3, \"title\": \"Three\", \"tags\": [\"x\"]},"
                  " {\"id\": 17, \"title\": \"Seventeen\", \"done\": true}]}");
  g_assert_true (ct_rest_store_load (fixture->store, tmp.path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->changed, ==, 1);
  g_assert_cmpuint (ct_rest_store_get_n_items (fixture->store), ==, 3);
  g_assert_cmpint (ct_rest_store_get_next_id (fixture->store), ==, 100);

  text = lookup_text (fixture->store, 40);
  g_assert_cmpstr (text, ==,
                   "{\"id\":40,\"title\":\"Forty\",\"notes\":\"\",\"done\":false,"
                   "\"priority\":\"normal\",\"due\":null,\"tags\":[]}");
  g_clear_pointer (&text, g_free);
  text = lookup_text (fixture->store, 17);
  g_assert_true (g_str_has_prefix (text, "{\"id\":17,\"title\":\"Seventeen\",\"notes\":\"\",\"done\":true,"));
  g_clear_pointer (&text, g_free);
  text = lookup_text (fixture->store, 1);
  g_assert_null (text);

  page = list_object (fixture->store, NULL, 0, 0);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (page, "items"), 0), "id"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (page, "items"), 1), "id"), ==, 17);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (page, "items"), 2), "id"), ==, 40);

  g_assert_cmpint (create (fixture->store, "{\"title\": \"Next\"}"), ==, 100);

  /* An empty collection is a valid file */
  tmp_file_write (&tmp, "{\"version\": 1, \"next_id\": 1, \"tasks\": []}");
  g_assert_true (ct_rest_store_load (fixture->store, tmp.path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ct_rest_store_get_n_items (fixture->store), ==, 0);
  g_assert_cmpint (ct_rest_store_get_next_id (fixture->store), ==, 1);

  tmp_file_clear (&tmp);
}

static void
test_load_corrupt (Fixture       *fixture,
                   gconstpointer  data)
{
  static const struct
  {
    const char *contents;
    const char *problem;
  } cases[] = {
    { "", "Not valid JSON" },
    { "{\"version\": 1, \"next_id\": 5, \"tasks\": [", "Not valid JSON" },
    { "[]", "expected a JSON object with version, next_id and tasks" },
    { "{\"next_id\": 5, \"tasks\": []}", "version: expected 1" },
    { "{\"version\": 2, \"next_id\": 5, \"tasks\": []}", "version: expected 1" },
    { "{\"version\": \"1\", \"next_id\": 5, \"tasks\": []}", "version: expected 1" },
    { "{\"version\": 1, \"next_id\": 5}", "tasks: expected an array" },
    { "{\"version\": 1, \"next_id\": 5, \"tasks\": {}}", "tasks: expected an array" },
    { "{\"version\": 1, \"next_id\": 5, \"tasks\": [{\"id\": 1, \"title\": \"a\"}, {\"id\": 2}]}",
      "tasks[1]: title is required" },
    { "{\"version\": 1, \"next_id\": 5, \"tasks\": [{\"title\": \"a\"}]}", "tasks[0]: id is required" },
    { "{\"version\": 1, \"next_id\": 5, \"tasks\": [{\"id\": 0, \"title\": \"a\"}]}",
      "tasks[0]: id: expected a positive integer" },
    { "{\"version\": 1, \"next_id\": 5, \"tasks\": [{\"id\": \"1\", \"title\": \"a\"}]}",
      "tasks[0]: id: expected a positive integer" },
    { "{\"version\": 1, \"next_id\": 5, \"tasks\": [{\"id\": 1, \"title\": \"a\"}, {\"id\": 1, \"title\": \"b\"}]}",
      "tasks[1]: id 1 is used twice" },
    { "{\"version\": 1, \"next_id\": 5, \"tasks\": [{\"id\": 1, \"title\": \"a\", \"priority\": \"urgent\"}]}",
      "tasks[0]: priority: expected one of low, normal, high" },
    { "{\"version\": 1, \"next_id\": 5, \"tasks\": [{\"id\": 1, \"title\": \"a\", \"colour\": \"red\"}]}",
      "tasks[0]: unknown field 'colour'" },
    { "{\"version\": 1, \"next_id\": 5, \"tasks\": [3]}", "tasks[0]: the body must be a JSON object" },
    { "{\"version\": 1, \"next_id\": 3, \"tasks\": [{\"id\": 3, \"title\": \"a\"}]}",
      "next_id: expected an integer greater than 3, the largest id" },
    { "{\"version\": 1, \"tasks\": []}", "next_id: expected an integer greater than 0, the largest id" },
  };
  TmpFile tmp;
  g_autofree char *before = everything (fixture->store);

  tmp_file_init (&tmp);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;
      g_autofree char *expected = NULL;

      g_test_message ("file: %s", cases[i].contents);
      tmp_file_write (&tmp, cases[i].contents);
      g_assert_false (ct_rest_store_load (fixture->store, tmp.path, &error));
      g_assert_error (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_FILE);

      /* Names the file, then the problem */
      expected = g_strdup_printf ("Cannot load tasks from %s: %s", tmp.path, cases[i].problem);
      g_assert_true (g_str_has_prefix (error->message, expected));

      after = everything (fixture->store);
      g_assert_cmpstr (after, ==, before);
    }

  /* A directory is no file */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *after = NULL;

    g_assert_false (ct_rest_store_load (fixture->store, tmp.dir, &error));
    g_assert_error (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_FILE);
    g_assert_nonnull (strstr (error->message, tmp.dir));
    after = everything (fixture->store);
    g_assert_cmpstr (after, ==, before);
  }

  g_assert_cmpuint (fixture->changed, ==, 0);
  tmp_file_clear (&tmp);
}

static void
test_load_missing (Fixture       *fixture,
                   gconstpointer  data)
{
  TmpFile tmp;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = everything (fixture->store);
  g_autofree char *after = NULL;
  g_autofree char *nowhere = NULL;

  tmp_file_init (&tmp);

  /* GLib's own error, so that "nothing saved yet" can be told apart */
  g_assert_false (ct_rest_store_load (fixture->store, tmp.path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  after = everything (fixture->store);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (fixture->changed, ==, 0);
  g_clear_error (&error);

  /* Saving where no directory is fails with a FILE error */
  nowhere = g_build_filename (tmp.dir, "no-such-dir", "tasks.json", NULL);
  g_assert_false (ct_rest_store_save (fixture->store, nowhere, &error));
  g_assert_error (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_FILE);
  g_assert_nonnull (strstr (error->message, "no-such-dir"));

  tmp_file_clear (&tmp);
}

/* -- the signal ---------------------------------------------------------- */

static void
test_changed (Fixture       *fixture,
              gconstpointer  data)
{
  TmpFile tmp;
  g_autoptr(JsonNode) bad = parse ("{\"title\": 1}");
  g_autoptr(JsonNode) good = parse ("{\"title\": \"Replaced\"}");
  g_autoptr(GError) error = NULL;
  gint64 id;

  tmp_file_init (&tmp);

  id = create (fixture->store, "{\"title\": \"New\"}");
  g_assert_cmpuint (fixture->changed, ==, 1);
  g_assert_true (ct_rest_store_replace (fixture->store, id, good, NULL));
  g_assert_cmpuint (fixture->changed, ==, 2);
  merge (fixture->store, id, "{\"done\": true}");
  g_assert_cmpuint (fixture->changed, ==, 3);
  g_assert_true (ct_rest_store_delete (fixture->store, id, NULL));
  g_assert_cmpuint (fixture->changed, ==, 4);
  ct_rest_store_reset (fixture->store);
  g_assert_cmpuint (fixture->changed, ==, 5);
  g_assert_true (ct_rest_store_save (fixture->store, tmp.path, NULL));
  g_assert_cmpuint (fixture->changed, ==, 5);
  g_assert_true (ct_rest_store_load (fixture->store, tmp.path, NULL));
  g_assert_cmpuint (fixture->changed, ==, 6);

  /* Failures and no-ops are silent */
  g_assert_cmpint (ct_rest_store_create (fixture->store, bad, &error), ==, -1);
  g_clear_error (&error);
  g_assert_false (ct_rest_store_replace (fixture->store, 1, bad, &error));
  g_clear_error (&error);
  g_assert_false (ct_rest_store_replace (fixture->store, 9999, good, &error));
  g_clear_error (&error);
  g_assert_false (ct_rest_store_merge (fixture->store, 1, bad, &error));
  g_clear_error (&error);
  g_assert_false (ct_rest_store_delete (fixture->store, 9999, &error));
  g_clear_error (&error);
  merge (fixture->store, 1, "{}");
  g_assert_cmpuint (fixture->changed, ==, 6);

  tmp_file_clear (&tmp);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/ct/rest-store/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("seed", test_seed);
  ADD ("lookup", test_lookup);
  ADD ("etag", test_etag);
  ADD ("list/paging", test_list_paging);
  ADD ("list/limit-clamp", test_list_limit_clamp);
  ADD ("list/filter", test_list_filter);
  ADD ("create", test_create);
  ADD ("invalid", test_invalid);
  ADD ("replace", test_replace);
  ADD ("merge", test_merge);
  ADD ("delete", test_delete);
  ADD ("reset", test_reset);
  ADD ("file/save-load", test_save_load);
  ADD ("file/order-and-defaults", test_load_order_and_defaults);
  ADD ("file/corrupt", test_load_corrupt);
  ADD ("file/missing", test_load_missing);
  ADD ("changed", test_changed);
#undef ADD

  return g_test_run ();
}
