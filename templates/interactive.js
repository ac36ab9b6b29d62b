// Interactive mode: replace each static chart with a live vega view built from its spec
// (time charts pan on drag and zoom on scroll; double-click resets).
// The live view renders into a fresh element and replaces the static SVG only on success,
// so a failure leaves the static chart in place. body[data-rendered] counts live charts.
(() => {
  var done = 0;
  document.querySelectorAll('script[type="application/json"][data-chart]').forEach((el) => {
    var host = document.getElementById(el.getAttribute('data-chart'));
    if (!host || typeof vegaEmbed !== 'function') return;
    var live = document.createElement('div');
    var spec = JSON.parse(el.textContent);
    vegaEmbed(live, spec, { renderer: 'svg', actions: false, tooltip: true }).then(
      () => {
        // Like the static SVG: scale down in a narrow window, never above the natural width.
        var svg = live.querySelector('svg');
        if (svg && svg.getAttribute('width')) svg.style.maxWidth = svg.getAttribute('width') + 'px';
        host.replaceChildren(live);
        done++;
        document.body.dataset.rendered = String(done);
      },
      (err) => {
        console.warn('faultline: live chart failed, static chart kept:', err && err.message);
      },
    );
  });
})();
