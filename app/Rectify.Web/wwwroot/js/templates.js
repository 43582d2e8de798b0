// /templates: while a template is edited, its preview is rendered on the server (the same renderer, limits and data
// as real mail) and shown here with any errors by part, line and column. The HTML preview frame runs no script
// (sandboxed; same origin only so that it is drawn in screenshots too).
(() => {
    const form = document.getElementById('template-form');
    if (!form) return;
    const errors = document.getElementById('errors');
    const subject = document.getElementById('preview-subject');
    const html = document.getElementById('preview-html');
    const text = document.getElementById('preview-text');
    let timer = 0;
    let latest = 0;

    async function refresh() {
        const request = ++latest;
        const response = await fetch('/templates?handler=Preview', { method: 'POST', body: new FormData(form), credentials: 'same-origin' });
        if (request !== latest || !response.ok) return;
        const preview = await response.json();
        errors.replaceChildren(...preview.errors.map(e => {
            const li = document.createElement('li');
            li.textContent = e.line > 0 ? `${partTitle(e.part)} 第 ${e.line} 行第 ${e.column} 列：${e.message}` : e.part ? `${partTitle(e.part)}：${e.message}` : e.message;
            return li;
        }));
        errors.hidden = preview.errors.length === 0;
        if (preview.errors.length > 0) return;
        // A refused save's message is about an edit that has since been corrected.
        document.getElementById('save-error')?.remove();
        if (subject) subject.textContent = preview.subject ?? '';
        html.srcdoc = preview.html ?? '';
        if (text) text.textContent = preview.text ?? '';
    }

    function partTitle(part) {
        return part === 'subject' ? '主题' : part === 'txt' ? '纯文本' : 'HTML';
    }

    form.addEventListener('input', () => {
        clearTimeout(timer);
        timer = setTimeout(refresh, 300);
    });
    form.addEventListener('change', refresh);
})();
