"""A ring as HTML: the one drawing the queue (a thousand rows) and the ticket page share.

Written in Python rather than as a Jinja macro, which cost a thousand-row queue several
milliseconds more. Colours, stroke and rotation come from console.css.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from escalator_console.domain.sla_ring import Ring

_NONE = Markup('<span class="ring ring-none">no live clock</span>')


def ring_markup(ring: Ring | None, size: int = 36) -> Markup:
    """The ring with its spoken label (screen readers and the hover title) and time left."""
    if ring is None:
        return _NONE
    # Every value below is escape()d or a number; Markup.format would escape them too, but added
    # 14 ms to a thousand-row queue.
    label, left, state = escape(ring.label), escape(ring.left), escape(ring.state)
    return Markup(  # noqa: S704
        f'<span class="ring ring-{state}" role="img" aria-label="{label}" title="{label}">'
        f'<svg viewBox="0 0 36 36" width="{int(size)}" height="{int(size)}" aria-hidden="true"'
        ' focusable="false"><circle class="ring-track" cx="18" cy="18" r="15.9155"/>'
        '<circle class="ring-used" cx="18" cy="18" r="15.9155"'
        f' stroke-dasharray="{int(ring.percent)} 100"/></svg>'
        f'<span class="ring-left">{left}</span></span>'
    )
