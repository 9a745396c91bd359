// Small DOM and formatting helpers shared by every page; no framework.

/** Builds an element: h('td', {class: 'num'}, 'text', childNode, [more]). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A table from column specs {title, value(row) -> node|string, num} and rows. */
export function table(columns, rows, { onRow, rowAttrs, empty = 'Nothing to show.' } = {}) {
  const head = h('tr', null, columns.map(c => h('th', { class: c.num ? 'num' : null }, c.title)));
  const body = rows.length === 0
    ? [h('tr', null, h('td', { colspan: columns.length, class: 'muted' }, empty))]
    : rows.map(row => h('tr', {
        class: onRow ? 'link' : null, onclick: onRow ? () => onRow(row) : null, ...(rowAttrs ? rowAttrs(row) : {}),
      }, columns.map(c => h('td', { class: c.num ? 'num' : c.mono ? 'mono' : null }, c.value(row)))));
  return h('table', null, h('thead', null, head), h('tbody', null, body));
}

export function card(label, value, id, small) {
  return h('div', { class: 'card' }, h('div', { class: 'label' }, label),
    h('div', { class: small ? 'value small' : 'value', id }, value));
}

export function stateLabel(state) {
  return h('span', { class: `state ${state}` }, (state || '').replace(/^TASK_/, ''));
}

export function bar(fraction) {
  const pct = Math.max(0, Math.min(1, fraction || 0)) * 100;
  return h('div', { class: 'bar', title: `${pct.toFixed(1)}%` }, h('span', { style: `width:${pct}%` }));
}

export const fmt = {
  cpus: v => (v == null ? '–' : (Math.round(v * 100) / 100).toString()),
  mem: mb => {
    if (mb == null) return '–';
    if (mb >= 1024 * 1024) return `${(mb / 1024 / 1024).toFixed(1)} TB`;
    if (mb >= 1024) return `${(mb / 1024).toFixed(1)} GB`;
    return `${Math.round(mb)} MB`;
  },
  time: seconds => (seconds ? new Date(seconds * 1000).toLocaleString() : '–'),
  duration: seconds => {
    seconds = Math.max(0, Math.floor(seconds || 0));
    const d = Math.floor(seconds / 86400), hr = Math.floor(seconds / 3600) % 24;
    const m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    return d ? `${d}d ${hr}h` : hr ? `${hr}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
  },
  scalars: map => Object.entries(map || {}).sort().map(([k, v]) => `${k}: ${k === 'mem' || k === 'disk' ? fmt.mem(v) : fmt.cpus(v)}`).join(', '),
};

/** The scalar resources of a v1 resource list as {name: value}. */
export function scalars(resources) {
  const out = {};
  for (const r of resources || []) if (r.type === 'SCALAR' || r.scalar) out[r.name] = (out[r.name] || 0) + (r.scalar?.value || 0);
  return out;
}

/** A live line chart of series [{name, color, points: [0..1]}] as inline SVG. */
export function chart(series, capacity) {
  const w = 600, hgt = 150, ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'chart');
  for (const y of [0.25, 0.5, 0.75]) {
    const line = document.createElementNS(ns, 'line');
    Object.entries({ x1: 0, x2: w, y1: hgt * y, y2: hgt * y, stroke: '#eceff3' }).forEach(([k, v]) => line.setAttribute(k, v));
    svg.append(line);
  }
  for (const s of series) {
    const step = w / Math.max(1, capacity - 1);
    const offset = capacity - s.points.length;
    const path = s.points.map((p, i) => `${((offset + i) * step).toFixed(1)},${(hgt - 4 - p * (hgt - 8)).toFixed(1)}`).join(' ');
    const line = document.createElementNS(ns, 'polyline');
    Object.entries({ points: path, fill: 'none', stroke: s.color, 'stroke-width': 2 }).forEach(([k, v]) => line.setAttribute(k, v));
    svg.append(line);
  }
  const legend = h('div', { class: 'legend' }, series.map(s => h('span', null, h('i', { style: `background:${s.color}` }), s.name)));
  return h('div', null, svg, legend);
}
