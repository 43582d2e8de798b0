// On the framed instance viewer (Pages/Workflows/Instance.cshtml): links to other pages (the definition's editor,
// a finding) open in the whole window, not in the frame.
document.addEventListener('click', e => {
    const link = e.target instanceof Element ? e.target.closest('a[href]') : null;
    if (!link) return;
    const url = new URL(link.getAttribute('href'), location.origin);
    if (url.origin === location.origin && url.pathname !== location.pathname && window.top !== window) {
        e.preventDefault();
        window.top.location.href = url.pathname + url.search + url.hash;
    }
}, true);
