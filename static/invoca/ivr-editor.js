// The IVR tree editor: nested node cards over the JSON <textarea> its form posts. The node rules
// come from the server (data-schema), the errors in Invoca's shape from the server-rendered page
// (data-errors) and from POST /v1/invoca/ivr/validate as you edit, which also says how the call
// flow's phone numbers read (its `phones`).
// How a page includes it: templates/invoca/partials/_ivr_editor.html.
(() => {
  if (window.IvrEditor) return;

  const MAX_DEPTH = 25;
  // Keys of the tree object around the root node; the editor keeps them as they are.
  const WRAPPER_KEYS = ["record_calls", "caller_id", "root"];
  const CHILD_LABELS = {
    Condition: ["If true", "Otherwise"],
    AnyKeyPress: ["Any key pressed", "No key pressed"],
    YesOrNo: ["Yes (1)", "No (2)"],
    NumberQuestion: ["After the answer"],
    SmsPromo: ["After the offer"],
    VerifyLocation: ["After verifying the location"],
    NearestBranch: ["No branch nearby"],
    DynamicRoute: ["If it cannot route"],
  };
  const FAILOVER_LABELS = { Wrong: "Wrong key", None: "No key" };

  function csrfToken() {
    try {
      const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (error) { /* fall through to the form's token */ }
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return cookie ? decodeURIComponent(cookie[1]) : "";
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // A property of `object` itself, for a key that came from the tree (never the prototype's).
  function own(object, key) {
    return typeof key === "string" && Object.hasOwn(object, key) ? object[key] : undefined;
  }

  function blank(value) {
    return value === undefined || value === null || (typeof value === "string" && !value.trim());
  }

  function failoverOf(node) {
    const value = isObject(node) ? node.keypress_failover_type : undefined;
    return blank(value) ? null : value;
  }

  function childLabel(parentType, siblings, index) {
    const failover = failoverOf(siblings[index]);
    if (failover !== null) return own(FAILOVER_LABELS, failover) || `Failover ${failover}`;
    const regular = siblings.slice(0, index).filter((child) => failoverOf(child) === null).length;
    if (parentType === "Menu") return `Key ${regular + 1}`;
    const labels = own(CHILD_LABELS, parentType);
    return labels && regular < labels.length ? labels[regular] : `Child ${index + 1}`;
  }

  function el(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "text") element.textContent = value;
      else if (name === "className") element.className = value;
      else element.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) if (child) element.append(child);
    return element;
  }

  class Editor {
    constructor(root) {
      this.root = root;
      this.schema = JSON.parse(root.dataset.schema);
      this.url = root.dataset.validateUrl;
      this.textarea = root.querySelector("textarea");
      this.cards = root.querySelector("[data-ivr-cards]");
      this.status = root.querySelector("[data-ivr-status]");
      this.errorList = root.querySelector("[data-ivr-error-list]");
      this.preview = root.querySelector("[data-ivr-preview]");
      this.previewSection = root.querySelector("[data-ivr-preview-section]");
      this.jsonBox = root.querySelector("[data-ivr-json]");
      this.prefix = this.textarea.id || "ivr";
      this.sequence = 0;
      this.timer = null;
      this.phones = {};
      this.readTextarea();
      this.cards.hidden = false;
      this.previewSection.hidden = false;
      if (this.shape !== "invalid") this.jsonBox.open = false;
      this.render();
      let initial = null;
      try { initial = root.dataset.errors ? JSON.parse(root.dataset.errors) : null; } catch (error) { initial = null; }
      if (initial) this.showErrors(initial);
      else if (this.rootNode()) this.validate();
      else this.check();
      this.cards.addEventListener("click", (event) => this.onClick(event));
      this.cards.addEventListener("input", (event) => this.onInput(event));
      this.cards.addEventListener("change", (event) => this.onChange(event));
      this.textarea.addEventListener("input", () => {
        clearTimeout(this.textTimer);
        this.textTimer = setTimeout(() => this.onTextEdited(), 300);
      });
    }

    ruleOf(type) {
      return own(this.schema.types, type);
    }

    fieldOf(name) {
      return own(this.schema.fields, name);
    }

    // The model: `doc` is the whole JSON value; `shape` says where the root node is.
    readTextarea() {
      const text = this.textarea.value.trim();
      this.problem = null;
      if (!text) {
        this.doc = null;
        this.shape = "empty";
        return;
      }
      try {
        this.doc = JSON.parse(text);
      } catch (error) {
        this.doc = undefined;
        this.shape = "invalid";
        this.problem = `The JSON below does not parse: ${error.message}`;
        return;
      }
      if (!isObject(this.doc)) {
        this.shape = "invalid";
        this.problem = "The IVR tree must be a JSON object.";
      } else {
        this.shape = "root" in this.doc || !("node_type" in this.doc) ? "wrapper" : "bare";
      }
    }

    writeTextarea() {
      this.textarea.value = this.doc === null ? "" : JSON.stringify(this.doc, null, 2);
    }

    rootNode() {
      if (this.shape === "wrapper") return isObject(this.doc.root) ? this.doc.root : null;
      return this.shape === "bare" ? this.doc : null;
    }

    setRoot(node) {
      if (this.shape === "bare") {
        this.doc = node;
      } else if (node === null && this.shape === "wrapper" && Object.keys(this.doc).every((key) => key === "root")) {
        this.doc = null;
        this.shape = "empty";
      } else if (this.shape === "wrapper") {
        if (node === null) delete this.doc.root; else this.doc.root = node;
      } else {
        this.doc = { root: node };
        this.shape = "wrapper";
      }
    }

    nodeAt(path) {
      let node = this.rootNode();
      for (const index of path) node = node.children[index];
      return node;
    }

    newNode(type) {
      const rule = this.ruleOf(type);
      const node = { node_type: type };
      for (const name of rule.required) node[name] = name === "destination_country_code" ? "1" : "";
      if (rule.max_children > 0) node.children = [];
      return node;
    }

    // Rendering: one card per node, each with its fields, its children and their buttons.
    render() {
      this.cards.replaceChildren();
      if (this.shape === "invalid") {
        this.cards.append(el("p", { className: "ivr-problem error", text: this.problem }));
        this.jsonBox.open = true;
      } else {
        if (this.shape !== "bare") this.cards.append(this.renderTreeSettings());
        const root = this.rootNode();
        if (root) {
          this.cards.append(this.renderNode(root, [], null, null, 1));
        } else if (this.shape === "wrapper" && this.doc.root !== undefined && this.doc.root !== null) {
          this.cards.append(el("p", { className: "ivr-problem error", text: "The root must be a node object; fix it in the JSON below." }));
        } else {
          this.cards.append(el("p", { className: "muted", text: "No call flow yet." }),
            el("button", { type: "button", className: "small", "data-action": "start", text: "Start a call flow" }));
        }
      }
      this.renderPreview();
    }

    renderTreeSettings() {
      return el("ul", { className: "errors ivr-node-errors", "data-tree-errors": true });
    }

    renderNode(node, path, parentType, siblings, depth) {
      const key = ["root", ...path].join(".");
      const card = el("section", { className: "ivr-node", "data-path": key });
      if (!isObject(node)) {
        card.append(el("p", { className: "error", text: "This child is not a node object; fix it in the JSON below." }),
          this.renderActions(path, siblings));
        card.append(el("ul", { className: "errors ivr-node-errors", "data-node-errors": true }));
        return card;
      }
      const type = node.node_type;
      const rule = this.ruleOf(type);
      const label = path.length ? childLabel(parentType, siblings, path[path.length - 1]) : "Start";
      const typeSelect = el("select", { "data-type": true, id: `${this.prefix}-${key}-type` });
      if (!rule) typeSelect.append(el("option", { value: "", text: blank(type) ? "Choose…" : `${typeof type === "string" ? type : JSON.stringify(type)} (unknown)` }));
      for (const name of Object.keys(this.schema.types)) typeSelect.append(el("option", { value: name, text: name }));
      typeSelect.value = rule ? type : "";
      card.setAttribute("aria-label", `${label}: ${rule ? type : "no type"}`);
      card.append(el("header", { className: "ivr-node-head" },
        el("strong", { className: "ivr-node-label", text: label }),
        el("label", { className: "ivr-type", for: typeSelect.id, text: "Node type" }),
        typeSelect,
        this.renderActions(path, siblings)));
      if (rule) card.append(el("p", { className: "help ivr-usage", text: rule.usage }));
      card.append(el("ul", { className: "errors ivr-node-errors", "data-node-errors": true }));
      if (rule) {
        const fields = el("div", { className: "ivr-fields" });
        for (const name of [...rule.required, ...rule.optional]) {
          fields.append(this.renderField(node, key, name, rule.required.includes(name)));
        }
        card.append(fields);
      }
      if (depth >= MAX_DEPTH) {
        card.append(el("p", { className: "error", text: "Nested too deeply to show; edit it in the JSON below." }));
        return card;
      }
      const children = Array.isArray(node.children) ? node.children : [];
      const box = el("div", { className: "ivr-children" });
      box.append(el("ul", { className: "errors ivr-children-errors", "data-children-errors": true }));
      children.forEach((child, index) => box.append(this.renderNode(child, [...path, index], type, children, depth + 1)));
      const buttons = el("div", { className: "button-row" });
      const regular = children.filter((child) => failoverOf(child) === null).length;
      if (rule && rule.max_children > 0 && regular < rule.max_children) {
        buttons.append(el("button", { type: "button", className: "small", "data-action": "add-child", "data-node": key, text: "Add child" }));
      }
      if (rule && rule.failovers) {
        for (const failover of this.schema.failover_types) {
          if (children.some((child) => failoverOf(child) === failover)) continue;
          buttons.append(el("button", { type: "button", className: "small", "data-action": "add-failover", "data-failover": failover, "data-node": key,
            text: `Add "${FAILOVER_LABELS[failover].toLowerCase()}" failover` }));
        }
      }
      if (children.length || buttons.childElementCount) {
        if (buttons.childElementCount) box.append(buttons);
        card.append(box);
      }
      return card;
    }

    renderActions(path, siblings) {
      const key = ["root", ...path].join(".");
      const actions = el("span", { className: "ivr-node-actions" });
      if (path.length) {
        const index = path[path.length - 1];
        const movable = (at) => at >= 0 && at < siblings.length && failoverOf(siblings[at]) === null;
        const regularHere = failoverOf(siblings[index]) === null;
        if (regularHere && movable(index - 1)) actions.append(el("button", { type: "button", className: "small", "data-action": "up", "data-node": key, title: "Move up", "aria-label": "Move up", text: "↑" }));
        if (regularHere && movable(index + 1)) actions.append(el("button", { type: "button", className: "small", "data-action": "down", "data-node": key, title: "Move down", "aria-label": "Move down", text: "↓" }));
      }
      actions.append(el("button", { type: "button", className: "small danger", "data-action": "remove", "data-node": key, text: path.length ? "Remove" : "Clear the call flow" }));
      return actions;
    }

    renderField(node, key, name, required) {
      const spec = this.fieldOf(name) || { label: name, kind: "text", help: "" };
      const id = `${this.prefix}-${key}-${name}`;
      const wrap = el("div", { className: "field ivr-field", "data-field-wrap": name });
      const value = node[name];
      let control;
      if (spec.kind === "checkbox") {
        control = el("input", { type: "checkbox", id, "data-field": name });
        control.checked = value === true;
        wrap.append(el("label", { className: "check", for: id }, control, ` ${spec.label}`));
      } else {
        if (spec.kind === "textarea") {
          control = el("textarea", { id, rows: 2, "data-field": name });
          control.value = typeof value === "string" ? value : "";
        } else if (spec.kind === "select") {
          control = el("select", { id, "data-field": name }, el("option", { value: "", text: required ? "Choose…" : "Default" }));
          for (const [choice, text] of own(this.schema.choices, name) || []) control.append(el("option", { value: String(choice), text }));
          control.value = value === undefined || value === null ? "" : String(value);
        } else {
          control = el("input", { id, type: spec.kind === "number" ? "number" : "text", "data-field": name, spellcheck: spec.kind === "condition" ? "false" : null });
          if (spec.kind === "number") control.step = "any";
          if (spec.kind === "phrases") control.value = Array.isArray(value) ? value.map((item) => (isObject(item) ? item.phrase : "")).join(", ") : "";
          else control.value = value === undefined || value === null ? "" : String(value);
          if (spec.kind === "condition") control.classList.add("ivr-condition");
        }
        const label = el("label", { for: id, text: spec.label });
        if (required) label.append(" ", el("abbr", { className: "required", title: "required", text: "*" }));
        wrap.append(label, control);
      }
      if (required) control.setAttribute("aria-required", "true");
      // The help text (with what leaving it empty means where the node may go without it) and
      // the field's errors are named by its control; an error also makes it aria-invalid.
      const help = [spec.help, required ? "" : spec.optional_help].filter(Boolean).join(" ");
      const described = [`${id}-error`];
      if (help) {
        wrap.append(el("small", { className: "help", id: `${id}-help`, text: help }));
        described.unshift(`${id}-help`);
      }
      wrap.append(el("small", { className: "error", id: `${id}-error`, "data-field-error": true }));
      control.setAttribute("aria-describedby", described.join(" "));
      return wrap;
    }

    renderPreview() {
      this.preview.replaceChildren();
      const root = this.rootNode();
      if (!root) {
        this.preview.append(el("li", { className: "muted", text: "Nothing yet." }));
        return;
      }
      const pending = [[root, 0, ""]];
      let count = 0;
      while (pending.length && count < 500) {
        const [node, depth, label] = pending.pop();
        count += 1;
        const line = el("li", { text: `${label}${isObject(node) ? this.describe(node) : "(not a node)"}` });
        line.style.setProperty("--depth", depth);
        this.preview.append(line);
        if (!isObject(node) || !Array.isArray(node.children) || depth + 1 >= MAX_DEPTH) continue;
        for (let index = node.children.length - 1; index >= 0; index -= 1) {
          pending.push([node.children[index], depth + 1, `${childLabel(node.node_type, node.children, index)} → `]);
        }
      }
    }

    // A Connect node's number as pages show it (the account's country's format), from what the
    // server's check answered under `phones`; until it has answered, as typed.
    destination(node) {
      const part = (value) => (blank(value) ? "?" : String(value).trim());
      const code = part(node.destination_country_code);
      const number = part(node.destination_phone_number);
      return own(this.phones, `+${code}${number}`) || `+${code} ${number}`;
    }

    describe(node) {
      const said = typeof node.prompt === "string" && node.prompt.trim() ? ` "${node.prompt.trim()}"` : "";
      const colon = said ? `:${said}` : "";
      switch (node.node_type) {
        case "Connect": {
          const extension = node.destination_extension ? ` ext. ${node.destination_extension}` : "";
          return `Connect to ${this.destination(node)}${extension}${colon}`;
        }
        case "EndCall": return `End the call${colon}`;
        case "Menu": return `Menu${colon}`;
        case "Condition": return `Check: ${node.condition || "?"}`;
        case "SmsPromo": {
          const delays = Object.fromEntries(this.schema.choices.sms_promo_delay.map(([value, text]) => [String(value), text]));
          const delay = (delays[String(node.sms_promo_delay)] || "Immediately").toLowerCase();
          const copy = node.sms_promo_copy ? ` "${node.sms_promo_copy}"` : "";
          return `Text offer (sent ${delay})${copy}${colon}`;
        }
        case "NumberQuestion": return `Ask for ${node.number_question_type || "a number"}${colon}`;
        case "DynamicRoute": return `Route to the number in ${node.dynamic_route_destination || "?"}`;
        default:
          return this.ruleOf(node.node_type) ? `${node.node_type}${colon}` : "Unknown node";
      }
    }

    // Edits: fields change the model in place (the cards stay, so focus stays); structure
    // changes redraw the cards. Every edit rewrites the textarea and asks for a check.
    changed({ redraw }) {
      this.writeTextarea();
      if (redraw) this.render(); else this.renderPreview();
      this.check();
    }

    pathOf(element) {
      const key = element.closest("section.ivr-node").dataset.path;
      return key.split(".").slice(1).map(Number);
    }

    onClick(event) {
      const button = event.target.closest("[data-action]");
      if (!button) return;
      const action = button.dataset.action;
      if (action === "start") {
        this.setRoot(this.newNode("Menu"));
        this.changed({ redraw: true });
        this.cards.querySelector("[data-field]")?.focus();
        return;
      }
      const path = button.dataset.node.split(".").slice(1).map(Number);
      if (action === "add-child" || action === "add-failover") {
        const parent = this.nodeAt(path);
        if (!Array.isArray(parent.children)) parent.children = [];
        if (action === "add-child") {
          const firstFailover = parent.children.findIndex((child) => failoverOf(child) !== null);
          const at = firstFailover === -1 ? parent.children.length : firstFailover;
          parent.children.splice(at, 0, this.newNode("Connect"));
        } else {
          parent.children.push({ ...this.newNode("EndCall"), keypress_failover_type: button.dataset.failover });
        }
      } else if (action === "remove") {
        if (!path.length) this.setRoot(null);
        else this.nodeAt(path.slice(0, -1)).children.splice(path[path.length - 1], 1);
      } else if (action === "up" || action === "down") {
        const siblings = this.nodeAt(path.slice(0, -1)).children;
        const index = path[path.length - 1];
        const other = action === "up" ? index - 1 : index + 1;
        [siblings[index], siblings[other]] = [siblings[other], siblings[index]];
      }
      this.changed({ redraw: true });
    }

    onChange(event) {
      const target = event.target;
      if (target.matches("[data-type]")) {
        this.setType(this.pathOf(target), target.value);
        this.changed({ redraw: true });
      } else if (target.matches("select[data-field], input[type=checkbox][data-field]")) {
        this.setField(target);
      }
    }

    onInput(event) {
      if (event.target.matches("input[data-field]:not([type=checkbox]), textarea[data-field]")) this.setField(event.target);
    }

    setType(path, type) {
      const node = this.nodeAt(path);
      const rule = this.ruleOf(type);
      if (!rule) return;
      const keep = new Set([...this.schema.common, ...rule.required, ...rule.optional]);
      for (const name of Object.keys(node)) if (!keep.has(name)) delete node[name];
      node.node_type = type;
      for (const [name, value] of Object.entries(this.newNode(type))) if (!(name in node)) node[name] = value;
    }

    setField(control) {
      const node = this.nodeAt(this.pathOf(control));
      const name = control.dataset.field;
      const rule = this.ruleOf(node.node_type);
      const required = rule && rule.required.includes(name);
      const kind = (this.fieldOf(name) || {}).kind;
      let value;
      if (kind === "checkbox") value = control.checked ? true : undefined;
      else if (name === "sms_promo_delay") value = control.value === "" ? undefined : Number(control.value);
      else if (kind === "number") value = control.value === "" ? undefined : (Number.isFinite(Number(control.value)) ? Number(control.value) : control.value);
      else if (kind === "phrases") {
        const phrases = control.value.split(",").map((phrase) => phrase.trim()).filter(Boolean);
        value = phrases.length ? phrases.map((phrase) => ({ phrase })) : undefined;
      } else value = control.value === "" && !required ? undefined : control.value;
      if (value === undefined) delete node[name]; else node[name] = value;
      this.changed({ redraw: false });
    }

    onTextEdited() {
      this.readTextarea();
      this.render();
      this.check();
    }

    // Checking: a short pause after the last edit, then one request; late answers are dropped.
    check() {
      clearTimeout(this.timer);
      if (this.shape === "invalid") {
        this.sequence += 1;
        this.clearErrors();
        this.setStatus(this.problem, "invalid");
        return;
      }
      if (this.shape === "empty") {
        this.sequence += 1;
        this.clearErrors();
        this.setStatus("", "");
        return;
      }
      this.setStatus("Checking…", "pending");
      this.timer = setTimeout(() => this.validate(), 400);
    }

    async validate() {
      this.sequence += 1;
      const mine = this.sequence;
      let answer;
      try {
        const response = await fetch(this.url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({ ivr_tree: this.doc }),
        });
        answer = await response.json();
      } catch (error) {
        answer = { success: false, message: "the checker could not be reached." };
      }
      if (mine !== this.sequence) return;
      if (!answer.success) {
        this.setStatus(`Could not check the tree: ${answer.message}`, "invalid");
        return;
      }
      if (isObject(answer.data.phones)) {
        this.phones = { ...this.phones, ...answer.data.phones };
        this.renderPreview();
      }
      // The live answer replaces what the server said when the page was sent.
      this.root.querySelectorAll("[data-ivr-server-error]").forEach((element) => element.remove());
      this.root.classList.remove("has-error");
      this.showErrors(answer.data.error);
    }

    setStatus(text, state) {
      this.status.textContent = text;
      this.status.dataset.state = state;
    }

    clearErrors() {
      this.root.querySelectorAll(".ivr-node.has-error, .ivr-field.has-error, .ivr-type.has-error").forEach((element) => element.classList.remove("has-error"));
      this.root.querySelectorAll("[data-field-error], [data-node-errors], [data-children-errors], [data-tree-errors]").forEach((element) => element.replaceChildren());
      this.root.querySelectorAll("[data-field][aria-invalid]").forEach((control) => control.removeAttribute("aria-invalid"));
      this.errorList.replaceChildren();
    }

    // Errors in Invoca's shape: {"ivr_tree": {field: [messages], children: [message, {"<index>": {...}}]}}.
    showErrors(errors) {
      this.clearErrors();
      if (isObject(errors) && isObject(errors.error) && !("ivr_tree" in errors)) errors = errors.error;
      const top = isObject(errors) ? errors.ivr_tree : undefined;
      if (top === undefined || top === null) {
        this.setStatus("The call flow is valid.", "valid");
        return;
      }
      const lines = [];
      if (Array.isArray(top)) {
        for (const message of top) lines.push(`IVR tree ${message}.`);
      } else if (isObject(top)) {
        const treeErrors = this.cards.querySelector("[data-tree-errors]");
        const rootErrors = {};
        for (const [name, messages] of Object.entries(top)) {
          if (this.shape === "wrapper" && WRAPPER_KEYS.includes(name)) {
            for (const text of this.messagesOf(name, messages)) {
              lines.push(`IVR tree: ${text}`);
              treeErrors?.append(el("li", { text }));
            }
          } else rootErrors[name] = messages;
        }
        const root = this.rootNode();
        const rootName = root && this.ruleOf(root.node_type) ? root.node_type : "Root";
        if (Object.keys(rootErrors).length) this.markNode(rootErrors, [], root, rootName, lines);
      }
      for (const line of lines) this.errorList.append(el("li", { text: line }));
      const count = lines.length;
      this.setStatus(`${count} problem${count === 1 ? "" : "s"}: see the marked nodes.`, "invalid");
    }

    messagesOf(name, messages) {
      const label = name === "base" ? "" : (this.fieldOf(name)?.label || name.replaceAll("_", " "));
      const list = Array.isArray(messages) ? messages : [messages];
      return list.filter((message) => typeof message === "string").map((message) => {
        if (!label) return message.charAt(0).toUpperCase() + message.slice(1);
        return /^[A-Z]/.test(message) ? `${label}: ${message}` : `${label} ${message}`;
      });
    }

    markNode(errors, path, node, where, lines) {
      if (!isObject(errors)) return;
      const card = this.cards.querySelector(`section.ivr-node[data-path="${["root", ...path].join(".")}"]`);
      const direct = (selector) => (card ? [...card.querySelectorAll(selector)].find((found) => found.closest(".ivr-node") === card) : null);
      // Only the node an error belongs to is marked, not the nodes above it.
      const own = Object.entries(errors).some(([name, messages]) => name !== "children" || (Array.isArray(messages) && messages.some((entry) => typeof entry === "string")));
      if (card && own) card.classList.add("has-error");
      const children = isObject(node) && Array.isArray(node.children) ? node.children : [];
      for (const [name, messages] of Object.entries(errors)) {
        if (name === "children" && Array.isArray(messages)) {
          for (const entry of messages) {
            if (typeof entry === "string") {
              const text = `Children ${entry}`;
              lines.push(`${where}: ${text}.`);
              (direct("[data-children-errors]") || direct("[data-node-errors]"))?.append(el("li", { text }));
            } else if (isObject(entry)) {
              for (const [key, childErrors] of Object.entries(entry)) {
                const index = Number(key);
                const child = children[index];
                let step = Number.isInteger(index) && index < children.length ? childLabel(node.node_type, children, index) : `Child ${key}`;
                if (isObject(child) && this.ruleOf(child.node_type)) step += ` (${child.node_type})`;
                this.markNode(childErrors, [...path, index], child, `${where} > ${step}`, lines);
              }
            }
          }
          continue;
        }
        const texts = this.messagesOf(name, messages);
        for (const text of texts) lines.push(`${where}: ${text}${text.endsWith(".") ? "" : "."}`);
        const wrap = direct(`[data-field-wrap="${name}"]`);
        if (wrap) {
          wrap.classList.add("has-error");
          wrap.querySelector("[data-field]")?.setAttribute("aria-invalid", "true");
          const slot = wrap.querySelector("[data-field-error]");
          for (const message of Array.isArray(messages) ? messages : [messages]) slot.append(el("span", { text: String(message) }));
        } else {
          if (name === "node_type") direct(".ivr-type")?.classList.add("has-error");
          const list = direct("[data-node-errors]");
          for (const text of texts) list?.append(el("li", { text }));
        }
      }
    }
  }

  function initAll(scope) {
    const within = scope && scope.querySelectorAll ? scope : document;
    const roots = within.matches?.("[data-ivr-editor]") ? [within] : within.querySelectorAll("[data-ivr-editor]");
    for (const root of roots) {
      if (root.dataset.ivrReady) continue;
      root.dataset.ivrReady = "1";
      root.ivrEditor = new Editor(root);
    }
  }

  window.IvrEditor = { initAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => initAll(document));
  else initAll(document);
  document.addEventListener("htmx:load", (event) => initAll(event.detail.elt));
})();
