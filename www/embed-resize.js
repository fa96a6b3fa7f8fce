// @ts-check
// Sizes every entropy-polarity iframe on this page to its content (README,
// "Embedding"). Include once, next to the iframes:
//   <script type="module" src="embed-resize.js"></script>
// A file rather than an inline script, so that a strict Content-Security-Policy
// allows it. Without it, an iframe keeps its height attribute.
addEventListener('message', (e) => {
  if (e.data?.type !== 'entropy-polarity:height') return;
  const height = Number(e.data.height);
  if (!Number.isFinite(height)) return;
  for (const frame of document.querySelectorAll('iframe')) {
    if (frame.contentWindow === e.source) frame.style.height = `${Math.min(4000, Math.max(120, Math.ceil(height)))}px`;
  }
});
