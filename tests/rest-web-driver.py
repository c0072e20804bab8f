#!/usr/bin/python3
"""tests/rest-web-driver.py WS_URL — drives the REST server's web page in a
headless Chromium for tests/test-rest-web.c, over the Chrome DevTools
Protocol (Debian: python3-websocket, run with /usr/bin/python3).

WS_URL is the browser's DevTools WebSocket (the "DevTools listening on ws://…"
line Chromium prints). The test starts and stops Chromium itself; this script
opens one page in it and then runs commands: one JSON object a line on stdin,
one JSON answer a line on stdout (flushed at once). It exits at the end of
stdin (so it goes with the test even if the test dies) or on "quit".

Commands (every answer has "ok", and "error" when not ok, plus "exceptions"
and "console": what the page threw and logged since the last command):

  {"cmd": "open", "url": U}        load U, wait until the page is ready
  {"cmd": "create", "fields": F}   fill the form with F, click Create
  {"cmd": "edit", "id": I, "fields": F}
                                   click Edit on row I, change F, click Save;
                                   "form" is the form as Edit left it
  {"cmd": "delete", "id": I}       click Delete on row I and accept the
                                   confirm(); "dialogs" lists what it asked
  {"cmd": "inspect", "id": I}      how row I shows its task (see INSPECT)
  {"cmd": "quit"}

F has some of title, notes, tags (typed with Input.insertText), priority
and due (set as values). The answers of open, create, edit and delete carry
"rows" ([{"id", "title"}], as the table shows them) and "status" (the status
line's text and kind). Clicks are real mouse clicks at the middle of the
button, once it has stopped moving and nothing covers it. "Ready" is
document.body.dataset.state == "ready" (app.js: no request in flight).
"""

import json
import sys
import time

import websocket

READY_TIMEOUT_MS = 10000
RECV_TIMEOUT_S = 20


class DriverError(Exception):
    pass


class Page:
    """One page target of the browser, through a flat session."""

    def __init__(self, ws_url):
        # Chromium refuses DevTools connections whose Origin it was not told
        # to allow; a client that sends none is fine
        self.ws = websocket.create_connection(ws_url, timeout=RECV_TIMEOUT_S,
                                              suppress_origin=True)
        self.next_id = 0
        self.session = None
        self.exceptions = []
        self.console = []
        self.dialogs = []
        self.loaded = False
        target = self.call('Target.createTarget', {'url': 'about:blank'}, browser=True)
        attached = self.call('Target.attachToTarget',
                             {'targetId': target['targetId'], 'flatten': True}, browser=True)
        self.session = attached['sessionId']
        for domain in ('Page', 'Runtime', 'Log'):
            self.call(domain + '.enable')
        # Smooth scrolling would move buttons under the mouse
        self.call('Emulation.setEmulatedMedia',
                  {'features': [{'name': 'prefers-reduced-motion', 'value': 'reduce'}]})
        self.call('Emulation.setDeviceMetricsOverride',
                  {'width': 1280, 'height': 900, 'deviceScaleFactor': 1, 'mobile': False})

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass

    # -- the protocol --------------------------------------------------------

    def send(self, method, params=None, browser=False):
        self.next_id += 1
        message = {'id': self.next_id, 'method': method, 'params': params or {}}
        if self.session and not browser:
            message['sessionId'] = self.session
        self.ws.send(json.dumps(message))
        return self.next_id

    def call(self, method, params=None, browser=False):
        """Sends a command and answers its result, handling the events that
        come in meanwhile (a confirm() is accepted here, while the click
        that opened it waits)."""
        wanted = self.send(method, params, browser)
        while True:
            message = self.receive()
            if message.get('id') == wanted:
                if 'error' in message:
                    raise DriverError('%s: %s' % (method, message['error'].get('message')))
                return message.get('result', {})

    def receive(self):
        try:
            text = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            raise DriverError('no message from Chromium within %d s' % RECV_TIMEOUT_S)
        message = json.loads(text)
        if 'method' in message:
            self.on_event(message['method'], message.get('params', {}))
        return message

    def on_event(self, method, params):
        if method == 'Page.javascriptDialogOpening':
            self.dialogs.append({'type': params.get('type'), 'message': params.get('message')})
            # Answered without waiting: the click's evaluate is blocked on it
            self.send('Page.handleJavaScriptDialog', {'accept': True})
        elif method == 'Page.loadEventFired':
            self.loaded = True
        elif method == 'Runtime.exceptionThrown':
            details = params.get('exceptionDetails', {})
            exception = details.get('exception', {})
            self.exceptions.append(exception.get('description') or details.get('text'))
        elif method == 'Runtime.consoleAPICalled':
            if params.get('type') in ('error', 'warning', 'assert'):
                args = params.get('args', [])
                self.console.append('console.%s: %s' % (params['type'], ' '.join(
                    str(a.get('value', a.get('description', ''))) for a in args)))
        elif method == 'Log.entryAdded':
            entry = params.get('entry', {})
            if entry.get('level') in ('error', 'warning'):
                self.console.append('%s (%s): %s %s' % (entry.get('level'), entry.get('source'),
                                                        entry.get('text'), entry.get('url', '')))

    def evaluate(self, expression, await_promise=False):
        result = self.call('Runtime.evaluate', {
            'expression': expression,
            'returnByValue': True,
            'awaitPromise': await_promise,
            'userGesture': True,
        })
        if 'exceptionDetails' in result:
            details = result['exceptionDetails']
            raise DriverError('script failed: %s' % (details.get('exception', {}).get('description')
                                                       or details.get('text')))
        return result.get('result', {}).get('value')

    # -- the page --------------------------------------------------------------

    def wait_ready(self, what):
        state = self.evaluate('''new Promise((resolve) => {
          const end = Date.now() + %d;
          (function tick() {
            const state = document.body ? document.body.dataset.state : undefined;
            if (state === 'ready' || Date.now() > end)
              resolve(state);
            else
              setTimeout(tick, 10);
          })();
        })''' % READY_TIMEOUT_MS, await_promise=True)
        if state != 'ready':
            raise DriverError('the page was not ready within %d ms after %s (state: %r)'
                              % (READY_TIMEOUT_MS, what, state))

    def open(self, url):
        self.loaded = False
        result = self.call('Page.navigate', {'url': url})
        if result.get('errorText'):
            raise DriverError('cannot load %s: %s' % (url, result['errorText']))
        end = time.monotonic() + RECV_TIMEOUT_S
        while not self.loaded:
            if time.monotonic() > end:
                raise DriverError('%s did not finish loading' % url)
            self.receive()
        self.wait_ready('loading ' + url)

    def snapshot(self):
        return self.evaluate('''({
          rows: Array.from(document.querySelectorAll('#task-rows tr[data-id]')).map((tr) => {
            const title = tr.querySelector('span.title');
            return { id: tr.dataset.id, title: title ? title.textContent : null };
          }),
          status: {
            text: document.getElementById('status').textContent,
            kind: document.getElementById('status').dataset.kind,
          },
          form: {
            mode: document.getElementById('task-form').dataset.mode,
            title: document.getElementById('title').value,
            error: document.getElementById('form-error').hidden ? null
                   : document.getElementById('form-error').textContent,
          },
        })''')

    def click(self, selector, what):
        """A real mouse click in the middle of the first element @selector
        matches, once its place is steady and nothing covers it there."""
        selector_js = json.dumps(selector)
        last = None
        end = time.monotonic() + 5
        while True:
            spot = self.evaluate('''new Promise((resolve) => {
              const el = document.querySelector(%s);
              if (!el) return resolve({ error: 'no element' });
              if (el.disabled) return resolve({ error: 'disabled' });
              el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
              requestAnimationFrame(() => requestAnimationFrame(() => {
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.height === 0) return resolve({ error: 'not shown' });
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                const hit = document.elementFromPoint(x, y);
                resolve({ x, y, hit: !!hit && (hit === el || el.contains(hit)),
                          covered_by: hit ? hit.outerHTML.slice(0, 120) : null });
              }));
            })''' % selector_js, await_promise=True)
            if spot.get('error'):
                raise DriverError('cannot click %s (%s): %s' % (what, selector, spot['error']))
            steady = last is not None and abs(last['x'] - spot['x']) < 0.5 and abs(last['y'] - spot['y']) < 0.5
            if spot['hit'] and steady:
                break
            if time.monotonic() > end:
                raise DriverError('cannot click %s (%s): %s' % (
                    what, selector, 'it keeps moving' if spot['hit'] else 'covered by ' + str(spot['covered_by'])))
            last = spot
        for kind in ('mouseMoved', 'mousePressed', 'mouseReleased'):
            params = {'type': kind, 'x': spot['x'], 'y': spot['y']}
            if kind != 'mouseMoved':
                params.update(button='left', clickCount=1)
            self.call('Input.dispatchMouseEvent', params)

    def fill(self, fields):
        for name, value in fields.items():
            if name in ('title', 'notes', 'tags'):
                # Typed: focused, emptied, and the text inserted as if typed
                self.evaluate('''(() => {
                  const el = document.getElementById(%s);
                  el.focus();
                  el.select();
                })()''' % json.dumps(name))
                self.call('Input.dispatchKeyEvent', {'type': 'rawKeyDown', 'key': 'Delete',
                                                     'code': 'Delete', 'windowsVirtualKeyCode': 46})
                self.call('Input.dispatchKeyEvent', {'type': 'keyUp', 'key': 'Delete',
                                                     'code': 'Delete', 'windowsVirtualKeyCode': 46})
                if value:
                    self.call('Input.insertText', {'text': value})
                got = self.evaluate('document.getElementById(%s).value' % json.dumps(name))
                if got != value:
                    raise DriverError('typed %r into #%s, it holds %r' % (value, name, got))
            elif name in ('priority', 'due'):
                self.evaluate('''(() => {
                  const el = document.getElementById(%s);
                  el.value = %s;
                  el.dispatchEvent(new Event('input', { bubbles: true }));
                  el.dispatchEvent(new Event('change', { bubbles: true }));
                  return el.value;
                })()''' % (json.dumps(name), json.dumps(value)))
            else:
                raise DriverError('no field %r in the form' % name)

    def row_selector(self, task_id, rest):
        return '#task-rows tr[data-id=%s] %s' % (json.dumps(str(task_id)), rest)

    # -- commands ------------------------------------------------------------

    def cmd_open(self, c):
        self.open(c['url'])
        return self.snapshot()

    def cmd_create(self, c):
        self.fill(c['fields'])
        self.click('#save', 'Create')
        self.wait_ready('Create')
        return self.snapshot()

    def cmd_edit(self, c):
        self.click(self.row_selector(c['id'], 'button.edit'), 'Edit')
        self.wait_ready('Edit')
        form = self.snapshot()['form']
        if form['mode'] != 'edit':
            raise DriverError('the form is not editing after Edit: %r' % form)
        self.fill(c['fields'])
        self.click('#save', 'Save')
        self.wait_ready('Save')
        answer = self.snapshot()
        answer['edit_form'] = form
        return answer

    def cmd_delete(self, c):
        self.dialogs = []
        self.click(self.row_selector(c['id'], 'button.delete'), 'Delete')
        self.wait_ready('Delete')
        answer = self.snapshot()
        answer['dialogs'] = self.dialogs
        return answer

    # INSPECT: what a row, its title and the status line are made of
    def cmd_inspect(self, c):
        answer = self.evaluate('''(() => {
          const tr = document.querySelector(%s);
          if (!tr) return { found: false };
          const title = tr.querySelector('span.title');
          const status = document.getElementById('status');
          return {
            found: true,
            title_text: title ? title.textContent : null,
            title_elements: title ? title.querySelectorAll('*').length : null,
            row_text: tr.textContent,
            foreign: tr.querySelectorAll('b, i, img, script, iframe, svg').length,
            status_text: status.textContent,
            status_elements: status.querySelectorAll('*').length,
            scripts: document.scripts.length,
            pwned: typeof window.__pwned,
          };
        })()''' % json.dumps('#task-rows tr[data-id=%s]' % json.dumps(str(c['id']))))
        return answer


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: rest-web-driver.py WS_URL')
    page = Page(sys.argv[1])
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            command = json.loads(line)
            name = command.get('cmd')
            if name == 'quit':
                break
            try:
                handler = getattr(page, 'cmd_' + str(name), None)
                if handler is None:
                    raise DriverError('unknown command %r' % name)
                answer = handler(command)
                answer['ok'] = True
            except (DriverError, websocket.WebSocketException, KeyError) as e:
                answer = {'ok': False, 'error': '%s: %s' % (name, e)}
            answer['exceptions'] = page.exceptions
            answer['console'] = page.console
            page.exceptions = []
            page.console = []
            print(json.dumps(answer), flush=True)
    finally:
        page.close()


if __name__ == '__main__':
    main()
