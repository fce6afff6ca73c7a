"""The HTTP plumbing every app's views share, knowing no domain: the doors into pages
outside a workspace and the error page (`decorators`), domain errors shown on forms
(`forms`) and per-view security headers (`csp`).

A layer of its own just above `core`: every app's views use it without importing
`roost.web`, the top layer (layout, home, health), which may import any app. The door into
a workspace page (`workspace_view`) needs memberships, so it is the workspaces app's
(roost/workspaces/decorators.py). No models, no templates. See docs/architecture.md.
"""
