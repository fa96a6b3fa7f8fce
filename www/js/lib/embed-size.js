// @ts-check
// The explorer in an iframe (?embed=1) tells its parent page how tall its
// content is, so that the parent can size the frame to it (the snippet in
// www/embed-resize.js; README, "Embedding"). Only a height crosses: the
// message holds nothing private, so any parent may read it.

export const MESSAGE = 'entropy-polarity:height';

/** Posts the content height to the parent now and whenever it changes. */
export function reportHeight() {
  if (window.parent === window) return;
  let last = -1;
  const post = () => {
    // The body's own box: the document's scrollHeight would never shrink
    // below a frame that was once taller.
    const height = Math.ceil(document.body.getBoundingClientRect().bottom + window.scrollY);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: MESSAGE, height }, '*');
  };
  new ResizeObserver(post).observe(document.body);
  post();
}
