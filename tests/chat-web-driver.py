#!/usr/bin/python3
"""tests/chat-web-driver.py WS_URL — drives the chat server's web page in a
headless Chromium for tests/test-chat-web.c, over the Chrome DevTools
Protocol (Debian: python3-websocket, run with /usr/bin/python3; the
plumbing is in ct_devtools.py, which says how commands and answers go).

Each command names a page ("page": a name of the test's choosing); the
first "open" of a name makes a tab in a browser context of its own, so
that pages are like different people's browsers (their own storage).

Commands (every answer has "ok", and "error" when not ok, plus "exceptions"
and "console"):

  {"cmd": "open", "page": P, "url": U, "width": W, "height": H}
                            load U in P (W×H pixels, default 1280×900),
                            wait for the server's welcome
  {"cmd": "join", "page": P, "nick": N}
                            type N as the nickname, click Join, wait for
                            the server's answer: joined, or the nickname
                            refused ("nick_error")
  {"cmd": "send", "page": P, "text": T, "key": true}
                            type T in the composer, send it (Enter with
                            "key", else a click on Send), wait for it to
                            come back from the server
  {"cmd": "wait_message", "page": P, "from": F, "text": T}
                            wait until P shows message T from F
  {"cmd": "wait_users", "page": P, "users": [N, …]}
                            wait until P lists these people online (in any
                            order)
  {"cmd": "leave", "page": P}
                            click Leave, wait until P says it is closed
  {"cmd": "reconnect", "page": P}
                            click Reconnect, wait until P has joined again
  {"cmd": "wait_state", "page": P, "state": S}
                            wait until P's state is S (closed, …)
  {"cmd": "inspect", "page": P}
                            what P's message list is made of (INSPECT)
  {"cmd": "snapshot", "page": P}
  {"cmd": "quit"}

The answers of all but inspect are a snapshot of the page (SNAPSHOT): its
state (document.body.dataset.state: connecting, choosing, joining, joined,
closed), nickname, messages, events and who is online.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ct_devtools import Browser, DriverError, serve  # noqa: E402

STATE = 'document.body.dataset.state'

SNAPSHOT = '''(() => {
  const $ = (id) => document.getElementById(id);
  const shownText = (el) => el.hidden ? null : el.textContent;
  return {
    state: document.body.dataset.state,
    nick: document.body.dataset.nick || null,
    error: document.body.dataset.error || null,
    close_code: document.body.dataset.closeCode || null,
    title: document.title,
    status: { text: $('status').textContent, kind: $('status').dataset.kind },
    nick_error: shownText($('nick-error')),
    composer_error: shownText($('composer-error')),
    close_info: $('closed').hidden ? null : $('close-info').textContent,
    join_form: !$('join-form').hidden,
    composer: !$('composer').hidden,
    messages: Array.from(document.querySelectorAll('#messages li.message')).map((li) => ({
      id: li.dataset.id || null,
      from: li.dataset.from,
      nick: li.querySelector('.nick').firstChild.textContent,
      text: li.querySelector('.text').textContent,
      own: li.classList.contains('own'),
    })),
    events: Array.from(document.querySelectorAll('#messages li.event')).map((li) => ({
      kind: li.dataset.kind,
      text: li.textContent,
    })),
    users: Array.from(document.querySelectorAll('#users li')).map((li) => li.dataset.nick),
    user_count: $('user-count').textContent,
  };
})()'''

# INSPECT: what the message list is made of; a message's text must be a
# text node and nothing else
INSPECT = '''(() => {
  const list = document.getElementById('messages');
  return {
    title: document.title,
    texts: Array.from(list.querySelectorAll('li.message .text')).map((t) => ({
      text: t.textContent,
      elements: t.querySelectorAll('*').length,
      nodes: t.childNodes.length,
    })),
    foreign: list.querySelectorAll('img, script, iframe, svg, b, i, object, embed').length,
    images: document.images.length,
    scripts: document.scripts.length,
  };
})()'''


class Driver:
    def __init__(self, browser):
        self.browser = browser
        self.pages = {}

    def page(self, c):
        page = self.pages.get(c['page'])
        if page is None:
            raise DriverError('no page %r: open it first' % c['page'])
        return page

    def snapshot(self, page):
        return page.evaluate(SNAPSHOT)

    # -- commands ------------------------------------------------------------

    def cmd_open(self, c):
        page = self.pages.get(c['page'])
        if page is None:
            page = self.browser.new_page(isolated=True, width=c.get('width', 1280),
                                         height=c.get('height', 900))
            self.pages[c['page']] = page
        page.open(c['url'])
        page.wait_for("['choosing', 'joined', 'closed'].includes(%s) && %s" % (STATE, STATE),
                      'the welcome after loading ' + c['url'])
        return self.snapshot(page)

    def cmd_join(self, c):
        page = self.page(c)
        page.type_into('nick', c['nick'])
        page.click('#join-button', 'Join')
        page.wait_for('''(%s === 'joined' ||
                          (%s !== 'joining' && !document.getElementById('nick-error').hidden)) && %s'''
                      % (STATE, STATE, STATE),
                      'the answer to joining as %r' % c['nick'])
        return self.snapshot(page)

    def cmd_send(self, c):
        page = self.page(c)
        text = json.dumps(c['text'])
        count = '''Array.from(document.querySelectorAll('#messages li.message.own .text'))
                     .filter((t) => t.textContent === %s).length''' % text
        before = page.evaluate(count)
        page.type_into('message-input', c['text'])
        if c.get('key'):
            page.key('Enter', 'Enter', 13, text='\r')
        else:
            page.click('#send', 'Send')
        page.wait_for('%s > %d' % (count, before), 'our message %s back from the server' % text)
        value = page.evaluate("document.getElementById('message-input').value")
        if value != '':
            raise DriverError('the composer still holds %r after sending' % value)
        return self.snapshot(page)

    def cmd_wait_message(self, c):
        page = self.page(c)
        page.wait_for('''Array.from(document.querySelectorAll('#messages li.message')).some((li) =>
                           li.dataset.from === %s && li.querySelector('.text').textContent === %s)'''
                      % (json.dumps(c['from']), json.dumps(c['text'])),
                      'the message %r from %r' % (c['text'], c['from']))
        return self.snapshot(page)

    def cmd_wait_users(self, c):
        page = self.page(c)
        page.wait_for('''JSON.stringify(Array.from(document.querySelectorAll('#users li'))
                           .map((li) => li.dataset.nick).sort()) === %s'''
                      % json.dumps(json.dumps(sorted(c['users']), separators=(',', ':'))),
                      'the online list %r' % c['users'])
        return self.snapshot(page)

    def cmd_leave(self, c):
        page = self.page(c)
        page.click('#leave', 'Leave')
        page.wait_for("%s === 'closed'" % STATE, 'the page closed after Leave')
        return self.snapshot(page)

    def cmd_reconnect(self, c):
        page = self.page(c)
        page.click('#reconnect', 'Reconnect')
        page.wait_for("%s === 'joined'" % STATE, 'joined again after Reconnect')
        return self.snapshot(page)

    def cmd_wait_state(self, c):
        page = self.page(c)
        page.wait_for('%s === %s' % (STATE, json.dumps(c['state'])), 'the state %r' % c['state'])
        return self.snapshot(page)

    def cmd_inspect(self, c):
        return self.page(c).evaluate(INSPECT)

    def cmd_snapshot(self, c):
        return self.snapshot(self.page(c))


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: chat-web-driver.py WS_URL')
    browser = Browser(sys.argv[1])
    serve(browser, Driver(browser))


if __name__ == '__main__':
    main()
