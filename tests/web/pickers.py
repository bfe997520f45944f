"""What picker.js needs from a page with a party search (the owner and RACI forms): checked alike for both."""

from __future__ import annotations

import re


def assert_marked_for_search_as_you_type(html: str, form_action: str, results_id: str, field: str) -> None:
    """The page loads picker.js, its search form names the results area, the area says how many
    matched, and the hint for people without JavaScript is there."""
    assert '<script type="module" src="/static/web/picker.js"></script>' in html
    form = re.search(rf'<form action="{re.escape(form_action)}" method="get"[^>]*>', html).group(0)
    assert f'data-picker="{results_id}"' in form and "data-picker-hint=" in form
    matches = len(re.findall(rf'name="{field}" type="radio"', html))
    assert matches >= 1
    assert f'<div id="{results_id}" aria-live="polite" data-picker-matches="{matches}">' in html
    assert "Type part of a name, then choose Search." in html  # the hint without JavaScript
