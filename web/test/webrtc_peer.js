// Browser half of the WebRTC interop test. runExchange(signalingUrl, mode) resolves to
// {ok, log, maxMessageSize, selectedPair} once both sides verified each other's messages.
//   mode "offerer":  this page creates the data channel and sends the offer;
//   mode "answerer": this page sends {"type":"request-offer"} and answers the native offer.
// Signaling: docs/protocol/signaling.md (sub-protocol zmesh.webrtc.v1, JSON in binary frames).
// The exchange mirrors tests/webrtc/webrtc_peer.cpp: messages of 1 B, 1 KiB and the maximum
// size, byte j of message i from side s = (j*131 + i*7 + s*29 + (j>>8)) & 0xff; the browser is
// side 1, the native peer side 0; after verifying all three each side sends "verified".
'use strict';

function pattern(size, index, side) {
  const out = new Uint8Array(size);
  for (let j = 0; j < size; j++) out[j] = (j * 131 + index * 7 + side * 29 + (j >> 8)) & 0xff;
  return out;
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function runExchange(signalingUrl, mode, iceServers = [], iceTransportPolicy = 'all') {
  const log = [];
  const note = (text) => {
    log.push(`${Math.round(performance.now())} ms ${text}`);
    document.getElementById('log').textContent = log.join('\n');
  };
  return new Promise((resolve, reject) => {
    const fail = (why) => reject(new Error(`${why}\n${log.join('\n')}`));
    const timer = setTimeout(() => fail('timed out'), 30000);
    const ws = new WebSocket(signalingUrl, 'zmesh.webrtc.v1');
    ws.binaryType = 'arraybuffer';
    const send = (message) => ws.send(new TextEncoder().encode(JSON.stringify(message)));
    const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy });
    pc.onicecandidate = (e) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (e.candidate && e.candidate.candidate) {
        note(`local ${e.candidate.candidate}`);
        send({ type: 'candidate', candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex });
      } else if (!e.candidate) {
        send({ type: 'end-of-candidates' });
      }
    };
    pc.onconnectionstatechange = () => note(`connection ${pc.connectionState}`);

    let channel = null;
    const sizes = [];
    let received = 0;
    let peerVerified = false;
    const finishIfDone = async () => {
      if (received !== 3 || !peerVerified) return;
      clearTimeout(timer);
      const stats = await pc.getStats();
      let selectedPair = '';
      stats.forEach((s) => {
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
          const l = stats.get(s.localCandidateId), r = stats.get(s.remoteCandidateId);
          selectedPair = `${l.address}:${l.port} ${l.candidateType} <-> ${r.address}:${r.port} ${r.candidateType}`;
        }
      });
      resolve({ ok: true, log, maxMessageSize: sizes[2], selectedPair });
      channel.close();
      pc.close();
      ws.close();
    };
    const useChannel = (dc) => {
      channel = dc;
      dc.binaryType = 'arraybuffer';
      dc.onopen = () => {
        sizes.push(1, 1024, pc.sctp.maxMessageSize);
        note(`channel ${dc.label} open, max message ${pc.sctp.maxMessageSize}`);
        for (let i = 0; i < 3; i++) dc.send(pattern(sizes[i], i, 1));
      };
      dc.onmessage = (e) => {
        const bytes = new Uint8Array(typeof e.data === 'string' ? new TextEncoder().encode(e.data) : e.data);
        if (received < 3) {
          if (!equalBytes(bytes, pattern(sizes[received], received, 0))) {
            fail(`message ${received} (${bytes.length} bytes) differs`);
            return;
          }
          received++;
          note(`verified message of ${bytes.length} bytes`);
          if (received === 3) dc.send(new TextEncoder().encode('verified'));
        } else {
          peerVerified = new TextDecoder().decode(bytes) === 'verified';
          if (!peerVerified) fail('native peer did not verify');
        }
        finishIfDone();
      };
      dc.onerror = (e) => fail(`channel error ${e.error && e.error.message}`);
    };

    ws.onerror = () => fail('signaling WebSocket error');
    ws.onopen = async () => {
      if (mode === 'offerer') {
        useChannel(pc.createDataChannel('zmesh', { protocol: 'zmesh.link.v1' }));
        await pc.setLocalDescription(await pc.createOffer());
        send({ type: 'offer', sdp: pc.localDescription.sdp });
      } else {
        pc.ondatachannel = (e) => useChannel(e.channel);
        send({ type: 'request-offer' });
      }
    };
    ws.onmessage = async (e) => {
      const m = JSON.parse(new TextDecoder().decode(e.data));
      try {
        if (m.type === 'offer') {
          await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
          await pc.setLocalDescription(await pc.createAnswer());
          send({ type: 'answer', sdp: pc.localDescription.sdp });
        } else if (m.type === 'answer') {
          await pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
        } else if (m.type === 'candidate') {
          note(`remote ${m.candidate}`);
          await pc.addIceCandidate({ candidate: m.candidate, sdpMid: m.sdpMid ?? '0' });
        } else if (m.type === 'end-of-candidates') {
          await pc.addIceCandidate();
        } else if (m.type === 'error') {
          fail(`native peer reported: ${m.message}`);
        }
      } catch (err) {
        fail(`${m.type}: ${err}`);
      }
    };
  });
}
