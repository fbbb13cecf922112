"""Supervision sheets (督办单, 红黄蓝牌通报, 周报): contexts, Jinja templates, the block markup, renderers.

`contexts` builds what a template is given, `templating` renders it to block
markup, `markup` parses that into a `Document`, `layout` writes it as xlsx/HTML/Markdown.
"""
