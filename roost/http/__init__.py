"""The HTTP plumbing every app's views share: the doors into a page (`decorators`), domain
errors shown on forms (`forms`) and per-view security headers (`csp`).

A layer of its own, above `workspaces` (the doors check membership and permission) and
below every domain app, so that views can use it without importing `roost.web` — the top
layer (layout, home, health), which in turn may import any app. No models, no templates.
See docs/architecture.md.
"""
