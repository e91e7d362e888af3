"""The home page shows what each page does: a picture per page, before a word is read."""

from __future__ import annotations

import io

from PIL import Image

from gdviz.settings import navigation
from gdviz.ui import gallery
from tests.helpers import open_page


def test_each_page_but_the_networks_has_its_picture():
    kinds = {}
    for page in navigation.VIEWS:
        data = gallery.picture(page.path)
        if data is None:
            kinds[page.path] = None
            continue
        image = Image.open(io.BytesIO(data))
        assert image.size == (960, 540)  # one size, side by side on the page
        kinds[page.path] = (image.format, getattr(image, "n_frames", 1) > 1)
    assert kinds == {
        "hiker": ("GIF", True),  # animated: the hiker walks down
        "landscape": ("GIF", True),
        "compare": ("GIF", True),
        "sweep": ("PNG", False),  # the four basins, a still
        "data": ("GIF", True),
        "networks": None,  # a network's training takes seconds: words only
    }


def test_the_home_page_shows_them_under_each_pages_link():
    at = open_page("home")
    assert not at.exception
    images = [element for element in at.main if element.type == "image"]
    assert len(images) == 5
    assert len([element for element in at.main if element.type == "page_link"]) == 7
