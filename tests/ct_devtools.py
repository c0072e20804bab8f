"""tests/ct_devtools.py — what the web page drivers (rest-web-driver.py,
chat-web-driver.py) share: a headless Chromium driven over the Chrome
DevTools Protocol (Debian: python3-websocket, run with /usr/bin/python3),
its pages, and the command loop.

The test program starts and stops Chromium itself and runs the driver with
the browser's DevTools WebSocket (the "DevTools listening on ws://…" line
Chromium prints). The driver runs commands: one JSON object a line on
stdin, one JSON answer a line on stdout (flushed at once). It exits at the
end of stdin (so it goes with the test even if the test dies) or on "quit".
Every answer has "ok", and "error" when not ok, plus "exceptions" and
"console": what the pages threw and logged (errors and warnings, CSP
violations among them) since the last command.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import json
import sys
import time

import websocket

RECV_TIMEOUT_S = 20
WAIT_TIMEOUT_MS = 10000


class DriverError(Exception):
    pass


class Browser:
    """The browser's DevTools connection, shared by its pages (flat
    sessions: one WebSocket, each page's messages tagged with its
    sessionId)."""

    def __init__(self, ws_url):
        # Chromium refuses DevTools connections whose Origin it was not told
        # to allow; a client that sends none is fine
        self.ws = websocket.create_connection(ws_url, timeout=RECV_TIMEOUT_S,
                                              suppress_origin=True)
        self.next_id = 0
        self.pages = {}    # sessionId → Page

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session:
            message['sessionId'] = session
        self.ws.send(json.dumps(message))
        return self.next_id

    def call(self, method, params=None, session=None):
        """Sends a command and answers its result, handling the events that
        come in meanwhile (a confirm() is accepted here, while the click
        that opened it waits)."""
        wanted = self.send(method, params, session)
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
            page = self.pages.get(message.get('sessionId'))
            if page:
                page.on_event(message['method'], message.get('params', {}))
        return message

    def new_page(self, isolated=False, width=1280, height=900, mobile=False):
        """A new tab; with @isolated, in a browser context of its own (its
        own cookies and storage, like another person's browser)."""
        params = {'url': 'about:blank'}
        if isolated:
            context = self.call('Target.createBrowserContext', {'disposeOnDetach': True})
            params['browserContextId'] = context['browserContextId']
        target = self.call('Target.createTarget', params)
        attached = self.call('Target.attachToTarget', {'targetId': target['targetId'], 'flatten': True})
        page = Page(self, attached['sessionId'])
        self.pages[page.session] = page
        page.setup(width, height, mobile)
        return page

    def take_reports(self):
        """What every page threw and logged since the last call"""
        exceptions, console = [], []
        for page in self.pages.values():
            exceptions += page.exceptions
            console += page.console
            page.exceptions = []
            page.console = []
        return exceptions, console


class Page:
    """One page target of the browser."""

    def __init__(self, browser, session):
        self.browser = browser
        self.session = session
        self.exceptions = []
        self.console = []
        self.dialogs = []
        self.loaded = False

    def setup(self, width, height, mobile):
        for domain in ('Page', 'Runtime', 'Log'):
            self.call(domain + '.enable')
        # Smooth scrolling would move buttons under the mouse
        self.call('Emulation.setEmulatedMedia',
                  {'features': [{'name': 'prefers-reduced-motion', 'value': 'reduce'}]})
        self.call('Emulation.setDeviceMetricsOverride',
                  {'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': mobile})

    def call(self, method, params=None):
        return self.browser.call(method, params, self.session)

    def send(self, method, params=None):
        return self.browser.send(method, params, self.session)

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

    def wait_for(self, condition, what, timeout_ms=WAIT_TIMEOUT_MS):
        """Polls the JavaScript expression @condition in the page until it is
        truthy, and answers its value; fails after @timeout_ms, saying what
        it last was."""
        outcome = self.evaluate('''new Promise((resolve) => {
          const end = Date.now() + %d;
          (function tick() {
            let value;
            try {
              value = (%s);
            } catch (e) {
              value = undefined;
            }
            if (value || Date.now() > end)
              resolve({ ok: !!value, value: value === undefined ? null : value });
            else
              setTimeout(tick, 10);
          })();
        })''' % (timeout_ms, condition), await_promise=True)
        if not outcome['ok']:
            raise DriverError('%s: not within %d ms (last: %r)' % (what, timeout_ms, outcome['value']))
        return outcome['value']

    def open(self, url):
        """Loads @url and waits for its load event"""
        self.loaded = False
        result = self.call('Page.navigate', {'url': url})
        if result.get('errorText'):
            raise DriverError('cannot load %s: %s' % (url, result['errorText']))
        end = time.monotonic() + RECV_TIMEOUT_S
        while not self.loaded:
            if time.monotonic() > end:
                raise DriverError('%s did not finish loading' % url)
            self.browser.receive()

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

    def key(self, key, code, keycode, text=None):
        """One key pressed and released, as typed"""
        down = {'type': 'keyDown' if text else 'rawKeyDown', 'key': key, 'code': code,
                'windowsVirtualKeyCode': keycode}
        if text:
            down['text'] = text
        self.call('Input.dispatchKeyEvent', down)
        self.call('Input.dispatchKeyEvent', {'type': 'keyUp', 'key': key, 'code': code,
                                             'windowsVirtualKeyCode': keycode})

    def type_into(self, element_id, value):
        """Focuses the field #@element_id, empties it and types @value into
        it (inserted as if typed)"""
        self.evaluate('''(() => {
          const el = document.getElementById(%s);
          el.focus();
          el.select();
        })()''' % json.dumps(element_id))
        self.key('Delete', 'Delete', 46)
        if value:
            self.call('Input.insertText', {'text': value})
        got = self.evaluate('document.getElementById(%s).value' % json.dumps(element_id))
        if got != value:
            raise DriverError('typed %r into #%s, it holds %r' % (value, element_id, got))


def serve(browser, driver):
    """Runs the commands of stdin with driver's cmd_NAME methods, each
    given the command and answering a dict, until "quit" or the end of
    stdin"""
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            command = json.loads(line)
            name = command.get('cmd')
            if name == 'quit':
                break
            try:
                handler = getattr(driver, 'cmd_' + str(name), None)
                if handler is None:
                    raise DriverError('unknown command %r' % name)
                answer = handler(command)
                answer['ok'] = True
            except (DriverError, websocket.WebSocketException, KeyError) as e:
                answer = {'ok': False, 'error': '%s: %s' % (name, e)}
            answer['exceptions'], answer['console'] = browser.take_reports()
            print(json.dumps(answer), flush=True)
    finally:
        browser.close()
