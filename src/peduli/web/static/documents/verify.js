/* The verify page, offline once loaded: base45 → inflate (DecompressionStream) → CBOR →
 * COSE_Sign1 → ES256 with WebCrypto against the trust list kept in the page (and in
 * localStorage). Online, it also asks the server whether the document was revoked.
 * Mirrors peduli/documents/codec.py. Without this script the form posts to the server. */
(function () {
  "use strict";
  var PREFIX = "PDL1:";
  var STORE = "peduli.trustList";
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  var form = document.getElementById("verify-form");
  var texts = document.getElementById("verify-texts");
  var out = document.getElementById("verify-result");
  if (!form || !texts || !out || !window.crypto || !crypto.subtle || !window.DecompressionStream) {
    return; // the server checks the posted form
  }
  var data = JSON.parse(document.getElementById("verify-data").textContent);
  var trust = null;

  function Unreadable() {}

  /* --- base45 (RFC 9285) ------------------------------------------------------------ */
  function base45(text) {
    var bytes = [];
    for (var i = 0; i < text.length; i += 3) {
      var chunk = text.slice(i, i + 3), n = 0, factor = 1;
      for (var j = 0; j < chunk.length; j++) {
        var v = ALPHABET.indexOf(chunk[j]);
        if (v < 0) throw new Unreadable();
        n += v * factor;
        factor *= 45;
      }
      if (chunk.length === 3) {
        if (n > 0xffff) throw new Unreadable();
        bytes.push(n >> 8, n & 0xff);
      } else if (chunk.length === 2) {
        if (n > 0xff) throw new Unreadable();
        bytes.push(n);
      } else {
        throw new Unreadable();
      }
    }
    return new Uint8Array(bytes);
  }

  function inflate(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); },
      function () { throw new Unreadable(); });
  }

  /* --- CBOR (RFC 8949): the subset COSE and CWT use ------------------------------------- */
  function cbor(bytes) {
    var pos = 0;
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    function need(n) { if (pos + n > bytes.length) throw new Unreadable(); }
    function length(info) {
      if (info < 24) return info;
      var size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
      if (!size) throw new Unreadable();
      need(size);
      var n = 0;
      for (var i = 0; i < size; i++) n = n * 256 + bytes[pos + i];
      pos += size;
      return n;
    }
    function item(depth) {
      if (depth > 16) throw new Unreadable();
      need(1);
      var first = bytes[pos++], major = first >> 5, info = first & 31;
      if (major === 7) {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22 || info === 23) return null;
        if (info === 26) { need(4); pos += 4; return view.getFloat32(pos - 4); }
        if (info === 27) { need(8); pos += 8; return view.getFloat64(pos - 8); }
        throw new Unreadable();
      }
      var n = length(info), i, list;
      switch (major) {
        case 0: return n;
        case 1: return -1 - n;
        case 2: need(n); pos += n; return bytes.slice(pos - n, pos);
        case 3: need(n); pos += n; return new TextDecoder("utf-8", { fatal: true }).decode(bytes.slice(pos - n, pos));
        case 4:
          if (n > 1000) throw new Unreadable();
          list = [];
          for (i = 0; i < n; i++) list.push(item(depth + 1));
          return list;
        case 5:
          if (n > 1000) throw new Unreadable();
          var map = new Map();
          for (i = 0; i < n; i++) { var key = item(depth + 1); map.set(key, item(depth + 1)); }
          return map;
        case 6: return { tag: n, value: item(depth + 1) };
      }
      throw new Unreadable();
    }
    var value = item(0);
    if (pos !== bytes.length) throw new Unreadable();
    return value;
  }

  function head(major, n) {
    if (n < 24) return [(major << 5) | n];
    if (n < 256) return [(major << 5) | 24, n];
    return [(major << 5) | 25, n >> 8, n & 0xff];
  }

  function sigStructure(protectedBytes, payload) {
    var context = new TextEncoder().encode("Signature1");
    var parts = [[0x84], head(3, context.length), Array.from(context),
      head(2, protectedBytes.length), Array.from(protectedBytes), [0x40],
      head(2, payload.length), Array.from(payload)];
    return new Uint8Array([].concat.apply([], parts));
  }

  function hex(bytes) {
    return Array.from(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function b64url(text) {
    var s = text.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    return Uint8Array.from(atob(s), function (c) { return c.charCodeAt(0); });
  }

  function importKey(jwk) {
    return crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, ext: true },
      { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  }

  function es256(jwk, signature, signed) {
    return importKey(jwk).then(function (key) {
      return crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, signed);
    });
  }

  /* --- the trust list: the page's, or a newer one kept from an earlier visit ------------- */
  function checkedList(list) {
    // A list counts only if the key it names signed it (the JWS), and that key is in it.
    try {
      var parts = list.signed.split("."), header = JSON.parse(new TextDecoder().decode(b64url(parts[0])));
      var body = JSON.parse(new TextDecoder().decode(b64url(parts[1])));
      var signer = body.keys.filter(function (k) { return k.kid === header.kid; })[0];
      if (!signer || header.alg !== "ES256") return Promise.resolve(null);
      return es256(signer.jwk, b64url(parts[2]), new TextEncoder().encode(parts[0] + "." + parts[1]))
        .then(function (ok) { return ok ? body : null; }, function () { return null; });
    } catch (e) {
      return Promise.resolve(null);
    }
  }

  function loadTrust() {
    var embedded = JSON.parse(document.getElementById("trust-list").textContent);
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { kept = null; }
    var newest = kept && kept.updated_at > embedded.updated_at ? kept : embedded;
    return checkedList(newest).then(function (body) {
      if (!body && newest !== embedded) return checkedList(embedded).then(function (b) { return [b, embedded]; });
      return [body, newest];
    }).then(function (found) {
      trust = found[0];
      if (trust) { try { localStorage.setItem(STORE, JSON.stringify(found[1])); } catch (e) { /* full */ } }
      return trust;
    });
  }

  /* --- the check ----------------------------------------------------------------------- */
  function fieldsOf(claims) {
    var doc = claims.get(-260) && claims.get(-260).get(1);
    if (!(doc instanceof Map)) throw new Unreadable();
    var exp = claims.get(4), iat = claims.get(6);
    if (typeof exp !== "number" || typeof iat !== "number") throw new Unreadable();
    return {
      kind: doc.get("k"), number: doc.get("n"), name: doc.get("nm"),
      birth_date: doc.get("dob"), representation: doc.get("p"), issuer: claims.get(1),
      issued_at: new Date(iat * 1000).toISOString(),
      expires_on: new Date((exp - 1) * 1000).toISOString().slice(0, 10), exp: exp
    };
  }

  function checkOffline(text) {
    text = text.trim();
    if (text.indexOf(PREFIX) !== 0 || text.length > 1200) return Promise.reject(new Unreadable());
    var compressed;
    try { compressed = base45(text.slice(PREFIX.length)); } catch (e) { return Promise.reject(e); }
    return inflate(compressed).then(function (raw) {
      var cose = cbor(raw);
      if (cose && cose.tag !== undefined) { if (cose.tag !== 18) throw new Unreadable(); cose = cose.value; }
      if (!Array.isArray(cose) || cose.length !== 4 || !(cose[0] instanceof Uint8Array) ||
          !(cose[2] instanceof Uint8Array) || !(cose[3] instanceof Uint8Array)) throw new Unreadable();
      var header = cbor(cose[0]), claims = cbor(cose[2]);
      if (!(header instanceof Map) || header.get(1) !== -7 || !(header.get(4) instanceof Uint8Array) ||
          !(claims instanceof Map)) throw new Unreadable();
      var fields = fieldsOf(claims), kid = hex(header.get(4));
      var key = trust && trust.keys.filter(function (k) { return k.kid === kid; })[0];
      if (!key || cose[3].length !== 64) return { status: "forged" };
      return es256(key.jwk, cose[3], sigStructure(cose[0], cose[2])).then(function (ok) {
        if (!ok) return { status: "forged" };
        var expired = Date.now() / 1000 >= fields.exp;
        return { status: expired ? "expired" : "valid", key_id: kid, document: fields };
      });
    });
  }

  function checkOnline(text) {
    return fetch("/api/v1/documents/verify", {
      method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ payload: text.trim() }), credentials: "omit"
    }).then(function (response) {
      if (!response.ok) throw new Error("verify " + response.status);
      return response.json();
    });
  }

  /* --- showing the verdict ---------------------------------------------------------------- */
  function say(name) { return texts.dataset[name] || ""; }

  function formatDate(iso) {
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined,
        { dateStyle: "long", timeZone: "UTC" }).format(new Date(iso.length === 10 ? iso + "T00:00:00Z" : iso));
    } catch (e) { return iso; }
  }

  function show(result, where) {
    out.textContent = "";
    var card = document.createElement("div");
    card.className = "card verdict-card verdict-" + result.status;
    card.dataset.status = result.status;
    card.dataset.checked = where;
    card.setAttribute("role", result.status === "valid" ? "status" : "alert");
    var verdict = document.createElement("p");
    verdict.className = "verdict";
    verdict.textContent = say(result.status);
    card.appendChild(verdict);
    var doc = result.document;
    if (doc) {
      var list = document.createElement("dl");
      var rows = [
        ["labelKind", data.kinds[doc.kind] || doc.kind], ["labelNumber", doc.number],
        ["labelName", doc.name], ["labelBirth", formatDate(doc.birth_date)],
        ["labelPost", data.posts[doc.representation] || doc.representation || doc.issuer],
        ["labelIssued", formatDate(doc.issued_at)], ["labelExpires", formatDate(doc.expires_on)]
      ];
      if (result.status === "revoked") {
        rows.push(["labelRevoked", (data.reasons[result.revocation_reason] || "") +
          (result.revoked_at ? " (" + formatDate(result.revoked_at) + ")" : "")]);
      }
      rows.forEach(function (row) {
        var wrap = document.createElement("div"), dt = document.createElement("dt"), dd = document.createElement("dd");
        dt.textContent = say(row[0]);
        dd.textContent = row[1];
        wrap.appendChild(dt); wrap.appendChild(dd); list.appendChild(wrap);
      });
      card.appendChild(list);
      var hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = say("compare");
      card.appendChild(hint);
    }
    if (result.status !== "forged") {
      var note = document.createElement("p");
      note.className = "hint checked-where";
      note.textContent = say(where);
      card.appendChild(note);
    }
    out.appendChild(card);
  }

  function problem(message) {
    out.textContent = "";
    var card = document.createElement("div");
    card.className = "card";
    card.setAttribute("role", "alert");
    card.dataset.status = "unreadable";
    var p = document.createElement("p");
    p.className = "verdict";
    p.textContent = message;
    card.appendChild(p);
    out.appendChild(card);
  }

  function verify(text) {
    out.setAttribute("aria-busy", "true");
    return (trust ? Promise.resolve(trust) : loadTrust()).then(function () {
      return checkOffline(text);
    }).then(function (result) {
      var online = navigator.onLine !== false && result.status !== "forged";
      show(result, online ? "checking" : "offline");
      if (!online) return;
      return checkOnline(text).then(function (server) { show(server, "online"); },
        function () { show(result, "offline"); });
    }, function (error) {
      if (error instanceof Unreadable) problem(say("unreadable"));
      else problem(say("failed"));
    }).then(function () { out.removeAttribute("aria-busy"); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    verify(form.elements.payload.value);
  });

  /* --- the camera, where the browser reads QR codes itself ------------------------------- */
  var scan = document.getElementById("scan-button");
  var video = document.getElementById("scan-video");
  if (scan && video && "BarcodeDetector" in window && navigator.mediaDevices) {
    scan.hidden = false;
    scan.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        function stop() { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; }
        function look() {
          detector.detect(video).then(function (codes) {
            if (codes.length) { stop(); form.elements.payload.value = codes[0].rawValue; verify(codes[0].rawValue); }
            else requestAnimationFrame(look);
          }, function () { stop(); problem(say("camera")); });
        }
        look();
      }, function () { problem(say("camera")); });
    });
  }

  loadTrust();
  if (navigator.onLine !== false) {
    // Keep the newest list for a later visit without a connection.
    fetch("/api/v1/documents/trust-list", { credentials: "omit" }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (list) {
      if (list) return checkedList(list).then(function (body) {
        if (body) { trust = body; try { localStorage.setItem(STORE, JSON.stringify(list)); } catch (e) { /* full */ } }
      });
    }).catch(function () { /* offline: the page's list serves */ });
  }
})();
