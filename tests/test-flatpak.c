/* test-flatpak.c — offline checks of the Flatpak manifest
 *
 * Copyright The Crosstalk developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parses flatpak/io.github.crosstalk.Crosstalk.json (found through the
 * CT_SOURCE_DIR environment variable) and checks what can be checked without
 * a network or flatpak-builder: identity, runtime, permissions and modules.
 */

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#define CT_APP_ID "io.github.crosstalk.Crosstalk"

static JsonParser *
load_manifest (void)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  const char *source_dir;

  source_dir = g_getenv ("CT_SOURCE_DIR");
  if (source_dir == NULL)
    source_dir = ".";

  path = g_build_filename (source_dir, "flatpak", CT_APP_ID ".json", NULL);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&parser);
}

/* Returns the root object of the manifest; fails the test if there is none.
 * The parser owns the object, so the caller keeps the parser alive. */
static JsonObject *
manifest_root (JsonParser *parser)
{
  JsonNode *root = json_parser_get_root (parser);

  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_node_get_object (root);
}

/* The string member @name of @object, or NULL when it is absent or not a string. */
static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* The array member @name of @object; fails the test if it is missing. */
static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    g_test_message ("member '%s' is missing or is not an array", name);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));

  return json_node_get_array (node);
}

static gboolean
array_has_string (JsonArray  *array,
                  const char *value)
{
  guint n = json_array_get_length (array);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node)
          && json_node_get_value_type (node) == G_TYPE_STRING
          && g_strcmp0 (json_node_get_string (node), value) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The module object whose "name" is @name, or NULL. */
static JsonObject *
find_module (JsonArray  *modules,
             const char *name)
{
  guint n = json_array_get_length (modules);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (modules, i);

      if (JSON_NODE_HOLDS_OBJECT (node)
          && g_strcmp0 (get_string (json_node_get_object (node), "name"), name) == 0)
        return json_node_get_object (node);
    }

  return NULL;
}

static gboolean
is_hex_commit (const char *commit)
{
  if (commit == NULL || strlen (commit) != 40)
    return FALSE;

  for (const char *p = commit; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;

  return TRUE;
}

static void
test_parses (void)
{
  g_autoptr (JsonParser) parser = load_manifest ();
  JsonObject *root = manifest_root (parser);

  g_assert_cmpuint (json_object_get_size (root), >, 0);
}

static void
test_app_id (void)
{
  g_autoptr (JsonParser) parser = load_manifest ();
  JsonObject *root = manifest_root (parser);
  const char *id;

  id = get_string (root, "id");
  if (id == NULL)
    id = get_string (root, "app-id");

  g_assert_cmpstr (id, ==, CT_APP_ID);
}

static void
test_command (void)
{
  g_autoptr (JsonParser) parser = load_manifest ();
  JsonObject *root = manifest_root (parser);

  g_assert_cmpstr (get_string (root, "command"), ==, "crosstalk");
}

static void
test_runtime (void)
{
  g_autoptr (JsonParser) parser = load_manifest ();
  JsonObject *root = manifest_root (parser);
  const char *version;

  g_assert_cmpstr (get_string (root, "runtime"), ==, "org.gnome.Platform");
  g_assert_cmpstr (get_string (root, "sdk"), ==, "org.gnome.Sdk");

  version = get_string (root, "runtime-version");
  g_assert_nonnull (version);
  g_assert_cmpstr (version, !=, "");
}

static void
test_finish_args (void)
{
  g_autoptr (JsonParser) parser = load_manifest ();
  JsonObject *root = manifest_root (parser);
  JsonArray *args = get_array (root, "finish-args");

  g_assert_true (array_has_string (args, "--share=network"));
  g_assert_true (array_has_string (args, "--socket=wayland")
                 || array_has_string (args, "--socket=fallback-x11"));
}

static void
test_modules (void)
{
  g_autoptr (JsonParser) parser = load_manifest ();
  JsonObject *root = manifest_root (parser);
  JsonArray *modules = get_array (root, "modules");
  guint n = json_array_get_length (modules);

  g_assert_cmpuint (n, >, 0);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (modules, i);
      JsonObject *module;
      const char *name;

      g_test_message ("module %u", i);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      module = json_node_get_object (node);

      name = get_string (module, "name");
      g_assert_nonnull (name);
      g_assert_cmpstr (name, !=, "");

      g_test_message ("module '%s' must have sources", name);
      g_assert_cmpuint (json_array_get_length (get_array (module, "sources")), >, 0);
    }
}

static void
test_rabbitmq_c (void)
{
  g_autoptr (JsonParser) parser = load_manifest ();
  JsonObject *root = manifest_root (parser);
  JsonArray *modules = get_array (root, "modules");
  JsonObject *module;
  JsonArray *sources;
  gboolean found_git = FALSE;
  guint n;

  module = find_module (modules, "rabbitmq-c");
  g_assert_nonnull (module);

  sources = get_array (module, "sources");
  n = json_array_get_length (sources);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (sources, i);
      JsonObject *source;
      const char *tag;
      const char *commit;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      source = json_node_get_object (node);
      if (g_strcmp0 (get_string (source, "type"), "git") != 0)
        continue;

      found_git = TRUE;

      tag = get_string (source, "tag");
      g_assert_nonnull (tag);
      g_assert_cmpstr (tag, !=, "");

      commit = get_string (source, "commit");
      g_test_message ("rabbitmq-c commit: %s", commit ? commit : "(none)");
      g_assert_true (is_hex_commit (commit));
    }

  g_assert_true (found_git);
}

static void
test_app_module (void)
{
  g_autoptr (JsonParser) parser = load_manifest ();
  JsonObject *root = manifest_root (parser);
  JsonArray *modules = get_array (root, "modules");
  guint n = json_array_get_length (modules);
  JsonNode *last;
  JsonObject *module;

  g_assert_cmpuint (n, >, 0);
  last = json_array_get_element (modules, n - 1);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (last));
  module = json_node_get_object (last);

  g_assert_cmpstr (get_string (module, "name"), ==, "crosstalk");
  g_assert_cmpstr (get_string (module, "buildsystem"), ==, "meson");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ct/flatpak/parses", test_parses);
  g_test_add_func ("/ct/flatpak/app-id", test_app_id);
  g_test_add_func ("/ct/flatpak/command", test_command);
  g_test_add_func ("/ct/flatpak/runtime", test_runtime);
  g_test_add_func ("/ct/flatpak/finish-args", test_finish_args);
  g_test_add_func ("/ct/flatpak/modules", test_modules);
  g_test_add_func ("/ct/flatpak/rabbitmq-c", test_rabbitmq_c);
  g_test_add_func ("/ct/flatpak/app-module", test_app_module);

  return g_test_run ();
}
