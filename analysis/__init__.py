"""The analysis toolkit: pure layer arithmetic (`arithmetic`), the meta-device tracer split by job (`handlers`:
the op-handler table; `trace`: running a module; `specs`: loading sheet files, `module.py:factory` and `zoo:NAME`;
`report`: the printed table), the sheet notation (`sheet`) and the model zoo (`zoo`).
"""
