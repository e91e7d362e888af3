// The browser window's size and pixel ratio, told to the server (a Streamlit v2 component, no
// iframe).
//
// A figure's height is set on the server (plotly's layout.height), which cannot see the
// screen. This component tells the server the window's inner size while presenting (where the
// main figure fits the screen) and in a tall window (where it grows; in a short one pages keep
// their designed sizes). A size is told once
// per tab, and again after a resize: a tab that reconnects to a restarted server keeps its page as drawn and
// tells nothing, so its first click is never raced by a redraw. A telling reruns the page, so
// it waits until the page is idle (a run cut short in its middle loses what it had set but not
// yet drawn).
//
// <html data-gdviz-window> says where it is: "pending" (mounted, not yet decided), "telling"
// (sent, the page reruns), "settled" (nothing to send): the browser tests wait for "settled".
export default function (component) {
  const { data, setStateValue } = component;
  const marker = document.documentElement.dataset;
  // What this tab last told (kept across reruns and reconnects), else what the server knows.
  const known = window.__gdvizToldSize || data.known || [0, 0];
  let timer = null;
  const idle = () =>
    document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']");
  const report = () => {
    if (!idle()) {
      clearTimeout(timer);
      timer = setTimeout(report, 250);
      return;
    }
    const width = window.innerWidth, height = window.innerHeight;
    // Told with the size. The server assumes 1 until told: a page that drew a 3-D view tells
    // a high-density screen's ratio (its scene is redrawn sharp), and no other page pays.
    const ratio = window.devicePixelRatio || 1;
    // Figures follow the window while presenting, and grow in a tall one: a short window
    // outside presentation mode changes nothing, so it costs no rerun. A window shrinking
    // from tall to short is told too (its figures shrink back).
    const matters = data.presenting || height >= data.grows || known[1] >= data.grows
      || (data.webgl && ratio > 1);
    const changed = Math.abs(height - known[1]) >= 24 || Math.abs(width - known[0]) >= 48
      || Math.abs(ratio - (known[2] || 1)) >= 0.25;
    if (matters && changed) {
      known[0] = width;
      known[1] = height;
      known[2] = ratio;
      window.__gdvizToldSize = [width, height, ratio];
      marker.gdvizWindow = "telling";
      setStateValue("size", [width, height, ratio]);
    } else {
      marker.gdvizWindow = "settled";
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(report, 400);  // once the window has stopped moving
  };
  marker.gdvizWindow = "pending";
  report();
  window.addEventListener("resize", later);
  return () => {
    clearTimeout(timer);
    window.removeEventListener("resize", later);
  };
}
