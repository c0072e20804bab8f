/* ct-jsonrpc.h — JSON-RPC 2.0: the methods, the dispatcher, descriptions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The specification's error codes */
#define CT_JSONRPC_PARSE_ERROR      (-32700)
#define CT_JSONRPC_INVALID_REQUEST  (-32600)
#define CT_JSONRPC_METHOD_NOT_FOUND (-32601)
#define CT_JSONRPC_INVALID_PARAMS   (-32602)
#define CT_JSONRPC_INTERNAL_ERROR   (-32603)

typedef struct _CtJsonRpcCall CtJsonRpcCall;

/* A method: answer @call now or later with ct_jsonrpc_call_return*() */
typedef void (*CtJsonRpcHandler) (CtJsonRpcCall *call,
                                  JsonNode      *params,
                                  gpointer       user_data);

/**
 * CtJsonRpcMethod:
 * @name: the method name
 * @description: what it does, for people (translatable)
 * @params: the params it takes, as a short signature (`[minuend, subtrahend]`)
 * @handler: the code
 */
typedef struct
{
  const char       *name;
  const char       *description;
  const char       *params;
  CtJsonRpcHandler  handler;
} CtJsonRpcMethod;

const CtJsonRpcMethod *ct_jsonrpc_get_builtin_methods (guint *n_methods);

void          ct_jsonrpc_call_return       (CtJsonRpcCall *call,
                                            JsonNode      *result);
void          ct_jsonrpc_call_return_error (CtJsonRpcCall *call,
                                            int            code,
                                            const char    *message,
                                            JsonNode      *data);
const char   *ct_jsonrpc_call_get_method   (CtJsonRpcCall *call);
GCancellable *ct_jsonrpc_call_get_cancellable (CtJsonRpcCall *call);

/* Finds the handler for a method name; FALSE if there is none */
typedef gboolean (*CtJsonRpcLookupFunc) (const char        *method,
                                         CtJsonRpcHandler  *handler,
                                         gpointer          *handler_data,
                                         gpointer           user_data);

/* Called once with the response (transfer full; %NULL when there is none
 * to send), possibly before ct_jsonrpc_dispatch() returns */
typedef void (*CtJsonRpcDoneFunc) (JsonNode *response,
                                   gpointer  user_data);

void      ct_jsonrpc_dispatch        (JsonNode             *request,
                                      guint                 max_batch,
                                      CtJsonRpcLookupFunc   lookup,
                                      gpointer              lookup_data,
                                      GCancellable         *cancellable,
                                      CtJsonRpcDoneFunc     done,
                                      gpointer              user_data);

JsonNode *ct_jsonrpc_error_response  (JsonNode             *id,
                                      int                   code,
                                      const char           *message,
                                      JsonNode             *data);
char     *ct_jsonrpc_describe        (JsonNode             *node);
GVariant *ct_jsonrpc_ids_variant     (JsonNode             *node);

G_END_DECLS
