"""The analysis toolkit: pure layer arithmetic (`arithmetic`), the meta-device tracer split by job (`handlers`:
the op-handler table; `trace`: running a module; `specs`: loading sheet files, `module.py:factory` and `zoo:NAME`;
`report`: the printed table; `meta_shapes`: outputs of the common ops made on meta without torch's Python meta
kernels, which would import torch._dynamo and sympy), the sheet notation (`sheet`) and the model zoo (`zoo`).
"""
