// Native <-> headless Chromium WebRTC interop (run by chromium_interop.sh inside a private
// network namespace). Starts the native peer (webrtc_peer listen), serves web/test/ on
// 127.0.0.1, launches Debian's chromium through playwright-core and runs the exchange of
// web/test/webrtc_peer.js with the page as offerer, then as answerer. Exit 0 when both the
// page and the native peer verified every message.
//   node chromium_interop.mjs --peer BUILD/tests/webrtc/webrtc_peer --web DIR --address IP [--turn ...]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => {
  if (a.startsWith('--')) pairs.push([a.slice(2), all[i + 1]]);
  return pairs;
}, []));
const modes = (args.modes || 'offerer,answerer').split(',');

function startPeer() {
  const peerArgs = ['listen', '--sessions', String(modes.length), '--local-address', args.address];
  const peer = spawn(args.peer, peerArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => peer.on('exit', (code) => resolve(code)));
  const url = new Promise((resolve, reject) => {
    let out = '';
    peer.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/SIGNALING (\S+)/);
      if (m) resolve(m[1].replace(/^webrtc\+/, ''));
    });
    peer.on('exit', (code) => reject(new Error(`webrtc_peer exited early (${code})`)));
  });
  return { peer, url, exited };
}

function servePages(dir) {
  const server = http.createServer((req, res) => {
    const name = path.basename(new URL(req.url, 'http://x').pathname);
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'text/html' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const { peer, url, exited } = startPeer();
const server = await servePages(args.web);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'zmesh-chromium-'));
let failed = false;
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-features=WebRtcHideLocalIpsWithMdns'],
});
try {
  const signalingUrl = await url;
  const page = await browser.newPage();
  page.on('console', (m) => console.log(`page: ${m.text()}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/webrtc_peer.html`);
  for (const mode of modes) {
    const started = Date.now();
    try {
      const result = await page.evaluate(([u, m]) => runExchange(u, m), [signalingUrl, mode]);
      console.log(`chromium as ${mode}: verified 1 B, 1 KiB, ${result.maxMessageSize} B both ways ` +
        `in ${Date.now() - started} ms via ${result.selectedPair}`);
    } catch (err) {
      failed = true;
      console.log(`chromium as ${mode}: FAILED ${err.message}`);
    }
  }
} catch (err) {
  failed = true;
  console.log(`FAILED: ${err.message}`);
} finally {
  await browser.close();
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
const timeout = setTimeout(() => peer.kill('SIGKILL'), 10000);
const code = await exited;
clearTimeout(timeout);
console.log(`native peer exited with ${code}`);
process.exit(failed || code !== 0 ? 1 : 0);
