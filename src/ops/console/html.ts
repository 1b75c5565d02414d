/**
 * The console's template layer: a tagged template that escapes every interpolated value unless it
 * is already {@link SafeHtml}. Members' text can only reach a page through it, so it is always escaped.
 *
 * @example
 * html`<p>${member.text}</p>`           // escaped
 * html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` // arrays of SafeHtml are joined
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

const render = (v: Value): string => {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
};

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup we produced ourselves (never member text). */
export const trusted = (markup: string): SafeHtml => new SafeHtml(markup);

/** JSON for a `<script type="application/json">` block: `<` is escaped so no text can close the tag. */
export const jsonData = (value: unknown): SafeHtml =>
  new SafeHtml(
    JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026'),
  );
