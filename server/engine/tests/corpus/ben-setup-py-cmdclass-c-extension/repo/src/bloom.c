#define PY_SSIZE_T_CLEAN
#include <Python.h>
static PyModuleDef mod = {PyModuleDef_HEAD_INIT, "_bloom", NULL, -1, NULL};
PyMODINIT_FUNC PyInit__bloom(void) { return PyModule_Create(&mod); }
