/* ct-test-resolver.h — a resolver for tests of failed lookups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A resolver that knows no names, so the test sends no DNS query off the
 * machine; it exercises how the endpoints report a failed lookup. */
typedef struct { GResolver parent; } NoNamesResolver;
typedef struct { GResolverClass parent_class; } NoNamesResolverClass;
static GType no_names_resolver_get_type (void);
G_DEFINE_TYPE (NoNamesResolver, no_names_resolver, G_TYPE_RESOLVER)

static void
no_names_lookup_async (GResolver           *resolver,
                       const char          *hostname,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                           "Name or service not known");
}

static GList *
no_names_lookup_finish (GResolver     *resolver,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
no_names_resolver_class_init (NoNamesResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  resolver_class->lookup_by_name_async = no_names_lookup_async;
  resolver_class->lookup_by_name_finish = no_names_lookup_finish;
}

static void
no_names_resolver_init (NoNamesResolver *self)
{
}

G_END_DECLS
