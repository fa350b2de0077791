/* The reference call in C: add(a, b) on bare Node-API. Built by
   run.sh with cc against the node headers, when they are installed. */
#include <node_api.h>

static napi_value add(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  uint32_t a = 0, b = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_uint32(env, argv[0], &a);
  napi_get_value_uint32(env, argv[1], &b);
  napi_create_uint32(env, a + b, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor d = {"add", NULL, add, NULL, NULL, NULL, napi_default, NULL};
  napi_define_properties(env, exports, 1, &d);
  return exports;
}
