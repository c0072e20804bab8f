/* ct-rest-store.c — the REST server's data: an in-memory collection of tasks
 *
 * One collection, "tasks", kept in a GPtrArray ordered by id (ids are
 * handed out in increasing order, so a new task is appended and the order
 * holds; a loaded file is sorted once). Every task keeps what serving it
 * needs: its JSON tree, its compact bytes and its ETag, made once when the
 * task is made. A task is never changed in place: replace and merge build a
 * new one from the validated body and swap it in, so a failed update
 * leaves nothing half done and a lookup costs a binary search and a
 * g_bytes_ref.
 *
 * The store belongs to one thread (the server's main context).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-rest"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ct-json.h"
#include "ct-rest-store.h"

#define TITLE_MAX_CHARS 200
#define TAGS_MAX 20
#define TAG_MAX_CHARS 40
#define FILE_VERSION 1

/* `"` + 16 hex digits + `"` + NUL */
#define ETAG_SIZE 19

typedef struct
{
  gint64      id;
  char       *title;      /* trimmed */
  char       *notes;
  gboolean    done;
  const char *priority;   /* static: one of priorities[] */
  char       *due;        /* YYYY-MM-DD, or NULL */
  GStrv       tags;

  /* Made by task_seal (), never changed after */
  JsonNode   *node;       /* sealed */
  GBytes     *bytes;      /* compact JSON */
  char        etag[ETAG_SIZE];
  GStrv       folded;     /* title, notes and tags casefolded, for the filter */
} Task;

struct _CtRestStore
{
  GObject    parent_instance;

  GPtrArray *tasks;       /* Task, ordered by id */
  gint64     next_id;     /* greater than every id */
};

G_DEFINE_FINAL_TYPE (CtRestStore, ct_rest_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ct-rest-store-error-quark, ct_rest_store_error)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Members in output order */
static const char * const fields[] = { "id", "title", "notes", "done", "priority", "due", "tags" };
static const char * const priorities[] = { "low", "normal", "high" };

/* Where a body comes from decides what may be said about its id */
typedef enum
{
  CHECK_CREATE,   /* no id: the server assigns it */
  CHECK_UPDATE,   /* an id, if any, is the item's own */
  CHECK_FILE,     /* an id is required */
} CheckMode;

/* -- the seed ------------------------------------------------------------ */

typedef struct
{
  const char *title;
  const char *notes;
  gboolean    done;
  const char *priority;
  const char *due;
  const char *tags[4];    /* NULL-terminated: at most 3 */
} SeedTask;

/* A small product team's board in spring 2026 */
static const SeedTask seed[] = {
  { "Draft the Q2 roadmap", "Collect input from design and support before the planning meeting.",
    FALSE, "high", "2026-03-27", { "planning" } },
  { "Renew the TLS certificate for api.example.com", "The current one expires mid-April; use the ACME client on the bastion host.",
    TRUE, "high", "2026-04-10", { "ops", "security" } },
  { "Fix the login redirect loop in Safari", "Reported by three customers. Happens only with third-party cookies blocked.",
    FALSE, "high", "2026-03-20", { "bug", "frontend" } },
  { "Write an onboarding guide for new hires", "Cover laptop setup, the VPN and code review etiquette.",
    FALSE, "normal", "2026-04-30", { "docs", "team" } },
  { "Book a venue for the team offsite", "Jonas suggested the lake hotel; we need rooms for 12.",
    FALSE, "low", "2026-06-15", { "team" } },
  { "Upgrade PostgreSQL to 16", "Try it on staging first and check the extension versions.",
    FALSE, "normal", "2026-05-12", { "ops", "database" } },
  { "Review Priya's pull request on search indexing", "",
    TRUE, "normal", "2026-02-18", { "review", "backend" } },
  { "Add a dark mode to the settings page", "Follow the system preference by default.",
    FALSE, "low", NULL, { "frontend", "design" } },
  { "Prepare slides for the customer webinar", "15 minutes, with a demo of the new export.",
    FALSE, "normal", "2026-04-08", { "marketing" } },
  { "Investigate the slow CSV export", "Exports over 50,000 rows time out after 30 seconds.",
    FALSE, "high", "2026-03-25", { "bug", "backend", "performance" } },
  { "Update the privacy policy for the new analytics vendor", "Legal has the draft; publish it after sign-off.",
    FALSE, "normal", "2026-05-01", { "legal", "docs" } },
  { "Replace the flaky payment test in CI", "test_payment_retry fails about once a day.",
    TRUE, "normal", "2026-02-27", { "ci", "testing" } },
  { "Order laptops for the interns", "Three machines with 32 GB of memory.",
    TRUE, "low", "2026-01-30", { "team", "hardware" } },
  { "Translate the app into German", "The strings are extracted; waiting for the translator.",
    FALSE, "normal", "2026-06-30", { "i18n", "frontend" } },
  { "Set up the on-call rotation for the summer", "Nobody should be on call alone in the first week of August.",
    FALSE, "normal", "2026-06-01", { "ops", "team" } },
  { "Remove unused feature flags", "At least 14 flags have been fully rolled out for months.",
    FALSE, "low", NULL, { "backend", "cleanup" } },
  { "Send the invoice reminders for March", "",
    TRUE, "normal", "2026-04-03", { "finance" } },
  { "Design the new empty-state illustrations", "Three variants: no tasks, no results, offline.",
    FALSE, "low", "2026-05-20", { "design" } },
  { "Rotate the staging database password", "Update the secret in the vault and restart the workers.",
    TRUE, "high", "2026-03-02", { "security", "ops" } },
  { "Write the release notes for version 2.4", "Highlight the faster sync and the new keyboard shortcuts.",
    FALSE, "normal", "2026-04-14", { "docs", "release" } },
  { "Answer the accessibility audit", "Button contrast and the focus order in the editor dialog.",
    FALSE, "high", "2026-04-21", { "accessibility", "frontend" } },
  { "Move the cron jobs to the scheduler service", "",
    FALSE, "normal", "2026-07-10", { "ops", "backend" } },
  { "Plan the hackathon week", "Pick themes and collect ideas in the wiki.",
    FALSE, "low", "2026-09-07", { "team", "planning" } },
  { "Archive the 2025 project boards", "Export them to PDF before deleting.",
    TRUE, "low", "2026-01-15", { "cleanup" } },
  { "Benchmark the new caching layer", "Compare p95 latency with and without the cache under load.",
    FALSE, "normal", "2026-05-28", { "performance", "backend" } },
  { "Call the hosting provider about the bandwidth bill", "February's bill was twice the usual; ask for the traffic breakdown.",
    FALSE, "high", "2026-03-19", { "finance", "ops" } },
  { "Interview candidates for the QA position", "Mei and Tomás take the technical part.",
    FALSE, "normal", "2026-04-16", { "hiring", "team" } },
  { "Fix typos in the API reference", "Someone on the forum listed a dozen of them.",
    TRUE, "low", NULL, { "docs" } },
};

/* -- tasks --------------------------------------------------------------- */

static void
task_free (Task *task)
{
  g_free (task->title);
  g_free (task->notes);
  g_free (task->due);
  g_strfreev (task->tags);
  g_clear_pointer (&task->node, json_node_unref);
  g_clear_pointer (&task->bytes, g_bytes_unref);
  g_strfreev (task->folded);
  g_free (task);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Task, task_free)

static void
etag_for_bytes (GBytes *bytes,
                char    etag[ETAG_SIZE])
{
  g_autofree char *sha1 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, bytes);

  g_snprintf (etag, ETAG_SIZE, "\"%.16s\"", sha1);
}

/* Makes what serving @task needs, once */
static void
task_seal (Task *task)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  GPtrArray *folded = g_ptr_array_new_null_terminated (3, g_free, TRUE);
  char *text;

  g_assert (task->node == NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, task->id);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, task->title);
  json_builder_set_member_name (builder, "notes");
  json_builder_add_string_value (builder, task->notes);
  json_builder_set_member_name (builder, "done");
  json_builder_add_boolean_value (builder, task->done);
  json_builder_set_member_name (builder, "priority");
  json_builder_add_string_value (builder, task->priority);
  json_builder_set_member_name (builder, "due");
  if (task->due != NULL)
    json_builder_add_string_value (builder, task->due);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "tags");
  json_builder_begin_array (builder);
  for (guint i = 0; task->tags[i] != NULL; i++)
    json_builder_add_string_value (builder, task->tags[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  task->node = json_builder_get_root (builder);

  text = ct_json_to_string (task->node, FALSE);
  task->bytes = g_bytes_new_take (text, strlen (text));
  etag_for_bytes (task->bytes, task->etag);

  g_ptr_array_add (folded, g_utf8_casefold (task->title, -1));
  g_ptr_array_add (folded, g_utf8_casefold (task->notes, -1));
  for (guint i = 0; task->tags[i] != NULL; i++)
    g_ptr_array_add (folded, g_utf8_casefold (task->tags[i], -1));
  task->folded = (GStrv) g_ptr_array_free (folded, FALSE);
}

static gboolean
task_matches (const Task *task,
              const char *folded_query)
{
  for (guint i = 0; task->folded[i] != NULL; i++)
    if (strstr (task->folded[i], folded_query) != NULL)
      return TRUE;
  return FALSE;
}

/* -- validation ---------------------------------------------------------- */

static gboolean set_invalid (GError     **error,
                             const char  *format,
                             ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_invalid (GError     **error,
             const char  *format,
             ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_INVALID, message);
  g_free (message);
  return FALSE;
}

static gboolean
is_field (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strcmp (name, fields[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
holds_type (JsonNode *node,
            GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* The text of a string node. json-glib lets an unpaired surrogate escape
 * (`"\ud800"`) through as invalid UTF-8: refused here, once for all. */
static gboolean
get_text (JsonNode    *node,
          const char  *field,
          const char **text,
          GError     **error)
{
  if (!holds_type (node, G_TYPE_STRING))
    /* Translators: %s is a field name, like title: keep it as it is */
    return set_invalid (error, _("%s: expected a string"), field);

  *text = json_node_get_string (node);
  if (!g_utf8_validate (*text, -1, NULL))
    /* Translators: %s is a field name, like title: keep it as it is */
    return set_invalid (error, _("%s: expected valid Unicode text"), field);
  return TRUE;
}

/* YYYY-MM-DD, a day that exists */
static gboolean
is_date (const char *text)
{
  guint year, month, day;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;

  year = g_ascii_digit_value (text[0]) * 1000 + g_ascii_digit_value (text[1]) * 100 +
         g_ascii_digit_value (text[2]) * 10 + g_ascii_digit_value (text[3]);
  month = g_ascii_digit_value (text[5]) * 10 + g_ascii_digit_value (text[6]);
  day = g_ascii_digit_value (text[8]) * 10 + g_ascii_digit_value (text[9]);

  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= 31 &&
         g_date_valid_dmy (day, month, year);
}

static gboolean
check_id (JsonObject  *object,
          CheckMode    mode,
          gint64      *id,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, "id");

  switch (mode)
    {
    case CHECK_CREATE:
      if (node != NULL)
        return set_invalid (error, "%s", _("id is assigned by the server"));
      return TRUE;

    case CHECK_UPDATE:
      if (node != NULL && !(holds_type (node, G_TYPE_INT64) && json_node_get_int (node) == *id))
        /* Translators: keep "id" as it is */
        return set_invalid (error, _("id: expected %" G_GINT64_FORMAT " (an id cannot be changed)"), *id);
      return TRUE;

    case CHECK_FILE:
      if (node == NULL)
        return set_invalid (error, "%s", _("id is required"));
      if (!holds_type (node, G_TYPE_INT64) || json_node_get_int (node) <= 0)
        return set_invalid (error, "%s", _("id: expected a positive integer"));
      *id = json_node_get_int (node);
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

/**
 * task_from_object:
 * @id: the task's id, unless @mode is %CHECK_FILE: then the body has it
 *
 * Checks a whole task as the client sent it (or as a file holds it) and
 * makes it, filling in the defaults.
 *
 * Returns: (transfer full): a sealed task, or %NULL with @error set
 *   (%CT_REST_STORE_ERROR_INVALID, naming the field)
 */
static Task *
task_from_object (JsonObject  *object,
                  CheckMode    mode,
                  gint64       id,
                  GError     **error)
{
  g_autoptr(Task) task = NULL;
  g_autoptr(GStrvBuilder) tags = g_strv_builder_new ();
  JsonObjectIter iter;
  const char *name;
  const char *text;
  JsonNode *node;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &node))
    if (!is_field (name))
      {
        g_autofree char *shown = g_utf8_make_valid (name, -1);

        set_invalid (error, _("unknown field '%s'"), shown);
        return NULL;
      }

  if (!check_id (object, mode, &id, error))
    return NULL;

  task = g_new0 (Task, 1);
  task->id = id;

  node = json_object_get_member (object, "title");
  if (node == NULL)
    {
      set_invalid (error, "%s", _("title is required"));
      return NULL;
    }
  if (!get_text (node, "title", &text, error))
    return NULL;
  task->title = g_strstrip (g_strdup (text));
  if (task->title[0] == '\0')
    {
      set_invalid (error, "%s", _("title: expected some text, not only spaces"));
      return NULL;
    }
  if (g_utf8_strlen (task->title, -1) > TITLE_MAX_CHARS)
    {
      set_invalid (error, _("title: expected at most %d characters"), TITLE_MAX_CHARS);
      return NULL;
    }

  node = json_object_get_member (object, "notes");
  if (node == NULL)
    text = "";
  else if (!get_text (node, "notes", &text, error))
    return NULL;
  task->notes = g_strdup (text);

  node = json_object_get_member (object, "done");
  if (node != NULL)
    {
      if (!holds_type (node, G_TYPE_BOOLEAN))
        {
          set_invalid (error, "%s", _("done: expected true or false"));
          return NULL;
        }
      task->done = json_node_get_boolean (node);
    }

  task->priority = "normal";
  node = json_object_get_member (object, "priority");
  if (node != NULL)
    {
      task->priority = NULL;
      if (holds_type (node, G_TYPE_STRING))
        for (guint i = 0; i < G_N_ELEMENTS (priorities); i++)
          if (strcmp (json_node_get_string (node), priorities[i]) == 0)
            task->priority = priorities[i];
      if (task->priority == NULL)
        {
          set_invalid (error, "%s", _("priority: expected one of low, normal, high"));
          return NULL;
        }
    }

  node = json_object_get_member (object, "due");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!holds_type (node, G_TYPE_STRING) || !is_date (json_node_get_string (node)))
        {
          set_invalid (error, "%s", _("due: expected a date like 2026-05-31 or null"));
          return NULL;
        }
      task->due = g_strdup (json_node_get_string (node));
    }

  node = json_object_get_member (object, "tags");
  if (node != NULL)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          set_invalid (error, "%s", _("tags: expected an array of strings"));
          return NULL;
        }
      array = json_node_get_array (node);
      if (json_array_get_length (array) > TAGS_MAX)
        {
          set_invalid (error, _("tags: expected at most %d tags"), TAGS_MAX);
          return NULL;
        }
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          glong length;

          if (!holds_type (element, G_TYPE_STRING))
            {
              set_invalid (error, "%s", _("tags: expected an array of strings"));
              return NULL;
            }
          if (!get_text (element, "tags", &text, error))
            return NULL;
          length = g_utf8_strlen (text, -1);
          if (length < 1 || length > TAG_MAX_CHARS)
            {
              set_invalid (error, _("tags: expected each tag to have 1 to %d characters"), TAG_MAX_CHARS);
              return NULL;
            }
          g_strv_builder_add (tags, text);
        }
    }
  task->tags = g_strv_builder_end (tags);

  task_seal (task);
  return g_steal_pointer (&task);
}

static Task *
task_from_body (JsonNode    *body,
                CheckMode    mode,
                gint64       id,
                GError     **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (body))
    {
      set_invalid (error, "%s", _("the body must be a JSON object"));
      return NULL;
    }
  return task_from_object (json_node_get_object (body), mode, id, error);
}

/* -- the store ----------------------------------------------------------- */

static Task *
find_task (CtRestStore *self,
           gint64       id,
           guint       *index)
{
  guint low = 0;
  guint high = self->tasks->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      Task *task = g_ptr_array_index (self->tasks, middle);

      if (task->id < id)
        low = middle + 1;
      else if (task->id > id)
        high = middle;
      else
        {
          if (index != NULL)
            *index = middle;
          return task;
        }
    }
  return NULL;
}

static Task *
find_task_or_error (CtRestStore  *self,
                    gint64        id,
                    guint        *index,
                    GError      **error)
{
  Task *task = find_task (self, id, index);

  if (task == NULL)
    g_set_error (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_NOT_FOUND,
                 _("No task with id %" G_GINT64_FORMAT), id);
  return task;
}

/* Puts @task (transfer full) in place of the one at @index; an update that
 * changes nothing keeps the old task, its ETag and the silence */
static void
swap_task (CtRestStore *self,
           guint        index,
           Task        *task)
{
  Task *old = g_ptr_array_index (self->tasks, index);

  g_assert (old->id == task->id);

  if (g_bytes_equal (old->bytes, task->bytes))
    {
      task_free (task);
      return;
    }

  g_ptr_array_index (self->tasks, index) = task;
  task_free (old);
  g_signal_emit (self, signals[CHANGED], 0);
}

static GPtrArray *
new_task_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) task_free);
}

static void
fill_with_seed (CtRestStore *self)
{
  g_ptr_array_set_size (self->tasks, 0);

  for (guint i = 0; i < G_N_ELEMENTS (seed); i++)
    {
      Task *task = g_new0 (Task, 1);

      task->id = i + 1;
      task->title = g_strdup (seed[i].title);
      task->notes = g_strdup (seed[i].notes);
      task->done = seed[i].done;
      task->priority = seed[i].priority;
      task->due = g_strdup (seed[i].due);
      task->tags = g_strdupv ((char **) seed[i].tags);
      task_seal (task);
      g_ptr_array_add (self->tasks, task);
    }
  self->next_id = G_N_ELEMENTS (seed) + 1;
}

static void
ct_rest_store_finalize (GObject *object)
{
  CtRestStore *self = CT_REST_STORE (object);

  g_clear_pointer (&self->tasks, g_ptr_array_unref);
  G_OBJECT_CLASS (ct_rest_store_parent_class)->finalize (object);
}

static void
ct_rest_store_class_init (CtRestStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ct_rest_store_finalize;

  /**
   * CtRestStore::changed:
   *
   * The data changed: a task was created, replaced, merged or deleted, or
   * the store was reset or loaded. An update that changes nothing, and
   * every failed call, emits nothing.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ct_rest_store_init (CtRestStore *self)
{
  self->tasks = new_task_array ();
  fill_with_seed (self);
}

/**
 * ct_rest_store_new:
 *
 * Returns: (transfer full): a store holding the mock tasks, ids 1 to N
 */
CtRestStore *
ct_rest_store_new (void)
{
  return g_object_new (CT_TYPE_REST_STORE, NULL);
}

/**
 * ct_rest_store_reset:
 *
 * Puts back exactly the mock tasks of a new store, with the same ids;
 * the next id is again N + 1.
 */
void
ct_rest_store_reset (CtRestStore *self)
{
  g_return_if_fail (CT_IS_REST_STORE (self));

  fill_with_seed (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

guint
ct_rest_store_get_n_items (CtRestStore *self)
{
  g_return_val_if_fail (CT_IS_REST_STORE (self), 0);

  return self->tasks->len;
}

/* The id the next created task gets */
gint64
ct_rest_store_get_next_id (CtRestStore *self)
{
  g_return_val_if_fail (CT_IS_REST_STORE (self), 0);

  return self->next_id;
}

/**
 * ct_rest_store_lookup:
 * @etag: (out) (optional) (transfer none): the item's strong ETag, quotes
 *   included, owned by the store and valid until this item changes (or
 *   the store is reset or loaded)
 *
 * One item, as compact JSON made when the item last changed: this costs a
 * binary search and a reference.
 *
 * Returns: (transfer full) (nullable): the item, or %NULL if no item has
 *   @id (then @etag is set to %NULL)
 */
GBytes *
ct_rest_store_lookup (CtRestStore  *self,
                      gint64        id,
                      const char  **etag)
{
  Task *task;

  g_return_val_if_fail (CT_IS_REST_STORE (self), NULL);

  task = find_task (self, id, NULL);
  if (etag != NULL)
    *etag = task != NULL ? task->etag : NULL;
  return task != NULL ? g_bytes_ref (task->bytes) : NULL;
}

/**
 * ct_rest_store_list:
 * @query: (nullable): text to look for in titles, notes and tags, ignoring
 *   case; %NULL or "" matches every item
 * @offset: how many matching items to skip
 * @limit: how many to return at most: 0 means
 *   %CT_REST_STORE_DEFAULT_LIMIT, more than %CT_REST_STORE_MAX_LIMIT means
 *   that
 * @etag: (out) (optional) (transfer full): a strong ETag of the bytes
 *
 * Returns: (transfer full): compact JSON,
 *   `{"items":[…],"total":T,"offset":O,"limit":L}`, where T counts every
 *   matching item and L is the limit applied
 */
GBytes *
ct_rest_store_list (CtRestStore  *self,
                    const char   *query,
                    guint         offset,
                    guint         limit,
                    char        **etag)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *folded_query = NULL;
  GBytes *bytes;
  guint total = 0;
  char *text;

  g_return_val_if_fail (CT_IS_REST_STORE (self), NULL);

  if (limit == 0)
    limit = CT_REST_STORE_DEFAULT_LIMIT;
  limit = MIN (limit, CT_REST_STORE_MAX_LIMIT);

  if (query != NULL && query[0] != '\0')
    {
      g_autofree char *valid = g_utf8_make_valid (query, -1);

      folded_query = g_utf8_casefold (valid, -1);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->tasks->len; i++)
    {
      Task *task = g_ptr_array_index (self->tasks, i);

      if (folded_query != NULL && !task_matches (task, folded_query))
        continue;
      /* Items share their sealed objects with the store */
      if (total >= offset && total - offset < limit)
        json_builder_add_value (builder, json_node_copy (task->node));
      total++;
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, total);
  json_builder_set_member_name (builder, "offset");
  json_builder_add_int_value (builder, offset);
  json_builder_set_member_name (builder, "limit");
  json_builder_add_int_value (builder, limit);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = ct_json_to_string (root, FALSE);
  bytes = g_bytes_new_take (text, strlen (text));

  if (etag != NULL)
    {
      *etag = g_malloc (ETAG_SIZE);
      etag_for_bytes (bytes, *etag);
    }
  return bytes;
}

/**
 * ct_rest_store_create:
 * @body: a task object without "id"
 *
 * Returns: the new task's id, or -1 with @error set
 *   (%CT_REST_STORE_ERROR_INVALID)
 */
gint64
ct_rest_store_create (CtRestStore  *self,
                      JsonNode     *body,
                      GError      **error)
{
  Task *task;

  g_return_val_if_fail (CT_IS_REST_STORE (self), -1);
  g_return_val_if_fail (body != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (self->next_id == G_MAXINT64)
    {
      set_invalid (error, "%s", _("No ids are left: reset the data"));
      return -1;
    }

  task = task_from_body (body, CHECK_CREATE, self->next_id, error);
  if (task == NULL)
    return -1;

  /* next_id is greater than every id: appending keeps the order */
  g_ptr_array_add (self->tasks, task);
  self->next_id++;
  g_signal_emit (self, signals[CHANGED], 0);
  return task->id;
}

/**
 * ct_rest_store_replace:
 * @body: the whole new task: what it leaves out takes its default
 *
 * Returns: %TRUE, or %FALSE with @error set (%CT_REST_STORE_ERROR_NOT_FOUND
 *   or %CT_REST_STORE_ERROR_INVALID) and the item unchanged
 */
gboolean
ct_rest_store_replace (CtRestStore  *self,
                       gint64        id,
                       JsonNode     *body,
                       GError      **error)
{
  Task *task;
  guint index;

  g_return_val_if_fail (CT_IS_REST_STORE (self), FALSE);
  g_return_val_if_fail (body != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (find_task_or_error (self, id, &index, error) == NULL)
    return FALSE;

  task = task_from_body (body, CHECK_UPDATE, id, error);
  if (task == NULL)
    return FALSE;

  swap_task (self, index, task);
  return TRUE;
}

/**
 * ct_rest_store_merge:
 * @patch: a JSON merge patch (RFC 7396): members replace the item's, a
 *   member set to null puts back the default ("title" has none, so
 *   `"title": null` is refused)
 *
 * The merged task is checked as a whole; on error nothing changes.
 *
 * Returns: %TRUE, or %FALSE with @error set (%CT_REST_STORE_ERROR_NOT_FOUND
 *   or %CT_REST_STORE_ERROR_INVALID) and the item unchanged
 */
gboolean
ct_rest_store_merge (CtRestStore  *self,
                     gint64        id,
                     JsonNode     *patch,
                     GError      **error)
{
  g_autoptr(JsonObject) merged = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  Task *task;
  guint index;

  g_return_val_if_fail (CT_IS_REST_STORE (self), FALSE);
  g_return_val_if_fail (patch != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  task = find_task_or_error (self, id, &index, error);
  if (task == NULL)
    return FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (patch))
    return set_invalid (error, "%s", _("the body must be a JSON object"));

  /* The item's members but its id (a patch may repeat that, not remove
   * it), then the patch's; the fields are flat, so no recursion */
  merged = json_object_new ();
  json_object_iter_init (&iter, json_node_get_object (task->node));
  while (json_object_iter_next (&iter, &name, &member))
    if (strcmp (name, "id") != 0)
      json_object_set_member (merged, name, json_node_copy (member));

  json_object_iter_init (&iter, json_node_get_object (patch));
  while (json_object_iter_next (&iter, &name, &member))
    {
      if (!is_field (name))
        {
          g_autofree char *shown = g_utf8_make_valid (name, -1);

          return set_invalid (error, _("unknown field '%s'"), shown);
        }
      if (!JSON_NODE_HOLDS_NULL (member))
        json_object_set_member (merged, name, json_node_copy (member));
      else if (strcmp (name, "id") == 0)
        /* Translators: keep "id" as it is */
        return set_invalid (error, _("id: expected %" G_GINT64_FORMAT " (an id cannot be changed)"), id);
      else if (json_object_has_member (merged, name))
        json_object_remove_member (merged, name);
    }

  task = task_from_object (merged, CHECK_UPDATE, id, error);
  if (task == NULL)
    return FALSE;

  swap_task (self, index, task);
  return TRUE;
}

/**
 * ct_rest_store_delete:
 *
 * Removes a task; its id is not given out again.
 *
 * Returns: %TRUE, or %FALSE with @error set (%CT_REST_STORE_ERROR_NOT_FOUND)
 */
gboolean
ct_rest_store_delete (CtRestStore  *self,
                      gint64        id,
                      GError      **error)
{
  guint index;

  g_return_val_if_fail (CT_IS_REST_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (find_task_or_error (self, id, &index, error) == NULL)
    return FALSE;

  g_ptr_array_remove_index (self->tasks, index);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

/* -- the file ------------------------------------------------------------ */

static int
compare_task_ids (gconstpointer a,
                  gconstpointer b)
{
  const Task *task_a = *(const Task * const *) a;
  const Task *task_b = *(const Task * const *) b;

  return (task_a->id > task_b->id) - (task_a->id < task_b->id);
}

/* Reads {"version":1,"next_id":N,"tasks":[…]}; other members are ignored */
static GPtrArray *
tasks_from_file (JsonNode  *root,
                 gint64    *next_id,
                 GError   **error)
{
  g_autoptr(GPtrArray) tasks = new_task_array ();
  g_autoptr(GHashTable) ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  JsonObject *object;
  JsonArray *array;
  JsonNode *node;
  gint64 max_id = 0;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      set_invalid (error, "%s", _("expected a JSON object with version, next_id and tasks"));
      return NULL;
    }
  object = json_node_get_object (root);

  node = json_object_get_member (object, "version");
  if (node == NULL || !holds_type (node, G_TYPE_INT64) || json_node_get_int (node) != FILE_VERSION)
    {
      /* Translators: keep "version" as it is */
      set_invalid (error, _("version: expected %d"), FILE_VERSION);
      return NULL;
    }

  node = json_object_get_member (object, "tasks");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      set_invalid (error, "%s", _("tasks: expected an array"));
      return NULL;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(GError) task_error = NULL;
      Task *task;

      task = task_from_body (json_array_get_element (array, i), CHECK_FILE, 0, &task_error);
      if (task == NULL)
        {
          set_invalid (error, "tasks[%u]: %s", i, task_error->message);
          return NULL;
        }
      g_ptr_array_add (tasks, task);
      if (!g_hash_table_add (ids, &task->id))
        {
          /* Translators: keep "tasks" as it is */
          set_invalid (error, _("tasks[%u]: id %" G_GINT64_FORMAT " is used twice"), i, task->id);
          return NULL;
        }
      max_id = MAX (max_id, task->id);
    }

  node = json_object_get_member (object, "next_id");
  if (node == NULL || !holds_type (node, G_TYPE_INT64) || json_node_get_int (node) <= max_id)
    {
      /* Translators: keep "next_id" as it is */
      set_invalid (error, _("next_id: expected an integer greater than %" G_GINT64_FORMAT ", the largest id"),
                   max_id);
      return NULL;
    }
  *next_id = json_node_get_int (node);

  g_ptr_array_sort (tasks, compare_task_ids);
  return g_steal_pointer (&tasks);
}

/**
 * ct_rest_store_load:
 * @path: a file written by ct_rest_store_save()
 *
 * Replaces every task, and the next id, with the file's. Every task is
 * checked as a request body would be.
 *
 * Returns: %TRUE, or %FALSE with @error set and the store unchanged: a
 *   file that does not exist gives GLib's own %G_FILE_ERROR_NOENT, so a
 *   caller can tell "nothing saved yet" apart; any other problem gives
 *   %CT_REST_STORE_ERROR_FILE, naming the file
 */
gboolean
ct_rest_store_load (CtRestStore  *self,
                    const char   *path,
                    GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *display = NULL;
  gint64 next_id = 0;
  gsize length;

  g_return_val_if_fail (CT_IS_REST_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else  /* GLib's message names the file */
        g_set_error_literal (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_FILE,
                             local_error->message);
      return FALSE;
    }

  root = ct_json_parse (contents, length, &local_error);
  if (root != NULL)
    tasks = tasks_from_file (root, &next_id, &local_error);
  if (tasks == NULL)
    {
      display = g_filename_display_name (path);
      g_set_error (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_FILE,
                   _("Cannot load tasks from %s: %s"), display, local_error->message);
      return FALSE;
    }

  g_ptr_array_unref (self->tasks);
  self->tasks = g_steal_pointer (&tasks);
  self->next_id = next_id;
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

/**
 * ct_rest_store_save:
 *
 * Writes every task and the next id to @path as indented JSON,
 * `{"version":1,"next_id":N,"tasks":[…]}`.
 *
 * Returns: %TRUE, or %FALSE with @error set (%CT_REST_STORE_ERROR_FILE)
 */
gboolean
ct_rest_store_save (CtRestStore  *self,
                    const char   *path,
                    GError      **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *contents = NULL;

  g_return_val_if_fail (CT_IS_REST_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, FILE_VERSION);
  json_builder_set_member_name (builder, "next_id");
  json_builder_add_int_value (builder, self->next_id);
  json_builder_set_member_name (builder, CT_REST_STORE_COLLECTION);
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->tasks->len; i++)
    {
      Task *task = g_ptr_array_index (self->tasks, i);

      json_builder_add_value (builder, json_node_copy (task->node));
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = ct_json_to_string (root, TRUE);
  contents = g_strconcat (text, "\n", NULL);

  /* Atomic: g_file_set_contents writes a temporary file beside @path,
   * syncs it and renames it over @path, so a reader (or a crash) sees the
   * old file or the new one, never half of one */
  if (!g_file_set_contents (path, contents, -1, &local_error))
    {
      /* GLib's message names the file */
      g_set_error_literal (error, CT_REST_STORE_ERROR, CT_REST_STORE_ERROR_FILE, local_error->message);
      return FALSE;
    }
  return TRUE;
}
