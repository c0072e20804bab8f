/* ct-catalog-item.h — something an endpoint offers: a method, a route...
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CT_TYPE_CATALOG_ITEM (ct_catalog_item_get_type ())

G_DECLARE_FINAL_TYPE (CtCatalogItem, ct_catalog_item, CT, CATALOG_ITEM, GObject)

CtCatalogItem *ct_catalog_item_new             (const char    *name,
                                                const char    *signature,
                                                const char    *description);
const char    *ct_catalog_item_get_name        (CtCatalogItem *self);
const char    *ct_catalog_item_get_signature   (CtCatalogItem *self);
const char    *ct_catalog_item_get_description (CtCatalogItem *self);

G_END_DECLS
