// The service worker (public/sw.js) keeps the app shell so that the payment-code screen opens
// without a network. Once it controls the page, the payment-code chunk is loaded (through it) and
// every asset this page loaded is handed to it to keep; API answers are never cached.

const SW_URL = '/wallet/sw.js';

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  const start = async () => {
    try {
      await navigator.serviceWorker.register(SW_URL, { scope: '/wallet/' });
      const registration = await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise<void>((resolve) => {
          navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
          setTimeout(resolve, 5000);
        });
      }
      await import('./screens/code.js');
      const urls = performance
        .getEntriesByType('resource')
        .map((entry) => entry.name)
        .filter((url) => {
          const u = new URL(url);
          return u.origin === location.origin && u.pathname.startsWith('/wallet/assets/');
        });
      registration.active?.postMessage({ type: 'keep-assets', urls });
    } catch {
      // no offline support in this browser (private mode, blocked storage): the app still works online
    }
  };
  if (document.readyState === 'complete') void start();
  else window.addEventListener('load', () => void start(), { once: true });
}
