// Reading a task's sandbox straight from its agent (`/files/browse`, `/files/read`), as the
// Mesos UI does; the agent allows these reads from any origin.

/** The sandbox directory of a task and its files, from the agent's /state. */
export async function sandboxOf(endpoint, taskId) {
  const state = await (await fetch(`http://${endpoint}/state`)).json();
  const directory = findDirectory(state, taskId);
  if (!directory) throw new Error(`Agent ${endpoint} has no sandbox for task ${taskId}`);
  const browse = await fetch(`http://${endpoint}/files/browse?path=${encodeURIComponent(directory)}`);
  const files = browse.ok ? await browse.json() : [];
  return { directory, files };
}

/** Mesos's read: offset -1 asks only for the size. */
export async function readFile(endpoint, path, offset, length) {
  const params = new URLSearchParams({ path, offset: String(offset) });
  if (length != null) params.set('length', String(length));
  const response = await fetch(`http://${endpoint}/files/read?${params}`);
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.json();
}

function findDirectory(value, taskId) {
  if (Array.isArray(value)) {
    for (const item of value) { const found = findDirectory(item, taskId); if (found) return found; }
  } else if (value && typeof value === 'object') {
    if (value.id === taskId && typeof value.directory === 'string') return value.directory;
    for (const child of Object.values(value)) { const found = findDirectory(child, taskId); if (found) return found; }
  }
  return null;
}
