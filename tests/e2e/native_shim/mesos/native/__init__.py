"""`mesos.native` as libmesos's Python bindings ship it, for schedulers: MesosSchedulerDriver,
here a pure-Python driver on the native (libprocess) protocol. See driver.py."""
from .driver import MesosSchedulerDriver

__all__ = ("MesosSchedulerDriver",)
