# Two addons: tspy_loader makes libpython's symbols global (dlopen RTLD_GLOBAL) and knows no
# Python; tspy_bridge embeds CPython, compiled against Python.h but NOT linked to libpython, so
# its Py* symbols resolve against the libpython the loader made global.
# Build with: node-gyp configure build -- -Dpython_include=/path/to/include/python3.X
{
  "variables": {
    "python_include%": ""
  },
  "targets": [
    {
      "target_name": "tspy_loader",
      "sources": ["src/loader.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldl"]
    },
    {
      "target_name": "tspy_bridge",
      "sources": [
        "src/interp.cc",
        "src/python2js.cc",
        "src/js2python.cc",
        "src/jsproxy.cc",
        "src/buffer.cc",
        "src/ops.cc",
        "src/threads.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<(python_include)"
      ],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "PY_SSIZE_T_CLEAN"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wno-missing-field-initializers"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
