// Sortable tables: headers become buttons only when this script runs, so without JavaScript
// the table stays in sweep order with plain headers. Cells sort by their data-sort value.
(() => {
  document.querySelectorAll('table.sortable').forEach((table) => {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, (th, col) => {
      var button = document.createElement('button');
      button.type = 'button';
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.setAttribute('aria-sort', 'none');
      button.addEventListener('click', () => {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(headers, (h) => {
          h.setAttribute('aria-sort', 'none');
        });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var numeric = th.dataset.numeric === 'true';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort((a, b) => {
          var x = a.cells[col].dataset.sort,
            y = b.cells[col].dataset.sort;
          var d = numeric ? (x === '' ? Infinity : +x) - (y === '' ? Infinity : +y) : x.localeCompare(y);
          if (numeric && x === '' && y === '') d = 0;
          return asc ? d : -d;
        });
        rows.forEach((r) => {
          body.appendChild(r);
        });
      });
    });
  });
})();
