"""The app's pages, in navigation order: one table for the navigation (``app.py``), the home
page's links and blurbs, and a lesson view's page name (``deck``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One page: its URL path (``""`` for the home page), navigation title and icon, what the
    home page says of it (``blurb``), and its name on a lesson's "Open in …" button (``short``,
    narrow enough beside the lesson's words at 1280×720)."""

    path: str
    title: str
    icon: str
    blurb: str = ""
    short: str = ""

    @property
    def script(self) -> str:
        """The page script, relative to the app's folder."""
        return f"pages/{self.path or 'home'}.py"


HOME = Page("", "Home", ":material/home:")
LESSONS = Page(
    "lessons",
    "Lessons",
    ":material/school:",
    "Teaching a class? The deck walks through the ideas in order, from the gradient to AdamW: "
    "what to notice, a question for the room (answer folded away), and the live view, one "
    "lesson a screen. Link straight to one with `?lesson=N`.",
)
VIEWS = (
    Page(
        "hiker",
        "The hiker (1-D)",
        ":material/hiking:",
        "Be the hiker on a loss curve: take one step at a time, see the slope he feels, the "
        "update rule with the numbers plugged in, and find the learning rate where every step "
        "overshoots.",
        short="the hiker",
    ),
    Page(
        "landscape",
        "Landscape (2-D)",
        ":material/landscape:",
        "Drop a start point on a 2-D surface (Rosenbrock, Himmelblau, a saddle, a plateau ...), "
        "pick an optimizer and a schedule, and watch the path animate on the contour map and the "
        "3-D surface, with the loss curve and the critical learning rate beside it.",
        short="Landscape",
    ),
    Page(
        "compare",
        "Compare",
        ":material/compare_arrows:",
        "Race up to eight runs (each with its own optimizer, learning rate and schedule) on one "
        "map from one start, with the same gradient noise, and read the results table.",
        short="Compare",
    ),
    Page(
        "sweep",
        "Sweep & basins",
        ":material/ssid_chart:",
        "Sweep hundreds of learning rates at once and see where training turns unstable (and "
        "that it matches 2/λ_max), and map which minimum every start point ends in.",
        short="Sweep",
    ),
    Page(
        "data",
        "Learning from data",
        ":material/scatter_plot:",
        "Fit a line or a sigmoid to real data (restaurant tips, Gapminder, irises, or your own "
        "CSV) and watch the parameters walk the loss surface while the fit moves through the "
        "data: batch vs stochastic vs mini-batch, feature scaling, and the mismatched loss.",
        short="Data",
    ),
    Page(
        "networks",
        "Neural networks",
        ":material/hub:",
        "Train a small network on handwritten digits, irises, moons or spirals, then look at its "
        "landscape as Li et al. do (a filter-normalised plane, the plane of its path), the "
        "straight line from its initial weights, and its sharpness at the edge of stability.",
        short="Networks",
    ),
)
"""The pages that show a view a lesson can open (``deck.View``'s ``page``)."""

PAGES = (HOME, LESSONS, *VIEWS)
TITLES: dict[str, str] = {page.path: page.title for page in VIEWS}
"""A view's page -> its name in the app's navigation."""
SHORT: dict[str, str] = {page.path: page.short for page in VIEWS}
"""A view's page -> its name on a lesson's button."""
