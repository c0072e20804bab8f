/* ct-catalog-item.c — something an endpoint offers: a method, a route...
 *
 * A server's catalog (ct_endpoint_get_catalog) lists what a client can
 * call, with a signature and a description for people; the window shows
 * it beside the server's settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ct-catalog-item.h"

struct _CtCatalogItem
{
  GObject  parent_instance;

  char    *name;
  char    *signature;
  char    *description;
};

G_DEFINE_FINAL_TYPE (CtCatalogItem, ct_catalog_item, G_TYPE_OBJECT)

static void
ct_catalog_item_finalize (GObject *object)
{
  CtCatalogItem *self = CT_CATALOG_ITEM (object);

  g_free (self->name);
  g_free (self->signature);
  g_free (self->description);
  G_OBJECT_CLASS (ct_catalog_item_parent_class)->finalize (object);
}

static void
ct_catalog_item_class_init (CtCatalogItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ct_catalog_item_finalize;
}

static void
ct_catalog_item_init (CtCatalogItem *self)
{
}

CtCatalogItem *
ct_catalog_item_new (const char *name,
                     const char *signature,
                     const char *description)
{
  CtCatalogItem *self = g_object_new (CT_TYPE_CATALOG_ITEM, NULL);

  self->name = g_strdup (name);
  self->signature = g_strdup (signature ? signature : "");
  self->description = g_strdup (description ? description : "");
  return self;
}

const char *
ct_catalog_item_get_name (CtCatalogItem *self)
{
  g_return_val_if_fail (CT_IS_CATALOG_ITEM (self), NULL);
  return self->name;
}

const char *
ct_catalog_item_get_signature (CtCatalogItem *self)
{
  g_return_val_if_fail (CT_IS_CATALOG_ITEM (self), NULL);
  return self->signature;
}

const char *
ct_catalog_item_get_description (CtCatalogItem *self)
{
  g_return_val_if_fail (CT_IS_CATALOG_ITEM (self), NULL);
  return self->description;
}
