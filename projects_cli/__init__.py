"""projects: the supervision office's registry of key investment projects (重点项目)."""

__version__ = "0.1.0"
