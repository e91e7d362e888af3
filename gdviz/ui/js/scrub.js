// "Use this rate": the button under the rate scrubber (a Streamlit v2 component).
//
// The scrubber is a Plotly slider: moving it redraws the path in the browser and tells the
// server nothing. This button follows that slider (Plotly's `plotly_sliderchange` event on the
// chart whose element key is `data.chart`) and, when clicked, sends the scrubbed rate as a
// trigger value: one rerun that makes it the page's learning rate. Its text is set with
// textContent only; `data` comes from the page (numbers and the chart's key), never from a user.
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const registry = (window.__gdvizScrub = window.__gdvizScrub || {});
  let button = parentElement.querySelector("button");
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    parentElement.appendChild(button);
  }
  let current = data.chosen;
  const symbol = data.symbol || "α"; // what the slider scrubs: α, or β (momentum)
  const show = () => {
    const mine = current === data.chosen;
    button.textContent = mine
      ? `Drag the ${symbol} slider first`
      : `Use ${symbol} = ${data.labels[current]}`;
    button.disabled = mine;
    button.dataset.rate = data.labels[current];
  };
  // One listener per chart element, reading whichever button is mounted now (a rerun mounts
  // a new one, and Plotly keeps the same element for a new figure).
  registry[data.chart] = (index) => {
    if (index >= 0 && index < data.labels.length) {
      current = index;
      show();
    }
  };
  const attach = () => {
    const chart = document.querySelector(`.st-key-${data.chart} .js-plotly-plot`);
    if (!chart || !chart.on || chart.__gdvizScrub) return;
    chart.__gdvizScrub = true;
    chart.on("plotly_sliderchange", (event) => {
      const listener = registry[data.chart];
      if (listener && event && event.slider) listener(event.slider.active);
    });
  };
  button.onclick = () => {
    if (current !== data.chosen) setTriggerValue("pick", data.rates[current]);
  };
  show();
  attach();
  const timer = setInterval(attach, 300);  // the chart may mount after this button
  return () => clearInterval(timer);
}
