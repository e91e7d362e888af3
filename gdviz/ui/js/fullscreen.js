// A Fullscreen that keeps a chart's animation.
//
// Streamlit's own Fullscreen button (in every Plotly chart's modebar) re-creates the chart in a
// new container and loses its animation frames: Play does nothing there, nor after Esc. This
// script takes that button's clicks instead and shows the *same* chart element fullscreen with
// the browser's Fullscreen API, scaled up to fill the screen (a CSS transform keeps the frames,
// the slider and the hover, and makes every number bigger for the back of the room). Esc or a
// second click restores it exactly.
(() => {
  const root = window;
  if (root.__gdvizFullscreen) return;
  root.__gdvizFullscreen = true;
  const doc = root.document;

  const fit = (box) => {
    const chart = box.querySelector(".js-plotly-plot");
    if (!chart) return;
    const drawn = chart._fullLayout || {};  // the figure's own size, not its block's
    const width = drawn.width || chart.offsetWidth, height = drawn.height || chart.offsetHeight;
    const scale = Math.min(root.innerWidth / width, root.innerHeight / height);
    box.dataset.gdvizFullscreen = "on";
    box.style.background = "white";
    box.style.overflow = "hidden";
    chart.style.transformOrigin = "top left";
    chart.style.transform =
      `translate(${(root.innerWidth - width * scale) / 2}px, ` +
      `${(root.innerHeight - height * scale) / 2}px) scale(${scale})`;
  };

  const restore = (box) => {
    const chart = box.querySelector(".js-plotly-plot");
    delete box.dataset.gdvizFullscreen;
    box.style.background = box.style.overflow = "";
    if (chart) chart.style.transform = chart.style.transformOrigin = "";
  };

  doc.addEventListener(
    "click",
    (event) => {
      const button = event.target.closest && event.target.closest(
        '.modebar-btn[data-title="Fullscreen"], .modebar-btn[data-title="Close fullscreen"]'
      );
      if (!button) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      if (doc.fullscreenElement) {
        doc.exitFullscreen();
        return;
      }
      const chart = button.closest(".js-plotly-plot");
      const box = chart && (chart.closest('[data-testid="stPlotlyChart"]') || chart.parentElement);
      if (box && box.requestFullscreen) box.requestFullscreen().catch(() => {});
    },
    true
  );

  doc.addEventListener("fullscreenchange", () => {
    doc.querySelectorAll("[data-gdviz-fullscreen]").forEach(restore);
    const box = doc.fullscreenElement;
    // Streamlit re-lays the chart out to the new width first; scale what it drew.
    if (box) setTimeout(() => doc.fullscreenElement === box && fit(box), 400);
  });
  root.addEventListener("resize", () => {
    if (doc.fullscreenElement) fit(doc.fullscreenElement);
  });
})();
