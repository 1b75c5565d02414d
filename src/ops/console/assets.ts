/**
 * The console's stylesheet and its one small script, served from the bot itself (no CDN), and
 * Chart.js from node_modules. Kept as modules so the compiled build carries them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Chart.js's self-contained browser build, read once. */
export function chartJs(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

// Contrast: text #1b1b1b on #fff, links #0b57a4, muted #545454 (all above 4.5:1 on white).
export const CSS = `
:root { color-scheme: light; --fg: #1b1b1b; --muted: #545454; --link: #0b57a4; --line: #d0d0d0;
  --bg2: #f4f5f7; --ok: #1d6b35; --bad: #a4161a; --accent: #0b57a4; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible {
  outline: 3px solid #f0b400; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 2; }
header { background: #17324d; color: #fff; padding: 8px 12px; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
header .brand { font-weight: 700; margin-right: auto; color: #fff; text-decoration: none; }
header nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 0; padding: 0; }
header nav a { color: #fff; text-decoration: none; padding: 6px 2px; display: inline-block; }
header nav a[aria-current="page"] { border-bottom: 3px solid #f0b400; }
header form { margin: 0; }
header button { background: transparent; color: #fff; border: 1px solid #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 12px; }
h1 { font-size: 1.5rem; margin: 8px 0 12px; } h2 { font-size: 1.2rem; margin: 20px 0 8px; }
.who { color: var(--muted); font-size: .9rem; margin: 0 0 8px; }
.grid { display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px; background: #fff; min-width: 0; }
.card h2 { margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg2); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
button, .button { font: inherit; padding: 8px 12px; min-height: 44px; border-radius: 6px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
label { display: block; font-weight: 600; margin: 8px 0 4px; }
input, select, textarea { font: inherit; padding: 8px; border: 1px solid #767676; border-radius: 6px; width: 100%; max-width: 100%; background: #fff; color: var(--fg); }
textarea { min-height: 6em; }
.hint { color: var(--muted); font-size: .9rem; margin: 2px 0 8px; }
.row { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; }
.row > * { flex: 1 1 160px; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.actions form { margin: 0; display: flex; flex-wrap: wrap; gap: 6px; align-items: flex-end; }
.flash { border-left: 4px solid var(--ok); background: #eef7f0; padding: 8px 12px; margin: 8px 0; }
.flash.error { border-color: var(--bad); background: #fbeeee; }
.question { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; margin: 10px 0; }
.question blockquote { margin: 0 0 6px; font-size: 1.05rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.meta { color: var(--muted); font-size: .9rem; }
.preview { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg2); padding: 8px; border-radius: 6px; }
.cal { table-layout: fixed; font-size: .85rem; }
.cal td { border: 1px solid var(--line); height: 64px; padding: 2px 4px; overflow-wrap: anywhere; }
.cal th { text-align: center; }
.cal td.out { background: var(--bg2); color: var(--muted); }
.cal ul { list-style: none; margin: 0; padding: 0; }
.cal li.tip { color: #1d5b2f; } .cal li.post { color: #0b3f75; font-weight: 600; }
.chart-box { position: relative; height: 240px; }
.ok { color: var(--ok); } .bad { color: var(--bad); }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 600px) { body { font-size: 15px; } main { padding: 8px; } .cal { font-size: .7rem; } .cal td { height: 48px; padding: 1px; } }
`;

/**
 * Draws the overview's charts from the JSON block the page carries (the tables beside them hold
 * the same numbers for screen readers and for browsers without script), and keeps a form's
 * time-zone hint in view. No inline script anywhere: the CSP allows only this file and Chart.js.
 */
export const SCRIPT = `
(function () {
  var data = document.getElementById('chart-data');
  if (!data || !window.Chart) return;
  var charts = JSON.parse(data.textContent || '{}');
  var palette = ['#0b57a4', '#e08e0b', '#6c3bb0', '#a4161a', '#1d6b35', '#5b6770', '#b5179e'];
  Object.keys(charts).forEach(function (id) {
    var c = charts[id];
    var el = document.getElementById(id);
    if (!el) return;
    new window.Chart(el, {
      type: c.type,
      data: { labels: c.labels, datasets: c.series.map(function (s, i) {
        return { label: s.label, data: s.data, backgroundColor: s.color || palette[i % palette.length],
          borderColor: s.color || palette[i % palette.length] };
      }) },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: c.horizontal ? 'y' : 'x',
        plugins: { legend: { display: c.series.length > 1, position: 'bottom' } },
        scales: c.type === 'doughnut' ? {} : { x: { stacked: !!c.stacked }, y: { stacked: !!c.stacked, beginAtZero: true, ticks: { precision: 0 } } } }
    });
  });
})();
`;
