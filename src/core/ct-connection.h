/* ct-connection.h — one open connection of an endpoint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CT_TYPE_CONNECTION (ct_connection_get_type ())

G_DECLARE_DERIVABLE_TYPE (CtConnection, ct_connection, CT, CONNECTION, GObject)

struct _CtConnectionClass
{
  GObjectClass parent_class;

  gpointer padding[4];
};

guint       ct_connection_get_id     (CtConnection *self);
const char *ct_connection_get_peer   (CtConnection *self);
gint64      ct_connection_get_opened (CtConnection *self);
const char *ct_connection_get_name   (CtConnection *self);
void        ct_connection_set_name   (CtConnection *self,
                                      const char   *name);

G_END_DECLS
