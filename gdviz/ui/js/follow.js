// One animation across a page's views of the same run: the 3-D surface opens at the step the
// map was showing (and the map at the surface's), so switching views does not restart Play.
//
// Each step-animated chart in FOLLOWS is watched; the step its slider last showed is kept
// with the chart's key. When the chart of the other view mounts, its slider is moved to the
// frame nearest at or before that step, by a press on that frame's tick (Streamlit's plotly.js
// is not a global, so the slider's own input is used). A rerun that redraws the same view
// (a new rate) starts at step 0 as before.
(() => {
  const root = window;
  if (root.__gdvizFollow) return;
  root.__gdvizFollow = true;
  const doc = root.document;
  const FOLLOWS = { ls_map: "ls_surface", ls_surface: "ls_map" };
  let last = null; // {key, step}

  const keyOf = (gd) => {
    const box = gd.closest("[class*='st-key-']");
    const match = box && /st-key-([\w-]+)/.exec(box.className);
    return match && match[1] in FOLLOWS ? match[1] : null;
  };
  const slider = (gd) => gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders[0];
  const shown = (gd) => {
    const s = slider(gd);
    const step = s && s.steps[s.active];
    return step ? Number(step.label) : null;
  };

  const jump = (gd, step) => {
    const s = slider(gd);
    const ticks = gd.querySelectorAll(".slider-tick-rect");
    const rail = gd.querySelector(".slider-rail-touch-rect");
    if (!s || !rail || ticks.length !== s.steps.length) return false;
    let index = 0;
    s.steps.forEach((st, i) => {
      if (Number(st.label) <= step) index = i;
    });
    if (index === s.active) return true;
    const tick = ticks[index].getBoundingClientRect();
    const at = rail.getBoundingClientRect();
    const where = { clientX: tick.left + tick.width / 2, clientY: at.top + at.height / 2 };
    rail.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, ...where }));
    root.dispatchEvent(new MouseEvent("mouseup", { bubbles: true, ...where }));
    return true;
  };

  const watch = () => {
    doc.querySelectorAll(".js-plotly-plot").forEach((gd) => {
      const key = keyOf(gd);
      if (!key || gd.__gdvizFollow || !slider(gd)) return;
      gd.__gdvizFollow = true;
      const remember = () => {
        const step = shown(gd);
        if (step !== null) last = { key, step };
      };
      gd.on("plotly_animated", remember);
      gd.on("plotly_sliderchange", remember);
      if (last && last.key === FOLLOWS[key] && last.step > 0) {
        const step = last.step;
        // Give the new chart a moment to lay its slider out.
        setTimeout(() => jump(gd, step) && remember(), 300);
      }
      last = last && last.key === FOLLOWS[key] ? last : { key, step: shown(gd) || 0 };
    });
  };
  setInterval(watch, 400);
})();
