/*! Samsvar agent console: transfer a case to another team or agent (a modal <dialog>). MIT licence.
 * The native dialog keeps focus inside while open, closes on Escape and gives focus back to
 * the "Transfer" button. */

import { byId, h } from "./dom.js";

export class TransferDialog {
  /** @param {{t: Function, api: object, explain: Function, onDone: Function}} options */
  constructor({ t, api, explain, onDone }) {
    Object.assign(this, { t, api, explain, onDone });
    this.dialog = byId("transfer-dialog");
    this.form = byId("transfer-form");
    this.team = byId("transfer-team");
    this.agent = byId("transfer-agent");
    this.error = byId("transfer-error");
    this.agents = new Map();
    this.form.addEventListener("submit", (e) => (e.preventDefault(), this.submit()));
    this.form.addEventListener("change", () => this.showKind());
    byId("transfer-cancel").addEventListener("click", () => this.dialog.close());
  }

  get kind() {
    return this.form.elements.namedItem("kind").value;
  }

  showKind() {
    byId("transfer-team-row").hidden = this.kind !== "team";
    byId("transfer-agent-row").hidden = this.kind !== "agent";
  }

  async open(c, me) {
    this.case = c;
    this.me = me;
    byId("transfer-heading").textContent = this.t("transferHeading", { number: c.number });
    this.setError("");
    try {
      const { teams, agents } = await this.api.get("teams");
      this.agents = new Map(agents.map((a) => [a.id, a]));
      this.team.replaceChildren(...teams.map((team) => h("option", { value: team.id, selected: team.id === c.team }, team.name || team.id)));
      this.fillAgents();
    } catch (error) {
      this.setError(this.explain(error));
    }
    this.showKind();
    this.dialog.showModal();
    (this.kind === "team" ? this.team : this.agent).focus();
  }

  fillAgents() {
    const others = [...this.agents.values()].filter((a) => !this.me || a.id !== this.me.id);
    this.agent.replaceChildren(...others.map((a) => h("option", { value: a.id, disabled: a.status === "offline" },
      `${a.display_name} · ${this.t(a.status)} · ${a.load}/${a.max_chats} · ${(a.teams || []).join(", ")}`)));
  }

  /** An agent's status changed: keep the list current while the dialog is open. */
  onAgent(agent) {
    if (!this.agents.has(agent.id)) return;
    this.agents.set(agent.id, { ...this.agents.get(agent.id), ...agent });
    if (this.dialog.open) {
      const chosen = this.agent.value;
      this.fillAgents();
      this.agent.value = chosen;
    }
  }

  setError(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
  }

  async submit() {
    const body = this.kind === "team" ? { team: this.team.value } : { agent_id: this.agent.value };
    if (!body.team && !body.agent_id) return;
    try {
      const { case: c } = await this.api.post(`cases/${encodeURIComponent(this.case.id)}/transfer`, body);
      this.dialog.close();
      // `case: null`: the case left what this agent may see; say where it went from what was sent.
      const to = body.agent_id ? this.agents.get(body.agent_id) : null;
      this.onDone(c || { ...this.case, team: body.team || (to && to.teams && to.teams[0]) || this.case.team, agent: to || null, status: to ? "assigned" : "queued" });
    } catch (error) {
      this.setError(this.explain(error));
    }
  }
}
