// Table chat: the lines heard since joining and a box to say one, as long
// as the server's `hello` says it takes. Text is always set as text, never
// parsed as markup.
import { type Ctx, refusal } from "./app.js";
import { h } from "./dom.js";

export function chatPanel(ctx: Ctx, table: string): { el: HTMLElement; line(from: string, text: string): void } {
  const lines = h("ol", { class: "chat-lines", "aria-live": "polite", "aria-label": "Chat" });
  const error = h("p", { class: "chat-error", role: "alert" });
  const input = h("input", { name: "text", "aria-label": "Chat message", maxlength: ctx.client.hello?.chat_max_chars ?? 200, autocomplete: "off" });
  const form = h(
    "form",
    {
      class: "chat-form",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const text = input.value.trim();
        if (!text) return;
        try {
          await ctx.client.chat(table, text);
          input.value = "";
          error.textContent = "";
        } catch (err) {
          error.textContent = refusal(err);
        }
      },
    },
    input,
    h("button", { type: "submit" }, "Say"),
  );
  const el = h("section", { class: "chat", "aria-label": "Table chat" }, h("h2", {}, "Chat"), lines, error, form);
  return {
    el,
    line(from, text) {
      lines.append(h("li", {}, h("b", {}, from === ctx.me.username ? "you" : from), ": ", text));
      while (lines.children.length > 100) lines.firstElementChild?.remove();
      lines.scrollTop = lines.scrollHeight;
    },
  };
}
