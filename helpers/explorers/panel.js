// The page side of an explorer (helpers/explorers/panel.py): the browser's own controls, a status
// region for the readout and the figure with its text alternative, all updated in place.
//
// A slider is a labelled <input type="range">, a choice a named group of radio buttons (a fieldset
// and its legend): their keys are the platform's, and each control's accessible name is its label.
// Moving a control sends the new values; while the kernel is busy the widget model holds back all
// but the last change, so a drag never queues redraws.

let next_id = 0;
// On a focused control, keys are the control's: JupyterLab's command-mode shortcuts (which match any
// focused element in a notebook) skip an element with this attribute.
const OWN_KEYS = {"data-lm-suppress-shortcuts": "true"};

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function slider(control, id, send) {
  const input = element("input", {
    type: "range", id, min: control.min, max: control.max, step: control.step, "data-name": control.name, ...OWN_KEYS,
  });
  const shown = element("span", {class: "cbx-value", "aria-hidden": "true"});
  input.addEventListener("input", () => {
    shown.textContent = input.value;
    send(control.name, Number(input.value));
  });
  const box = element("div", {class: "cbx-slider"}, [
    element("label", {for: id, text: control.label}), input, shown,
  ]);
  box.show = (spec, value) => {  // limits first: a value outside them would be clamped
    input.min = spec.min;
    input.max = spec.max;
    input.step = spec.step;
    if (Number(input.value) !== value) input.value = value;
    shown.textContent = value;
  };
  return box;
}

function choice(control, id, send) {
  const buttons = control.options.map((option, k) => {
    const input = element("input", {type: "radio", name: id, id: `${id}-${k}`, "data-name": control.name, ...OWN_KEYS});
    input.addEventListener("change", () => { if (input.checked) send(control.name, option.value); });
    return element("label", {class: "cbx-option", for: `${id}-${k}`}, [input, element("span", {text: option.label})]);
  });
  const box = element("fieldset", {class: "cbx-choice"}, [element("legend", {text: control.label}), ...buttons]);
  box.show = (spec, value) => {
    control.options.forEach((option, k) => {
      const input = buttons[k].querySelector("input");
      input.checked = option.value === value;
    });
  };
  return box;
}

function structure(controls) {
  return JSON.stringify(controls.map((c) => [c.name, c.kind, c.options ? c.options.map((o) => o.value) : null]));
}

function render({ model, el }) {
  const uid = `cbx-${Date.now().toString(36)}-${next_id++}`;
  const bar = element("div", {class: "cbx-controls"});
  const status = element("div", {class: "cbx-status", role: "status"});
  const image = element("img", {class: "cbx-image"});
  const root = element("div", {class: "cbx-explorer", role: "group"}, [bar, status, image]);
  el.append(root);
  let boxes = {};
  let built = "";
  let url = null;

  function send(name, value) {
    model.set("values", {...model.get("values"), [name]: value});
    model.save_changes();
  }

  function build() {
    const controls = model.get("controls");
    const focused = document.activeElement && bar.contains(document.activeElement)
      ? document.activeElement.dataset.name : null;
    if (structure(controls) !== built) {  // new controls; else only their limits changed
      boxes = {};
      bar.replaceChildren(...controls.map((control) => {
        const make = control.kind === "slider" ? slider : choice;
        return (boxes[control.name] = make(control, `${uid}-${control.name.replace(/\W/g, "_")}`, send));
      }));
      built = structure(controls);
    }
    show_values();
    if (focused && !bar.contains(document.activeElement)) {  // the learner's focus stays on their control
      const again = bar.querySelector(`input[data-name="${focused}"]:checked, input[type=range][data-name="${focused}"]`);
      if (again) again.focus();
    }
  }

  function show_values() {
    const values = model.get("values");
    for (const control of model.get("controls")) boxes[control.name].show(control, values[control.name]);
  }

  function show_figure() {
    const png = model.get("png");
    if (url) URL.revokeObjectURL(url);
    url = null;
    if (png && png.byteLength) {
      url = URL.createObjectURL(new Blob([png], {type: "image/png"}));
      image.width = model.get("width");
      image.height = model.get("height");
      image.src = url;
      image.hidden = false;
    } else {
      image.removeAttribute("src");
      image.hidden = true;
    }
  }

  root.setAttribute("aria-label", model.get("label"));
  status.innerHTML = model.get("status");
  image.alt = model.get("alt");
  build();
  show_figure();
  model.on("change:controls", build);
  model.on("change:values", show_values);
  model.on("change:status", () => { status.innerHTML = model.get("status"); });
  model.on("change:alt", () => { image.alt = model.get("alt"); });
  model.on("change:png", show_figure);
  model.on("change:label", () => root.setAttribute("aria-label", model.get("label")));
  return () => { if (url) URL.revokeObjectURL(url); };
}

export default { render };
