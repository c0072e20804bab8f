/* Crosstalk REST server: the tasks page.
 *
 * Plain ES2020, no dependencies.  Everything the server sends is put on the
 * page with textContent / setAttribute, never parsed as HTML.
 *
 * For automated tests: document.body.dataset.state is "busy" while a
 * request is in flight (or a search is waiting for its debounce) and
 * "ready" once everything, including the list load that follows every
 * change, has finished.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
'use strict';

(() => {
  const CONFLICT = 'Someone else changed this task; reload it';
  const GONE = 'This task no longer exists';
  const DEFAULT_LIMIT = 50;
  const MAX_LIMIT = 1000;
  const DEBOUNCE_MS = 200;
  const PRIORITIES = ['low', 'normal', 'high'];
  const FIELDS = ['title', 'notes', 'priority', 'due', 'tags'];

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $('status'),
    apiInfo: $('api-info'),
    search: $('search'),
    table: $('task-table'),
    rows: $('task-rows'),
    empty: $('empty'),
    prev: $('prev'),
    next: $('next'),
    range: $('range'),
    form: $('task-form'),
    formHeading: $('form-heading'),
    formError: $('form-error'),
    title: $('title'),
    notes: $('notes'),
    priority: $('priority'),
    due: $('due'),
    tags: $('tags'),
    save: $('save'),
    cancel: $('cancel'),
  };

  const state = {
    collection: '/api/tasks',
    q: '',
    offset: 0,
    limit: DEFAULT_LIMIT,
    total: 0,
    shown: new Map(),      /* id → task as the list shows it */
    editing: null,         /* { id, etag, task } while editing */
    saving: false,
    listAbort: null,
  };

  /* ---- busy / ready -------------------------------------------------- */

  let pending = 0;

  /* Marks the page busy until the returned function is called (once). */
  function hold() {
    pending++;
    document.body.dataset.state = 'busy';
    let released = false;
    return () => {
      if (released)
        return;
      released = true;
      pending--;
      if (pending === 0)
        document.body.dataset.state = 'ready';
    };
  }

  async function whileBusy(fn) {
    const release = hold();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /* ---- HTTP ---------------------------------------------------------- */

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.name = 'HttpError';
      this.status = status;
    }
  }

  /* One request; resolves to { status, data, etag, location } for a 2xx
   * answer, rejects with an HttpError carrying the server's message
   * otherwise (or an AbortError when aborted). */
  async function request(method, url, opts = {}) {
    const headers = { Accept: 'application/json' };
    let body;
    if (opts.body !== undefined) {
      headers['Content-Type'] = opts.type || 'application/json';
      body = JSON.stringify(opts.body);
    }
    if (opts.etag)
      headers['If-Match'] = opts.etag;

    let res;
    try {
      res = await fetch(url, {
        method,
        headers,
        body,
        signal: opts.signal,
        cache: 'no-store',
        credentials: 'same-origin',
      });
    } catch (e) {
      if (e && e.name === 'AbortError')
        throw e;
      throw new HttpError(0, `Cannot reach the server (${e && e.message ? e.message : e})`);
    }

    let data = null;
    const text = res.status === 204 ? '' : await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (_) {
        data = null;
      }
    }

    if (!res.ok) {
      let message = '';
      if (data && data.error && typeof data.error.message === 'string')
        message = data.error.message;
      if (!message)
        message = `${res.status} ${res.statusText || 'Error'}`;
      throw new HttpError(res.status, message);
    }

    return {
      status: res.status,
      data,
      etag: res.headers.get('ETag'),
      location: res.headers.get('Location'),
    };
  }

  const itemUrl = (id) => `${state.collection}/${encodeURIComponent(String(id))}`;

  function isTask(t) {
    return t !== null && typeof t === 'object' && !Array.isArray(t) && 'id' in t;
  }

  async function fetchTask(id) {
    const r = await request('GET', itemUrl(id));
    if (!isTask(r.data))
      throw new HttpError(r.status, 'The server sent something that is not a task');
    return { task: r.data, etag: r.etag };
  }

  /* True if every field the list shows for a task is the same in `fresh` */
  function unchanged(shown, fresh) {
    if (!shown)
      return true;
    return Object.keys(shown).every((k) =>
      JSON.stringify(shown[k]) === JSON.stringify(fresh[k]));
  }

  /* ---- status line --------------------------------------------------- */

  function setStatus(message, kind = 'info') {
    ui.status.textContent = message;
    ui.status.dataset.kind = kind;
  }

  function showError(message) {
    setStatus(message, 'error');
  }

  function clearFormError() {
    ui.formError.textContent = '';
    ui.formError.hidden = true;
    for (const f of FIELDS)
      ui[f].removeAttribute('aria-invalid');
  }

  /* Shows an error next to the form (and on the status line).  A message
   * such as "title: expected a string" also marks that field invalid. */
  function showFormError(message) {
    clearFormError();
    ui.formError.textContent = message;
    ui.formError.hidden = false;
    showError(message);
    const m = /^\s*([a-z_]+)(?=[\s:.[])/i.exec(message);
    if (m && FIELDS.includes(m[1].toLowerCase())) {
      const input = ui[m[1].toLowerCase()];
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  }

  /* ---- small DOM helpers --------------------------------------------- */

  /* el('td', { class: 'x', 'data-label': 'Due' }, child, 'text', …) */
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

  const asText = (v) => (v === null || v === undefined) ? '' : String(v);

  function displayTitle(task) {
    const t = asText(task.title);
    return t.trim() ? t : `Task ${asText(task.id)}`;
  }

  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  function longDate(iso) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso))
      return null;
    const d = new Date(`${iso}T00:00:00`);
    if (Number.isNaN(d.getTime()))
      return null;
    return d.toLocaleDateString(undefined,
      { weekday: 'short', year: 'numeric', month: 'long', day: 'numeric' });
  }

  /* ---- the list ------------------------------------------------------ */

  function renderRow(task) {
    const id = asText(task.id);
    const name = displayTitle(task);
    const done = task.done === true;

    const tr = el('tr', { 'data-id': id, class: done ? 'is-done' : null });
    if (state.editing && String(state.editing.id) === id) {
      tr.classList.add('is-selected');
      tr.setAttribute('aria-current', 'true');
    }

    const checkbox = el('input', {
      type: 'checkbox',
      class: 'done',
      'aria-label': `Done: ${name}`,
    });
    checkbox.checked = done;
    tr.append(el('td', { class: 'cell-done' }, checkbox));

    const titleText = asText(task.title);
    const titleCell = el('td', { class: 'cell-title' },
      el('span', { class: titleText.trim() ? 'title' : 'title untitled' },
        titleText.trim() ? titleText : '(untitled)'));
    const notes = asText(task.notes);
    if (notes.trim())
      titleCell.append(el('div', { class: 'notes', title: notes }, notes));
    tr.append(titleCell);

    const priority = asText(task.priority);
    tr.append(el('td', { class: 'cell-priority', 'data-label': 'Priority' },
      priority ? el('span', { class: 'priority', 'data-priority': priority }, priority) : null));

    const dueCell = el('td', { class: 'cell-due', 'data-label': 'Due' });
    if (task.due !== null && task.due !== undefined && task.due !== '') {
      const due = asText(task.due);
      dueCell.append(el('time', { class: 'due', datetime: due, title: longDate(due) }, due));
      if (!done && /^\d{4}-\d{2}-\d{2}$/.test(due) && due < today()) {
        dueCell.classList.add('overdue');
        dueCell.append(el('span', { class: 'sr-only' }, ' (overdue)'));
      }
    } else {
      dueCell.classList.add('is-empty');
    }
    tr.append(dueCell);

    const tagsCell = el('td', { class: 'cell-tags', 'data-label': 'Tags' });
    const tags = Array.isArray(task.tags) ? task.tags : [];
    if (tags.length) {
      const list = el('ul', { class: 'tags' });
      for (const t of tags)
        list.append(el('li', { class: 'tag' }, asText(t)));
      tagsCell.append(list);
    } else {
      tagsCell.classList.add('is-empty');
    }
    tr.append(tagsCell);

    tr.append(el('td', { class: 'cell-actions' },
      el('button', { type: 'button', class: 'edit flat', 'aria-label': `Edit ${name}` }, 'Edit'),
      el('button', { type: 'button', class: 'delete flat destructive', 'aria-label': `Delete ${name}` }, 'Delete')));

    return tr;
  }

  function render(items, total) {
    state.total = total;
    state.shown = new Map();
    const frag = document.createDocumentFragment();
    for (const task of items) {
      if (!isTask(task))
        continue;
      state.shown.set(String(task.id), task);
      frag.append(renderRow(task));
    }
    ui.rows.replaceChildren(frag);

    const count = state.shown.size;
    ui.table.hidden = count === 0;
    ui.empty.hidden = count !== 0;
    if (count === 0)
      ui.empty.textContent = state.q ? `No tasks match “${state.q}”.` : 'No tasks yet. Create one with the form.';

    ui.range.textContent = count === 0
      ? `0 of ${total}`
      : `${state.offset + 1}–${state.offset + count} of ${total}`;
    ui.prev.disabled = state.offset <= 0;
    ui.next.disabled = state.offset + count >= total;
  }

  function rememberInUrl() {
    const params = new URLSearchParams();
    if (state.q)
      params.set('q', state.q);
    if (state.offset)
      params.set('offset', String(state.offset));
    if (state.limit !== DEFAULT_LIMIT)
      params.set('limit', String(state.limit));
    const query = params.toString();
    const url = location.pathname + (query ? `?${query}` : '');
    if (url !== location.pathname + location.search)
      history.replaceState(null, '', url);
  }

  /* Loads the current page of the list.  A newer load cancels an older
   * one, so the table always shows the latest search. */
  function loadList() {
    return whileBusy(async () => {
      if (state.listAbort)
        state.listAbort.abort();
      const abort = new AbortController();
      state.listAbort = abort;
      ui.table.setAttribute('aria-busy', 'true');

      const params = new URLSearchParams();
      params.set('limit', String(state.limit));
      params.set('offset', String(state.offset));
      if (state.q)
        params.set('q', state.q);

      try {
        const r = await request('GET', `${state.collection}?${params}`, { signal: abort.signal });
        const d = r.data;
        if (!d || !Array.isArray(d.items))
          throw new HttpError(r.status, 'The server sent a list without "items"');
        const total = Number.isFinite(d.total) ? d.total : d.items.length;

        /* The page we were on is gone (say, its last task was deleted):
         * go to the last page that exists. */
        if (d.items.length === 0 && state.offset > 0 && total > 0) {
          state.offset = Math.floor((total - 1) / state.limit) * state.limit;
          if (state.listAbort === abort)
            state.listAbort = null;
          await loadList();
          return;
        }

        render(d.items, total);
        rememberInUrl();
      } catch (e) {
        if (e && e.name === 'AbortError')
          return;
        showError(`Could not load the tasks: ${e.message}`);
      } finally {
        if (state.listAbort === abort) {
          state.listAbort = null;
          ui.table.removeAttribute('aria-busy');
        }
      }
    });
  }

  /* ---- search -------------------------------------------------------- */

  let searchTimer = 0;
  let searchRelease = null;

  function runSearch() {
    clearTimeout(searchTimer);
    searchTimer = 0;
    const release = searchRelease;
    searchRelease = null;
    const q = ui.search.value.trim();
    if (q !== state.q) {
      state.q = q;
      state.offset = 0;
    }
    loadList().finally(() => {
      if (release)
        release();
    });
  }

  ui.search.addEventListener('input', () => {
    /* Busy from the first keystroke, so a test that types and then waits
     * for "ready" sees the filtered list. */
    if (!searchRelease)
      searchRelease = hold();
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, DEBOUNCE_MS);
  });

  ui.search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      runSearch();
    }
  });

  /* ---- paging -------------------------------------------------------- */

  ui.prev.addEventListener('click', () => {
    if (state.offset <= 0)
      return;
    state.offset = Math.max(0, state.offset - state.limit);
    loadList();
  });

  ui.next.addEventListener('click', () => {
    if (state.offset + state.shown.size >= state.total)
      return;
    state.offset += state.limit;
    loadList();
  });

  /* ---- the form ------------------------------------------------------ */

  function parseTags(text) {
    const seen = new Set();
    const tags = [];
    for (const part of text.split(',')) {
      const t = part.trim();
      if (t && !seen.has(t)) {
        seen.add(t);
        tags.push(t);
      }
    }
    return tags;
  }

  function readForm() {
    return {
      title: ui.title.value.trim(),
      notes: ui.notes.value,
      priority: ui.priority.value,
      due: ui.due.value || null,
      tags: parseTags(ui.tags.value),
    };
  }

  function fillForm(task) {
    ui.title.value = asText(task.title);
    ui.notes.value = asText(task.notes);
    const p = asText(task.priority);
    ui.priority.value = PRIORITIES.includes(p) ? p : 'normal';
    const due = asText(task.due);
    ui.due.value = /^\d{4}-\d{2}-\d{2}$/.test(due) ? due : '';
    ui.tags.value = Array.isArray(task.tags) ? task.tags.map(asText).join(', ') : '';
  }

  function markSelectedRow() {
    const id = state.editing ? String(state.editing.id) : null;
    for (const tr of ui.rows.rows) {
      const on = tr.dataset.id === id;
      tr.classList.toggle('is-selected', on);
      if (on)
        tr.setAttribute('aria-current', 'true');
      else
        tr.removeAttribute('aria-current');
    }
  }

  function enterEditMode(task, etag) {
    state.editing = { id: task.id, etag, task };
    fillForm(task);
    ui.form.dataset.mode = 'edit';
    ui.formHeading.textContent = `Edit task ${asText(task.id)}`;
    ui.save.textContent = 'Save';
    ui.cancel.hidden = false;
    markSelectedRow();
  }

  function leaveEditMode() {
    state.editing = null;
    ui.form.reset();
    ui.priority.value = 'normal';
    ui.form.dataset.mode = 'create';
    ui.formHeading.textContent = 'New task';
    ui.save.textContent = 'Create';
    ui.cancel.hidden = true;
    markSelectedRow();
  }

  function rowButton(id, cls) {
    for (const tr of ui.rows.rows) {
      if (tr.dataset.id === String(id))
        return tr.querySelector(`button.${cls}`);
    }
    return null;
  }

  function focusRowOr(id, fallback) {
    const b = id === null || id === undefined ? null : rowButton(id, 'edit');
    (b || fallback).focus();
  }

  async function startEdit(id) {
    clearFormError();
    await whileBusy(async () => {
      try {
        const { task, etag } = await fetchTask(id);
        enterEditMode(task, etag);
        setStatus(`Editing “${displayTitle(task)}”.`);
        ui.form.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
        ui.title.focus();
      } catch (e) {
        if (e.status === 404) {
          showError(GONE);
          await loadList();
        } else {
          showError(`Could not load the task: ${e.message}`);
        }
      }
    });
  }

  async function saveForm() {
    if (state.saving)
      return;
    state.saving = true;
    ui.save.disabled = true;
    clearFormError();

    await whileBusy(async () => {
      const fields = readForm();
      const editing = state.editing;
      try {
        if (editing) {
          /* A full replacement: start from the task as we got it (so
           * fields the form has no input for, like "done", are kept). */
          const body = Object.assign({}, editing.task, fields);
          delete body.id;
          const r = await request('PUT', itemUrl(editing.id), { body, etag: editing.etag });
          const saved = isTask(r.data) ? r.data : Object.assign({ id: editing.id }, body);
          const id = editing.id;
          leaveEditMode();
          setStatus(`Saved “${displayTitle(saved)}”.`, 'ok');
          await loadList();
          focusRowOr(id, ui.title);
        } else {
          const body = Object.assign({ done: false }, fields);
          const r = await request('POST', state.collection, { body });
          const created = isTask(r.data) ? r.data : body;
          ui.form.reset();
          ui.priority.value = 'normal';
          setStatus(`Created “${displayTitle(created)}”${isTask(r.data) ? ` (id ${asText(created.id)})` : ''}.`, 'ok');
          await loadList();
          ui.title.focus();
        }
      } catch (e) {
        if (editing && e.status === 412) {
          showFormError(CONFLICT);
          await reloadEdited(editing.id);
          await loadList();
        } else if (editing && e.status === 404) {
          leaveEditMode();
          showFormError(GONE);
          await loadList();
        } else {
          showFormError(e.message);
        }
      }
    });

    state.saving = false;
    ui.save.disabled = false;
  }

  /* After a conflict: the form gets the server's current version (and
   * its ETag), so the next Save is against what the user now sees. */
  async function reloadEdited(id) {
    try {
      const { task, etag } = await fetchTask(id);
      if (state.editing && String(state.editing.id) === String(id))
        enterEditMode(task, etag);
    } catch (e) {
      if (e.status === 404) {
        leaveEditMode();
        showFormError(GONE);
      } else {
        showError(`Could not reload the task: ${e.message}`);
      }
    }
  }

  ui.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    saveForm();
  });

  ui.cancel.addEventListener('click', () => {
    const id = state.editing ? state.editing.id : null;
    leaveEditMode();
    clearFormError();
    setStatus('');
    focusRowOr(id, ui.title);
  });

  ui.form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && state.editing) {
      ev.preventDefault();
      ui.cancel.click();
    }
  });

  for (const f of FIELDS) {
    ui[f].addEventListener('input', () => ui[f].removeAttribute('aria-invalid'));
  }

  /* ---- row actions --------------------------------------------------- */

  class Conflict extends Error {}

  /* The server's version of a row's task and its ETag, or a Conflict if
   * it is no longer what the row shows. */
  async function freshForRow(id) {
    const { task, etag } = await fetchTask(id);
    if (!unchanged(state.shown.get(String(id)), task))
      throw new Conflict(CONFLICT);
    return { task, etag };
  }

  function rowError(e, what) {
    if (e instanceof Conflict || e.status === 412)
      showError(CONFLICT);
    else if (e.status === 404)
      showError(GONE);
    else
      showError(`Could not ${what}: ${e.message}`);
  }

  async function toggleDone(id, checkbox) {
    const want = checkbox.checked;
    checkbox.disabled = true;
    await whileBusy(async () => {
      try {
        const fresh = await freshForRow(id);
        const r = await request('PATCH', itemUrl(id), {
          body: { done: want },
          type: 'application/merge-patch+json',
          etag: fresh.etag,
        });
        const name = displayTitle(isTask(r.data) ? r.data : fresh.task);
        setStatus(want ? `Marked “${name}” as done.` : `Marked “${name}” as not done.`, 'ok');

        /* If this task is open in the form, and the form was up to date,
         * keep it up to date, so its Save does not conflict with us. */
        const ed = state.editing;
        if (ed && String(ed.id) === String(id) && ed.etag === fresh.etag) {
          ed.task = Object.assign({}, ed.task, { done: want });
          ed.etag = r.etag || (await fetchTask(id)).etag;
        }
      } catch (e) {
        checkbox.checked = !want;
        rowError(e, 'change the task');
      }
      await loadList();
    });
    checkbox.disabled = false;

    /* The list was redrawn: give the keyboard the new checkbox */
    if (!document.activeElement || document.activeElement === document.body) {
      const tr = Array.from(ui.rows.rows).find((r) => r.dataset.id === String(id));
      const cb = tr ? tr.querySelector('input.done') : null;
      if (cb)
        cb.focus();
    }
  }

  async function deleteTask(id, button) {
    const shown = state.shown.get(String(id));
    const name = shown ? displayTitle(shown) : `task ${id}`;
    if (!window.confirm(`Delete “${name}”?`))
      return;

    const rows = Array.from(ui.rows.rows);
    const index = rows.findIndex((tr) => tr.dataset.id === String(id));
    button.disabled = true;

    await whileBusy(async () => {
      try {
        const fresh = await freshForRow(id);
        await request('DELETE', itemUrl(id), { etag: fresh.etag });
        if (state.editing && String(state.editing.id) === String(id)) {
          leaveEditMode();
          clearFormError();
        }
        setStatus(`Deleted “${name}”.`, 'ok');
      } catch (e) {
        rowError(e, 'delete the task');
      }
      await loadList();
    });

    /* Keep the keyboard where it was: the row that took this one's place. */
    if (!document.activeElement || document.activeElement === document.body) {
      const now = Array.from(ui.rows.rows);
      const target = now[Math.min(Math.max(index, 0), now.length - 1)];
      const b = target ? target.querySelector('button.delete') : null;
      (b || ui.search).focus();
    }
  }

  ui.rows.addEventListener('click', (ev) => {
    const button = ev.target.closest('button');
    if (!button || !ui.rows.contains(button))
      return;
    const tr = button.closest('tr[data-id]');
    if (!tr)
      return;
    if (button.classList.contains('edit'))
      startEdit(tr.dataset.id);
    else if (button.classList.contains('delete'))
      deleteTask(tr.dataset.id, button);
  });

  ui.rows.addEventListener('change', (ev) => {
    const cb = ev.target;
    if (!(cb instanceof HTMLInputElement) || !cb.classList.contains('done'))
      return;
    const tr = cb.closest('tr[data-id]');
    if (tr)
      toggleDone(tr.dataset.id, cb);
  });

  /* ---- start --------------------------------------------------------- */

  async function discover() {
    try {
      const r = await request('GET', '/api');
      const list = r.data && Array.isArray(r.data.collections) ? r.data.collections : [];
      const tasks = list.find((c) => c && c.name === 'tasks');
      /* Only a same-origin path is used as the collection's address */
      if (tasks && typeof tasks.url === 'string' && /^\/[^/\\]/.test(tasks.url))
        state.collection = tasks.url.replace(/\/+$/, '');
      const names = list
        .filter((c) => c && typeof c.name === 'string')
        .map((c) => (Number.isFinite(c.count) ? `${c.name} (${c.count})` : c.name));
      if (names.length)
        ui.apiInfo.textContent = `API at /api · collections: ${names.join(', ')}`;
    } catch (e) {
      /* The list load below reports a server that cannot be reached */
    }
  }

  function readUrl() {
    const params = new URLSearchParams(location.search);
    const q = params.get('q');
    if (q) {
      state.q = q.trim();
      ui.search.value = state.q;
    }
    const limit = parseInt(params.get('limit') || '', 10);
    if (Number.isFinite(limit) && limit > 0)
      state.limit = Math.min(limit, MAX_LIMIT);
    const offset = parseInt(params.get('offset') || '', 10);
    if (Number.isFinite(offset) && offset > 0)
      state.offset = offset;
  }

  readUrl();
  whileBusy(async () => {
    await discover();
    await loadList();
  });
})();
