/* The moderators' queue at keyboard speed (the comments' changelist in the admin).

   j/k move, a/s/t/u decide (the keys each row offers: data-keys), x selects, e shows the
   whole comment, Enter opens it, o shows only its article's pending comments, z undoes the
   last decision within its window, ? lists the keys. A decision is a POST to the row's
   JSON endpoint (data-decide); the row leaves at once and comes back, saying why, if the
   server refused. Without this script the row buttons and bulk actions work as before. */
(function () {
  "use strict";

  var root = document.getElementById("c-keyboard");
  var table = document.getElementById("result_list");
  var form = document.getElementById("changelist-form");
  if (!root || !table || !form) {
    return;
  }
  var live = document.getElementById("c-live");
  var bar = document.getElementById("c-undo");
  var barText = bar.querySelector(".c-undo__text");
  var dialog = document.getElementById("c-keys");
  var token = form.querySelector("[name=csrfmiddlewaretoken]");
  var body = table.tBodies[0];
  var allRows = Array.prototype.slice.call(body.rows);
  var current = null;
  var undos = [];
  var ticking = null;

  root.hidden = false;

  function info(row) {
    return row.querySelector(".c-row-actions[data-comment]");
  }

  function rows() {
    return Array.prototype.filter.call(body.rows, function (row) {
      return !row.hidden && info(row);
    });
  }

  function say(text) {
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = text;
    }, 30);
  }

  function focusRow(row) {
    if (current) {
      current.classList.remove("c-current");
    }
    current = row || null;
    if (!row) {
      return;
    }
    row.classList.add("c-current");
    row.tabIndex = -1;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) {
      return;
    }
    var at = list.indexOf(current);
    var next = at < 0 ? 0 : Math.min(Math.max(at + step, 0), list.length - 1);
    focusRow(list[next]);
  }

  function keysOf(row) {
    var map = {};
    (info(row).dataset.keys || "").split(" ").forEach(function (pair) {
      var parts = pair.split(":");
      if (parts[1]) {
        map[parts[0]] = parts[1];
      }
    });
    return map;
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
    }).then(
      function (response) {
        return response.json().then(
          function (answer) {
            answer.ok = response.ok;
            return answer;
          },
          function () {
            return { ok: false, error: "The server answered " + response.status + "; nothing changed. Reload the page." };
          }
        );
      },
      function () {
        return { ok: false, error: "The server could not be reached; nothing changed." };
      }
    );
  }

  function note(row, text) {
    var actions = info(row);
    var line = row.querySelector(".c-row-note");
    if (!line) {
      line = document.createElement("p");
      line.className = "c-row-note";
      actions.parentNode.insertBefore(line, actions);
    }
    line.textContent = text;
  }

  function putBack(row) {
    // Before the next row of the page as it loaded that is still there.
    var after = allRows.slice(allRows.indexOf(row) + 1).filter(function (other) {
      return other.parentNode === body;
    });
    body.insertBefore(row, after.length ? after[0] : null);
    row.hidden = false;
    row.classList.remove("c-leaving");
  }

  function pending() {
    var now = Date.now();
    undos = undos.filter(function (entry) {
      return entry.until > now;
    });
    return undos;
  }

  function showBar() {
    var list = pending();
    if (!list.length) {
      if (!bar.dataset.error) {
        bar.hidden = true;
      }
      window.clearInterval(ticking);
      ticking = null;
      return;
    }
    var last = list[list.length - 1];
    var left = Math.ceil((last.until - Date.now()) / 1000);
    delete bar.dataset.error;
    barText.textContent = last.message + " Undo within " + left + " s.";
    bar.hidden = false;
    if (!ticking) {
      ticking = window.setInterval(showBar, 250);
    }
  }

  function showError(text) {
    bar.dataset.error = "1";
    barText.textContent = text;
    bar.hidden = false;
    window.setTimeout(function () {
      delete bar.dataset.error;
      showBar();
    }, 6000);
  }

  function countPending(change) {
    // The header's "N comments pending", kept right without a page load.
    var badge = document.querySelector(".pending-badge");
    var now = badge && parseInt(badge.textContent, 10);
    if (!badge || isNaN(now)) {
      return;
    }
    var count = Math.max(now + change, 0);
    badge.textContent = count ? count + (count === 1 ? " comment" : " comments") + " pending" : "No comments pending";
    badge.classList.toggle("pending-badge--none", !count);
  }

  function decide(row, key) {
    var actions = info(row);
    var name = keysOf(row)[key];
    if (!name) {
      say("Key " + key + " does nothing for this comment.");
      return;
    }
    var data = new FormData();
    data.append("seen", actions.dataset.status);
    ["reason", "reason_note"].forEach(function (field) {
      var input = form.querySelector("[name=" + field + "]");
      if (input && input.value) {
        data.append(field, input.value);
      }
    });
    var list = rows();
    var at = list.indexOf(row);
    row.hidden = true;
    row.classList.add("c-leaving");
    var movedTo = list[at + 1] || list[at - 1];
    focusRow(movedTo);
    post(actions.dataset.decide.replace("/_/", "/" + name + "/"), data).then(function (answer) {
      if (answer.ok) {
        row.remove();
        countPending((answer.status === "pending") - (actions.dataset.status === "pending"));
        undos.push({
          change: (answer.status === "pending") - (actions.dataset.status === "pending"),
          row: row,
          url: answer.undo,
          message: answer.message,
          until: Date.now() + answer.undo_seconds * 1000,
        });
        showBar();
        say(answer.message + " Press z to undo.");
        return;
      }
      row.hidden = false;
      row.classList.remove("c-leaving");
      row.classList.add("c-conflict");
      actions.dataset.keys = "";
      note(row, answer.error);
      var badge = row.querySelector(".field-state .c-badge");
      if (badge && answer.status) {
        badge.className = "c-badge c-badge--" + answer.status;
        badge.textContent = answer.status;
      }
      if (current === movedTo) {
        focusRow(row); // the moderator has not moved on: show them the row that refused
      }
      say(answer.error);
    });
  }

  function undoLast() {
    var entry = pending().pop();
    if (!entry) {
      say("Nothing left to undo.");
      return;
    }
    undos = undos.filter(function (other) {
      return other !== entry;
    });
    showBar();
    post(entry.url, new FormData()).then(function (answer) {
      if (answer.ok) {
        countPending(-entry.change);
        putBack(entry.row);
        focusRow(entry.row);
        say(answer.message);
      } else {
        showError(answer.error);
        say(answer.error);
      }
    });
  }

  function openHelp() {
    if (!dialog.open) {
      dialog.showModal();
    }
  }

  root.querySelector(".c-keyboard__open").addEventListener("click", openHelp);
  bar.querySelector(".c-undo__button").addEventListener("click", undoLast);

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || dialog.open) {
      return;
    }
    var target = event.target;
    if (
      target.closest &&
      target.closest("input:not([type=checkbox]):not([type=radio]), select, textarea, [contenteditable]")
    ) {
      return;
    }
    var key = event.key;
    var row = current && current.parentNode === body && !current.hidden ? current : null;
    if (key === "?") {
      openHelp();
    } else if (key === "j") {
      move(1);
    } else if (key === "k") {
      move(-1);
    } else if (key === "z") {
      undoLast();
    } else if (!row) {
      if ("astuxeo".indexOf(key) >= 0 && key.length === 1) {
        move(1);
        say("Choose a comment first: j moves to the next one.");
      } else {
        return;
      }
    } else if (key === "Enter" && (target === row || target === document.body)) {
      window.location.assign(row.querySelector(".c-open").href);
    } else if (key === "x") {
      row.querySelector("input.action-select").click();
    } else if (key === "e") {
      var more = row.querySelector("details.c-more");
      if (more) {
        more.open = !more.open;
      } else {
        say("This comment is shown whole.");
      }
    } else if (key === "o" || key === "p") {
      window.location.assign(info(row).dataset.article);
    } else if (key.length === 1 && "astu".indexOf(key) >= 0) {
      decide(row, key);
    } else {
      return;
    }
    event.preventDefault();
  });
})();
