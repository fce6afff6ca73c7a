"""`{% load roost_nav %}{% workspace_menus as menus %}`: the menus of the current page."""

from __future__ import annotations

from typing import Any

from django import template

from roost.web.nav import NavItem, menus

register = template.Library()


@register.simple_tag(takes_context=True)
def workspace_menus(context: Any) -> dict[str, list[NavItem]]:
    """{"main": […], "sub": […]} for the member on this page; empty outside a workspace."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"main": [], "sub": []}
    main, sub = menus(membership, request.path, context.get("area"))
    return {"main": main, "sub": sub}
