/* Crosstalk chat server: the web chat.
 *
 * Plain ES2020, no dependencies.  Talks the chat format of
 * docs/protocols/chat.md over a WebSocket at /chat on the page's own host
 * and port (another path: ?path=/elsewhere).  Everything the server sends
 * is put on the page with textContent / createTextNode, never parsed as
 * HTML.
 *
 * For automated tests, on document.body:
 *   data-state  "connecting" (no welcome yet), "choosing" (connected, no
 *               nickname yet), "joining" (join sent), "joined" (the server
 *               confirmed our nickname), "closed"
 *   data-nick   our nickname, once confirmed
 *   data-error  the code of the last error frame since joining
 *               (nick-taken, …)
 *   data-close-code  the close code, once closed
 * and the elements have stable ids: #messages (li.message with data-id,
 * data-from and .nick, .text, time; li.event with data-kind), #users
 * (li with data-nick), #nick, #join-button, #nick-error, #message-input,
 * #send, #composer-error, #closed, #close-info, #reconnect, #leave, #status.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
'use strict';

(() => {
  const NICK_KEY = 'crosstalk-chat-nick';
  const NICK_MAX = 32;
  const DEFAULT_PATH = '/chat';
  const NEAR_BOTTOM_PX = 80;

  const CLOSE_CODES = {
    1000: 'closed normally',
    1001: 'the server is going away',
    1002: 'protocol error',
    1003: 'unsupported data',
    1005: 'no code given',
    1006: 'the connection was lost',
    1007: 'invalid text',
    1008: 'policy violation',
    1009: 'message too big',
    1011: 'server error',
    1013: 'try again later',
  };

  const LEAVE_REASONS = {
    left: 'left',
    kicked: 'was kicked',
    dropped: 'was dropped (too slow)',
    timeout: 'timed out',
    error: 'left after an error',
  };

  const $ = (id) => document.getElementById(id);
  const ui = {
    skip: document.querySelector('.skip-link'),
    serverInfo: $('server-info'),
    connState: $('conn-state'),
    me: $('me'),
    leave: $('leave'),
    status: $('status'),
    messages: $('messages'),
    closed: $('closed'),
    closeInfo: $('close-info'),
    closeTitle: $('close-title'),
    reconnect: $('reconnect'),
    joinForm: $('join-form'),
    nick: $('nick'),
    joinButton: $('join-button'),
    nickError: $('nick-error'),
    composer: $('composer'),
    input: $('message-input'),
    send: $('send'),
    composerError: $('composer-error'),
    users: $('users'),
    usersEmpty: $('users-empty'),
    userCount: $('user-count'),
  };

  const state = {
    ws: null,
    url: '',
    phase: 'loading',
    nick: null,          /* ours, once the server confirmed it */
    rejoin: null,        /* the nickname to take again after Reconnect */
    users: [],
    maxFrame: 0,         /* bytes; 0: unknown */
    pending: [],         /* texts we sent, until they come back (or are refused) */
    lastFrom: null,      /* who wrote the last message in the list */
    welcomed: false,
    leaving: false,      /* we closed the connection (Leave) */
  };

  /* ---- small helpers -------------------------------------------------- */

  /* el('li', { class: 'x', 'data-id': 3 }, child, 'text', …) */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false)
          continue;
        if (k === 'class')
          node.className = v;
        else
          node.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false)
        continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  const asText = (v) => (typeof v === 'string' ? v : (v === null || v === undefined) ? '' : String(v));
  const sameNick = (a, b) => typeof a === 'string' && typeof b === 'string' &&
    a.toLowerCase() === b.toLowerCase();
  const isOurs = (nick) => state.nick !== null && sameNick(nick, state.nick);

  /* One of the eight nickname colours, the same for a nickname everywhere */
  function nickColor(nick) {
    let h = 0;
    for (const ch of nick.toLowerCase())
      h = (h * 31 + ch.codePointAt(0)) >>> 0;
    return h % 8;
  }

  function setPhase(phase) {
    state.phase = phase;
    document.body.dataset.state = phase;
  }

  function setStatus(message, kind = 'info') {
    ui.status.textContent = message;
    ui.status.dataset.kind = kind;
  }

  function setConnState(kind, text) {
    ui.connState.dataset.kind = kind;
    ui.connState.textContent = text;
  }

  function storedNick() {
    try {
      return localStorage.getItem(NICK_KEY) || '';
    } catch (_) {
      return '';
    }
  }

  function storeNick(nick) {
    try {
      localStorage.setItem(NICK_KEY, nick);
    } catch (_) {
      /* storage may be off; remembering is a nicety */
    }
  }

  function utf8Length(text) {
    return new TextEncoder().encode(text).length;
  }

  /* ---- times ---------------------------------------------------------- */

  function sameDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() &&
      a.getDate() === b.getDate();
  }

  function timeElement(iso) {
    const d = typeof iso === 'string' ? new Date(iso) : new Date(NaN);
    if (Number.isNaN(d.getTime()))
      return el('time', null, '');
    const clock = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    const shown = sameDay(d, new Date())
      ? clock
      : `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${clock}`;
    return el('time', { datetime: d.toISOString(), title: d.toLocaleString() }, shown);
  }

  /* ---- the message list ---------------------------------------------- */

  function nearBottom() {
    const m = ui.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < NEAR_BOTTOM_PX;
  }

  /* Whether the list shows its end: it keeps doing so when it grows or
   * shrinks (a message added, the bar below it taller) */
  let pinned = true;
  ui.messages.addEventListener('scroll', () => {
    pinned = nearBottom();
  }, { passive: true });
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(() => {
      if (pinned)
        ui.messages.scrollTop = ui.messages.scrollHeight;
    }).observe(ui.messages);
  }

  /* Adds @node at the end of the list, following it if the list was at the
   * bottom already (or @follow) */
  function append(node, follow = false) {
    const stick = follow || pinned || nearBottom();
    ui.messages.append(node);
    if (stick) {
      ui.messages.scrollTop = ui.messages.scrollHeight;
      pinned = true;
    }
  }

  function isMessage(f) {
    return f && typeof f.from === 'string' && typeof f.text === 'string';
  }

  function messageNode(f) {
    const from = f.from;
    const own = isOurs(from);
    const li = el('li', {
      class: ['message', own ? 'own' : null, from === 'server' ? 'from-server' : null]
        .filter(Boolean).join(' '),
      'data-id': Number.isFinite(f.id) ? f.id : null,
      'data-from': from,
      'data-time': typeof f.time === 'string' ? f.time : null,
      'data-from-same': state.lastFrom !== null && sameNick(state.lastFrom, from),
    });
    li.append(timeElement(f.time));
    const nick = el('span', { class: 'nick', 'data-color': nickColor(from) }, from);
    if (own)
      nick.append(el('span', { class: 'you-tag' }, 'you'));
    li.append(nick);
    li.append(el('span', { class: 'text' }, f.text));
    return li;
  }

  /* Whether the list already shows message @f (a history replay after
   * Reconnect repeats what we saw) */
  function shown(f) {
    if (!Number.isFinite(f.id))
      return false;
    for (const li of ui.messages.querySelectorAll(`li.message[data-id="${f.id}"]`)) {
      if (li.dataset.from === f.from && li.dataset.time === asText(f.time))
        return true;
    }
    return false;
  }

  function addMessage(f, follow = false) {
    if (!isMessage(f) || shown(f))
      return;
    append(messageNode(f), follow);
    state.lastFrom = f.from;
  }

  function addEvent(kind, text) {
    append(el('li', { class: 'event', 'data-kind': kind }, text));
    state.lastFrom = null;
  }

  function addDivider(text) {
    append(el('li', { class: 'divider', role: 'separator' }, text));
    state.lastFrom = null;
  }

  /* ---- who is online -------------------------------------------------- */

  function setUsers(users) {
    if (!Array.isArray(users))
      return;
    state.users = users.filter((u) => typeof u === 'string');
    const sorted = [...state.users].sort((a, b) => {
      if (isOurs(a) !== isOurs(b))
        return isOurs(a) ? -1 : 1;
      return a.localeCompare(b, undefined, { sensitivity: 'base' });
    });
    ui.users.replaceChildren(...sorted.map((u) => {
      const own = isOurs(u);
      const li = el('li', { 'data-nick': u, class: own ? 'own' : null },
        el('span', { class: 'user-nick' }, u));
      if (own)
        li.append(el('span', { class: 'sr-only' }, ' (you)'));
      return li;
    }));
    ui.userCount.textContent = String(state.users.length);
  }

  /* ---- the bottom bar: join, then compose ------------------------------ */

  function showNickError(message) {
    ui.nickError.textContent = message;
    ui.nickError.hidden = false;
    ui.nick.setAttribute('aria-invalid', 'true');
  }

  function clearNickError() {
    ui.nickError.textContent = '';
    ui.nickError.hidden = true;
    ui.nick.removeAttribute('aria-invalid');
  }

  function showComposerError(message) {
    ui.composerError.textContent = message;
    ui.composerError.hidden = false;
    ui.input.setAttribute('aria-invalid', 'true');
  }

  function clearComposerError() {
    ui.composerError.textContent = '';
    ui.composerError.hidden = true;
    ui.input.removeAttribute('aria-invalid');
  }

  /* What the bar shows, from the phase */
  function updateBar() {
    const open = state.ws !== null && state.ws.readyState === WebSocket.OPEN;
    const joined = state.phase === 'joined';
    const closed = state.phase === 'closed';

    ui.joinForm.hidden = joined || closed;
    ui.composer.hidden = !joined;
    ui.closed.hidden = !closed;
    ui.joinButton.disabled = !open || !state.welcomed || state.phase === 'joining';
    ui.nick.disabled = state.phase === 'joining';
    ui.input.disabled = !open;
    ui.send.disabled = !open;
    ui.leave.hidden = !joined;
    ui.me.hidden = !joined;
    ui.me.textContent = joined ? state.nick : '';
    ui.skip.setAttribute('href', joined ? '#message-input' : closed ? '#reconnect' : '#nick');
  }

  /* The nickname as the server would take it, or an error message */
  function checkNick(raw) {
    const nick = raw.trim();
    if (!nick)
      return { error: 'Pick a nickname first.' };
    if ([...nick].length > NICK_MAX)
      return { error: `A nickname has at most ${NICK_MAX} characters.` };
    if (/\p{Cc}/u.test(nick))
      return { error: 'A nickname cannot hold control characters.' };
    return { nick };
  }

  function join(nick) {
    if (!send({ type: 'join', nick }))
      return;
    setPhase('joining');
    setStatus(`Joining as “${nick}”…`);
    updateBar();
  }

  ui.joinForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (ui.joinButton.disabled)
      return;
    const r = checkNick(ui.nick.value);
    if (r.error) {
      showNickError(r.error);
      setStatus(r.error, 'error');
      ui.nick.focus();
      return;
    }
    clearNickError();
    join(r.nick);
  });

  ui.nick.addEventListener('input', () => {
    if (!ui.nickError.hidden)
      clearNickError();
  });

  ui.composer.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = ui.input.value;
    if (!text.trim()) {
      ui.input.focus();
      return;
    }
    const frame = { type: 'message', text };
    if (state.maxFrame > 0) {
      const size = utf8Length(JSON.stringify(frame));
      if (size > state.maxFrame) {
        showComposerError(`Too long: ${size} bytes; this server takes at most ${state.maxFrame} in one message.`);
        ui.input.focus();
        return;
      }
    }
    if (!send(frame))
      return;
    clearComposerError();
    state.pending.push(text);
    ui.input.value = '';
    ui.input.focus();
  });

  ui.input.addEventListener('input', () => {
    if (!ui.composerError.hidden)
      clearComposerError();
  });

  /* Reconnect takes the same nickname again */
  ui.leave.addEventListener('click', () => {
    state.leaving = true;
    if (state.ws)
      state.ws.close(1000, 'left');
  });

  ui.reconnect.addEventListener('click', () => connect());

  /* ---- frames from the server ----------------------------------------- */

  function onWelcome(f) {
    state.welcomed = true;
    const limits = f.limits && typeof f.limits === 'object' ? f.limits : {};
    state.maxFrame = Number.isFinite(limits['max-frame']) ? limits['max-frame'] : 0;
    const server = typeof f.server === 'string' && f.server ? f.server : 'A chat server';
    const version = Number.isFinite(f.version) ? ` (format ${f.version})` : '';
    ui.serverInfo.textContent = `${server}${version} at ${state.url}`;
    setUsers(f.users);

    const history = Array.isArray(f.history) ? f.history.filter(isMessage) : [];
    const fresh = history.filter((m) => !shown(m));
    if (fresh.length) {
      ui.messages.setAttribute('aria-busy', 'true');
      addDivider(ui.messages.childElementCount ? 'Missed while away' : 'Earlier messages');
      for (const m of fresh)
        addMessage(m, true);
      addDivider('Now');
      ui.messages.removeAttribute('aria-busy');
    }

    setConnState('connected', 'Connected');
    if (state.rejoin !== null) {
      join(state.rejoin);
    } else {
      setPhase('choosing');
      setStatus('Connected. Pick a nickname to join.');
      updateBar();
      if (!ui.nick.value)
        ui.nick.value = storedNick();
      ui.nick.focus();
    }
  }

  function onJoin(f) {
    if (typeof f.nick !== 'string')
      return;
    if (f.you === true) {
      state.nick = f.nick;
      state.rejoin = f.nick;
      document.body.dataset.nick = f.nick;
      delete document.body.dataset.error;
      storeNick(f.nick);
      ui.nick.value = f.nick;
      clearNickError();
      setPhase('joined');
      setStatus(`You joined as “${f.nick}”.`, 'ok');
      setUsers(f.users);
      addEvent('join', `You joined as ${f.nick}`);
      updateBar();
      ui.input.focus();
    } else {
      setUsers(f.users);
      addEvent('join', `${f.nick} joined`);
    }
  }

  function onMessage(f) {
    if (!isMessage(f))
      return;
    const own = isOurs(f.from);
    if (own) {
      /* Back from the server; those sent before it that did not come back
       * were refused (frames keep their order) */
      const i = state.pending.indexOf(f.text);
      if (i >= 0)
        state.pending.splice(0, i + 1);
    }
    addMessage(f, own);
  }

  function onLeave(f) {
    if (typeof f.nick !== 'string')
      return;
    setUsers(f.users);
    const reason = LEAVE_REASONS[f.reason] || 'left';
    addEvent('leave', `${f.nick} ${reason}`);
  }

  function onNotice(f) {
    if (typeof f.text === 'string')
      addEvent('notice', f.text);
  }

  function onError(f) {
    const code = asText(f.code);
    const message = asText(f.message) || code || 'The server refused that.';
    document.body.dataset.error = code;

    switch (code) {
    case 'nick-taken':
    case 'nick-invalid':
      state.rejoin = null;
      if (state.phase === 'joining' || state.phase === 'choosing') {
        setPhase('choosing');
        showNickError(message);
        setStatus(code === 'nick-taken' ? 'That nickname is taken: pick another one.'
          : 'The server did not take that nickname: pick another one.', 'error');
        updateBar();
        ui.nick.focus();
        ui.nick.select();
        return;
      }
      break;
    case 'rate-limited': {
      /* The oldest message still on its way is the one refused: back into
       * the composer, if it is empty */
      const text = state.pending.shift();
      if (text !== undefined && !ui.input.value)
        ui.input.value = text;
      showComposerError(message);
      return;
    }
    case 'bad-message':
      if (state.phase === 'joined') {
        state.pending.shift();
        showComposerError(message);
        return;
      }
      break;
    default:
      break;
    }
    setStatus(message, 'error');
  }

  const HANDLERS = {
    welcome: onWelcome,
    join: onJoin,
    message: onMessage,
    leave: onLeave,
    notice: onNotice,
    error: onError,
  };

  function onFrame(ev) {
    if (typeof ev.data !== 'string')
      return;   /* not part of the format */
    let f;
    try {
      f = JSON.parse(ev.data);
    } catch (_) {
      return;
    }
    if (!f || typeof f !== 'object' || Array.isArray(f) || typeof f.type !== 'string')
      return;
    const handler = HANDLERS[f.type];
    if (handler)
      handler(f);   /* other types: a newer server; nothing to show */
  }

  /* ---- the connection ------------------------------------------------- */

  function send(frame) {
    const ws = state.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      setStatus('Not connected.', 'error');
      return false;
    }
    ws.send(JSON.stringify(frame));
    return true;
  }

  function endpoint() {
    let path = new URLSearchParams(location.search).get('path') || DEFAULT_PATH;
    /* Only a path on this host */
    if (!/^\/(?!\/)[^\\\s]*$/.test(path))
      path = DEFAULT_PATH;
    return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
  }

  function describeClose(ev) {
    const known = CLOSE_CODES[ev.code];
    let text = `Code ${ev.code}${known ? ` (${known})` : ''}`;
    if (ev.reason)
      text += `: ${ev.reason}`;
    return `${text}.`;
  }

  function connect() {
    if (state.ws) {
      state.ws.onopen = state.ws.onmessage = state.ws.onclose = state.ws.onerror = null;
      state.ws.close();
    }
    state.url = endpoint();
    state.welcomed = false;
    state.leaving = false;
    state.nick = null;
    state.pending = [];
    delete document.body.dataset.nick;
    delete document.body.dataset.error;
    delete document.body.dataset.closeCode;
    setPhase('connecting');
    setConnState('connecting', 'Connecting…');
    ui.usersEmpty.textContent = 'Nobody yet.';
    setStatus(`Connecting to ${state.url}…`);
    clearComposerError();

    let ws;
    try {
      ws = new WebSocket(state.url);
    } catch (e) {
      setPhase('closed');
      setConnState('closed', 'Disconnected');
      ui.closed.dataset.kind = 'error';
      ui.closeTitle.textContent = 'Disconnected.';
      ui.closeInfo.textContent = `Cannot connect: ${e && e.message ? e.message : e}`;
      updateBar();
      return;
    }
    state.ws = ws;
    updateBar();

    ws.onopen = () => {
      if (state.ws !== ws)
        return;
      setStatus('Connected; waiting for the welcome…');
      updateBar();
    };
    ws.onmessage = (ev) => {
      if (state.ws === ws)
        onFrame(ev);
    };
    ws.onclose = (ev) => {
      if (state.ws !== ws)
        return;
      const wasJoined = state.phase === 'joined';
      const opened = state.welcomed;
      setPhase('closed');
      setConnState('closed', 'Disconnected');
      document.body.dataset.closeCode = String(ev.code);
      const info = opened || ev.code !== 1006 ? describeClose(ev)
        : `Cannot reach ${state.url}.`;
      ui.closeInfo.textContent = info;
      const left = state.leaving && ev.code === 1000;
      ui.closed.dataset.kind = left ? 'left' : 'error';
      ui.closeTitle.textContent = left ? 'You left.' : 'Disconnected.';
      ui.usersEmpty.textContent = 'Not connected.';
      if (left) {
        setStatus('You left the chat.');
        if (wasJoined)
          addEvent('leave', 'You left');
      } else {
        setStatus(`Disconnected. ${info}`, 'error');
        if (wasJoined)
          addEvent('leave', `You were disconnected. ${info}`);
      }
      state.leaving = false;
      state.nick = null;
      setUsers([]);
      updateBar();
      if (document.activeElement === null || document.activeElement === document.body ||
          ui.composer.contains(document.activeElement) || ui.leave === document.activeElement)
        ui.reconnect.focus();
    };
    ws.onerror = () => {
      /* onclose follows, with the code */
    };
  }

  if (!ui.nick.value)
    ui.nick.value = storedNick();
  connect();
})();
