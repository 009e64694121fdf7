"""Server-rendered pages: Jinja2 templates, one inline stylesheet allowed by its hash."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse

from bot.web.headers import page_policy


class Pages:
    """Renders ``bot/web/templates/*.html`` (autoescaped) into answers with their policy.

    No script at all: forms post and redirect, so the policy allows no ``script-src``.
    """

    def __init__(self) -> None:
        self.env = Environment(
            loader=PackageLoader("bot.web", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.style = (files("bot.web") / "templates" / "style.css").read_text("utf-8")
        self.policy = page_policy(self.style)

    def render(
        self, name: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
    ) -> HTMLResponse:
        """The page ``name`` filled with ``context``."""
        context.setdefault("person", None)
        context.setdefault("csrf", "")
        body = self.env.get_template(name).render(style=self.style, **context)
        return HTMLResponse(
            body, status, headers={"content-security-policy": self.policy, **(headers or {})}
        )
