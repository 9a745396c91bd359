// One render function per page. Each returns the page's DOM from the store and the polled
// data; the shell swaps it in on every change (pages are small: tasks are paged).
import { h, table, card, stateLabel, bar, fmt, scalars, chart } from './dom.js';
import { isTerminal } from './store.js';
import { sandboxOf, readFile } from './sandbox.js';

const go = path => { location.hash = path; };
const fid = f => f.framework_info.id.value;
const agentId = a => a.agent_info.id.value;

/** Data fetched for one page (a URL, or an operator call by its type), refreshed when older
 * than `maxAge` milliseconds. */
function fetched(context, url, repaint, maxAge = 3000) {
  context.cache ??= {};
  const entry = context.cache[url];
  if (!entry || (Date.now() - entry.at > maxAge && !entry.loading)) {
    context.cache[url] = { ...(entry || {}), at: Date.now(), loading: true };
    const load = url.startsWith('/') ? fetch(url).then(r => r.json()) : context.postOperator(url);
    load.then(data => {
      context.cache[url] = { data, at: Date.now(), loading: false };
      repaint();
    }).catch(() => { context.cache[url].loading = false; });
  }
  return entry?.data;
}

/** One page of `rows` (50 a page, as Mesos's UI pages them) and the controls to move. */
function paged(rows, requested, goTo, size = 50) {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const page = Math.min(Math.max(0, requested || 0), pages - 1);
  const controls = [
    h('button', { disabled: page === 0, onclick: () => goTo(page - 1) }, '‹'),
    h('span', null, `page ${page + 1} of ${pages}`),
    h('button', { disabled: page >= pages - 1, onclick: () => goTo(page + 1) }, '›'),
  ];
  return { shown: rows.slice(page * size, (page + 1) * size), controls };
}

function waitingFrameworks(context) {
  return (context.waiting?.frameworks || []).filter(f => f.reasons.length > 0 && (f.requested.length > 0 || f.tasks_staging > 0));
}

function reasonList(reasons) {
  return reasons.map(r => h('div', { class: 'reason', 'data-reason': r.reason }, h('b', null, r.reason), ' ', r.message,
    r.until ? h('span', { class: 'muted' }, ` (until ${new Date(r.until * 1000).toLocaleTimeString()})`) : null));
}

function waitingPanel(context) {
  const waiting = waitingFrameworks(context);
  if (waiting.length === 0) return null;
  return h('div', { id: 'waiting-panel' }, h('h2', null, 'Waiting for resources'),
    waiting.map(f => h('div', { class: 'panel', 'data-framework': f.id },
      h('div', null, h('a', { href: `#/framework/${f.id}` }, f.name), ' wants ',
        f.requested.map(r => fmt.scalars(r)).join(' or '), ' and gets no offer because:'),
      reasonList(f.reasons))));
}

export const pages = {
  dashboard: {
    live: true, waiting: true,
    render(context) {
      const { store, metrics: m } = context;
      const byState = store.tasksByState();
      const agents = [...store.agents.values()];
      const frameworks = [...store.frameworks.values()];
      const leader = context.master ? `${context.master.hostname}:${context.master.port}` : '…';
      const resources = ['cpus', 'mem', 'disk', 'gpus'].map(name => {
        const total = m[`master/${name}_total`] || 0, used = m[`master/${name}_used`] || 0;
        const show = name === 'cpus' || name === 'gpus' ? fmt.cpus : fmt.mem;
        return { name, total: show(total), used: show(used), idle: show(Math.max(0, total - used)), fraction: total ? used / total : 0 };
      });
      const states = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED',
        'TASK_KILLED', 'TASK_LOST', 'TASK_ERROR', 'TASK_UNREACHABLE'];
      return h('div', null,
        h('h1', null, 'Cluster'),
        h('div', { class: 'cards' },
          card('Leader', leader, 'leader', true),
          card('Version', context.version || '…', 'version', true),
          card('Uptime', fmt.duration(m['master/uptime_secs']), 'uptime', true),
          card('Agents', agents.filter(a => a.active).length, 'count-agents'),
          card('Frameworks', frameworks.filter(f => f.active).length, 'count-frameworks'),
          card('Tasks running', byState.TASK_RUNNING || 0, 'count-running')),
        h('div', { class: 'grid2' },
          h('div', null, h('h2', null, 'Resources'),
            table([
              { title: 'Resource', value: r => r.name },
              { title: 'Total', value: r => r.total, num: true },
              { title: 'Allocated', value: r => r.used, num: true },
              { title: 'Idle', value: r => r.idle, num: true },
              { title: 'Use', value: r => bar(r.fraction) },
            ], resources, { rowAttrs: r => ({ id: `resource-${r.name}` }) })),
          h('div', null, h('h2', null, 'Use (live)'),
            chart([
              { name: 'cpus', color: '#2463eb', points: context.samples.map(s => s.cpus) },
              { name: 'mem', color: '#16a34a', points: context.samples.map(s => s.mem) },
              { name: 'disk', color: '#d97706', points: context.samples.map(s => s.disk) },
            ], context.sampleCapacity))),
        h('h2', null, 'Tasks by state'),
        h('div', { class: 'cards' }, states.map(s => card(s.replace('TASK_', '').toLowerCase(), byState[s] || 0, `count-${s}`))),
        waitingPanel(context));
    },
  },

  frameworks: {
    waiting: true,
    render(context) {
      const reasons = new Map((context.waiting?.frameworks || []).map(f => [f.id, f]));
      const activeTasks = context.store.activeTasksBy(t => t.framework_id.value);
      const row = f => ({ f, active: activeTasks.get(fid(f)) || 0 });
      const columns = [
        { title: 'ID', value: r => fid(r.f), mono: true },
        { title: 'Name', value: r => r.f.framework_info.name },
        { title: 'Roles', value: r => (r.f.framework_info.roles || [r.f.framework_info.role || '*']).join(', ') },
        { title: 'State', value: r => h('span', { class: `state ${r.f.active ? 'ok' : 'warn'}` }, r.f.active ? 'active' : r.f.connected ? 'inactive' : 'disconnected') },
        { title: 'Active tasks', value: r => r.active, num: true },
        { title: 'CPUs', value: r => fmt.cpus(scalars(r.f.allocated_resources).cpus || 0), num: true },
        { title: 'Mem', value: r => fmt.mem(scalars(r.f.allocated_resources).mem || 0), num: true },
        { title: 'Registered', value: r => fmt.time((r.f.registered_time?.nanoseconds || 0) / 1e9) },
        { title: 'Why no offers', value: r => (reasons.get(fid(r.f))?.reasons || []).map(x => x.reason).join(', ') },
      ];
      const active = [...context.store.frameworks.values()].map(row);
      const done = [...context.store.completedFrameworks.values()].map(row);
      return h('div', null, h('h1', null, 'Frameworks'),
        table(columns, active, { onRow: r => go(`/framework/${fid(r.f)}`), rowAttrs: r => ({ 'data-framework': fid(r.f) }) }),
        h('h2', null, 'Completed'), table(columns.slice(0, 4), done, { empty: 'None.' }));
    },
  },

  agents: {
    render(context, _params, query) {
      const text = (query.get('q') || '').toLowerCase();
      const setQuery = changes => {
        const next = new URLSearchParams({ q: query.get('q') || '', page: query.get('page') || '0', ...changes });
        for (const [key, value] of [...next.entries()]) if (!value || (key === 'page' && value === '0')) next.delete(key);
        location.hash = `/agents?${next}`;
      };
      const agents = [...context.store.agents.values()]
        .filter(a => !text || agentId(a).toLowerCase().includes(text) || a.agent_info.hostname.toLowerCase().includes(text))
        .sort((a, b) => a.agent_info.hostname.localeCompare(b.agent_info.hostname) || agentId(a).localeCompare(agentId(b)));
      const active = context.store.activeTasksBy(t => t.agent_id?.value);
      const { shown, controls } = paged(agents, parseInt(query.get('page') || '0', 10), page => setQuery({ page }));
      return h('div', null, h('h1', null, 'Agents'),
        h('div', { class: 'toolbar' },
          h('input', { id: 'agent-search', type: 'search', placeholder: 'Filter by ID or host', value: query.get('q') || '',
            onchange: e => setQuery({ q: e.target.value, page: 0 }) }),
          h('span', { class: 'spacer' }), h('span', { class: 'muted' }, `${agents.length} agent(s)`), controls),
        table([
          { title: 'ID', value: a => agentId(a), mono: true },
          { title: 'Host', value: a => a.agent_info.hostname },
          { title: 'State', value: a => h('span', { class: `state ${a.deactivated ? 'warn' : 'ok'}` }, a.drain_info ? 'draining' : a.deactivated ? 'deactivated' : 'active') },
          { title: 'Tasks', value: a => active.get(agentId(a)) || 0, num: true },
          { title: 'CPUs (used / total)', value: a => `${fmt.cpus(scalars(a.allocated_resources).cpus || 0)} / ${fmt.cpus(scalars(a.total_resources).cpus || 0)}`, num: true },
          { title: 'Mem (used / total)', value: a => `${fmt.mem(scalars(a.allocated_resources).mem || 0)} / ${fmt.mem(scalars(a.total_resources).mem || 0)}`, num: true },
          { title: 'Use', value: a => bar((scalars(a.allocated_resources).cpus || 0) / (scalars(a.total_resources).cpus || 1)) },
          { title: 'Registered', value: a => fmt.time((a.registered_time?.nanoseconds || 0) / 1e9) },
        ], shown, { onRow: a => go(`/tasks?agent=${agentId(a)}`), rowAttrs: a => ({ 'data-agent': agentId(a) }) }));
    },
  },

  roles: {
    live: true,
    render(context, _params, _query, { repaint }) {
      const data = fetched(context, '/master/roles', repaint);
      const m = context.metrics;
      const roles = data?.roles || [];
      return h('div', null, h('h1', null, 'Roles'),
        table([
          { title: 'Role', value: r => r.name },
          { title: 'Weight', value: r => r.weight ?? 1, num: true },
          { title: 'Frameworks', value: r => (r.frameworks || []).length, num: true },
          { title: 'Allocated', value: r => fmt.scalars(r.resources || r.allocated) },
          { title: 'Quota guarantee', value: r => fmt.scalars(r.quota?.guarantee) || '–' },
          { title: 'Quota limit', value: r => fmt.scalars(r.quota?.limit) || '–' },
          { title: 'Dominant share', value: r => {
            const share = m[`allocator/mesos/roles/${r.name}/shares/dominant`];
            return share == null ? '–' : h('span', null, `${(share * 100).toFixed(1)}% `, bar(share));
          } },
        ], roles, { empty: data ? 'No roles yet.' : 'Loading…' }));
    },
  },

  offers: {
    live: true,
    render(context, _params, _query, { repaint }) {
      const data = fetched(context, 'GET_FRAMEWORKS', repaint, 2000);
      const offers = (data?.get_frameworks?.frameworks || []).flatMap(f =>
        (f.offers || []).map(o => ({ ...o, framework_name: f.framework_info.name, scalars: scalars(o.resources) })));
      return h('div', null, h('h1', null, 'Outstanding offers'),
        table([
          { title: 'Offer', value: o => o.id.value, mono: true },
          { title: 'Framework', value: o => o.framework_name },
          { title: 'Agent', value: o => o.agent_id.value, mono: true },
          { title: 'Host', value: o => o.hostname },
          { title: 'CPUs', value: o => fmt.cpus(o.scalars.cpus), num: true },
          { title: 'Mem', value: o => fmt.mem(o.scalars.mem), num: true },
          { title: 'Disk', value: o => fmt.mem(o.scalars.disk), num: true },
          { title: 'Unavailable from', value: o => o.unavailability ? fmt.time(o.unavailability.start.nanoseconds / 1e9) : '' },
        ], offers, { empty: data ? 'No outstanding offers.' : 'Loading…', rowAttrs: o => ({ 'data-offer': o.id.value }) }));
    },
  },

  tasks: {
    waiting: true,
    render(context, _params, query) {
      const store = context.store;
      const filter = {
        state: query.get('state') || 'active', framework: query.get('framework') || '',
        agent: query.get('agent') || '', text: query.get('q') || '', page: parseInt(query.get('page') || '0', 10),
      };
      const setQuery = changes => {
        const next = new URLSearchParams({ ...filter, ...changes });
        for (const [key, value] of [...next.entries()]) if (!value || (key === 'page' && value === '0')) next.delete(key);
        location.hash = `/tasks?${next}`;
      };
      const text = filter.text.toLowerCase();
      const all = [...store.tasks.values()].filter(t =>
        (filter.state === 'all' || (filter.state === 'active' ? !isTerminal(t.state) : filter.state === 'completed' ? isTerminal(t.state) : t.state === filter.state))
        && (!filter.framework || t.framework_id.value === filter.framework)
        && (!filter.agent || t.agent_id?.value === filter.agent)
        && (!text || t.task_id.value.toLowerCase().includes(text) || (t.name || '').toLowerCase().includes(text)));
      all.sort((a, b) => lastUpdate(b) - lastUpdate(a));
      const { shown, controls } = paged(all, filter.page, page => setQuery({ page }));
      const states = ['active', 'all', 'completed', 'TASK_STAGING', 'TASK_RUNNING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_ERROR'];
      const frameworks = [...store.frameworks.values(), ...store.completedFrameworks.values()];
      return h('div', null, h('h1', null, 'Tasks'),
        waitingPanel(context),
        h('div', { class: 'toolbar' },
          h('input', { id: 'task-search', type: 'search', placeholder: 'Filter by ID or name', value: filter.text,
            onchange: e => setQuery({ q: e.target.value, page: 0 }) }),
          h('select', { id: 'task-state', onchange: e => setQuery({ state: e.target.value, page: 0 }) },
            states.map(s => h('option', { value: s, selected: s === filter.state }, s.replace('TASK_', '')))),
          h('select', { id: 'task-framework', onchange: e => setQuery({ framework: e.target.value, page: 0 }) },
            h('option', { value: '' }, 'all frameworks'),
            frameworks.map(f => h('option', { value: fid(f), selected: fid(f) === filter.framework }, f.framework_info.name))),
          filter.agent ? h('span', { class: 'muted' }, `agent ${filter.agent} `, h('a', { href: '#/tasks', onclick: e => { e.preventDefault(); setQuery({ agent: '' }); } }, '×')) : null,
          h('span', { class: 'spacer' }),
          h('span', { class: 'muted', id: 'task-count' }, `${all.length} task(s)`), controls),
        table([
          { title: 'ID', value: t => t.task_id.value, mono: true },
          { title: 'Name', value: t => t.name },
          { title: 'State', value: t => stateLabel(t.state) },
          { title: 'Framework', value: t => store.frameworks.get(t.framework_id.value)?.framework_info.name || t.framework_id.value },
          { title: 'Host', value: t => store.agents.get(t.agent_id?.value)?.agent_info.hostname || '–' },
          { title: 'CPUs', value: t => fmt.cpus(scalars(t.resources).cpus), num: true },
          { title: 'Mem', value: t => fmt.mem(scalars(t.resources).mem), num: true },
          { title: 'Updated', value: t => fmt.time(lastUpdate(t)) },
          { title: '', value: t => h('a', { href: `#/sandbox/${t.framework_id.value}/${encodeURIComponent(t.task_id.value)}`, onclick: e => e.stopPropagation() }, 'sandbox') },
        ], shown, {
          onRow: t => go(`/task/${t.framework_id.value}/${encodeURIComponent(t.task_id.value)}`),
          rowAttrs: t => ({ 'data-task-id': t.task_id.value, 'data-state': t.state }),
          empty: store.loaded ? 'No tasks match.' : 'Loading…',
        }));
    },
  },

  task: {
    render(context, [frameworkId, taskId], _query, { repaint }) {
      const task = context.store.tasks.get(`${frameworkId}/${taskId}`);
      if (!task) return h('div', null, h('h1', null, `Task ${taskId}`), h('p', { class: 'muted' }, context.store.loaded ? 'No such task (it may have been trimmed from the completed list).' : 'Loading…'));
      const statuses = task.statuses || [];
      const last = statuses[statuses.length - 1] || {};
      const failed = ['TASK_FAILED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE'].includes(task.state);
      let failure = null;
      if (failed) {
        const tail = stderrTail(context, task, repaint);
        failure = h('div', { class: 'failure', id: 'failure' },
          h('div', null, h('b', null, last.reason || task.state), ' ', last.message || ''),
          tail == null ? null : h('pre', { class: 'log', id: 'stderr-tail', style: 'min-height:0' }, tail || '(stderr is empty)'));
      }
      const agent = context.store.agents.get(task.agent_id?.value);
      return h('div', null, h('h1', null, `Task ${taskId}`),
        failure,
        h('div', { class: 'panel' }, h('dl', { class: 'fields' },
          h('dt', null, 'Name'), h('dd', null, task.name),
          h('dt', null, 'State'), h('dd', { id: 'task-state' }, stateLabel(task.state)),
          h('dt', null, 'Framework'), h('dd', { class: 'mono' }, frameworkId),
          h('dt', null, 'Agent'), h('dd', { class: 'mono' }, task.agent_id?.value || '–', agent ? ` (${agent.agent_info.hostname})` : ''),
          h('dt', null, 'Resources'), h('dd', null, fmt.scalars(scalars(task.resources))),
          h('dt', null, 'Sandbox'), h('dd', null, h('a', { href: `#/sandbox/${frameworkId}/${encodeURIComponent(taskId)}` }, 'browse stdout and stderr')))),
        h('h2', null, 'Status history'),
        table([
          { title: 'Time', value: s => fmt.time(s.timestamp) },
          { title: 'State', value: s => stateLabel(s.state) },
          { title: 'Source', value: s => (s.source || '').replace('SOURCE_', '').toLowerCase() },
          { title: 'Reason', value: s => s.reason || '' },
          { title: 'Message', value: s => s.message || '' },
        ], statuses, { rowAttrs: s => ({ 'data-status': s.state }) }));
    },
  },

  sandbox: {
    static: true,
    render(context, [frameworkId, taskId], query, { setDisposer }, fresh) {
      if (!fresh) return null;
      const file = query.get('file') === 'stderr' ? 'stderr' : 'stdout';
      const output = h('pre', { class: 'log', id: 'sandbox-output' }, '');
      const status = h('div', { class: 'muted', id: 'sandbox-status' }, 'Finding the sandbox…');
      const listing = h('div', { id: 'sandbox-files' });
      const tab = name => h('a', { href: `#/sandbox/${frameworkId}/${encodeURIComponent(taskId)}?file=${name}`, class: name === file ? 'current' : null }, name);
      let stopped = false;
      let timer = null;
      setDisposer(() => { stopped = true; clearTimeout(timer); });
      (async () => {
        const task = await waitForTask(context.store, frameworkId, taskId, () => stopped);
        if (!task) { status.textContent = 'No such task.'; return; }
        const endpoint = context.store.agentEndpoint(task.agent_id?.value);
        if (!endpoint) { status.textContent = 'The task\'s agent is not registered.'; return; }
        const sandbox = await sandboxOf(endpoint, taskId).catch(e => ({ error: e.message }));
        if (sandbox.error) { status.textContent = sandbox.error; return; }
        listing.replaceChildren(table([
          { title: 'File', value: f => f.path.split('/').pop() },
          { title: 'Size', value: f => `${f.size} B`, num: true },
          { title: 'Modified', value: f => fmt.time(f.mtime) },
        ], sandbox.files));
        status.textContent = `${endpoint}:${sandbox.directory}/${file} (following)`;
        let offset = -1;
        const follow = async () => {
          if (stopped) return;
          try {
            const chunk = await readFile(endpoint, `${sandbox.directory}/${file}`, offset);
            if (offset < 0) offset = Math.max(0, chunk.offset - 65536);
            else if (chunk.data) {
              output.textContent += chunk.data;
              offset += new TextEncoder().encode(chunk.data).length;
              output.scrollTop = output.scrollHeight;
            }
            if (offset >= 0 && chunk.data === undefined) { /* size probe only */ }
          } catch (error) {
            status.textContent = `Reading ${file}: ${error.message}`;
          }
          timer = setTimeout(follow, offset >= 0 && output.textContent === '' ? 100 : 1000);
        };
        follow();
      })();
      return h('div', null, h('h1', null, `Sandbox of ${taskId}`),
        h('div', { class: 'tabs' }, tab('stdout'), tab('stderr'), h('a', { href: `#/task/${frameworkId}/${encodeURIComponent(taskId)}` }, 'task')),
        status, output, h('h2', null, 'Files'), listing);
    },
  },

  waiting: {
    waiting: true,
    render(context) {
      const data = context.waiting;
      if (!data) return h('div', null, h('h1', null, 'Why frameworks wait'), h('p', { class: 'muted' }, 'Loading…'));
      return h('div', null, h('h1', null, 'Why frameworks wait'),
        h('p', { class: 'muted' }, 'What keeps offers from each framework, as the allocator sees it now.'),
        data.frameworks.map(f => h('div', { class: 'panel', style: 'margin-bottom:10px', 'data-framework': f.id },
          h('div', null, h('b', null, f.name), ' ', h('span', { class: 'mono muted' }, f.id), ' · roles ', f.roles.join(', '),
            f.requested.length ? ` · wants ${f.requested.map(r => fmt.scalars(r)).join(' or ')}` : ''),
          f.reasons.length ? reasonList(f.reasons) : h('div', { class: 'muted' }, 'Nothing keeps offers from it.'))),
        h('h2', null, 'Refused subscriptions'),
        table([
          { title: 'Time', value: r => fmt.time(r.time) },
          { title: 'Framework', value: r => r.name },
          { title: 'Roles', value: r => r.roles.join(', ') },
          { title: 'Reason', value: r => r.reason },
          { title: 'Message', value: r => r.message },
        ], data.refused_subscriptions, { empty: 'None.' }));
    },
  },

  notFound: {
    render() { return h('div', null, h('h1', null, 'Not found'), h('a', { href: '#/' }, 'Back to the dashboard')); },
  },
};
pages.framework = {
  waiting: true,
  render(context, [id]) {
    const store = context.store;
    const framework = store.frameworks.get(id) || store.completedFrameworks.get(id);
    if (!framework) return h('div', null, h('h1', null, `Framework ${id}`), h('p', { class: 'muted' }, store.loaded ? 'No such framework.' : 'Loading…'));
    const info = framework.framework_info;
    const waiting = (context.waiting?.frameworks || []).find(f => f.id === id);
    const tasks = store.tasksOf(id);
    return h('div', null, h('h1', null, `Framework ${info.name}`),
      h('div', { class: 'panel' }, h('dl', { class: 'fields' },
        h('dt', null, 'ID'), h('dd', { class: 'mono' }, id),
        h('dt', null, 'Roles'), h('dd', null, (info.roles || [info.role || '*']).join(', ')),
        h('dt', null, 'User'), h('dd', null, info.user || '–'),
        h('dt', null, 'Hostname'), h('dd', null, info.hostname || '–'),
        h('dt', null, 'State'), h('dd', null, framework.active ? 'active' : framework.connected ? 'inactive' : 'disconnected'),
        h('dt', null, 'Failover timeout'), h('dd', null, info.failover_timeout ? fmt.duration(info.failover_timeout) : '0s'),
        h('dt', null, 'Allocated'), h('dd', null, fmt.scalars(scalars(framework.allocated_resources)) || '–'),
        h('dt', null, 'Offered'), h('dd', null, fmt.scalars(scalars(framework.offered_resources)) || '–'),
        h('dt', null, 'Tasks'), h('dd', null, h('a', { href: `#/tasks?framework=${id}&state=all` },
          `${tasks.filter(t => !isTerminal(t.state)).length} active, ${tasks.length} in all`)))),
      h('h2', null, 'Why no offers'),
      waiting && waiting.reasons.length ? reasonList(waiting.reasons) : h('p', { class: 'muted' }, 'Nothing keeps offers from it.'));
  },
};

function lastUpdate(task) {
  const statuses = task.statuses || [];
  return statuses.length ? statuses[statuses.length - 1].timestamp : 0;
}

/** The last lines of a failed task's stderr, fetched once per task. */
function stderrTail(context, task, repaint) {
  context.stderrTails ??= new Map();
  const key = `${task.framework_id.value}/${task.task_id.value}`;
  if (!context.stderrTails.has(key)) {
    context.stderrTails.set(key, null);
    const endpoint = context.store.agentEndpoint(task.agent_id?.value);
    if (endpoint) {
      sandboxOf(endpoint, task.task_id.value)
        .then(s => readFile(endpoint, `${s.directory}/stderr`, -1).then(size =>
          readFile(endpoint, `${s.directory}/stderr`, Math.max(0, size.offset - 4096), 4096)))
        .then(chunk => { context.stderrTails.set(key, chunk.data.split('\n').slice(-20).join('\n')); repaint(); })
        .catch(() => {});
    }
  }
  return context.stderrTails.get(key);
}

async function waitForTask(store, frameworkId, taskId, stopped) {
  for (let i = 0; i < 100 && !stopped(); i++) {
    const task = store.tasks.get(`${frameworkId}/${taskId}`);
    if (task) return task;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  return null;
}
