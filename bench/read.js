// The raw read benchmark's page side (bench/slice_pool.mjs drives it):
// window.rawRead(method, readers, chunkBytes) reads the chosen File whole in
// `readers` workers (bench/read-worker.js) and resolves to the wall time in
// ms. Reader k reads the k-th contiguous part of the file.
window.rawRead = async (method, readers, chunkBytes) => {
  const file = document.getElementById('file').files[0];
  const part = Math.ceil(file.size / readers / chunkBytes) * chunkBytes;
  const workers = Array.from({ length: readers }, () => new Worker('read-worker.js', { type: 'module' }));
  const t0 = performance.now();
  const sums = await Promise.all(
    workers.map(
      (w, k) =>
        new Promise((ok, fail) => {
          w.onmessage = (e) => (e.data.error ? fail(new Error(e.data.error)) : ok(e.data.bytes));
          w.onerror = (e) => fail(new Error(e.message));
          w.postMessage({ file, method, start: Math.min(file.size, k * part), end: Math.min(file.size, (k + 1) * part), chunkBytes });
        }),
    ),
  );
  const ms = performance.now() - t0;
  for (const w of workers) w.terminate();
  const bytes = sums.reduce((a, b) => a + b, 0);
  if (bytes !== file.size) throw new Error(`read ${bytes} of ${file.size} bytes`);
  return ms;
};
window.benchReady = true;
