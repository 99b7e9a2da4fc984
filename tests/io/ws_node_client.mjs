// Interop peer for websocket_interop_test: Node's built-in WebSocket client (undici, RFC 6455)
// talks to our server. Usage: node --experimental-websocket ws_node_client.mjs URL
// Sends binary messages of several sizes, expects each echoed byte-exact, then closes with 1000.
const url = process.argv[2];
const sizes = [1, 2, 125, 126, 127, 1000, 65535, 65536, 4096, 3];

function pattern(size, seed) {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function fail(why) {
  console.error('interop failure: ' + why);
  process.exit(1);
}

const timer = setTimeout(() => fail('timeout'), 15000);
const ws = new WebSocket(url, ['zmesh.v1']);
ws.binaryType = 'arraybuffer';
let next = 0;
ws.onopen = () => {
  if (ws.protocol !== 'zmesh.v1') fail('protocol ' + ws.protocol);
  for (let i = 0; i < sizes.length; i++) ws.send(pattern(sizes[i], i + 1));
};
ws.onmessage = (event) => {
  const got = new Uint8Array(event.data);
  const want = pattern(sizes[next], next + 1);
  if (got.length !== want.length) fail(`message ${next}: length ${got.length} != ${want.length}`);
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) fail(`message ${next}: byte ${i} differs`);
  next++;
  if (next === sizes.length) ws.close(1000, 'interop done');
};
ws.onerror = (e) => fail('error event ' + (e.message || ''));
ws.onclose = (event) => {
  clearTimeout(timer);
  if (next !== sizes.length) fail(`closed after ${next} messages (code ${event.code})`);
  if (event.code !== 1000) fail('close code ' + event.code);
  console.log(`interop ok: ${next} messages echoed, close code ${event.code}`);
  process.exit(0);
};
