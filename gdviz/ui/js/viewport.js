// The browser window's size, told to the server (a Streamlit v2 component, no iframe).
//
// A figure's height is set on the server (plotly's layout.height), which cannot see the
// screen. This component sends the window's inner size once, and again after a resize that
// changes it by a visible amount, so a page can size its main figure to the projector:
// `data.known` is the size the server already has, so nothing is sent twice.
export default function (component) {
  const { data, setStateValue } = component;
  const known = data.known || [0, 0];
  let timer = null;
  // Never while the page is running: a new value reruns it, and a run cut short in its middle
  // loses what it had set but not yet drawn (a link's settings, on a first run).
  const idle = () =>
    document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']");
  const report = () => {
    if (!idle()) {
      clearTimeout(timer);
      timer = setTimeout(report, 250);
      return;
    }
    const width = window.innerWidth, height = window.innerHeight;
    if (Math.abs(height - known[1]) >= 24 || Math.abs(width - known[0]) >= 48) {
      known[0] = width;
      known[1] = height;
      setStateValue("size", [width, height]);
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(report, 400);  // once the window has stopped moving
  };
  report();
  window.addEventListener("resize", later);
  return () => {
    clearTimeout(timer);
    window.removeEventListener("resize", later);
  };
}
