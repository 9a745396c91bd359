// The cluster as the master's operator event stream describes it. One SUBSCRIBE call gives
// the whole state, then every change as it happens, so no page ever re-polls /master/state.

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_ERROR',
  'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR']);
/** Completed tasks kept per framework, as the master keeps them. */
const COMPLETED_PER_FRAMEWORK = 1000;

export const isTerminal = state => TERMINAL.has(state);
export const taskKey = (frameworkId, taskId) => `${frameworkId}/${taskId}`;

export class Store extends EventTarget {
  constructor() {
    super();
    this.reset();
    this.connected = false;
  }

  reset() {
    this.tasks = new Map();       // key -> v1 Task (live and completed)
    this.agents = new Map();      // agent id -> v1 Agent
    this.frameworks = new Map();  // framework id -> v1 Framework
    this.completedFrameworks = new Map();
    this.completedOrder = new Map(); // framework id -> keys of its completed tasks, oldest first
    this.loaded = false;
  }

  /** Subscribes, and subscribes again after any break (a leader change, a restart). */
  async run() {
    for (;;) {
      try {
        await this.subscribe();
      } catch (error) {
        console.warn('operator stream ended', error);
      }
      this.setConnected(false);
      await new Promise(resolve => setTimeout(resolve, 2000));
      await this.followLeader();
    }
  }

  /** After a break: if this master no longer leads, load the page again from it, which
   * redirects the browser to the new leader. */
  async followLeader() {
    try {
      const metrics = await (await fetch('/metrics/snapshot')).json();
      if (metrics['master/elected'] === 0) location.assign('/' + location.hash);
    } catch (error) {
      // This master is down; keep trying it.
    }
  }

  setConnected(value) {
    this.connected = value;
    this.dispatchEvent(new Event('connection'));
  }

  async subscribe() {
    const response = await fetch('/api/v1', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ type: 'SUBSCRIBE' }),
    });
    if (!response.ok || !response.body) throw new Error(`SUBSCRIBE answered ${response.status}`);
    this.setConnected(true);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = new Uint8Array(0);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer = concat(buffer, value);
      // RecordIO: "<length>\n<length bytes of JSON>", repeated.
      for (;;) {
        const newline = buffer.indexOf(10);
        if (newline < 0) break;
        const length = parseInt(decoder.decode(buffer.subarray(0, newline)), 10);
        if (buffer.length < newline + 1 + length) break;
        const record = decoder.decode(buffer.subarray(newline + 1, newline + 1 + length));
        buffer = buffer.slice(newline + 1 + length);
        this.apply(JSON.parse(record));
      }
    }
  }

  apply(event) {
    switch (event.type) {
      case 'SUBSCRIBED': this.load(event.subscribed.get_state); break;
      case 'TASK_ADDED': this.putTask(event.task_added.task); break;
      case 'TASK_UPDATED': this.updateTask(event.task_updated); break;
      case 'AGENT_ADDED': this.agents.set(event.agent_added.agent.agent_info.id.value, event.agent_added.agent); break;
      case 'AGENT_REMOVED': this.agents.delete(event.agent_removed.agent_id.value); break;
      case 'FRAMEWORK_ADDED': this.putFramework(event.framework_added.framework); break;
      case 'FRAMEWORK_UPDATED': this.putFramework(event.framework_updated.framework); break;
      case 'FRAMEWORK_REMOVED': this.removeFramework(event.framework_removed.framework_info); break;
      case 'HEARTBEAT': return;
      default: return;
    }
    this.changed();
  }

  load(state) {
    this.reset();
    for (const agent of state.get_agents?.agents || []) this.agents.set(agent.agent_info.id.value, agent);
    for (const fw of state.get_frameworks?.frameworks || []) this.frameworks.set(fw.framework_info.id.value, fw);
    for (const fw of state.get_frameworks?.completed_frameworks || []) this.completedFrameworks.set(fw.framework_info.id.value, fw);
    const tasks = state.get_tasks || {};
    for (const list of [tasks.tasks, tasks.completed_tasks, tasks.unreachable_tasks]) {
      for (const task of list || []) {
        this.tasks.set(taskKey(task.framework_id.value, task.task_id.value), task);
        if (isTerminal(task.state)) this.noteCompleted(task.framework_id.value, taskKey(task.framework_id.value, task.task_id.value));
      }
    }
    this.loaded = true;
  }

  putTask(task) {
    this.tasks.set(taskKey(task.framework_id.value, task.task_id.value), task);
  }

  updateTask({ framework_id: frameworkId, status, state }) {
    const key = taskKey(frameworkId.value, status.task_id.value);
    const task = this.tasks.get(key);
    if (!task) return;
    const wasTerminal = isTerminal(task.state);
    task.state = state;
    task.statuses = [...(task.statuses || []), status];
    if (isTerminal(state) && !wasTerminal) this.noteCompleted(frameworkId.value, key);
  }

  /** Keeps the newest completed tasks of each framework, as the master does. */
  noteCompleted(frameworkId, key) {
    const order = this.completedOrder.get(frameworkId) || [];
    order.push(key);
    this.completedOrder.set(frameworkId, order);
    while (order.length > COMPLETED_PER_FRAMEWORK) this.tasks.delete(order.shift());
  }

  putFramework(framework) {
    this.frameworks.set(framework.framework_info.id.value, framework);
  }

  removeFramework(info) {
    const id = info.id.value;
    const framework = this.frameworks.get(id);
    this.frameworks.delete(id);
    if (framework) this.completedFrameworks.set(id, { ...framework, active: false, connected: false });
  }

  /** Coalesces bursts of events into one repaint. */
  changed() {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.dispatchEvent(new Event('change'));
    }, 150);
  }

  // Views of the model the pages share.

  tasksByState() {
    const counts = {};
    for (const task of this.tasks.values()) counts[task.state] = (counts[task.state] || 0) + 1;
    return counts;
  }

  /** Live tasks counted by a key (agent, framework), in one pass over the tasks. */
  activeTasksBy(key) {
    const counts = new Map();
    for (const task of this.tasks.values()) {
      if (isTerminal(task.state)) continue;
      const k = key(task);
      counts.set(k, (counts.get(k) || 0) + 1);
    }
    return counts;
  }

  tasksOf(frameworkId) {
    return [...this.tasks.values()].filter(t => t.framework_id.value === frameworkId);
  }

  agentEndpoint(agentId) {
    const pid = this.agents.get(agentId)?.pid || '';
    return pid.includes('@') ? pid.split('@')[1] : null;
  }
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
