// @ts-check
// Sharing and saving, used by every view: copy the page's link (its state
// lives in the hash) and download a generated file.

/** Makes `button` copy the current URL, with brief feedback in its label. */
export function wireCopyLink(button) {
  const label = button.textContent;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Link in address bar';
    }
    setTimeout(() => {
      button.textContent = label;
    }, 1500);
  });
}

/** Saves `blob` as a file called `name`. */
export function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
