// The region form (convenant formulier). Plain JavaScript, no framework, nothing from the internet.
//
// The form is built from the server's description of the model (#formulier, see web/form.py) and
// filled from the file's data (#gegevens). Every input's name is its dotted YAML path with list
// positions counted from 0 (partijen.2.naam); names and ids are renumbered after every add, remove
// and move. A change is checked by the server with the code of `convenant validate` (debounced);
// only the messages are updated, never the form itself.
//
// A value the user did not touch is sent back exactly as the file had it (a date written
// "1 januari 2022", "ja" instead of true, a number in a text field), so saving changes only what
// the user changed. Keys the model does not know are kept and shown, never silently dropped.
"use strict";

(() => {
  const TOKEN = document.querySelector('meta[name="convenant-token"]')?.content ?? "";
  const DEBOUNCE_MS = 150;
  const LONG_HELP = 200; // longer help texts fold into a <details>
  const MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december"];

  // --- small helpers -------------------------------------------------------------------------

  function h(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
    return node;
  }

  const hidden = (text) => h("span", { class: "vh", text });

  async function post(url, body, signal) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Convenant-Token": TOKEN },
        body: JSON.stringify(body),
        credentials: "same-origin",
        signal,
      });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      const melding = "Het formulier kan de server niet bereiken. Draait `convenant formulier` nog? "
        + "Start het opnieuw en laad deze pagina opnieuw.";
      return { status: 0, data: { melding } };
    }
    let data = {};
    try {
      data = await response.json();
    } catch {
      data = {};
    }
    if (!response.ok && !data.melding) data.melding = `De server antwoordde met fout ${response.status}.`;
    return { status: response.status, data };
  }

  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const clock = () => new Date().toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit" });
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const pad2 = (n) => String(n).padStart(2, "0");

  /** A date as the model accepts it (2022-01-01, 1 januari 2022, 1-1-2022) -> YYYY-MM-DD, or null. */
  function isoDate(value) {
    if (typeof value !== "string") return null;
    const s = value.trim().toLowerCase();
    let m = s.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
    if (m) return checked(+m[1], +m[2], +m[3]);
    m = s.match(/^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$/);
    if (m) return checked(+m[3], +m[2], +m[1]);
    m = s.match(/^(\d{1,2}) ([a-z]+) (\d{4})$/);
    if (m && MONTHS.includes(m[2])) return checked(+m[3], MONTHS.indexOf(m[2]) + 1, +m[1]);
    return null;
  }

  function checked(year, month, day) {
    const d = new Date(Date.UTC(year, month - 1, day));
    if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
    return `${String(year).padStart(4, "0")}-${pad2(month)}-${pad2(day)}`;
  }

  /** A month as the model accepts it (maart 2022, 2022-03, 3-2022) -> YYYY-MM, or null. */
  function isoMonth(value) {
    if (typeof value !== "string") return null;
    const s = value.trim().toLowerCase();
    let m = s.match(/^([a-z]+) (\d{4})$/);
    if (m && MONTHS.includes(m[1])) return `${m[2]}-${pad2(MONTHS.indexOf(m[1]) + 1)}`;
    m = s.match(/^(\d{4})-(\d{1,2})$/) || s.match(/^(\d{1,2})[-/](\d{4})$/);
    if (m) {
      const [a, b] = [+m[1], +m[2]];
      const [year, month] = a > 12 ? [a, b] : [b, a];
      if (month >= 1 && month <= 12) return `${year}-${pad2(month)}`;
    }
    return null;
  }

  /** A value shown as text in an input (what the user sees and edits). */
  function asText(value) {
    if (value === undefined || value === null) return "";
    if (typeof value === "boolean") return value ? "ja" : "nee";
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  // --- the controls: one object per node of the form description ------------------------------
  //
  // Each control has: el (its element), path (its dotted name), setPath(path), value() (its JSON
  // value, or undefined when empty), focus(), walk(fn) (itself and every control inside it).

  const MAANDEN = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december"];
  let uid = 0;

  /** The place beside an input or group where its messages appear. */
  class Messages {
    constructor(owner) {
      this.owner = owner;
      this.alert = null; // role=alert: errors and warnings
      this.note = null; // what signing still needs (not an alert)
      this.alertKey = "[]";
      this.noteKey = "[]";
    }

    /** Show these messages; touches the page only where they changed. */
    show(alerts, notes) {
      const alertKey = JSON.stringify(alerts);
      const noteKey = JSON.stringify(notes);
      if (alertKey === this.alertKey && noteKey === this.noteKey) return;
      if (alertKey !== this.alertKey) {
        this.alertKey = alertKey;
        this.alert?.remove();
        this.alert = null;
        if (alerts.length) {
          this.alert = h("div", { class: "veldmeldingen", role: "alert", id: `m-${++uid}`, "data-veld": this.owner.path });
          for (const m of alerts) {
            this.alert.append(h("p", { class: `melding ${m.soort}` },
              h("strong", { text: m.soort === "fout" ? "Fout: " : "Waarschuwing: " }), m.melding));
          }
          this.owner.slot.prepend(this.alert);
        }
      }
      if (noteKey !== this.noteKey) {
        this.noteKey = noteKey;
        this.note?.remove();
        this.note = null;
        if (notes.length) {
          this.note = h("div", { class: "veldnodig", id: `n-${++uid}` });
          for (const m of notes) this.note.append(h("p", {}, h("strong", { text: "Voor ondertekening: " }), m.melding));
          this.owner.slot.append(this.note);
        }
      }
      this.owner.described(this.alert, this.note, alerts.some((m) => m.soort === "fout"));
    }

    retag(path) {
      if (this.alert) this.alert.dataset.veld = path;
    }
  }

  class FieldCtl {
    constructor(desc, value, opts = {}) {
      this.desc = desc;
      this.widget = desc.widget || "text";
      this.original = value;
      this.itemLabel = opts.itemLabel; // an item of a list of scalars: its label is its number
      this.messages = new Messages(this);
      const id = `v-${++uid}`;
      this.label = h("label", { for: id });
      this.input = this.makeInput(id);
      this.help = null;
      const head = h("div", { class: "veld-kop" }, this.label);
      this.el = h("div", { class: `veld w-${this.widget}${this.wide() ? " breed" : ""}` });
      if (this.itemLabel) {
        this.el.classList.add("item-veld");
        this.label.append(hidden(`${desc.label}, nummer `), h("span", { class: "nr" }));
      } else {
        this.label.append(desc.label);
        if (desc.required) this.label.append(" ", h("span", { class: "verplicht", text: "(verplicht)" }));
        head.append(h("code", { class: "sleutel", text: desc.name }));
        this.help = helpText(desc, id);
      }
      this.el.append(head);
      if (this.help) this.el.append(this.help.el);
      this.slot = h("div", { class: "meldingplek" });
      this.el.append(this.input, this.slot);
      if (this.widget === "date" || this.widget === "month") {
        // A date field follows the browser's language: say in Dutch words which date it holds,
        // so "31-12-2025" typed into an English browser cannot silently become 11 maart.
        this.spoken = h("p", { class: "datum-in-woorden", "aria-live": "polite" });
        this.el.insertBefore(this.spoken, this.slot);
        this.input.addEventListener("input", () => this.speak());
      }
      this.described(null, null, false);
      this.fill(value);
      this.speak();
    }

    speak() {
      if (!this.spoken) return;
      const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(this.input.type === "text" ? "" : this.input.value);
      const month = m ? MAANDEN[Number(m[2]) - 1] : null;
      this.spoken.textContent = !month ? "" : m[3] ? `= ${Number(m[3])} ${month} ${m[1]}` : `= ${month} ${m[1]}`;
    }

    wide() {
      return this.widget === "textarea" || this.widget === "names";
    }

    makeInput(id) {
      const w = this.widget;
      let input;
      if (w === "textarea" || w === "names" || (w === "text" && this.itemLabel)) {
        // a list's lines are often whole paragraphs, and names many: a box that grows with its text
        input = h("textarea", { id, rows: w === "textarea" ? 3 : 1, class: w === "textarea" ? "groeit" : "groeit regel" });
      } else if (w === "select" || w === "yesno") {
        input = h("select", { id });
        input.append(h("option", { value: "", text: w === "yesno" ? "(niet ingevuld)" : "(kies)" }));
        const choices = w === "yesno" ? ["ja", "nee"] : this.desc.choices || [];
        for (const c of choices) input.append(h("option", { value: c, text: c }));
      } else if (w === "date") {
        input = h("input", { id, type: "date", min: "1900-01-01", max: "2199-12-31" });
      } else if (w === "month") {
        input = h("input", { id, type: "month" });
      } else {
        // numbers are typed as text: the validator's own message explains a wrong number
        input = h("input", { id, type: "text", spellcheck: w === "text" ? null : "false" });
        if (w === "number") input.inputMode = "numeric";
        if (w === "decimal") input.inputMode = "decimal";
      }
      if (this.desc.required) input.setAttribute("aria-required", "true");
      const example = this.desc.example;
      if (example && ["text", "textarea", "number", "decimal", "names"].includes(w)) input.placeholder = `bijv. ${example}`;
      return input;
    }

    /** Show `value` (as the file has it) in the input. */
    fill(value) {
      const w = this.widget;
      const input = this.input;
      let text = asText(value);
      if (w === "date" && text) {
        const iso = isoDate(text);
        if (iso) text = iso;
        else input.type = "text"; // keep what the file says; the validator explains it
      } else if (w === "month" && text) {
        const iso = isoMonth(text);
        if (iso) text = iso;
        else input.type = "text";
      } else if (w === "yesno") {
        if (value === true || /^(ja|j)$/i.test(text)) text = "ja";
        else if (value === false || /^(nee|n)$/i.test(text)) text = "nee";
      } else if (w === "decimal" && typeof value === "number") {
        text = String(value).replace(".", ",");
      } else if (w === "names" && Array.isArray(value) && value.every((v) => typeof v === "string")) {
        text = value.join("; ");
      }
      if (input.tagName === "SELECT" && text && ![...input.options].some((o) => o.value === text)) {
        input.append(h("option", { value: text, text: `${text} (staat zo in het bestand)` }));
      }
      input.value = text;
      if (input.value !== text) { // the browser refused it (e.g. a month input without support)
        input.type = "text";
        input.value = text;
      }
      this.shown = input.value;
    }

    value() {
      const raw = this.input.value;
      if (raw.trim() === "") return undefined;
      if (raw === this.shown && this.original !== undefined) return this.original;
      const text = raw.trim();
      switch (this.widget) {
        case "number":
          if (/^-?\d+$/.test(text)) return Number(text);
          if (/^-?\d{1,3}(\.\d{3})+$/.test(text)) return Number(text.replaceAll(".", "")); // 11.325
          return text;
        case "decimal":
          if (/^-?\d+([.,]\d+)?$/.test(text)) return Number(text.replace(",", "."));
          return text;
        case "yesno":
          if (text === "ja") return true;
          if (text === "nee") return false;
          return this.original;
        case "names":
          if (/^\d+$/.test(text)) return Number(text);
          return text.split(/[;\n]/).map((s) => s.trim()).filter(Boolean); // one per line also
        case "text":
          // a number kept as a number where the file had one (mijlpalen: aantal: 50)
          if (typeof this.original === "number" && /^\d+$/.test(text)) return Number(text);
          return text;
        case "textarea":
          return raw.replace(/^\s+|\s+$/g, "");
        default:
          return text;
      }
    }

    /** A problem the browser knows before the server does (a date typed half). */
    localProblem() {
      if ((this.widget === "date" || this.widget === "month") && this.input.validity?.badInput) {
        return this.widget === "date" ? "de datum is niet volledig ingevuld (dag, maand en jaar)"
          : "de maand is niet volledig ingevuld (maand en jaar)";
      }
      return null;
    }

    setPath(path) {
      this.path = path;
      this.input.name = path;
      this.el.dataset.pad = path;
      this.messages.retag(path);
      if (this.itemLabel) this.label.querySelector(".nr").textContent = String(Number(path.split(".").pop()) + 1);
    }

    described(alert, note, invalid) {
      const ids = [this.help?.id, alert?.id, note?.id].filter(Boolean);
      if (ids.length) this.input.setAttribute("aria-describedby", ids.join(" "));
      else this.input.removeAttribute("aria-describedby");
      if (invalid) this.input.setAttribute("aria-invalid", "true");
      else this.input.removeAttribute("aria-invalid");
    }

    focus() {
      this.input.focus();
    }

    summary() {
      return this.input.tagName === "SELECT" ? "" : this.input.value.trim();
    }

    walk(fn) {
      fn(this);
    }
  }

  /** An amendment's changes: rows of [field path][new value] -> {path: value}. */
  class ChangesCtl {
    constructor(desc, value) {
      this.desc = desc;
      this.original = value;
      this.messages = new Messages(this);
      this.rows = [];
      this.el = h("fieldset", { class: "veld w-changes breed" });
      const legend = h("legend", {}, desc.label);
      if (desc.required) legend.append(" ", h("span", { class: "verplicht", text: "(verplicht)" }));
      this.el.append(legend);
      this.help = helpText(desc, `c-${++uid}`);
      if (this.help) this.el.append(this.help.el);
      this.slot = h("div", { class: "meldingplek" });
      this.el.append(this.slot);
      this.list = h("ol", { class: "wijzigingen" });
      this.add = h("button", { type: "button", class: "knop klein", "data-actie": "toevoegen" }, "Toevoegen",
        hidden(": nog een gewijzigd veld"));
      this.add.addEventListener("click", () => {
        this.addRow("", undefined).key.focus();
        changed();
      });
      this.el.append(this.list, this.add);
      if (isObject(value)) for (const [k, v] of Object.entries(value)) this.addRow(k, v);
      else if (value !== undefined) this.foreign = value;
    }

    addRow(key, value) {
      const row = { original: value, originalKey: key };
      row.key = h("input", {
        type: "text", id: `v-${++uid}`, value: key, spellcheck: "false", placeholder: "bijv. looptijd.einddatum",
      });
      row.val = h("input", { type: "text", id: `v-${++uid}`, value: asText(value), placeholder: "bijv. 2024-12-31" });
      row.shown = row.val.value;
      row.keyLabel = h("label", { for: row.key.id }, "Veld", hidden(""));
      row.valLabel = h("label", { for: row.val.id }, "Nieuwe waarde", hidden(""));
      row.remove = h("button", { type: "button", class: "knop klein", "data-actie": "verwijderen" }, "Verwijderen", hidden(""));
      row.remove.addEventListener("click", () => {
        const at = this.rows.indexOf(row);
        this.rows.splice(at, 1);
        row.el.remove();
        this.setPath(this.path);
        (this.rows[at]?.key ?? this.rows[at - 1]?.key ?? this.add).focus();
        changed();
      });
      row.el = h("li", { class: "wijziging" },
        h("div", { class: "veld" }, row.keyLabel, row.key),
        h("div", { class: "veld" }, row.valLabel, row.val),
        row.remove);
      if (this.help) row.key.setAttribute("aria-describedby", this.help.id);
      this.rows.push(row);
      this.list.append(row.el);
      if (this.path !== undefined) this.setPath(this.path);
      return row;
    }

    value() {
      const out = {};
      for (const row of this.rows) {
        const key = row.key.value.trim();
        const raw = row.val.value;
        if (!key) continue;
        if (raw === row.shown && row.original !== undefined) out[key] = row.original;
        else if (/^-?\d+$/.test(raw.trim())) out[key] = Number(raw.trim());
        else if (raw.trim() !== "") out[key] = raw.trim();
      }
      if (Object.keys(out).length) return out;
      return this.rows.length ? undefined : this.foreign;
    }

    localProblem() {
      return null;
    }

    setPath(path) {
      this.path = path;
      this.el.dataset.pad = path;
      this.messages.retag(path);
      this.rows.forEach((row, i) => {
        row.key.name = `${path}.${i}.veld`;
        row.val.name = `${path}.${i}.waarde`;
        for (const span of [row.keyLabel, row.valLabel, row.remove]) span.querySelector(".vh").textContent = ` ${i + 1}`;
      });
    }

    described(alert, note, invalid) {
      const ids = [this.help?.id, alert?.id, note?.id].filter(Boolean);
      for (const row of this.rows) {
        if (ids.length) row.key.setAttribute("aria-describedby", ids.join(" "));
        else row.key.removeAttribute("aria-describedby");
        if (invalid) row.key.setAttribute("aria-invalid", "true");
        else row.key.removeAttribute("aria-invalid");
      }
    }

    focus() {
      (this.rows[0]?.key ?? this.add).focus();
    }

    summary() {
      return "";
    }

    walk(fn) {
      fn(this);
    }
  }

  /** A key in the file that the model does not know: shown, kept, removable, never dropped silently. */
  class UnknownCtl {
    constructor(key, value, owner) {
      this.key = key;
      this.original = value;
      this.owner = owner;
      this.messages = new Messages(this);
      const id = `v-${++uid}`;
      const scalar = value === null || typeof value !== "object";
      this.input = h(scalar ? "input" : "textarea", { id, readonly: scalar ? null : true, spellcheck: "false" });
      if (scalar) this.input.type = "text";
      this.input.value = asText(value);
      this.shown = this.input.value;
      this.remove = h("button", { type: "button", class: "knop klein", "data-actie": "verwijderen" }, "Verwijderen",
        hidden(`: onbekend veld ${key}`));
      this.remove.addEventListener("click", () => {
        owner.dropUnknown(this);
        changed();
      });
      this.el = h("div", { class: "veld onbekend breed" },
        h("div", { class: "veld-kop" }, h("label", { for: id }, "Onbekend veld ", h("code", { text: key }))),
        h("p", {
          class: "hulp",
          text: "Dit veld kent het formulier niet (een tikfout?). Het blijft in het bestand staan tot u het "
            + "verwijdert; zet de waarde zo nodig eerst in het goede veld.",
        }),
        h("div", { class: "rij" }, this.input, this.remove));
      this.slot = h("div", { class: "meldingplek" });
      this.el.append(this.slot);
    }

    value() {
      if (this.input.value === this.shown) return this.original;
      return this.input.value.trim() === "" ? undefined : this.input.value.trim();
    }

    localProblem() {
      return null;
    }

    setPath(path) {
      this.path = path;
      this.input.name = path;
      this.el.dataset.pad = path;
      this.messages.retag(path);
    }

    described(alert, note, invalid) {
      FieldCtl.prototype.described.call(this, alert, note, invalid);
    }

    focus() {
      this.input.focus();
    }

    summary() {
      return "";
    }

    walk(fn) {
      fn(this);
    }
  }

  class GroupCtl {
    constructor(desc, value, depth, opts = {}) {
      this.desc = desc;
      this.depth = depth;
      this.messages = new Messages(this);
      this.children = [];
      this.unknown = [];
      const data = isObject(value) ? value : {};
      if (value !== undefined && !isObject(value)) this.foreign = value; // not a group: kept as it was
      this.body = h("div", { class: "velden-groep" });
      if (opts.bare) {
        this.el = h("div", { class: "groep" });
        this.heading = null;
      } else {
        this.el = h("fieldset", { class: "groep breed" });
        this.heading = h(`h${Math.min(6, depth + 2)}`, { class: "groepkop", text: desc.label });
        this.el.append(h("legend", {}, this.heading));
        this.help = helpText(desc, `g-${++uid}`);
        if (this.help) this.el.append(this.help.el);
      }
      this.slot = h("div", { class: "meldingplek" });
      this.el.append(this.slot, this.body);
      for (const child of desc.children || []) {
        const ctl = makeControl(child, data[child.name], depth + 1);
        ctl.name = child.name;
        this.children.push(ctl);
        this.body.append(ctl.el);
      }
      const known = new Set((desc.children || []).map((c) => c.name));
      for (const [key, v] of Object.entries(data)) if (!known.has(key)) this.addUnknown(key, v);
    }

    addUnknown(key, value) {
      const ctl = new UnknownCtl(key, value, this);
      ctl.name = key;
      this.unknown.push(ctl);
      this.body.prepend(ctl.el);
    }

    dropUnknown(ctl) {
      const next = this.unknown[this.unknown.indexOf(ctl) + 1];
      this.unknown.splice(this.unknown.indexOf(ctl), 1);
      ctl.el.remove();
      (next ?? this.children[0])?.focus();
      announce(`Onbekend veld ${ctl.key} verwijderd. Nog niet opgeslagen.`);
    }

    value() {
      const out = {};
      let any = false;
      for (const ctl of [...this.children, ...this.unknown]) {
        const v = ctl.value();
        if (v !== undefined) {
          out[ctl.name] = v;
          any = true;
        }
      }
      if (!any) return this.foreign;
      return out;
    }

    localProblem() {
      return null;
    }

    setPath(path) {
      this.path = path;
      this.el.dataset.pad = path;
      this.messages.retag(path);
      for (const ctl of [...this.children, ...this.unknown]) ctl.setPath(path ? `${path}.${ctl.name}` : ctl.name);
    }

    described() {}

    focus() {
      const first = [...this.unknown, ...this.children][0];
      if (first) first.focus();
    }

    summary() {
      for (const ctl of this.children) {
        if (ctl instanceof FieldCtl) {
          const s = ctl.summary();
          if (s) return s;
        }
      }
      return "";
    }

    walk(fn) {
      fn(this);
      for (const ctl of [...this.unknown, ...this.children]) ctl.walk(fn);
    }
  }

  class ListCtl {
    constructor(desc, value, depth, opts = {}) {
      this.desc = desc;
      this.depth = depth;
      this.messages = new Messages(this);
      this.items = [];
      if (value !== undefined && !Array.isArray(value)) this.foreign = value;
      const scalar = desc.item.kind === "field";
      this.scalar = scalar;
      this.ol = h("ol", { class: scalar ? "lijst-items scalair" : "lijst-items" });
      this.add = h("button", { type: "button", class: "knop", "data-actie": "toevoegen" }, "Toevoegen",
        hidden(`: ${desc.label}`));
      this.add.addEventListener("click", () => {
        const item = this.insert(this.items.length, undefined);
        this.renumber();
        item.ctl.focus();
        announce(`Nummer ${this.items.length} toegevoegd aan ${desc.label}. Nog niet opgeslagen.`);
        changed();
      });
      if (opts.bare) {
        this.el = h("div", { class: "lijst" });
      } else {
        this.el = h("fieldset", { class: "lijst breed" });
        this.el.append(h("legend", {}, h(`h${Math.min(6, depth + 2)}`, { class: "groepkop", text: desc.label })));
        this.help = helpText(desc, `l-${++uid}`);
        if (this.help) this.el.append(this.help.el);
      }
      this.empty = h("p", { class: "leeg", text: "Nog niets ingevuld." });
      this.slot = h("div", { class: "meldingplek" });
      this.el.append(this.slot, this.ol, this.empty, this.add);
      for (const v of Array.isArray(value) ? value : []) this.insert(this.items.length, v);
    }

    insert(index, value) {
      const item = {};
      const level = Math.min(6, this.depth + 3);
      if (this.scalar) {
        item.ctl = new FieldCtl(this.desc.item, value, { itemLabel: true });
        item.li = h("li", { class: "item scalair" }, item.ctl.el);
      } else {
        item.ctl = new GroupCtl(this.desc.item, value, this.depth + 1, { bare: true });
        item.nr = h("span", { class: "nr" });
        item.title = h("span", { class: "titel" });
        item.heading = h(`h${level}`, { class: "itemkop" }, item.nr, item.title);
        item.li = h("li", { class: "item" },
          h("fieldset", {}, h("legend", {}, item.heading), item.ctl.el));
        item.li.addEventListener("input", () => this.retitle(item));
        item.li.addEventListener("change", () => this.retitle(item));
      }
      item.buttons = h("div", { class: "item-knoppen" });
      item.up = this.button(item, "Omhoog", () => this.move(item, -1));
      item.down = this.button(item, "Omlaag", () => this.move(item, +1));
      item.remove = this.button(item, "Verwijderen", () => this.remove(item));
      item.buttons.append(item.up, item.down, item.remove);
      if (this.scalar) item.ctl.el.insertBefore(item.buttons, item.ctl.slot);
      else item.li.querySelector("fieldset").insertBefore(item.buttons, item.ctl.el);
      this.items.splice(index, 0, item);
      const after = this.items[index + 1];
      if (after) this.ol.insertBefore(item.li, after.li);
      else this.ol.append(item.li);
      return item;
    }

    button(item, text, action) {
      const b = h("button", { type: "button", class: "knop klein", "data-actie": text.toLowerCase() }, text, hidden(""));
      b.addEventListener("click", () => {
        if (b.getAttribute("aria-disabled") === "true") return;
        action();
      });
      return b;
    }

    move(item, delta) {
      const from = this.items.indexOf(item);
      const to = from + delta;
      if (to < 0 || to >= this.items.length) return;
      this.items.splice(from, 1);
      this.items.splice(to, 0, item);
      if (delta < 0) this.ol.insertBefore(item.li, this.items[to + 1].li);
      else this.ol.insertBefore(item.li, this.items[to - 1].li.nextSibling);
      this.renumber();
      // keep the focus on the button pressed, or its partner when it can go no further
      const target = delta < 0 ? (to === 0 ? item.down : item.up) : to === this.items.length - 1 ? item.up : item.down;
      target.focus();
      announce(`Verplaatst naar nummer ${to + 1}. Nog niet opgeslagen.`);
      changed();
    }

    remove(item) {
      // A double click removes one item, not two: the next item's button slides under the mouse.
      if (Date.now() - lastRemoval < 700) return;
      lastRemoval = Date.now();
      const at = this.items.indexOf(item);
      const value = item.ctl.value();
      const title = item.ctl.summary();
      this.items.splice(at, 1);
      item.li.remove();
      this.renumber();
      const next = this.items[at] ?? this.items[at - 1];
      if (next) next.remove.focus();
      else this.add.focus();
      offerUndo(`Nummer ${at + 1}${title ? ` (${title})` : ""} verwijderd uit ${this.desc.label}. Nog niet opgeslagen.`,
        () => {
          const back = this.insert(at, value);
          this.renumber();
          back.ctl.focus();
          changed();
        });
      changed();
    }

    retitle(item) {
      if (!item.title) return;
      const s = item.ctl.summary();
      item.title.textContent = s ? ` ${s}` : "";
    }

    renumber() {
      this.setPath(this.path);
      rebuildIndex();
    }

    value() {
      if (!this.items.length) return this.foreign;
      const out = [];
      const positions = [];
      this.items.forEach((item, i) => {
        let v = item.ctl.value();
        if (v === undefined) {
          if (this.scalar) return; // an empty line is left out
          v = {}; // an empty item stays, so its place matches its name and the validator says what it needs
        }
        out.push(v);
        positions.push(i);
      });
      if (positions.length !== this.items.length) listPositions.set(this.path, positions);
      return out.length ? out : undefined;
    }

    localProblem() {
      return null;
    }

    setPath(path) {
      this.path = path;
      this.el.dataset.pad = path;
      this.el.dataset.lijst = path;
      this.messages.retag(path);
      const n = this.items.length;
      this.items.forEach((item, i) => {
        item.ctl.setPath(`${path}.${i}`);
        item.li.dataset.pad = `${path}.${i}`;
        if (item.nr) item.nr.textContent = `${i + 1}.`;
        this.retitle(item);
        for (const b of [item.up, item.down, item.remove]) b.querySelector(".vh").textContent = `: nummer ${i + 1}`;
        item.up.setAttribute("aria-disabled", String(i === 0));
        item.down.setAttribute("aria-disabled", String(i === n - 1));
      });
      this.empty.hidden = n > 0;
    }

    described() {}

    focus() {
      if (this.items.length) this.items[0].ctl.focus();
      else this.add.focus();
    }

    summary() {
      return "";
    }

    walk(fn) {
      fn(this);
      for (const item of this.items) item.ctl.walk(fn);
    }
  }

  function helpText(desc, base) {
    const text = desc.help;
    if (!text) return null;
    const id = `${base}-hulp`;
    if (text.length <= LONG_HELP) return { id, el: h("p", { class: "hulp", id, text }) };
    const p = h("p", { id, text });
    return { id, el: h("details", { class: "hulp" }, h("summary", { text: "Toelichting" }), p) };
  }

  function makeControl(desc, value, depth) {
    if (desc.kind === "group") return new GroupCtl(desc, value, depth);
    if (desc.kind === "list") return new ListCtl(desc, value, depth);
    if (desc.widget === "changes") return new ChangesCtl(desc, value);
    return new FieldCtl(desc, value);
  }

  // --- the page --------------------------------------------------------------------------------

  const form = document.getElementById("velden");
  let root = null; // the sections and the file's unknown top-level keys
  const sections = []; // {name, ctl, navCount}
  let index = new Map(); // path -> control
  let listPositions = new Map(); // list path -> positions of the items sent (empty lines left out)
  let statusEl = null;
  let lastRemoval = 0; // when an item was last removed (see ListCtl.remove)

  function announce(text) {
    if (!statusEl) return;
    statusEl.replaceChildren(text);
  }

  function offerUndo(text, undo) {
    const button = h("button", { type: "button", class: "knop klein" }, "Ongedaan maken");
    button.addEventListener("click", () => {
      undo();
      announce("Teruggezet. Nog niet opgeslagen.");
    });
    statusEl.replaceChildren(text, " ", button);
  }

  function rebuildIndex() {
    index = new Map();
    root.walk((ctl) => index.set(ctl.path, ctl));
  }

  class RootCtl extends GroupCtl {
    setPath() {
      this.path = "";
      for (const ctl of [...this.children, ...this.unknown]) ctl.setPath(ctl.name);
    }
  }

  function buildForm(nodes, data) {
    root = new RootCtl({ children: [] }, {}, 0, { bare: true });
    const nav = document.getElementById("onderdelen");
    for (const node of nodes) {
      const value = data[node.name];
      const ctl = node.kind === "field" ? makeControl(node, value, 1)
        : node.kind === "list" ? new ListCtl(node, value, 0, { bare: true })
          : new GroupCtl(node, value, 0, { bare: true });
      ctl.name = node.name;
      const heading = h("h2", { id: `kop-${node.name}`, text: node.label });
      const section = h("section", { class: "sectie", id: `sectie-${node.name}`, "aria-labelledby": heading.id }, heading);
      if (node.kind !== "field") {
        ctl.help = helpText(node, `s-${++uid}`);
        if (ctl.help) section.append(ctl.help.el);
      }
      section.append(ctl.el);
      form.append(section);
      root.children.push(ctl);
      const count = h("span", { class: "teller", hidden: true });
      nav.append(h("li", {}, h("a", { href: `#${section.id}`, text: node.label }), count));
      sections.push({ name: node.name, ctl, count });
    }
    const known = new Set(nodes.map((n) => n.name));
    const strange = Object.entries(data).filter(([k]) => !known.has(k));
    if (strange.length) {
      const heading = h("h2", { id: "kop-onbekend", text: "Velden die het formulier niet kent" });
      const section = h("section", { class: "sectie", id: "sectie-onbekend", "aria-labelledby": heading.id }, heading);
      const holder = h("div", { class: "velden-groep" });
      section.append(holder);
      form.prepend(section);
      root.body = holder;
      for (const [k, v] of strange) root.addUnknown(k, v);
      nav.prepend(h("li", {}, h("a", { href: "#sectie-onbekend", text: "Onbekende velden" })));
    }
    root.setPath("");
    rebuildIndex();
  }

  /** The form's data as JSON, with the positions of left-out empty lines. */
  function collect() {
    listPositions = new Map();
    return root.value() ?? {};
  }

  /** The control a message about `veld` (an input name) belongs to, and the rest of the path. */
  function resolve(veld) {
    if (!veld) return null;
    const parts = veld.split(".");
    // positions in lists with left-out empty lines -> the positions of the inputs
    for (let i = 1; i < parts.length; i++) {
      const positions = listPositions.get(parts.slice(0, i).join("."));
      if (positions && /^\d+$/.test(parts[i]) && positions[+parts[i]] !== undefined) parts[i] = String(positions[+parts[i]]);
    }
    for (let n = parts.length; n > 0; n--) {
      const ctl = index.get(parts.slice(0, n).join("."));
      if (ctl) return ctl;
    }
    return null;
  }

  // --- checking -----------------------------------------------------------------------------

  const state = {
    bestand: form?.dataset.bestand,
    versie: form?.dataset.versie,
    saved: "", // JSON of the data as last saved (or opened)
    timer: 0,
    sequence: 0,
    controller: null,
    lastKey: "",
    requestProblem: null, // {melding, fouten?} from a failed save or build
    result: null,
    busy: false,
  };

  function changed() {
    clearTimeout(state.timer);
    form.dataset.controle = "wacht";
    state.timer = setTimeout(check, DEBOUNCE_MS);
  }

  async function check() {
    const sequence = ++state.sequence;
    state.controller?.abort();
    state.controller = new AbortController();
    const gegevens = collect();
    const positions = listPositions;
    updateDirty(gegevens);
    form.dataset.controle = "bezig";
    let response;
    try {
      response = await post("/api/controleer", { bestand: state.bestand, gegevens }, state.controller.signal);
    } catch {
      return; // superseded by a newer check
    }
    if (sequence !== state.sequence) return;
    listPositions = positions;
    if (response.status !== 200) {
      showRequestProblem({ melding: response.data.melding, fromCheck: true });
    } else {
      if (state.requestProblem?.fromCheck) showRequestProblem(null);
      state.result = response.data;
      showResult();
    }
    form.dataset.controle = "klaar";
    form.dataset.ms = String(response.data.ms ?? "");
  }

  function localProblems() {
    const out = [];
    root.walk((ctl) => {
      const problem = ctl.localProblem();
      if (problem) out.push({ veld: ctl.path, melding: problem, tekst: `${ctl.path}: ${problem}` });
    });
    return out;
  }

  function showResult() {
    const r = state.result ?? { fouten: [], waarschuwingen: [], ondertekening: [], geldig: true };
    const fouten = [...localProblems(), ...r.fouten];
    const waarschuwingen = r.waarschuwingen;
    const key = JSON.stringify([fouten, waarschuwingen, r.ondertekening, state.requestProblem, r.geldig]);
    if (key === state.lastKey) return;
    state.lastKey = key;

    // beside the fields
    const perCtl = new Map();
    const entry = (ctl) => {
      if (!perCtl.has(ctl)) perCtl.set(ctl, { alerts: [], notes: [] });
      return perCtl.get(ctl);
    };
    const place = (m, soort) => {
      const ctl = resolve(m.veld);
      if (!ctl) return null;
      if (soort === "nodig") entry(ctl).notes.push({ melding: m.melding });
      else entry(ctl).alerts.push({ soort, melding: m.melding });
      return ctl;
    };
    const targets = new Map();
    for (const m of fouten) targets.set(m, place(m, "fout"));
    for (const m of waarschuwingen) targets.set(m, place(m, "waarschuwing"));
    for (const m of r.ondertekening) targets.set(m, place(m, "nodig"));
    for (const m of state.requestProblem?.fouten ?? []) targets.set(m, resolve(m.veld));
    root.walk((ctl) => {
      const found = perCtl.get(ctl) ?? { alerts: [], notes: [] };
      ctl.messages.show(found.alerts, found.notes);
    });

    // the list at the top, in the form's order (the file's order), not the order they were found
    const order = new Map();
    root.walk((ctl) => order.set(ctl, order.size));
    const inFormOrder = (list) => list
      .map((m, i) => [order.get(targets.get(m)) ?? (m.veld ? Infinity : -1), i, m])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map((entry) => entry[2]);
    const meldingen = document.getElementById("meldingen");
    const blocks = [];
    if (state.requestProblem) {
      blocks.push(h("p", { class: "melding fout verzoek" }, h("strong", { text: "Let op: " }), state.requestProblem.melding));
      if (state.requestProblem.fouten?.length) blocks.push(messageList(state.requestProblem.fouten, "fout", targets));
    }
    if (fouten.length) blocks.push(messageList(inFormOrder(fouten), "fout", targets));
    if (waarschuwingen.length) blocks.push(messageList(inFormOrder(waarschuwingen), "waarschuwing", targets));
    meldingen.replaceChildren(...blocks);

    const summary = document.getElementById("samenvatting");
    const warned = plural(waarschuwingen.length, "waarschuwing", "waarschuwingen");
    if (!fouten.length && !waarschuwingen.length) summary.textContent = "Geen fouten of waarschuwingen: het bestand is geldig.";
    else if (!fouten.length) summary.textContent = `Het bestand is geldig, met ${warned}.`;
    else {
      summary.textContent = `${plural(fouten.length, "fout", "fouten")}${waarschuwingen.length ? ` en ${warned}` : ""}: `
        + "met fouten worden geen documenten gemaakt. Opslaan kan wel.";
    }
    summary.className = `samenvatting ${fouten.length ? "fout" : "goed"}`;

    // klaar voor ondertekening
    const list = document.getElementById("ondertekening");
    const signing = document.getElementById("ondertekening-samenvatting");
    list.replaceChildren(...inFormOrder(r.ondertekening).map((m) => h("li", {}, link(m, targets.get(m), m.melding))));
    if (r.ondertekening.length) {
      const n = r.ondertekening.length;
      signing.textContent = `Voor een definitieve versie ${n === 1 ? "ontbreekt nog 1 punt" : `ontbreken nog ${n} punten`}:`;
      signing.className = "samenvatting open";
    } else if (fouten.length || r.geldig === false) {
      signing.textContent = "Los eerst de fouten op; daarna ziet u hier wat nog nodig is voor ondertekening.";
      signing.className = "samenvatting open";
    } else {
      signing.textContent = "Alles is ingevuld";
      signing.className = "samenvatting goed";
    }

    // counts per section in the navigation
    const inSection = (name) => (m) => m.veld === name || m.veld.startsWith(`${name}.`);
    for (const s of sections) {
      const errors = fouten.filter(inSection(s.name)).length;
      const n = errors + waarschuwingen.filter(inSection(s.name)).length;
      s.count.hidden = n === 0;
      s.count.className = `teller ${errors ? "fout" : "waarschuwing"}`;
      s.count.replaceChildren(String(n), hidden(n === 1 ? " melding" : " meldingen"));
    }
  }

  function messageList(messages, soort, targets) {
    return h("ul", { class: `meldingen-lijst ${soort}` },
      ...messages.map((m) => h("li", { class: `melding ${soort}` }, link(m, targets.get(m)))));
  }

  /** A message as `convenant validate` words it, linking to its field. */
  function link(m, ctl, text = m.tekst) {
    if (!ctl) return h("span", { text });
    const a = h("a", { href: `#${ctl.el.closest("section")?.id ?? "velden"}`, text });
    a.addEventListener("click", (event) => {
      event.preventDefault();
      ctl.el.scrollIntoView({ block: "center" });
      ctl.focus();
    });
    return a;
  }

  function showRequestProblem(problem) {
    state.requestProblem = problem;
    showResult();
  }

  function updateDirty(gegevens) {
    const now = JSON.stringify(gegevens);
    const dirty = now !== state.saved;
    if (dirty !== form.classList.contains("gewijzigd")) {
      form.classList.toggle("gewijzigd", dirty);
      document.title = `${dirty ? "● " : ""}${document.title.replace(/^● /, "")}`;
    }
    document.getElementById("niet-opgeslagen").hidden = !dirty;
    return dirty;
  }

  // --- saving and building -----------------------------------------------------------------------

  async function save() {
    if (state.busy) return;
    setBusy(true, "Bezig met opslaan…");
    const gegevens = collect();
    const response = await post("/api/opslaan", { bestand: state.bestand, gegevens, versie: state.versie });
    setBusy(false);
    if (response.status === 200) {
      state.versie = response.data.versie;
      state.saved = JSON.stringify(gegevens);
      updateDirty(gegevens);
      if (state.requestProblem) showRequestProblem(null);
      const fouten = state.result?.fouten?.length ?? 0;
      announce(`${response.data.melding ?? "Opgeslagen"} om ${clock()} in ${state.bestand}.`
        + (fouten ? ` Het bestand heeft nog ${plural(fouten, "fout", "fouten")}.` : ""));
    } else {
      announce(`Niet opgeslagen: ${response.data.melding}`);
      showRequestProblem({ melding: `Niet opgeslagen. ${response.data.melding}` });
      if (response.status === 409) offerCopy(gegevens);
    }
  }

  /** After a conflict: the user's version as a file of its own, so no work is lost. */
  function offerCopy(gegevens) {
    const button = h("button", { type: "button", class: "knop klein", id: "als-bestand" }, "Mijn versie downloaden");
    button.addEventListener("click", async () => {
      const response = await post("/api/als-bestand", { bestand: state.bestand, gegevens });
      if (response.status !== 200) return;
      const link = h("a", { href: URL.createObjectURL(new Blob([response.data.tekst], { type: "text/yaml" })),
        download: response.data.naam }, response.data.naam);
      document.body.append(link);
      link.click();
      link.remove();
      announce(`Uw versie staat in ${response.data.naam} (in uw map met downloads). Vergelijk die met het bestand en laad de pagina dan opnieuw.`);
    });
    statusEl.append(" ", button);
  }

  async function build(definitief) {
    if (state.busy) return;
    const what = definitief ? "definitieve versie" : "conceptversie";
    setBusy(true, `Bezig met het maken van de ${definitief ? "definitieve documenten" : "conceptdocumenten"}…`);
    const section = document.getElementById("documenten");
    section.setAttribute("aria-busy", "true");
    const response = await post("/api/maken", { bestand: state.bestand, gegevens: collect(), definitief });
    setBusy(false);
    section.removeAttribute("aria-busy");
    const downloads = document.getElementById("downloads");
    const preview = document.getElementById("voorbeeld");
    const uitleg = document.getElementById("documenten-uitleg");
    downloads.replaceChildren();
    preview?.replaceChildren();
    if (response.status !== 200 || response.data.fouten?.length) {
      const melding = response.status !== 200 ? response.data.melding
        : `Er is niets gemaakt: de ${what} heeft ${plural(response.data.fouten.length, "fout", "fouten")}.`;
      showRequestProblem({ melding, fouten: response.data.fouten ?? [] });
      section.hidden = false;
      uitleg.textContent = `${melding} De fouten staan bij Controle, bovenaan.`;
      announce(melding);
      document.getElementById("meldingen").scrollIntoView({ block: "start" });
      return;
    }
    if (state.requestProblem) showRequestProblem(null);
    const docs = response.data.documenten ?? [];
    const stamp = Date.now();
    const unsaved = form.classList.contains("gewijzigd") ? " (nog niet opgeslagen)" : "";
    uitleg.textContent = `${plural(docs.length, "document", "documenten")} gemaakt om ${clock()} `
      + `(${definitief ? "definitief" : "concept"}), uit het formulier zoals het nu is${unsaved}. Klik om te downloaden:`;
    downloads.replaceChildren(...docs.map((d) => h("li", {}, h("a", { href: d.url, download: d.naam, text: d.naam }))));
    if (preview) {
      const pages = response.data.voorbeeld ?? [];
      preview.replaceChildren(...pages.map((url, i) => h("figure", {},
        h("a", { href: `${url}?v=${stamp}`, target: "_blank", rel: "noopener" },
          h("img", { src: `${url}?v=${stamp}`, alt: `Pagina ${i + 1}`, loading: "lazy", width: 248, height: 351 })),
        h("figcaption", { text: `Pagina ${i + 1}` }))));
    }
    section.hidden = false;
    announce(`${plural(docs.length, "document", "documenten")} gemaakt.`);
    const heading = document.getElementById("kop-documenten");
    heading.scrollIntoView({ block: "start" });
    heading.focus();
  }

  function setBusy(busy, text) {
    state.busy = busy;
    for (const id of ["opslaan", "concept", "definitief"]) {
      const b = document.getElementById(id);
      b.setAttribute("aria-disabled", String(busy));
    }
    document.body.classList.toggle("bezig", busy);
    if (busy) announce(text);
  }

  function startForm() {
    statusEl = document.getElementById("status");
    let nodes;
    let data;
    try {
      nodes = JSON.parse(document.getElementById("formulier").textContent);
      data = JSON.parse(document.getElementById("gegevens").textContent) ?? {};
    } catch {
      announce("Het formulier kon niet worden gelezen; laad de pagina opnieuw.");
      return;
    }
    buildForm(nodes, isObject(data) ? data : {});
    state.saved = JSON.stringify(collect());
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", (event) => event.preventDefault());
    document.getElementById("opslaan").addEventListener("click", save);
    document.getElementById("concept").addEventListener("click", () => build(false));
    document.getElementById("definitief").addEventListener("click", () => build(true));
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        save();
      }
    });
    window.addEventListener("beforeunload", (event) => {
      if (form.classList.contains("gewijzigd")) event.preventDefault();
    });
    announce(`${state.bestand} geopend. Wijzigingen worden direct gecontroleerd; Opslaan schrijft ze in het bestand.`);
    check();
  }

  // --- the start page ------------------------------------------------------------------------------

  function startList() {
    const nieuw = document.getElementById("nieuw");
    const input = document.getElementById("nieuw-naam");
    const meldingen = document.getElementById("meldingen");
    nieuw.addEventListener("submit", async (event) => {
      event.preventDefault();
      meldingen.replaceChildren();
      input.removeAttribute("aria-invalid");
      if (!input.value.trim()) {
        fail("Vul de naam van de regio in.");
        return;
      }
      const response = await post("/api/nieuw", { naam: input.value });
      if (response.status === 200 && response.data.url) {
        window.location.assign(response.data.url);
      } else {
        fail(response.data.melding);
      }
    });

    function fail(text) {
      meldingen.replaceChildren(h("p", { class: "melding fout" }, h("strong", { text: "Fout: " }), text));
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  }

  if (form) startForm();
  else if (document.getElementById("nieuw")) startList();
})();
