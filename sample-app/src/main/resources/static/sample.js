// Renders the snapshots the node sends on /events (server-sent events); the browser reconnects by itself.
const $ = (id) => document.getElementById(id);

function item(text, className) {
  const li = document.createElement('li');
  li.textContent = text;
  if (className) {
    li.className = className;
  }
  return li;
}

function time(instant) {
  return instant ? new Date(instant).toLocaleTimeString() : '';
}

function render(snapshot) {
  $('node').textContent = snapshot.node;
  $('members').replaceChildren(...snapshot.members.map((member) => {
    const li = item(member.nodeId + ' on ' + member.host + (member.webPort ? ':' + member.webPort : '')
        + ', since ' + time(member.startedAt), member.nodeId === snapshot.node ? 'self' : '');
    li.dataset.node = member.nodeId;
    return li;
  }));
  const leader = snapshot.leader;
  $('leader').textContent = leader.leader
    ? leader.leader + (leader.thisNode ? ' (this node)' : '') + ' leads \'' + leader.role + '\', fencing token '
        + leader.fencingToken + ', since ' + time(leader.since)
    : 'none: waiting for a node to take the role \'' + leader.role + '\'';
  $('leader').dataset.node = leader.leader || '';
  $('locks').replaceChildren(...snapshot.locks.map((lock) => item(lock.name + ' held by ' + lock.holder
      + (lock.holder === snapshot.node ? ' (this node)' : '') + ', fencing token ' + lock.fencingToken
      + ', renewed ' + time(lock.renewedAt))));
  $('events').replaceChildren(...snapshot.events.map((event) => {
    const li = item('');
    const kind = document.createElement('span');
    kind.className = 'kind';
    kind.textContent = event.kind;
    li.append(time(event.at) + ' ', kind, event.text);
    li.dataset.kind = event.kind;
    return li;
  }));
}

const stream = new EventSource('events');
stream.addEventListener('snapshot', (message) => render(JSON.parse(message.data)));
stream.onopen = () => {
  $('connection').textContent = 'live';
  $('connection').className = 'up';
};
stream.onerror = () => {
  $('connection').textContent = 'event stream lost; reconnecting...';
  $('connection').className = 'down';
};

async function send(method) {
  const key = $('key').value;
  const path = 'kv' + (key.startsWith('/') ? key : '/' + key);
  const response = await fetch(path, { method: method, body: method === 'PUT' ? $('value').value : undefined });
  const body = await response.json();
  $('written').textContent = response.ok ? JSON.stringify(body) : (body.detail || response.statusText);
}

$('write').addEventListener('submit', (event) => {
  event.preventDefault();
  send('PUT');
});
$('delete').addEventListener('click', () => send('DELETE'));
