/* Survey app, the store: the roster and the outbox in IndexedDB, and their sync with the
   server (docs/survey-sync.md). What the cadre sees is the server's copy of the roster with
   the pending changes replayed over it: a server answer replaces the server's copy and
   removes its change, and nothing has to be merged by hand. */
(function (SV) {
  "use strict";
  var db, state = SV.state = { user: null, roster: null, outbox: [], view: [], net: "", relogin: false,
                              syncing: false, notices: [], problem: "" };

  function promised(request) {
    return new Promise(function (ok, fail) {
      request.onsuccess = function () { ok(request.result); };
      request.onerror = function () { fail(request.error); };
    });
  }

  SV.openDb = function () {
    var open = indexedDB.open("field_app_survey", 1);
    open.onupgradeneeded = function () {
      var d = open.result;
      d.createObjectStore("roster", { keyPath: "user" });
      d.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true }).createIndex("user", "user");
      d.createObjectStore("meta");
    };
    return promised(open).then(function (d) { db = d; });
  };

  // fn(stores, roster, outbox) runs in one transaction that has just read the current user's
  // roster and outbox, so it sees them as they are now; resolves with fn's result once the
  // transaction has committed.
  function withData(mode, fn) {
    return new Promise(function (ok, fail) {
      var t = db.transaction(["roster", "outbox", "meta"], mode), out;
      var s = { roster: t.objectStore("roster"), outbox: t.objectStore("outbox"), meta: t.objectStore("meta") };
      t.oncomplete = function () { ok(out); };
      t.onerror = t.onabort = function () { fail(t.error); };
      s.roster.get(state.user || "").onsuccess = function (e) {
        var roster = e.target.result;
        s.outbox.index("user").getAll(state.user || "").onsuccess = function (e2) {
          out = fn(s, roster, e2.target.result);
        };
      };
    });
  }

  SV.meta = function (key, value) {
    var t = db.transaction("meta", value === undefined ? "readonly" : "readwrite").objectStore("meta");
    return promised(value === undefined ? t.get(key) : t.put(value, key));
  };

  // Load the current user's roster and outbox into memory and recompute what is shown.
  SV.reload = function () {
    return withData("readonly", function (s, roster, outbox) {
      state.roster = roster || null;
      state.outbox = outbox;
      state.loaded = true;
      state.view = replay(roster ? roster.households : [], outbox);
    }).then(SV.changed);
  };

  SV.setUser = function (username) {
    if (state.user === username) return Promise.resolve();
    state.user = username;
    return SV.meta("user", username).then(SV.reload);
  };

  // ---- the local copy: the server's households with pending changes replayed -------------

  function find(list, ref) {
    for (var i = 0; i < (list || []).length; i++) if (list[i].ref === ref) return list[i];
    return null;
  }
  SV.find = find;

  // The household, member, spell or training ref in a household, with its list.
  function locate(household, ref) {
    if (!household) return null;
    if (household.ref === ref) return { record: household };
    for (var i = 0; i < household.members.length; i++) {
      var m = household.members[i];
      if (m.ref === ref) return { record: m, list: household.members };
      var s = find(m.spells, ref) || find(m.trainings, ref);
      if (s) return { record: s, list: find(m.spells, ref) ? m.spells : m.trainings, member: m };
    }
    return null;
  }
  SV.locate = locate;
  SV.versionIn = function (household, ref) {
    var found = locate(household, ref);
    return found ? found.record.version : null;
  };

  function copy(x) { return JSON.parse(JSON.stringify(x)); }
  function maskId(n) { return n.slice(0, 6) + "********" + n.slice(-4); }

  // A submission waits while a change the cadre made to the household before it is refused
  // (rejected or in conflict): it is neither sent nor shown as done until that change is
  // corrected or discarded. The outbox is in the order the changes were made.
  function held(outbox) {
    var refused = {}, out = {};
    outbox.forEach(function (e) {
      if (e.state !== "pending") refused[e.household_ref] = true;
      else if (e.op === "household.submit" && refused[e.household_ref]) out[e.seq] = true;
    });
    return out;
  }
  SV.held = held;

  function replay(base, outbox) {
    var list = base.slice(), byRef = {}, copied = {}, waiting = held(outbox);
    list.forEach(function (hh, i) { byRef[hh.ref] = i; });
    outbox.forEach(function (e) {
      if (e.state !== "pending") return;
      var i = byRef[e.household_ref];
      if (waiting[e.seq]) {
        if (i !== undefined) {
          if (!copied[e.household_ref]) { list[i] = copy(list[i]); copied[e.household_ref] = true; }
          list[i].held = true;
          list[i].pending = (list[i].pending || 0) + 1;
        }
        return;
      }
      if (i === undefined) {
        if (e.op !== "household.save") return;
        list.push({ ref: e.household_ref, code: null, version: null, status: "not_surveyed",
                    editable: true, returns: [], members: [] });
        i = byRef[e.household_ref] = list.length - 1;
        copied[e.household_ref] = true;
      }
      if (!copied[e.household_ref]) { list[i] = copy(list[i]); copied[e.household_ref] = true; }
      apply(list[i], e);
      list[i].pending = (list[i].pending || 0) + 1;
    });
    outbox.forEach(function (e) {
      var i = byRef[e.household_ref];
      if (e.state !== "pending" && i !== undefined) {
        if (!copied[e.household_ref]) { list[i] = copy(list[i]); copied[e.household_ref] = true; }
        list[i].problems = (list[i].problems || 0) + 1;
      }
    });
    return list;
  }

  var SUBLIST = { spell: "spells", training: "trainings" };
  function apply(hh, e) {
    var kind = e.op.split(".")[0], verb = e.op.split(".")[1], d = e.data, found, rec;
    if (e.op === "household.submit") { hh.status = "submitted"; hh.editable = false; return; }
    if (hh.status === "not_surveyed") hh.status = "entered";
    if (e.op === "household.confirm") { hh.confirmed = true; return; }
    if (kind === "household") { Object.assign(hh, d); return; }
    if (kind === "member") {
      found = locate(hh, e.target_ref);
      if (verb === "remove") {
        if (found) hh.members.splice(hh.members.indexOf(found.record), 1);
        return;
      }
      rec = found ? found.record : null;
      if (!rec) {
        var id = SV.idInfo(d.id_number || "");
        rec = { ref: e.target_ref, version: null, id_masked: d.id_number ? maskId(id.number || d.id_number) : "",
                sex: id.sex || null, birth_date: id.birth || null, registered_elsewhere: [],
                spells: [], trainings: [], phone_masked: null };
        hh.members.push(rec);
      }
      ["name", "hukou", "relation", "labour_capacity"].forEach(function (k) { if (k in d) rec[k] = d[k]; });
      if (!SV.empty(d.phone)) rec.phone_masked = d.phone.slice(0, 3) + "****" + d.phone.slice(-4);
      return;
    }
    var member = find(hh.members, d.member_ref);
    if (!member) return;
    var list = member[SUBLIST[kind]], old = find(list, e.target_ref);
    if (verb === "remove") {
      if (old) list.splice(list.indexOf(old), 1);
      return;
    }
    if (!old) { old = { ref: e.target_ref, version: null }; list.push(old); }
    Object.keys(d).forEach(function (k) { if (k !== "member_ref") old[k] = d[k]; });
  }

  // ---- the outbox -------------------------------------------------------------------------

  // Queue changes made on the local copy: [[op, householdRef, targetRef, data], …]. Their
  // base version is that of the server's copy now, read in the transaction that stores them.
  SV.enqueue = function (changes) {
    return withData("readwrite", function (s, roster, outbox) {
      var touched = {};
      changes.forEach(function (c) {
        var hh = roster ? find(roster.households, c[1]) : null;
        s.outbox.add({ uuid: SV.uuid(), user: state.user, op: c[0], household_ref: c[1], target_ref: c[2],
                       base_version: hh ? SV.versionIn(hh, c[2]) : null, data: c[3],
                       made_at: new Date().toISOString(), state: "pending" });
        if (c[0] !== "household.submit") touched[c[1]] = true;
      });
      submitsLast(s, outbox, touched);
    }).then(SV.reload).then(function () { SV.syncSoon(); });
  };

  // A waiting submission of a household the cadre has changed again goes after the change:
  // it stands for the household as she leaves it.
  function submitsLast(s, outbox, households) {
    outbox.forEach(function (e) {
      if (e.op !== "household.submit" || e.state !== "pending" || !households[e.household_ref]) return;
      s.outbox.delete(e.seq);
      var again = Object.assign({}, e);
      delete again.seq;
      s.outbox.add(again);
    });
  }

  // Replace an entry by a corrected one: the same place in the queue under a new uuid (the
  // server answers a uuid it has seen with the stored answer).
  SV.resend = function (seq, data, baseVersion) {
    return withData("readwrite", function (s, roster, outbox) {
      var e = outbox.filter(function (x) { return x.seq === seq; })[0];
      if (!e) return;
      e.uuid = SV.uuid();
      e.state = "pending";
      delete e.result;
      if (data) e.data = data;
      if (baseVersion !== undefined) e.base_version = baseVersion;
      s.outbox.put(e);
    }).then(SV.reload).then(function () { SV.syncSoon(); });
  };

  SV.discard = function (seq) {
    // A submission that waited for this change may go now.
    return withData("readwrite", function (s) { s.outbox.delete(seq); }).then(SV.reload)
      .then(function () { SV.syncSoon(); });
  };

  // Keep the cadre's version of a conflicting change: the same change again, made on the
  // server's version, at the end of the queue.
  SV.keepMine = function (seq) {
    return withData("readwrite", function (s, roster, outbox) {
      var e = outbox.filter(function (x) { return x.seq === seq; })[0];
      if (!e) return;
      var server = roster ? find(roster.households, e.household_ref) : null;
      s.outbox.delete(seq);
      s.outbox.add({ uuid: SV.uuid(), user: e.user, op: e.op, household_ref: e.household_ref,
                     target_ref: e.target_ref, base_version: SV.versionIn(server, e.target_ref),
                     data: e.data, made_at: new Date().toISOString(), state: "pending" });
      var touched = {};
      touched[e.household_ref] = true;
      submitsLast(s, outbox.filter(function (x) { return x.seq !== seq; }), touched);
    }).then(SV.reload).then(function () { SV.syncSoon(); });
  };

  // ---- talking to the server --------------------------------------------------------------

  // Only an answer that is JSON from this server counts (a captive portal answers 200 with
  // HTML). Throws {status} otherwise: 401 means signed out, 0 anything unreadable.
  function api(url, opts) {
    opts = Object.assign({ credentials: "same-origin", cache: "no-store" }, opts || {});
    opts.headers = Object.assign({ Accept: "application/json" }, opts.headers || {});
    return fetch(url, opts).then(function (r) {
      if (r.status === 304) return { status: 304 };
      var isJson = /application\/json/.test(r.headers.get("Content-Type") || "");
      return (isJson ? r.json() : Promise.resolve(null)).catch(function () { return null; })
        .then(function (body) {
          var ours = !!body && body.server === "field_app";
          if (r.ok && ours) return { status: r.status, body: body, etag: r.headers.get("ETag") };
          var error = new Error("HTTP " + r.status);
          error.status = r.status === 401 || ours ? r.status : 0;
          error.body = ours ? body : null;
          throw error;
        });
    });
  }
  SV.api = api;

  // A submission names the household's earlier changes still in the outbox: the server
  // refuses it unless each of them has been applied.
  function wire(e, i, batch) {
    var out = { uuid: e.uuid, op: e.op, household_ref: e.household_ref, target_ref: e.target_ref,
                base_version: e.base_version, data: e.data, made_at: e.made_at };
    if (e.op === "household.submit") {
      out.after = batch.slice(0, i).filter(function (x) { return x.household_ref === e.household_ref; })
        .map(function (x) { return x.uuid; });
    }
    return out;
  }

  // Send the user's pending changes, oldest first, 100 at a time, but no waiting submission.
  // Resolves when none is left.
  function sendOutbox(csrf) {
    return withData("readonly", function (s, roster, outbox) {
      var waiting = held(outbox);
      return outbox.filter(function (e) { return e.state === "pending" && !waiting[e.seq]; }).slice(0, 100);
    }).then(function (batch) {
      if (!batch.length) return null;
      return api(SV.urls.sync, {
        method: "POST", body: JSON.stringify({ changes: batch.map(wire) }),
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }
      }).then(function (res) {
        return settle(batch, (res.body && res.body.results) || []);
      }).then(function (acknowledged) {
        if (acknowledged < batch.length) throw new Error("unacknowledged changes");
        return sendOutbox(csrf);
      });
    });
  }

  // Apply the server's answers to the stored copy and outbox; resolves with how many of the
  // batch the answer acknowledged.
  function settle(batch, results) {
    var byUuid = {};
    results.forEach(function (r) { if (r && r.uuid) byUuid[r.uuid] = r; });
    return withData("readwrite", function (s, roster, outbox) {
      var count = 0, households = roster ? roster.households : [], refused = {};
      batch.forEach(function (sent) {
        var r = byUuid[sent.uuid];
        if (!r) return;
        count++;
        if (r.household) {
          var old = find(households, r.household.ref);
          if (old) households[households.indexOf(old)] = r.household;
          else households.push(r.household);
        }
        if (r.notice && state.notices.indexOf(r.notice) < 0) state.notices.push(r.notice);
        var e = outbox.filter(function (x) { return x.uuid === sent.uuid; })[0];
        if (!e) return;  // discarded while it was on its way
        if (r.status === "applied") {
          // The version this change made; a resent change's household may be newer still.
          var now = "target_version" in r ? r.target_version : SV.versionIn(r.household, e.target_ref);
          outbox.forEach(function (later) {
            if (later.seq > e.seq && later.target_ref === e.target_ref && later.base_version === e.base_version) {
              later.base_version = now;
              s.outbox.put(later);
            }
          });
          s.outbox.delete(e.seq);
        } else if (e.op === "household.submit" && refused[e.household_ref]) {
          // Refused for the household's change refused just before it: the submission waits
          // for that change (a new uuid, as the server keeps this one's answer).
          e.uuid = SV.uuid();
          s.outbox.put(e);
        } else {
          refused[e.household_ref] = true;
          e.state = r.status === "conflict" ? "conflict" : "rejected";
          e.result = { message: r.message || "", errors: r.errors || {}, household: r.household || null };
          s.outbox.put(e);
        }
      });
      if (roster) s.roster.put(roster);
      return count;
    });
  }

  function fetchRoster() {
    var etag = state.roster && state.roster.etag;
    return api(SV.urls.roster, { headers: etag ? { "If-None-Match": etag } : {} }).then(function (res) {
      if (res.status === 304) return;
      var b = res.body;
      return withData("readwrite", function (s) {
        s.roster.put({ user: state.user, round: b.round, village: b.village, households: b.households,
                       etag: res.etag, at: Date.now() });
      });
    });
  }

  // ---- when to sync: page load, the online event, after a change, and a backoff timer ------

  var delay = 2000, timer = null, again = false;

  SV.syncSoon = function () {
    clearTimeout(timer);
    timer = setTimeout(SV.sync, 300);
  };

  SV.sync = function () {
    if (state.syncing) { again = true; return Promise.resolve(); }
    clearTimeout(timer);
    state.syncing = true;
    SV.changed();
    var run = function () {
      return api(SV.urls.session).then(function (res) {
        var b = res.body;
        if (b.today) SV.today = b.today;
        // The shell may come from the worker's cache, made for an earlier session: its forms
        // (sign-out) need this session's token.
        Array.prototype.forEach.call(document.querySelectorAll("input[name=csrf_token]"), function (input) {
          input.value = b.csrf_token;
        });
        return SV.setUser(b.user.username).then(function () { return sendOutbox(b.csrf_token); });
      }).then(fetchRoster);
    };
    // One tab syncs at a time; the server would cope with two, but the counts would jump.
    var locked = navigator.locks ? navigator.locks.request("field_app_survey_sync", run) : run();
    return locked.then(function () {
      delay = 2000;
      state.net = "online";
      state.relogin = false;
      state.problem = "";
    }, function (error) {
      state.relogin = error.status === 401;
      state.problem = error.status === 404 ? "not_collector" : "";
      state.net = navigator.onLine ? "unreachable" : "offline";
      if (error.status !== 404) {
        timer = setTimeout(SV.sync, delay);
        delay = Math.min(delay * 2, 300000);
      }
    }).then(SV.reload).catch(function () {}).then(function () {
      state.syncing = false;
      SV.changed();
      if (again) { again = false; return SV.sync(); }
    });
  };

  window.addEventListener("online", function () { delay = 2000; SV.sync(); });
  window.addEventListener("offline", function () { state.net = "offline"; SV.changed(); });
})(window.SV);
