// A plugin built against a future SDK API.
extern "C" __attribute__((visibility("default"))) unsigned epvp_plugin_api_version() {
    return 999;
}
extern "C" __attribute__((visibility("default"))) int epvp_plugin_register(void*) {
    return 0;
}
