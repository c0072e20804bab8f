#!/usr/bin/python3
"""tests/rest-web-driver.py WS_URL — drives the REST server's web page in a
headless Chromium for tests/test-rest-web.c, over the Chrome DevTools
Protocol (Debian: python3-websocket, run with /usr/bin/python3; the
plumbing is in ct_devtools.py).

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
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ct_devtools import Browser, DriverError, serve  # noqa: E402

READY_TIMEOUT_MS = 10000


class Driver:
    """The one page, in the browser's default context."""

    def __init__(self, browser):
        self.page = browser.new_page()

    # -- the page --------------------------------------------------------------

    def evaluate(self, expression, await_promise=False):
        return self.page.evaluate(expression, await_promise)

    def wait_ready(self, what):
        self.page.wait_for("document.body && document.body.dataset.state === 'ready'",
                           'the page was not ready after ' + what, READY_TIMEOUT_MS)

    def open(self, url):
        self.page.open(url)
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
        self.page.click(selector, what)

    def fill(self, fields):
        for name, value in fields.items():
            if name in ('title', 'notes', 'tags'):
                self.page.type_into(name, value)
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
        self.page.dialogs = []
        self.click(self.row_selector(c['id'], 'button.delete'), 'Delete')
        self.wait_ready('Delete')
        answer = self.snapshot()
        answer['dialogs'] = self.page.dialogs
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
    browser = Browser(sys.argv[1])
    serve(browser, Driver(browser))


if __name__ == '__main__':
    main()
