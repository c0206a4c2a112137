/* Reply in place: "Reply" moves the comment form under that comment and sets its parent.
   Without this script the same links reload the page with ?replytocom=<id>, which does
   the same on the server. No inline code anywhere (the site will run a strict CSP). */
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  if (!respond) return;
  var form = respond.querySelector("form");
  var parent = form.querySelector('input[name="parent"]');
  var title = respond.querySelector("[data-reply-title]");
  var cancel = document.getElementById("cancel-reply");
  var home = document.createElement("div");
  home.hidden = true;
  respond.parentNode.insertBefore(home, respond);
  var defaultTitle = "Leave a Comment";

  function setTitle(author) {
    title.textContent = "";
    if (!author) {
      title.textContent = defaultTitle;
      return;
    }
    title.appendChild(document.createTextNode("Leave a Reply to "));
    var bdi = document.createElement("bdi");
    bdi.textContent = author;
    title.appendChild(bdi);
  }

  function replyTo(link) {
    var comment = document.getElementById("comment-" + link.dataset.replyTo);
    if (!comment) return false;
    comment.querySelector(".comment__body").appendChild(respond);
    parent.value = link.dataset.replyTo;
    setTitle(link.dataset.author);
    cancel.hidden = false;
    form.querySelector("textarea").focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.comment__reply");
    if (link && replyTo(link)) event.preventDefault();
  });

  cancel.addEventListener("click", function (event) {
    event.preventDefault();
    home.parentNode.insertBefore(respond, home);
    parent.value = "";
    setTitle("");
    cancel.hidden = true;
  });
})();
