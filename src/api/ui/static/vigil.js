// Vigil's web UI script. Progressive enhancement only: every page and form works without it.
// - A form marked data-enhance (approve/deny) is sent with fetch; the page that the server answers with (after its
//   redirect back to the gate) replaces <main> in place, and focus moves to the result so it is read out.
// - A page whose <main> has data-refresh (a run that is still running) re-reads itself every that many ms and
//   updates in place, until the server's page no longer asks for it.
// Loaded from /static under a CSP that allows no inline script; it adds no markup of its own, so all escaping
// stays on the server.
(() => {
  'use strict';

  /** Replaces <main> with the one in `html`; false when `html` has none. */
  function swapMain(html) {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const next = doc.querySelector('main');
    const current = document.querySelector('main');
    if (!next || !current) return false;
    if (next.innerHTML !== current.innerHTML || next.getAttribute('data-refresh') !== current.getAttribute('data-refresh')) {
      current.replaceWith(document.adoptNode(next));
    }
    if (doc.title) document.title = doc.title;
    return true;
  }

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-enhance')) return;
    const submitter = event.submitter instanceof HTMLButtonElement ? event.submitter : null;
    const action = (submitter && submitter.formAction) || form.action;
    const body = new URLSearchParams(new FormData(form, submitter));
    event.preventDefault();
    const buttons = Array.from(form.querySelectorAll('button'));
    // One decision per press: a second tap while the first is on its way does nothing.
    buttons.forEach((b) => (b.disabled = true));
    form.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(action, { method: 'POST', body, credentials: 'same-origin', headers: { accept: 'text/html' } });
      const landed = new URL(response.url);
      if (response.redirected && landed.pathname !== location.pathname) {
        // Sent elsewhere (the session ended: the sign-in page): go there like a plain form would.
        location.assign(response.url);
        return;
      }
      if (!swapMain(await response.text())) {
        location.reload();
        return;
      }
      const result = document.getElementById('result');
      const target = result || document.querySelector('main');
      if (target) target.focus();
      if (result) result.scrollIntoView({ block: 'center' });
      scheduleRefresh();
    } catch {
      // The network failed: hand the form to the browser, which submits it normally and shows its own error if need be.
      buttons.forEach((b) => (b.disabled = false));
      form.removeAttribute('data-enhance');
      form.requestSubmit(submitter || undefined);
    }
  });

  let timer;
  function scheduleRefresh() {
    clearTimeout(timer);
    const main = document.querySelector('main[data-refresh]');
    if (!main) return;
    const ms = Math.max(1000, Number(main.getAttribute('data-refresh')) || 3000);
    timer = setTimeout(async () => {
      const typing = document.activeElement && document.activeElement.closest && document.activeElement.closest('main form');
      if (!document.hidden && !typing) {
        try {
          const response = await fetch(location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } });
          if (response.ok && !response.redirected) {
            const focused = document.activeElement && document.activeElement.id;
            swapMain(await response.text());
            if (focused) {
              const again = document.getElementById(focused);
              if (again) again.focus();
            }
          }
        } catch {
          // Offline for a moment: try again at the next tick.
        }
      }
      scheduleRefresh();
    }, ms);
  }
  scheduleRefresh();
})();
