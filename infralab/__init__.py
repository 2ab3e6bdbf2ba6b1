"""Agent Infra Lab: the runtime the labs import, and the grading engine.

Importing this package is cheap on purpose (a kernel starts fast and never loads the Phoenix
server): submodules are imported where they are used, e.g. ``from infralab.llm import
SimChatModel``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
