// The UI's shell: the operator stream, a light poll of the metrics for the live chart, and a
// hash router that repaints the current page when something changes.
import { Store } from './store.js';
import { pages } from './pages.js';

const store = new Store();
const samples = [];           // the last minutes of use, one sample per poll
const SAMPLE_CAPACITY = 90;
const context = { store, samples, sampleCapacity: SAMPLE_CAPACITY, metrics: {}, master: null, waiting: null };

async function postOperator(type) {
  const response = await fetch('/api/v1', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ type }),
  });
  if (!response.ok) throw new Error(`${type}: ${response.status}`);
  return response.json();
}
context.postOperator = postOperator;

async function pollMetrics() {
  try {
    const metrics = await (await fetch('/metrics/snapshot')).json();
    context.metrics = metrics;
    samples.push({
      cpus: metrics['master/cpus_percent'] || 0,
      mem: metrics['master/mem_percent'] || 0,
      disk: metrics['master/disk_percent'] || 0,
    });
    if (samples.length > SAMPLE_CAPACITY) samples.shift();
    if (current.live) repaint();
  } catch (error) {
    console.warn('metrics', error);
  }
}

async function pollWaiting() {
  if (!current.waiting) return;  // only pages that show it
  try {
    context.waiting = await (await fetch('/master/waiting')).json();
    if (current.waiting) repaint();
  } catch (error) {
    console.warn('waiting', error);
  }
}

let current = { page: null, params: [] };
let disposer = null;

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const name = parts[0] || 'dashboard';
  const page = pages[name] || pages.notFound;
  current = { page, params: parts.slice(1), query: new URLSearchParams(query), live: page.live, waiting: page.waiting };
  for (const link of document.querySelectorAll('#nav a')) {
    const target = link.getAttribute('href').replace(/^#\/?/, '') || 'dashboard';
    link.classList.toggle('current', target === name || (name === 'task' && target === 'tasks')
      || (name === 'sandbox' && target === 'tasks'));
  }
  if (disposer) { disposer(); disposer = null; }
  repaint(true);
  if (page.waiting) pollWaiting();
}

/** Rebuilds the view, keeping focus and scroll where the user had them. */
function repaint(fresh) {
  const view = document.getElementById('view');
  const active = document.activeElement;
  const focusId = active && view.contains(active) ? active.id : null;
  const caret = focusId && active.selectionStart;
  const scroll = window.scrollY;
  const built = current.page.render(context, current.params, current.query, { repaint, setDisposer: d => { disposer = d; } }, fresh);
  if (built === null) return;  // the page updates itself in place
  view.replaceChildren(built);
  if (focusId) {
    const again = document.getElementById(focusId);
    if (again) { again.focus(); if (caret != null && again.setSelectionRange) again.setSelectionRange(caret, caret); }
  }
  if (!fresh) window.scrollTo(0, scroll);
}

store.addEventListener('change', () => { if (!current.page?.static) repaint(); });
store.addEventListener('connection', () => {
  const badge = document.getElementById('connection');
  badge.textContent = store.connected ? 'live' : 'reconnecting…';
  badge.className = `connection ${store.connected ? 'live' : 'down'}`;
});
window.addEventListener('hashchange', route);

postOperator('GET_MASTER').then(m => { context.master = m.get_master?.master_info; repaint(); }).catch(() => {});
fetch('/version').then(r => r.json()).then(v => { context.version = v.version; repaint(); }).catch(() => {});
route();
store.run();
pollMetrics();
setInterval(pollMetrics, 2000);
setInterval(pollWaiting, 3000);
