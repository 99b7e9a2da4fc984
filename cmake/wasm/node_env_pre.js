// Prepended (--pre-js) to every wasm test/tool run under node.
// Emscripten's getenv() sees a synthetic environment (USER, PATH, HOME, ...), not the
// host's. ctest passes settings such as ZMESH_SOURCE_DIR through the environment, so
// copy process.env into emscripten's ENV before main() runs. Harmless in a browser.
Module['preRun'] = Module['preRun'] || [];
Module['preRun'].push(function () {
  if (typeof process === 'object' && process.env && typeof ENV === 'object') {
    Object.assign(ENV, process.env);
  }
});
