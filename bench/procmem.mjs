// Resident memory of the browser this process started, from /proc: the
// renderer processes (the tabs and their workers run there) and the rest
// (browser, GPU, utility processes), in bytes.
import { readFile, readdir } from 'node:fs/promises';

/** pid → { ppid, rss (bytes), cmd } for every process. */
async function processes() {
  const out = new Map();
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = await readFile(`/proc/${d}/status`, 'utf8');
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      const cmd = (await readFile(`/proc/${d}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      out.set(Number(d), { ppid, rss, cmd });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** RSS of the renderer processes and of everything else descended from this process. */
export async function sample() {
  const procs = await processes();
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of procs)
      if (!mine.has(pid) && mine.has(p.ppid)) {
        mine.add(pid);
        grew = true;
      }
  }
  let renderer = 0;
  let other = 0;
  for (const pid of mine) {
    if (pid === process.pid) continue;
    const p = procs.get(pid);
    if (p.cmd.includes('--type=renderer')) renderer += p.rss;
    else other += p.rss;
  }
  return { renderer, other };
}

/**
 * Takes an idle sample, then samples every `ms` until the returned stop() is
 * awaited: → { idle, peak }, each { renderer, other } in bytes.
 */
export async function watch(ms = 100) {
  const idle = await sample();
  const peak = { ...idle };
  let on = true;
  const done = (async () => {
    while (on) {
      const s = await sample();
      peak.renderer = Math.max(peak.renderer, s.renderer);
      peak.other = Math.max(peak.other, s.other);
      await new Promise((ok) => setTimeout(ok, ms));
    }
  })();
  return async () => {
    on = false;
    await done;
    return { idle, peak };
  };
}

/**
 * The renderers' RSS once the page has let go of what it no longer shows:
 * a garbage collection asked for over the DevTools protocol (Chromium; the
 * page's own heap, the workers collect on their own), then the lowest of
 * samples over `ms`.
 */
export async function settled(page, ms = 3000) {
  try {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.detach();
  } catch {
    /* not Chromium: the samples alone */
  }
  let low = Infinity;
  for (const end = Date.now() + ms; Date.now() < end; ) {
    low = Math.min(low, (await sample()).renderer);
    await new Promise((ok) => setTimeout(ok, 250));
  }
  return low;
}
