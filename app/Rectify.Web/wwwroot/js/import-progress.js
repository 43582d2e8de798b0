// The import page's progress bar (Pages/Notices/Import.cshtml): polls the job until it is finished, then reloads.
(() => {
    const box = document.getElementById('job');
    if (!box || box.getAttribute('data-finished') === 'true') return;
    const id = box.getAttribute('data-job');
    // Stage names come from data attributes: the page stays in its language.
    const text = document.getElementById('job-text');
    function poll() {
        fetch('/api/notices/import/' + id, { credentials: 'same-origin' }).then(r => r.json()).then(s => {
            if (s.finished) { location.reload(); return; }
            const pct = s.total > 0 ? Math.round(100 * s.processed / s.total) : 5;
            document.getElementById('job-bar').style.width = pct + '%';
            text.textContent = text.getAttribute('data-' + s.stage.toLowerCase()) + ' ' + s.processed + ' / ' + s.total;
            setTimeout(poll, 400);
        }).catch(() => setTimeout(poll, 1500));
    }
    setTimeout(poll, 300);
})();
